// The one table from outcome to exit status and RFC 3463 enhanced status
// code. Postfix's pipe(8) lets a first output line starting with "4.x.x "
// or "5.x.x " override the exit status, so the two always agree here:
// every deferral is 75 with a 4.x.x code, every bounce a 5.x.x code.
#pragma once

#include "status/outcome.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace status {

struct ExitRule {
    Kind kind;
    int exit_code;       // sysexits.h
    std::string_view dsn; // empty for success
    std::string_view text;
};

const ExitRule& rule_for(Kind kind) noexcept;

// The worse of two outcomes: a deferral wins over a bounce, a bounce over
// success; between equals the first stays.
const Outcome& worst(const Outcome& a, const Outcome& b) noexcept;

// "4.4.1 webhook unreachable: connection refused" -- the single line
// printed on failure; empty for success. Control characters are replaced.
std::string status_line(const Outcome& outcome);

// HTTP statuses the administrator moved between deferral and bounce
// (--temporary, --permanent), for endpoints whose conventions differ from
// HTTP's: some reject content with 403 or 406. These are data for
// kind_for_http, not a second table: a moved status takes the row of
// Kind::HttpTemporary (4.4.0, exit 75) or Kind::ContentRejected (5.6.0,
// exit 65).
struct HttpOverrides {
    std::vector<long> temporary;
    std::vector<long> permanent;
};

// The kind for an HTTP status after the last attempt; `overrides` first.
Kind kind_for_http(long status, const HttpOverrides& overrides = {}) noexcept;

// Why `overrides` cannot be used, as one line naming the option and the
// status; empty when they can. Only 3xx, 4xx and 5xx statuses move (a 2xx
// is a delivery), and a status cannot be in both lists.
std::string check_overrides(const HttpOverrides& overrides);

// Whether a kind defers (exit 75): derived from the DSN class.
bool is_temporary(Kind kind) noexcept;

} // namespace status
