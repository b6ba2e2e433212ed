#include "delivery/deliver.hpp"

#include "interrupt/interrupt.hpp"
#include "logging/log.hpp"
#include "status/exit_codes.hpp"

#include <fmt/format.h>

namespace delivery {
namespace {

using std::chrono::duration_cast;

// An attempt needs at least this much time left to be worth starting.
constexpr milliseconds s_shortest_attempt {50};

status::Outcome http_outcome(const AttemptResult& result,
                             const RetryPolicy& policy)
{
    status::Outcome outcome;
    outcome.kind = status::kind_for_http(result.status, policy.statuses);
    outcome.http_status = result.status;
    outcome.reason = fmt::format("HTTP {}", result.status);
    std::string excerpt =
        policy.quote_response ? response_excerpt(result.response) : "";
    if (!excerpt.empty())
        outcome.reason += ": " + excerpt;
    return outcome;
}

status::Outcome outcome_of(const AttemptResult& result, milliseconds timeout,
                           const RetryPolicy& policy)
{
    status::Outcome outcome;
    using Kind = AttemptResult::Kind;
    switch (result.kind) {
    case Kind::Http:
        outcome = http_outcome(result, policy);
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
    case Kind::LocalConfig:
        outcome.kind = status::Kind::Usage;
        outcome.reason = "cannot send from the --interface or "
                         "--source-address given";
        break;
    case Kind::Failed:
        outcome.kind = status::Kind::ConnectFailed;
        outcome.reason = "transfer failed";
        break;
    }
    return outcome;
}

// One URL's progress through its attempts.
struct Slot {
    enum class Phase { Idle, Waiting, Running, Done };
    Phase phase = Phase::Idle;
    int attempts = 0;
    Clock::time_point next_try;
    milliseconds timeout {0}; // of the running attempt
    status::Outcome last;
};

class Scheduler {
public:
    Scheduler(const std::vector<Target>& targets, Body& body,
              const RequestOptions& options, const RetryPolicy& policy,
              const OnAccepted& on_accepted)
        : m_targets(targets)
        , m_transfers(body, options)
        , m_policy(policy)
        , m_on_accepted(on_accepted)
        , m_slots(targets.size())
        , m_random(std::random_device {}())
    {
        for (Slot& slot : m_slots) {
            slot.last.kind = status::Kind::DeadlineReached;
            slot.last.reason = "no attempt was possible before the deadline";
        }
    }

    void activate(size_t index);
    bool busy() const;
    void step();
    void stop(int signal_number);
    std::vector<status::Outcome> outcomes() const;
    const Slot& slot(size_t index) const { return m_slots[index]; }

private:
    const std::vector<Target>& m_targets;
    Transfers m_transfers;
    const RetryPolicy& m_policy;
    const OnAccepted& m_on_accepted;
    std::vector<Slot> m_slots;
    std::mt19937_64 m_random;

