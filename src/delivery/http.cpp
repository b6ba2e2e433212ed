// libcurl: one easy handle per attempt, all of them in one multi handle.
// The body has a single read position, so it is leased to one attempt at a
// time: an attempt that wants to send while another is sending is paused
// and resumed when the lease comes free. Connecting, TLS handshakes, and
// waiting for answers still overlap, which is where the time goes.
#include "delivery/http.hpp"

#include <strings.h>

#include <curl/curl.h>

#include <algorithm>
#include <list>

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

std::string url_part(CURLU* url, CURLUPart part, unsigned flags = 0)
{
    char* value = nullptr;
    if (curl_url_get(url, part, &value, flags) != CURLUE_OK || !value)
        return {};
    std::string out(value);
    curl_free(value);
    return out;
}

AttemptResult::Kind kind_for(CURLcode code) noexcept
{
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return AttemptResult::Kind::TimedOut;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return AttemptResult::Kind::ConnectFailed;
    case CURLE_INTERFACE_FAILED:
        return AttemptResult::Kind::LocalConfig;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_USE_SSL_FAILED:
        return AttemptResult::Kind::TlsFailed;
    default:
        return AttemptResult::Kind::Failed;
    }
}

// At most `limit` bytes of `text`, never ending inside a UTF-8 sequence.
std::string_view cut_utf8(std::string_view text, size_t limit)
{
    if (text.size() <= limit)
        return text;
    size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end;
    return text.substr(0, end);
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
    endpoint.host = url_part(url.get(), CURLUPART_HOST);
    if (endpoint.host.empty()) {
        *error = "webhook URL has no host";
        return std::nullopt;
    }
    endpoint.user = url_part(url.get(), CURLUPART_USER, CURLU_URLDECODE);
    endpoint.password =
        url_part(url.get(), CURLUPART_PASSWORD, CURLU_URLDECODE);
    curl_url_set(url.get(), CURLUPART_USER, nullptr, 0);
    curl_url_set(url.get(), CURLUPART_PASSWORD, nullptr, 0);
    endpoint.url = url_part(url.get(), CURLUPART_URL);
    std::string port = url_part(url.get(), CURLUPART_PORT);
    endpoint.display = scheme + "://" + endpoint.host +
                       (port.empty() ? "" : ":" + port);
    return endpoint;
}

std::string response_excerpt(std::string_view body, size_t limit)
{
    size_t start = body.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos)
        return {};
    std::string_view line = body.substr(start);
    std::string out(cut_utf8(line.substr(0, line.find_first_of("\r\n")),
                             limit));
    for (char& c : out)
        if (c == '\t')
            c = ' ';
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            c = '_';
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
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

bool is_reserved_header(std::string_view header)
{
    static constexpr std::string_view s_reserved[] = {
        "Content-Length", "Transfer-Encoding", "Content-Type",
        "Host",           "Expect",            "Connection",
        "Idempotency-Key", "webhook-id",       "webhook-timestamp",
        "webhook-signature",
    };
    std::string_view name = header.substr(0, header.find(':'));
    return std::any_of(std::begin(s_reserved), std::end(s_reserved),
                       [&](std::string_view reserved) {
                           return name.size() == reserved.size() &&
                                  ::strncasecmp(name.data(), reserved.data(),
                                                name.size()) == 0;
                       });
}

namespace {

struct Attempt;

// Who may read the body now. Resuming the paused attempts waits until the
// loop is outside curl's callbacks. A holder whose receiver has taken
// nothing for s_stalled loses the lease, so one stalled receiver cannot
// starve the others; when it reads again it waits for its turn, and then
// the body is rewound and skipped to where it stopped.
// FIXME(#4): payload::Stream has one read position, so bodies go out one
// at a time, and a displaced attempt regenerates what it had sent. A
// cursor per attempt in payload::Stream would remove the lease.
struct BodyLease {
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds s_stalled {1000};

    Body& body;
    Attempt* holder = nullptr;
    Clock::time_point progress; // of the holder's last read
    bool freed = false;

    explicit BodyLease(Body& b)
        : body(b)
    {
    }

    void release(Attempt& attempt) noexcept
    {
        if (holder != &attempt)
            return;
        holder = nullptr;
        freed = true;
    }

