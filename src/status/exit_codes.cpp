// Outcome -> exit status and DSN, in the manner of Postfix's own
// sys_exits table. "When in doubt, defer": a mis-set endpoint or a typo in
// master.cf keeps the mail queued instead of bouncing it.
#include "status/exit_codes.hpp"

#include <sysexits.h>

#include <algorithm>
#include <array>
#include <string>

namespace status {
namespace {

constexpr std::array<ExitRule, 17> s_table = {{
    {Kind::Delivered, EX_OK, "", "delivered"},
    {Kind::ConnectFailed, EX_TEMPFAIL, "4.4.1", "webhook unreachable"},
    {Kind::TimedOut, EX_TEMPFAIL, "4.4.2", "webhook timed out"},
    {Kind::DeadlineReached, EX_TEMPFAIL, "4.4.7",
     "delivery deadline reached"},
    {Kind::HttpTemporary, EX_TEMPFAIL, "4.4.0",
     "webhook temporarily failed"},
    {Kind::HttpUnauthorized, EX_TEMPFAIL, "4.7.0",
     "webhook refused authorization"},
    {Kind::HttpNotFound, EX_TEMPFAIL, "4.3.5", "webhook misconfigured"},
    {Kind::HttpOther, EX_TEMPFAIL, "4.3.0", "webhook failed"},
    {Kind::TlsFailed, EX_TEMPFAIL, "4.7.5", "webhook TLS failure"},
    {Kind::ContentRejected, EX_DATAERR, "5.6.0",
     "webhook rejected the message"},
    {Kind::TooLarge, EX_DATAERR, "5.3.4", "message too large"},
    {Kind::Gone, EX_NOUSER, "5.1.1", "webhook gone"},
    {Kind::Usage, EX_TEMPFAIL, "4.3.5", "configuration error"},
    // Without its memory the run could post twice to a URL that already
    // accepted, so it defers instead.
    {Kind::StateUnavailable, EX_TEMPFAIL, "4.3.0",
     "delivery state unavailable"},
    {Kind::EmptyInput, EX_NOINPUT, "5.6.0", "empty message"},
    // SIGTERM or SIGINT: the mail server or an administrator stopped us.
    // Whatever was in flight may or may not have arrived; the next run
    // repeats it with the same Idempotency-Key.
    {Kind::Interrupted, EX_TEMPFAIL, "4.3.0", "delivery interrupted"},
    {Kind::InternalError, EX_TEMPFAIL, "4.3.0", "internal error"},
}};

bool contains(const std::vector<long>& codes, long status) noexcept
{
    return std::find(codes.begin(), codes.end(), status) != codes.end();
}

// The first status of `codes` that cannot be moved, or nullptr.
const long* unmovable(const std::vector<long>& codes) noexcept
{
    for (const long& status : codes)
        if (status < 300 || status > 599)
            return &status;
    return nullptr;
}

int severity(Kind kind) noexcept
{
    if (kind == Kind::Delivered)
        return 0;
    return is_temporary(kind) ? 2 : 1;
}

} // namespace

const ExitRule& rule_for(Kind kind) noexcept
{
    for (const ExitRule& rule : s_table)
        if (rule.kind == kind)
            return rule;
    return s_table.back(); // unreachable: every kind has a row
}

bool is_temporary(Kind kind) noexcept
{
    std::string_view dsn = rule_for(kind).dsn;
    return !dsn.empty() && dsn.front() == '4';
}

const Outcome& worst(const Outcome& a, const Outcome& b) noexcept
{
    return severity(b.kind) > severity(a.kind) ? b : a;
}

Kind kind_for_http(long status, const HttpOverrides& overrides) noexcept
{
    if (status >= 200 && status < 300)
        return Kind::Delivered;
    if (contains(overrides.permanent, status))
        return Kind::ContentRejected;
    if (contains(overrides.temporary, status))
        return Kind::HttpTemporary;
    switch (status) {
    case 400:
    case 415:
    case 422:
        return Kind::ContentRejected;
    case 401:
    case 403:
        return Kind::HttpUnauthorized;
    case 404:
    case 405:
        return Kind::HttpNotFound;
    case 408:
    case 425:
    case 429:
        return Kind::HttpTemporary;
    case 410:
        return Kind::Gone;
    case 413:
        return Kind::TooLarge;
    default:
        break;
    }
    // Statuses outside 100-599 are not HTTP's; they say nothing of a
    // passing server trouble.
    if (status >= 500 && status < 600)
        return Kind::HttpTemporary;
    if (status >= 300 && status < 400)
        return Kind::HttpNotFound;
    return Kind::HttpOther;
}

std::string check_overrides(const HttpOverrides& overrides)
{
    auto cannot_move = [](const char* option, long status) {
        return std::string(option) + " " + std::to_string(status) +
               ": only 3xx, 4xx and 5xx statuses can be moved";
    };
    if (const long* status = unmovable(overrides.temporary))
        return cannot_move("--temporary", *status);
    if (const long* status = unmovable(overrides.permanent))
        return cannot_move("--permanent", *status);
    for (long status : overrides.temporary)
        if (contains(overrides.permanent, status))
            return std::to_string(status) +
                   " is in both --temporary and --permanent";
    return {};
}

std::string status_line(const Outcome& outcome)
{
    const ExitRule& rule = rule_for(outcome.kind);
    if (rule.dsn.empty())
        return {};
    std::string line(rule.dsn);
    line += ' ';
    line += rule.text;
    if (!outcome.reason.empty()) {
        line += ": ";
        line += outcome.reason;
    }
    for (char& c : line)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            c = '_';
    return line;
}

} // namespace status
