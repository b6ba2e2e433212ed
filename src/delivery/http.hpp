// One HTTP POST through libcurl, and webhook URL validation. This is the
// only module that includes curl. Nothing here throws for network or HTTP
// failures: the result of an attempt is a value.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace delivery {

// A request body that can be read from the start again for each attempt.
class Body {
public:
    virtual ~Body() = default;
    virtual size_t size() const noexcept = 0;
    virtual void rewind() noexcept = 0;
    virtual size_t read(char* out, size_t capacity) noexcept = 0;
};

struct Endpoint {
    std::string url;     // as given, credentials included: never log it
    std::string display; // scheme://host[:port], safe to log
    std::string host;
};

// Validates one URL: http or https, a host. On error returns nothing and
// sets `error` to a line that does not repeat the URL's credentials or path.
std::optional<Endpoint> parse_endpoint(std::string_view url,
                                       std::string* error);

// Whether `header` is "Name: value" with a token name and no CR or LF.
bool is_valid_header(std::string_view header);

struct RequestOptions {
    std::vector<std::string> headers; // "Name: value"
    std::string user_agent;
    bool verbose = false;
};

struct AttemptResult {
    enum class Kind { Http, ConnectFailed, TimedOut, TlsFailed, Failed };
    Kind kind = Kind::Failed;
    long status = 0;     // with Kind::Http
    std::string error;   // curl's description, for the log
};

// POSTs `body` once. `timeout` bounds the whole attempt.
AttemptResult post(const Endpoint& endpoint, Body& body,
                   const RequestOptions& options,
                   std::chrono::milliseconds timeout);

} // namespace delivery
