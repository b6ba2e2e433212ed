// Delivery of one payload to one webhook: attempt, classify, wait, retry,
// all within the run's deadline. Returns the outcome as a value.
#pragma once

#include "delivery/http.hpp"
#include "status/outcome.hpp"

#include <chrono>

namespace delivery {

using Clock = std::chrono::steady_clock;

struct RetryPolicy {
    int retries = 2; // attempts after the first
    std::chrono::milliseconds timeout{30'000};
    std::chrono::milliseconds first_wait{1'000}; // doubles each retry
    Clock::time_point deadline;
};

// Tries until a 2xx answer, the retries are used up, or the deadline is
// near. Any non-2xx answer, timeout or connection error is retried, as the
// reference service does; the last failure decides the outcome.
status::Outcome deliver(const Endpoint& endpoint, Body& body,
                        const RequestOptions& options,
                        const RetryPolicy& policy);

} // namespace delivery
