// Delivery of one payload to several webhooks at once: attempt, classify,
// wait, retry, each URL on its own schedule, all within the run's
// deadline. Returns one outcome per URL, as values.
#pragma once

#include "delivery/http.hpp"
#include "delivery/retry.hpp"
#include "status/exit_codes.hpp"
#include "status/outcome.hpp"

#include <functional>

namespace delivery {

struct RetryPolicy {
    int retries = 2; // attempts after the first, per URL
    milliseconds timeout {30'000};
    milliseconds first_wait {1'000}; // doubles each retry, plus jitter
    milliseconds max_wait {300'000};
    Clock::time_point deadline; // nothing is still running after this
    status::HttpOverrides statuses; // --temporary, --permanent
    // --dsn-response: an HTTP outcome's reason quotes the first line of
    // the answer's body ("HTTP 422: invalid recipient").
    bool quote_response = false;
};

// All: every URL at once, each must accept. First: fail-over, one URL at a
// time in order, until one accepts.
enum class Strategy { All, First };

struct Target {
    Endpoint endpoint;
    bool accepted_before = false; // an earlier run got a 2xx: skip it
};

// Called once for each URL that answers 2xx, as soon as it does, so that
// the caller can remember it before anything else can go wrong.
using OnAccepted = std::function<void(size_t index)>;

// Tries every target that needs it until a 2xx answer, its retries are
// used up, or the deadline is near. Any non-2xx answer, timeout or
// connection error is retried, as the reference service does; for 429 and
// 503 the server's Retry-After sets the wait, and when that wait would
// pass the deadline the URL gives up at once. The outcome of a URL is its
// last attempt's; a URL not tried (skipped, or after the first acceptance
// with Strategy::First) is Delivered with zero attempts. A signal
// (interrupt::received) ends every attempt and wait at once; the URLs
// then unfinished are Kind::Interrupted.
std::vector<status::Outcome> deliver(const std::vector<Target>& targets,
                                     Body& body, const RequestOptions& options,
                                     const RetryPolicy& policy,
                                     Strategy strategy,
                                     const OnAccepted& on_accepted);

} // namespace delivery
