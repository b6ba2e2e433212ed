// libcurl easy interface, one handle per attempt. TLS verification is on
// and cannot be turned off; redirects are not followed (a webhook that
// redirects is misconfigured, and following would resend the message).
#include "delivery/http.hpp"

#include <curl/curl.h>

#include <memory>

namespace delivery {
namespace {

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlGlobal() { curl_global_cleanup(); }
};

void ensure_global_init()
{
    static CurlGlobal s_global;
}

struct UrlDeleter {
    void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct EasyDeleter {
    void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct ListDeleter {
    void operator()(curl_slist* list) const noexcept
    {
        curl_slist_free_all(list);
    }
};

std::string url_part(CURLU* url, CURLUPart part)
{
    char* value = nullptr;
    if (curl_url_get(url, part, &value, 0) != CURLUE_OK || !value)
        return {};
    std::string out(value);
    curl_free(value);
    return out;
}

size_t read_body(char* buffer, size_t size, size_t count, void* user) noexcept
{
    return static_cast<Body*>(user)->read(buffer, size * count);
}

int seek_body(void* user, curl_off_t offset, int origin) noexcept
{
    if (offset != 0 || origin != SEEK_SET)
        return CURL_SEEKFUNC_CANTSEEK;
    static_cast<Body*>(user)->rewind();
    return CURL_SEEKFUNC_OK;
}

// The answer's body is not used; keep nothing of it.
size_t discard(char*, size_t size, size_t count, void*) noexcept
{
    return size * count;
}

AttemptResult::Kind kind_for(CURLcode code) noexcept
{
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return AttemptResult::Kind::TimedOut;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_INTERFACE_FAILED:
        return AttemptResult::Kind::ConnectFailed;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        return AttemptResult::Kind::TlsFailed;
    default:
        return AttemptResult::Kind::Failed;
    }
}

} // namespace

std::optional<Endpoint> parse_endpoint(std::string_view text,
                                       std::string* error)
{
    std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
    std::string copy(text);
    if (!url || curl_url_set(url.get(), CURLUPART_URL, copy.c_str(),
                             CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
        *error = "invalid webhook URL";
        return std::nullopt;
    }
    std::string scheme = url_part(url.get(), CURLUPART_SCHEME);
    if (scheme != "http" && scheme != "https") {
        *error = "webhook URL must start with http:// or https://";
        return std::nullopt;
    }
    Endpoint endpoint;
    endpoint.url = copy;
    endpoint.host = url_part(url.get(), CURLUPART_HOST);
    if (endpoint.host.empty()) {
        *error = "webhook URL has no host";
        return std::nullopt;
    }
    std::string port = url_part(url.get(), CURLUPART_PORT);
    endpoint.display = scheme + "://" + endpoint.host +
                       (port.empty() ? "" : ":" + port);
    return endpoint;
}

bool is_valid_header(std::string_view header)
{
    if (header.find_first_of("\r\n") != std::string_view::npos)
        return false;
    size_t colon = header.find(':');
    if (colon == 0 || colon == std::string_view::npos)
        return false;
    for (char c : header.substr(0, colon)) {
        auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b >= 0x7F || c == '(' || c == ')' || c == ',' ||
            c == '/' || c == ';' || c == '<' || c == '>' || c == '@' ||
            c == '[' || c == ']' || c == '?' || c == '=' || c == '{' ||
            c == '}' || c == '"' || c == '\\')
            return false;
    }
    return true;
}

AttemptResult post(const Endpoint& endpoint, Body& body,
                   const RequestOptions& options,
                   std::chrono::milliseconds timeout)
{
    ensure_global_init();
    AttemptResult result;
    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    if (!easy) {
        result.error = "cannot create a curl handle";
        return result;
    }
    std::unique_ptr<curl_slist, ListDeleter> headers;
    auto add_header = [&](const std::string& line) {
        curl_slist* next = curl_slist_append(headers.get(), line.c_str());
        if (next) {
            (void)headers.release();
            headers.reset(next);
        }
    };
    add_header("Content-Type: application/json");
    add_header("Expect:"); // no 100-continue round trip
    for (const std::string& header : options.headers)
        add_header(header);

    body.rewind();
    char error[CURL_ERROR_SIZE] = {};
    CURL* h = easy.get();
    curl_easy_setopt(h, CURLOPT_URL, endpoint.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(h, CURLOPT_READDATA, &body);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_body);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<long long>(timeout.count(),
                                                           1)));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);

    CURLcode code = curl_easy_perform(h);
    if (code == CURLE_OK) {
        result.kind = AttemptResult::Kind::Http;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
        return result;
    }
    result.kind = kind_for(code);
    result.error = error[0] ? error : curl_easy_strerror(code);
    return result;
}

} // namespace delivery
