// Options plus the files they name -> one validated configuration. Reads
// --secret-file and --header-file, splits secret lists, converts
// durations, and checks that files holding secrets are not readable by
// other users. Errors are values: a bad file is a configuration error,
// which defers the message.
#pragma once

#include "cli/options.hpp"
#include "status/exit_codes.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace config {

struct Config {
    std::vector<std::string> headers; // -H, then each --header-file line
    std::vector<std::string> secrets; // as written, "whsec_..."
    std::chrono::seconds state_ttl {7 * 24 * 3600};
    status::HttpOverrides statuses; // --temporary, --permanent, checked
    std::vector<std::string> warnings; // for the log, no secret in them
};

// Nothing, with `error` set to one line, when a file cannot be read or a
// value is malformed. The line names the option, never a secret.
std::optional<Config> load(const cli::Options& options, std::string* error);

// "90", "90s", "15m", "12h", "7d" -> seconds; nothing when malformed.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

} // namespace config