    // Brings the shared stream to `offset` for a new holder.
    bool seek(size_t offset) noexcept
    {
        body.rewind();
        char scratch[16 * 1024];
        while (offset > 0) {
            size_t n = body.read(scratch, std::min(offset, sizeof scratch));
            if (n == 0)
                return false;
            offset -= n;
        }
        return true;
    }
};

// One attempt: its handle, its headers, and where it is in the body.
struct Attempt {
    BodyLease* lease = nullptr;
    size_t id = 0;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    size_t sent = 0;     // body bytes handed to curl
    bool paused = false; // waiting for the body lease
    std::string retry_after;
    std::string response; // at most response_kept bytes
    char error[CURL_ERROR_SIZE] = {};
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) noexcept
{
    auto& attempt = *static_cast<Attempt*>(user);
    BodyLease& lease = *attempt.lease;
    if (attempt.sent >= lease.body.size() && lease.holder != &attempt)
        return 0; // all sent; only a seek to the start sends it again
    if (lease.holder && lease.holder != &attempt) {
        attempt.paused = true;
        return CURL_READFUNC_PAUSE;
    }
    if (!lease.holder) {
        lease.holder = &attempt;
        if (!lease.seek(attempt.sent))
            return CURL_READFUNC_ABORT;
    }
    lease.progress = BodyLease::Clock::now();
    size_t n = lease.body.read(buffer, size * count);
    attempt.sent += n;
    if (n == 0 || attempt.sent >= lease.body.size())
        lease.release(attempt);
    return n;
}

// curl rewinds only to resend from the start (a reused connection that
// turned out dead); the next read then takes the lease and rewinds.
int seek_body(void* user, curl_off_t offset, int origin) noexcept
{
    if (offset != 0 || origin != SEEK_SET)
        return CURL_SEEKFUNC_CANTSEEK;
    auto& attempt = *static_cast<Attempt*>(user);
    attempt.lease->release(attempt);
    attempt.sent = 0;
    return CURL_SEEKFUNC_OK;
}

// Keeps Retry-After of the last answer; a new status line starts over.
size_t read_header(char* data, size_t size, size_t count, void* user) noexcept
{
    auto& attempt = *static_cast<Attempt*>(user);
    std::string_view line(data, size * count);
    constexpr std::string_view name = "retry-after:";
    if (line.substr(0, 5) == "HTTP/") {
        attempt.retry_after.clear();
        attempt.response.clear();
    } else if (line.size() > name.size() &&
             strncasecmp(line.data(), name.data(), name.size()) == 0)
        try {
            attempt.retry_after.assign(line.substr(name.size(), 100));
        } catch (...) {
            return 0; // out of memory: curl ends the attempt with an error
        }
    return size * count;
}

// Keeps the start of the answer's body for the status line and drops the
// rest, so an endpoint answering with megabytes costs no memory.
size_t keep_response(char* data, size_t size, size_t count,
                     void* user) noexcept
{
    auto& attempt = *static_cast<Attempt*>(user);
    size_t n = size * count;
    size_t room = response_kept - std::min(attempt.response.size(),
                                           response_kept);
    try {
        attempt.response.append(data, std::min(n, room));
    } catch (...) {
        return 0; // out of memory: curl ends the attempt with an error
    }
    return n;
}

void append(curl_slist*& list, const std::string& line) noexcept
{
    if (curl_slist* next = curl_slist_append(list, line.c_str()))
        list = next;
}

void set_tls(CURL* h, const RequestOptions& o)
{
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION,
                     o.tls_min == TlsVersion::Tls13 ? CURL_SSLVERSION_TLSv1_3
                                                    : CURL_SSLVERSION_TLSv1_2);
    if (!o.cacert.empty())
        curl_easy_setopt(h, CURLOPT_CAINFO, o.cacert.c_str());
    if (!o.capath.empty())
        curl_easy_setopt(h, CURLOPT_CAPATH, o.capath.c_str());
    if (!o.cert.empty())
        curl_easy_setopt(h, CURLOPT_SSLCERT, o.cert.c_str());
    if (!o.key.empty())
        curl_easy_setopt(h, CURLOPT_SSLKEY, o.key.c_str());
}

} // namespace

struct Transfers::Impl {
    BodyLease lease;
    const RequestOptions& options;
    CURLM* multi = nullptr;
    std::list<Attempt> attempts;

    Impl(Body& b, const RequestOptions& o)
        : lease(b)
        , options(o)
    {
    }
    void configure(Attempt& attempt, const Endpoint& endpoint,
                   std::chrono::milliseconds timeout);
    bool resume_paused() noexcept;
    bool anyone_paused() const noexcept;
    void finish(CURL* easy, CURLcode code,
                std::vector<std::pair<size_t, AttemptResult>>& done);
};

bool Transfers::Impl::anyone_paused() const noexcept
{
    for (const Attempt& a : attempts)
        if (a.paused)
            return true;
    return false;
}

// True when an attempt was resumed, so the caller should not sleep.
bool Transfers::Impl::resume_paused() noexcept
{
    if (lease.holder && anyone_paused() &&
        BodyLease::Clock::now() - lease.progress > BodyLease::s_stalled)
        lease.release(*lease.holder);
    if (!lease.freed)
        return false;
    lease.freed = false;
    bool resumed = false;
    for (Attempt& other : attempts)
        if (other.paused) {
            other.paused = false;
            resumed = true;
            curl_easy_pause(other.easy, CURLPAUSE_CONT);
        }
    return resumed;
}

