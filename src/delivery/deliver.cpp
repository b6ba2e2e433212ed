#include "delivery/deliver.hpp"

#include "logging/log.hpp"
#include "status/exit_codes.hpp"

#include <fmt/format.h>

#include <thread>

namespace delivery {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

status::Outcome outcome_of(const AttemptResult& result,
                           milliseconds timeout)
{
    status::Outcome outcome;
    using Kind = AttemptResult::Kind;
    switch (result.kind) {
    case Kind::Http:
        outcome.kind = status::kind_for_http(result.status);
        outcome.http_status = result.status;
        outcome.reason = fmt::format("HTTP {}", result.status);
        break;
    case Kind::ConnectFailed:
        outcome.kind = status::Kind::ConnectFailed;
        outcome.reason = "cannot connect";
        break;
    case Kind::TimedOut:
        outcome.kind = status::Kind::TimedOut;
        outcome.reason = fmt::format("no answer within {:.1f} s",
                                     timeout.count() / 1000.0);
        break;
    case Kind::TlsFailed:
        outcome.kind = status::Kind::TlsFailed;
        outcome.reason = "TLS handshake or certificate verification failed";
        break;
    case Kind::Failed:
        outcome.kind = status::Kind::ConnectFailed;
        outcome.reason = "transfer failed";
        break;
    }
    return outcome;
}

} // namespace

status::Outcome deliver(const Endpoint& endpoint, Body& body,
                        const RequestOptions& options,
                        const RetryPolicy& policy)
{
    status::Outcome last;
    last.kind = status::Kind::DeadlineReached;
    last.reason = "no attempt was possible";
    milliseconds wait = policy.first_wait;

    for (int attempt = 1; attempt <= policy.retries + 1; ++attempt) {
        auto left = duration_cast<milliseconds>(policy.deadline -
                                                Clock::now());
        if (left <= milliseconds(0))
            break;
        milliseconds timeout = std::min(policy.timeout, left);
        AttemptResult result = post(endpoint, body, options, timeout);
        last = outcome_of(result, timeout);
        last.attempts = attempt;
        logging::debug(fmt::format(
            "attempt {} to {}: {}{}", attempt, endpoint.display,
            last.reason, result.error.empty() ? "" : " (" +
                                                         logging::sanitize(result.error) + ")"));
        if (last.kind == status::Kind::Delivered)
            return last;
        if (result.kind == AttemptResult::Kind::TimedOut &&
            timeout < policy.timeout) {
            last.kind = status::Kind::DeadlineReached;
            return last;
        }

        // Wait before the next attempt, unless that would pass the deadline.
        if (attempt == policy.retries + 1)
            break;
        if (Clock::now() + wait >= policy.deadline) {
            logging::debug("not retrying: the deadline is nearer than the "
                           "next wait");
            break;
        }
        std::this_thread::sleep_for(wait);
        wait *= 2;
    }
    return last;
}

} // namespace delivery
