// When to try again: exponential backoff with jitter, the server's
// Retry-After, and the run's deadline. Pure functions over time values, so
// the retry loop in deliver.cpp stays a loop and this stays testable.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace delivery {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The wait before retry number `retry` (1 for the first retry): `first`
// doubled each time, capped at `cap`, then stretched by a random factor in
// [1, 1.25) so that many deferred messages do not hit a recovering
// endpoint in step.
milliseconds backoff(int retry, milliseconds first, milliseconds cap,
                     std::mt19937_64& random);

// Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date.
// Returns the wait from `now`, zero for a date in the past, nothing when
// the value is neither form.
std::optional<std::chrono::seconds>
parse_retry_after(std::string_view value,
                  std::chrono::system_clock::time_point now);

// Whether the HTTP status lets the server name its own wait (429, 503).
bool honours_retry_after(long status) noexcept;

} // namespace delivery
