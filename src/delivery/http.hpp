// HTTP POSTs through libcurl, several at once (the multi interface), and
// webhook URL validation. This is the only module that includes curl.
// Nothing here throws for network or HTTP failures: the result of an
// attempt is a value.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace delivery {

// A request body that can be read from the start again for each attempt.
// It has one read position, so Transfers lets one attempt at a time read
// it and pauses the others until that one has sent every byte.
class Body {
public:
    virtual ~Body() = default;
    virtual size_t size() const noexcept = 0;
    virtual void rewind() noexcept = 0;
    virtual size_t read(char* out, size_t capacity) noexcept = 0;
};

struct Endpoint {
    std::string url;     // credentials removed; still never log it whole
    std::string display; // scheme://host[:port], safe to log
    std::string host;
    std::string user;     // from the URL's userinfo, percent-decoded
    std::string password; // sent as HTTP Basic authentication
};

// Validates one URL: http or https, a host. User and password move out of
// the URL into `user` and `password`. On error returns nothing and sets
// `error` to a line that repeats neither credentials nor path.
std::optional<Endpoint> parse_endpoint(std::string_view url,
                                       std::string* error);

// Whether `header` is "Name: value" with a token name and no CR or LF.
bool is_valid_header(std::string_view header);

// Whether `header` names a field that curl or mail2webhook sets (framing,
// Content-Type, Host, Expect, Connection, Idempotency-Key and the Standard
// Webhooks fields): a second value there could cut the body short or
// break the signature. Case-insensitive.
bool is_reserved_header(std::string_view header);

enum class TlsVersion { Tls12, Tls13 };

struct RequestOptions {
    std::vector<std::string> headers; // "Name: value", already validated
    std::string user_agent;
    std::chrono::milliseconds connect_timeout {10'000};
    std::string cacert, capath; // empty: the system's trust store
    std::string cert, key;      // client certificate, PEM
    TlsVersion tls_min = TlsVersion::Tls12;
    std::string interface; // curl syntax: "if!eth0" or "host!1.2.3.4"
    int wake_fd = -1; // readable: Transfers::wait returns at once
};

// How much of an answer's body is kept, for the status line: enough for
// its first line, bounded whatever the endpoint sends.
inline constexpr size_t response_kept = 1024;

struct AttemptResult {
    // LocalConfig: --interface or --source-address cannot be used here.
    enum class Kind {
        Http,
        ConnectFailed,
        TimedOut,
        TlsFailed,
        LocalConfig,
        Failed
    };
    Kind kind = Kind::Failed;
    long status = 0;         // with Kind::Http
    std::string retry_after; // raw header value of the final answer
    std::string response;    // first response_kept bytes of its body
    std::string error;       // curl's description, for the log
};

// The first non-blank line of an answer's body, untrusted remote text made
// fit for the status line: control characters replaced, cut to at most
// `limit` bytes without splitting a UTF-8 sequence. Empty when none.
std::string response_excerpt(std::string_view body, size_t limit = 200);

// Attempts in flight, each identified by the caller's `id`. Verification of
// the peer's certificate and host name is always on; redirects are never
// followed (a webhook that redirects is misconfigured, and following would
// resend the message).
class Transfers {
public:
    Transfers(Body& body, const RequestOptions& options);
    ~Transfers();
    Transfers(const Transfers&) = delete;
    Transfers& operator=(const Transfers&) = delete;

    // Starts one POST to `endpoint`, bounded by `timeout` as a whole
    // (connect, send, and an answer that trickles in). False when curl
    // could not set it up.
    bool start(size_t id, const Endpoint& endpoint,
               std::chrono::milliseconds timeout);

    // Waits at most `timeout` for progress, and returns the attempts that
    // finished, in no particular order. Returns early when the options'
    // wake_fd is readable.
    std::vector<std::pair<size_t, AttemptResult>>
    wait(std::chrono::milliseconds timeout);

    bool empty() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace delivery