    void start_due(Clock::time_point now);
    void settle(size_t index, const AttemptResult& result);
    void plan_retry(size_t index, const AttemptResult& result);
    milliseconds next_wake(Clock::time_point now) const;
};

void Scheduler::activate(size_t index)
{
    m_slots[index].phase = Slot::Phase::Waiting;
    m_slots[index].next_try = Clock::now();
}

bool Scheduler::busy() const
{
    for (const Slot& slot : m_slots)
        if (slot.phase == Slot::Phase::Waiting ||
            slot.phase == Slot::Phase::Running)
            return true;
    return false;
}

void Scheduler::start_due(Clock::time_point now)
{
    auto left = duration_cast<milliseconds>(m_policy.deadline - now);
    for (size_t i = 0; i < m_slots.size(); ++i) {
        Slot& slot = m_slots[i];
        if (slot.phase != Slot::Phase::Waiting || slot.next_try > now)
            continue;
        if (left < s_shortest_attempt) {
            slot.phase = Slot::Phase::Done; // keeps the last failure
            continue;
        }
        slot.timeout = std::min(m_policy.timeout, left);
        if (!m_transfers.start(i, m_targets[i].endpoint, slot.timeout)) {
            slot.phase = Slot::Phase::Done;
            slot.last.kind = status::Kind::InternalError;
            slot.last.reason = "cannot set up an HTTP request";
            continue;
        }
        slot.attempts++;
        slot.phase = Slot::Phase::Running;
    }
}

milliseconds Scheduler::next_wake(Clock::time_point now) const
{
    Clock::time_point wake = m_policy.deadline;
    for (const Slot& slot : m_slots)
        if (slot.phase == Slot::Phase::Waiting)
            wake = std::min(wake, slot.next_try);
    return std::max(duration_cast<milliseconds>(wake - now), milliseconds(0));
}

void Scheduler::step()
{
    start_due(Clock::now());
    auto finished = m_transfers.wait(next_wake(Clock::now()));
    for (const auto& [index, result] : finished)
        settle(index, result);
    // Nothing may wait past the deadline; running attempts end by their
    // own timeout, which never reaches past it.
    if (Clock::now() + s_shortest_attempt >= m_policy.deadline)
        for (Slot& slot : m_slots)
            if (slot.phase == Slot::Phase::Waiting)
                slot.phase = Slot::Phase::Done;
}

// Ends every URL not done, including those Strategy::First had not come
// to yet; the attempts in flight are dropped with m_transfers.
void Scheduler::stop(int signal_number)
{
    for (Slot& slot : m_slots) {
        if (slot.phase == Slot::Phase::Done)
            continue;
        slot.phase = Slot::Phase::Done;
        slot.last.kind = status::Kind::Interrupted;
        slot.last.reason = interrupt::describe(signal_number);
        slot.last.attempts = slot.attempts;
    }
}

void Scheduler::settle(size_t index, const AttemptResult& result)
{
    Slot& slot = m_slots[index];
    slot.last = outcome_of(result, slot.timeout, m_policy);
    slot.last.attempts = slot.attempts;
    logging::debug(fmt::format(
        "attempt {} to {}: {}{}", slot.attempts,
        m_targets[index].endpoint.display, slot.last.reason,
        result.error.empty() ? ""
                             : " (" + logging::sanitize(result.error) + ")"));
    slot.phase = Slot::Phase::Done;
    if (slot.last.kind == status::Kind::Delivered) {
        m_on_accepted(index);
        return;
    }
    if (result.kind == AttemptResult::Kind::TimedOut &&
        slot.timeout < m_policy.timeout) {
        slot.last.kind = status::Kind::DeadlineReached;
        return;
    }
    // Our own setting will not be any better on the next attempt.
    if (result.kind == AttemptResult::Kind::LocalConfig)
        return;
    if (slot.attempts <= m_policy.retries)
        plan_retry(index, result);
}

void Scheduler::plan_retry(size_t index, const AttemptResult& result)
{
    Slot& slot = m_slots[index];
    milliseconds wait = backoff(slot.attempts, m_policy.first_wait,
                                m_policy.max_wait, m_random);
    std::optional<std::chrono::seconds> asked;
    if (result.kind == AttemptResult::Kind::Http &&
        honours_retry_after(result.status))
        asked = parse_retry_after(result.retry_after,
                                  std::chrono::system_clock::now());
    if (asked)
        wait = *asked;
    auto now = Clock::now();
    if (now + wait + s_shortest_attempt >= m_policy.deadline) {
        logging::debug(fmt::format(
            "not retrying {}: the next attempt would be due in {:.1f} s, "
            "past the deadline",
            m_targets[index].endpoint.display, wait.count() / 1000.0));
        slot.last.reason += asked ? fmt::format(", asked to wait {} s, past "
                                                "the deadline",
                                                asked->count())
                                  : ", next attempt past the deadline";
        return;
    }
    slot.phase = Slot::Phase::Waiting;
    slot.next_try = now + wait;
}

std::vector<status::Outcome> Scheduler::outcomes() const
{
    std::vector<status::Outcome> out;
    for (const Slot& slot : m_slots)
        out.push_back(slot.last);
    return out;
}

// Steps until nothing is left to do or a signal arrives.
void run(Scheduler& scheduler)
{
    while (scheduler.busy()) {
        if (int signal_number = interrupt::received()) {
            scheduler.stop(signal_number);
            return;
        }
        scheduler.step();
    }
}

status::Outcome not_tried(std::string reason)
{
    status::Outcome outcome;
    outcome.reason = std::move(reason);
    return outcome;
}

} // namespace

std::vector<status::Outcome> deliver(const std::vector<Target>& targets,
                                     Body& body, const RequestOptions& options,
                                     const RetryPolicy& policy,
                                     Strategy strategy,
                                     const OnAccepted& on_accepted)
{
    Scheduler scheduler(targets, body, options, policy, on_accepted);
    bool any_before = false;
    for (const Target& target : targets)
        any_before = any_before || target.accepted_before;

    if (strategy == Strategy::All) {
        for (size_t i = 0; i < targets.size(); ++i)
            if (!targets[i].accepted_before)
                scheduler.activate(i);
        run(scheduler);
    } else if (!any_before) {
        for (size_t i = 0; i < targets.size(); ++i) {
            scheduler.activate(i);
            run(scheduler);
            auto kind = scheduler.slot(i).last.kind;
            if (kind == status::Kind::Delivered ||
                kind == status::Kind::Interrupted)
                break;
        }
    }

    std::vector<status::Outcome> outcomes = scheduler.outcomes();
    for (size_t i = 0; i < targets.size(); ++i) {
        if (targets[i].accepted_before)
            outcomes[i] = not_tried("skipped: accepted on an earlier run");
        else if (scheduler.slot(i).phase == Slot::Phase::Idle)
            outcomes[i] = not_tried("skipped: an earlier URL accepted");
    }
    return outcomes;
}

} // namespace delivery