void Transfers::Impl::configure(Attempt& a, const Endpoint& endpoint,
                                std::chrono::milliseconds timeout)
{
    CURL* h = a.easy;
    curl_easy_setopt(h, CURLOPT_PRIVATE, &a);
    curl_easy_setopt(h, CURLOPT_URL, endpoint.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(lease.body.size()));
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(h, CURLOPT_READDATA, &a);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_body);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_response);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, a.headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
    if (!endpoint.user.empty() || !endpoint.password.empty()) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, endpoint.user.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, endpoint.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<long long>(timeout.count(),
                                                           1)));
    curl_easy_setopt(
        h, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::max<long long>(
            std::min(options.connect_timeout, timeout).count(), 1)));
    if (!options.interface.empty())
        curl_easy_setopt(h, CURLOPT_INTERFACE, options.interface.c_str());
    set_tls(h, options);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a.error);
}

void Transfers::Impl::finish(
    CURL* easy, CURLcode code,
    std::vector<std::pair<size_t, AttemptResult>>& done)
{
    auto it = std::find_if(attempts.begin(), attempts.end(),
                           [&](const Attempt& a) { return a.easy == easy; });
    if (it == attempts.end())
        return;
    AttemptResult result;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    // A 2xx status line means the receiver took the message, even if the
    // rest of its answer broke off; trying again would post it twice.
    if (code == CURLE_OK || (status >= 200 && status < 300)) {
        result.kind = AttemptResult::Kind::Http;
        result.status = status;
        result.retry_after = it->retry_after;
        result.response = std::move(it->response);
        if (code != CURLE_OK) // for the log: the answer broke off
            result.error = it->error[0] ? it->error : curl_easy_strerror(code);
    } else {
        result.kind = kind_for(code);
        result.error = it->error[0] ? it->error : curl_easy_strerror(code);
    }
    lease.release(*it);
    curl_multi_remove_handle(multi, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(it->headers);
    done.emplace_back(it->id, std::move(result));
    attempts.erase(it);
}

Transfers::Transfers(Body& body, const RequestOptions& options)
    : m_impl(std::make_unique<Impl>(body, options))
{
    ensure_global_init();
    m_impl->multi = curl_multi_init();
}

Transfers::~Transfers()
{
    for (Attempt& a : m_impl->attempts) {
        curl_multi_remove_handle(m_impl->multi, a.easy);
        curl_easy_cleanup(a.easy);
        curl_slist_free_all(a.headers);
    }
    if (m_impl->multi)
        curl_multi_cleanup(m_impl->multi);
}

bool Transfers::start(size_t id, const Endpoint& endpoint,
                      std::chrono::milliseconds timeout)
{
    if (!m_impl->multi)
        return false;
    Attempt& a = m_impl->attempts.emplace_back();
    a.lease = &m_impl->lease;
    a.id = id;
    a.easy = curl_easy_init();
    if (!a.easy) {
        m_impl->attempts.pop_back();
        return false;
    }
    append(a.headers, "Content-Type: application/json");
    append(a.headers, "Expect:"); // no 100-continue round trip
    for (const std::string& header : m_impl->options.headers)
        append(a.headers, header);
    m_impl->configure(a, endpoint, timeout);
    if (curl_multi_add_handle(m_impl->multi, a.easy) != CURLM_OK) {
        curl_easy_cleanup(a.easy);
        curl_slist_free_all(a.headers);
        m_impl->attempts.pop_back();
        return false;
    }
    return true;
}

std::vector<std::pair<size_t, AttemptResult>>
Transfers::wait(std::chrono::milliseconds timeout)
{
    std::vector<std::pair<size_t, AttemptResult>> done;
    CURLM* multi = m_impl->multi;
    int running = 0;
    m_impl->resume_paused();
    curl_multi_perform(multi, &running);
    auto collect = [&] {
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left))
            if (msg->msg == CURLMSG_DONE)
                m_impl->finish(msg->easy_handle, msg->data.result, done);
    };
    collect();
    if (!done.empty())
        return done;
    // Attempts waiting for the body: look again soon for a stalled holder.
    if (m_impl->resume_paused())
        timeout = std::chrono::milliseconds(0);
    else if (m_impl->anyone_paused())
        timeout = std::min(timeout, std::chrono::milliseconds(100));
    curl_waitfd wake {m_impl->options.wake_fd, CURL_WAIT_POLLIN, 0};
    curl_multi_poll(multi, &wake, wake.fd < 0 ? 0 : 1,
                    static_cast<int>(std::max<long long>(timeout.count(), 0)),
                    nullptr);
    curl_multi_perform(multi, &running);
    collect();
    return done;
}

bool Transfers::empty() const noexcept { return m_impl->attempts.empty(); }

} // namespace delivery
