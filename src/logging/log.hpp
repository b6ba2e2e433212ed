// Logging: syslog facility mail (ident mail2webhook, with pid), where a
// mail administrator looks, plus standard error with --verbose. Remote and
// message-derived text is sanitised before it is written. Never throws.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logging {

void open(bool verbose) noexcept;

// A per-attempt or diagnostic line: standard error with --verbose only.
void debug(std::string_view line) noexcept;

// A warning: syslog, and standard error with --verbose.
void warning(std::string_view line) noexcept;

// One key=value line per delivery, keys in the given order; values are
// sanitised and quoted when they contain spaces.
void summary(const std::vector<std::pair<std::string, std::string>>& fields)
    noexcept;

// Control characters replaced by '_', length capped.
std::string sanitize(std::string_view text, size_t max_length = 200);

} // namespace logging
