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

// The kind for an HTTP status after the last attempt.
Kind kind_for_http(long status) noexcept;

// Whether a kind defers (exit 75): derived from the DSN class.
bool is_temporary(Kind kind) noexcept;

} // namespace status
