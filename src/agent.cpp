#include "agent.hpp"

#include "cli/options.hpp"
#include "config/config.hpp"
#include "delivery/deliver.hpp"
#include "delivery/signing.hpp"
#include "input.hpp"
#include "interrupt/interrupt.hpp"
#include "logging/log.hpp"
#include "payload/build.hpp"
#include "state/record.hpp"
#include "status/exit_codes.hpp"
#include "version.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>

namespace agent {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Time kept back from --deadline for recording state, logging and the
// status line once the last attempt has been cut off.
constexpr milliseconds s_deadline_reserve {250};

class PayloadBody final : public delivery::Body {
public:
    explicit PayloadBody(payload::Stream& stream) : m_stream(stream) {}
    size_t size() const noexcept override { return m_stream.size(); }
    void rewind() noexcept override { m_stream.rewind(); }
    size_t read(char* out, size_t capacity) noexcept override
    {
        return m_stream.read(out, capacity);
    }

private:
    payload::Stream& m_stream;
};

// What the run works with once options and files have been checked.
struct Plan {
    config::Config config;
    std::vector<delivery::Target> targets;
    std::vector<std::string> url_ids; // state ids, one per target
    std::vector<std::string> keys;    // signing keys, decoded
    Clock::time_point deadline;       // for delivery, reserve taken off
};

status::Outcome failure(status::Kind kind, std::string reason)
{
    status::Outcome outcome;
    outcome.kind = kind;
    outcome.reason = std::move(reason);
    return outcome;
}

bool failed(const status::Outcome& outcome)
{
    return outcome.kind != status::Kind::Delivered;
}

// A signal ends the run between steps as well as inside them.
status::Outcome interrupted()
{
    if (int signal_number = interrupt::received())
        return failure(status::Kind::Interrupted,
                       interrupt::describe(signal_number));
    return {};
}

// The outcome of a step, unless it succeeded and a signal came meanwhile.
status::Outcome unless_interrupted(status::Outcome outcome)
{
    return failed(outcome) ? outcome : interrupted();
}

int finish(const status::Outcome& outcome)
{
    std::string line = status::status_line(outcome);
    if (!line.empty()) {
        std::fprintf(stdout, "%s\n", line.c_str());
        std::fflush(stdout);
    }
    return status::rule_for(outcome.kind).exit_code;
}

// Reads the message; an Outcome other than Delivered stops the run.
status::Outcome read_message(const cli::Options& options, const Plan& plan,
                             InputBuffer& input)
{
    int fd = STDIN_FILENO;
    if (!options.input.empty()) {
        fd = ::open(options.input.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return failure(status::Kind::InternalError,
                           std::string("cannot open the input file: ") +
                               std::strerror(errno));
    }
    std::string error;
    auto result = input.read_all(fd, options.max_size, interrupt::wake_fd(),
                                 plan.deadline, &error);
    if (fd != STDIN_FILENO)
        ::close(fd);
    switch (result) {
    case InputBuffer::Result::ReadError:
        return failure(status::Kind::InternalError, error);
    case InputBuffer::Result::Interrupted:
        return interrupted();
    case InputBuffer::Result::TimedOut:
        return failure(status::Kind::DeadlineReached,
                       "the message was not read in time");
    case InputBuffer::Result::TooLarge:
        return failure(status::Kind::TooLarge,
                       fmt::format("larger than {} bytes", options.max_size));
    case InputBuffer::Result::Ok:
        break;
    }
    if (input.view().find_first_not_of(" \t\r\n") == std::string_view::npos)
        return failure(status::Kind::EmptyInput, "no message on input");
    return {};
}

status::Outcome check_endpoints(const cli::Options& options, Plan& plan)
{
    for (const std::string& url : options.urls) {
        std::string error;
        auto endpoint = delivery::parse_endpoint(url, &error);
        if (!endpoint)
            return failure(status::Kind::Usage, error);
        // The same URL twice would get the message twice.
        std::string id = delivery::sha256_hex(endpoint->url);
        if (std::find(plan.url_ids.begin(), plan.url_ids.end(), id) !=
            plan.url_ids.end())
            continue;
        plan.url_ids.push_back(std::move(id));
        plan.targets.push_back({std::move(*endpoint), false});
    }
    if (plan.targets.empty() && !options.dry_run)
        return failure(status::Kind::Usage, "no webhook URL given");
    return {};
}

// Checks options, files, URLs, headers and secrets before anything is
// read, so a typo in master.cf defers every message rather than bouncing
// some.
status::Outcome validate(const cli::Options& options, Plan& plan)
{
    std::string error;
    auto loaded = config::load(options, &error);
    if (!loaded)
        return failure(status::Kind::Usage, error);
    plan.config = std::move(*loaded);
    for (const std::string& warning : plan.config.warnings)
        logging::warning(warning);

    if (auto bad = check_endpoints(options, plan); failed(bad))
        return bad;
    for (const std::string& header : plan.config.headers) {
        if (!delivery::is_valid_header(header))
            return failure(status::Kind::Usage,
                           "a header is not 'Name: value' on one line");
        if (delivery::is_reserved_header(header))
            return failure(status::Kind::Usage,
                           "an extra header sets " +
                               header.substr(0, header.find(':')) +
                               ", which mail2webhook sets itself");
    }
    for (const std::string& secret : plan.config.secrets) {
        auto key = delivery::decode_secret(secret);
        if (!key)
            return failure(status::Kind::Usage,
                           "a signing secret is not whsec_ and base64");
        plan.keys.push_back(std::move(*key));
    }
    return {};
}

delivery::RequestOptions request_options(const cli::Options& options,
                                         const Plan& plan)
{
    delivery::RequestOptions request;
    request.headers = plan.config.headers;
    request.user_agent = "mail2webhook/" M2W_VERSION;
    request.connect_timeout = duration_cast<milliseconds>(
        std::chrono::duration<double>(options.connect_timeout));
    request.cacert = options.cacert;
    request.capath = options.capath;
    request.cert = options.cert;
    request.key = options.key;
    if (options.tls_min_version == "1.3")
        request.tls_min = delivery::TlsVersion::Tls13;
    if (!options.interface.empty())
        request.interface = "if!" + options.interface;
    else if (!options.source_address.empty())
        request.interface = "host!" + options.source_address;
    request.wake_fd = interrupt::wake_fd();
    return request;
}

delivery::RetryPolicy retry_policy(const cli::Options& options,
                                   const Plan& plan)
{
    delivery::RetryPolicy policy;
    policy.retries = options.retries;
    policy.timeout = duration_cast<milliseconds>(
        std::chrono::duration<double>(options.timeout));
    policy.deadline = plan.deadline;
    policy.statuses = plan.config.statuses;
    policy.quote_response = options.dsn_response;
    return policy;
}

// Idempotency-Key and, with secrets, the Standard Webhooks headers. The id
// comes from the message and recipients, so every attempt and every later
// run for the same delivery carries the same one. The signature is made
// once per run, as attempts to several URLs may be sending the body at the
// same time; the timestamp is then at most --deadline old, which stays
// within the 5-minute tolerance receivers use when --deadline is 300 or
// less.
void add_identity(const Plan& plan, const std::string& digest,
                  delivery::Body& body, delivery::RequestOptions& request)
{
    std::string id = "msg_" + digest.substr(0, 32);
    request.headers.push_back("Idempotency-Key: " + id);
    if (plan.keys.empty())
        return;
    long long timestamp = static_cast<long long>(std::time(nullptr));
    request.headers.push_back("webhook-id: " + id);
    request.headers.push_back("webhook-timestamp: " +
                              std::to_string(timestamp));
    request.headers.push_back("webhook-signature: " +
                              delivery::sign(plan.keys, id, timestamp, body));
}

// Opens the memory of earlier runs and marks the URLs that accepted then.
std::optional<state::Record> open_state(const cli::Options& options, Plan& plan,
                                        const std::string& digest,
                                        status::Outcome& outcome)
{
    state::expire(options.state_dir, plan.config.state_ttl);
    std::string error;
    auto record =
        state::Record::open(options.state_dir, digest, plan.config.state_ttl,
                            plan.deadline, &error);
    if (!record) {
        outcome =
            failure(status::Kind::StateUnavailable, error + " (--state-dir)");
        return std::nullopt;
    }
    if (!record->notice().empty())
        logging::warning(record->notice());
    for (size_t i = 0; i < plan.targets.size(); ++i)
        plan.targets[i].accepted_before = record->accepted(plan.url_ids[i]);
    return record;
}

void log_summary(const cli::Options& options, const std::string& host,
                 const status::Outcome& outcome, Clock::time_point started)
{
    auto elapsed = duration_cast<milliseconds>(Clock::now() - started);
    std::string recipients;
    for (const std::string& r : options.recipients)
        recipients += (recipients.empty() ? "" : ",") + r;
    const auto& rule = status::rule_for(outcome.kind);
    logging::summary({
        {"queue_id", options.queue_id},
        {"sender", options.sender},
        {"recipient", recipients},
        {"host", host},
        {"outcome", std::string(rule.text)},
        {"http_status", std::to_string(outcome.http_status)},
        {"attempts", std::to_string(outcome.attempts)},
        {"elapsed", fmt::format("{:.3f}s", elapsed.count() / 1000.0)},
        {"dsn", rule.dsn.empty() ? "2.0.0" : std::string(rule.dsn)},
        {"reason", outcome.reason},
    });
}

// All: the worst outcome decides. First: one acceptance is enough.
status::Outcome combine(const std::vector<status::Outcome>& outcomes,
                        delivery::Strategy strategy)
{
    status::Outcome result;
    if (outcomes.empty())
        return result;
    if (strategy == delivery::Strategy::First) {
        for (const status::Outcome& outcome : outcomes)
            if (!failed(outcome))
                return outcome;
        result = outcomes.front();
    }
    for (const status::Outcome& outcome : outcomes)
        result = status::worst(result, outcome);
    return result;
}

status::Outcome deliver_all(const cli::Options& options, Plan& plan,
                            std::string_view message, payload::Stream& body,
                            Clock::time_point started)
{
    PayloadBody source(body);
    std::string digest = delivery::message_digest(message, options.recipients);
    std::optional<state::Record> record;
    if (!options.state_dir.empty()) {
        status::Outcome bad;
        record = open_state(options, plan, digest, bad);
        if (!record) {
            if (auto stop = interrupted(); failed(stop))
                bad = stop;
            log_summary(options, "", bad, started);
            return bad;
        }
    }
    delivery::RequestOptions request = request_options(options, plan);
    add_identity(plan, digest, source, request);

    auto strategy = options.strategy == "first" ? delivery::Strategy::First
                                                : delivery::Strategy::All;
    auto remember = [&](size_t index) {
        std::string error;
        if (record && !record->add(plan.url_ids[index], &error))
            logging::warning(error +
                             " (--state-dir): a later run may "
                             "post to " +
                             plan.targets[index].endpoint.display + " again");
    };
    auto outcomes =
        delivery::deliver(plan.targets, source, request,
                          retry_policy(options, plan), strategy, remember);
    for (size_t i = 0; i < outcomes.size(); ++i)
        log_summary(options, plan.targets[i].endpoint.host, outcomes[i],
                    started);
    status::Outcome result = combine(outcomes, strategy);
    // Whatever else failed, the signal is why this run did not finish.
    if (failed(result) && interrupt::received())
        return interrupted();
    return result;
}

// Postfix passes "<>" as ${sender} for bounces: the null reverse-path of
// RFC 5321, which the payload writes as "", as for "Return-Path: <>".
std::string envelope_sender(const std::string& sender)
{
    return sender == "<>" ? std::string() : sender;
}

int run_checked(int argc, char** argv)
{
    // A closed standard output must fail the write, which then reports
    // it, rather than kill the run (curl is told NOSIGNAL already).
    std::signal(SIGPIPE, SIG_IGN);
    auto started = Clock::now();
    cli::Options options;
    std::string error;
    switch (cli::parse(argc, argv, options, &error)) {
    case cli::ParseStatus::Done:
        return 0;
    case cli::ParseStatus::Error:
        logging::open(false);
        return finish(failure(status::Kind::Usage, error));
    case cli::ParseStatus::Run:
        break;
    }
    logging::open(options.verbose);
    if (!interrupt::install())
        logging::warning("cannot install signal handlers: SIGTERM and "
                         "SIGINT will end runs without a status line");
    Plan plan;
    plan.deadline = started - s_deadline_reserve +
                    duration_cast<milliseconds>(
                        std::chrono::duration<double>(options.deadline));

    // 1. Configuration, before the message is read. From here on, a
    //    signal ends the run with exit 75 at the next step or wait.
    if (auto bad = unless_interrupted(validate(options, plan)); failed(bad)) {
        log_summary(options, "", bad, started);
        return finish(bad);
    }

    // 2. The message, whole, in one buffer.
    InputBuffer input;
    if (auto bad = read_message(options, plan, input); failed(bad)) {
        log_summary(options, "", bad, started);
        return finish(bad);
    }

    // 3. The payload, built once for every URL and attempt.
    payload::Envelope envelope {envelope_sender(options.sender),
                                options.recipients, options.original_recipient,
                                options.queue_id};
    payload::Stream body =
        payload::build(input.view(), envelope, std::time(nullptr));
    if (auto bad = interrupted(); failed(bad)) {
        log_summary(options, "", bad, started);
        return finish(bad);
    }
    if (options.dry_run) {
        if (!body.write_to(stdout))
            return finish(failure(status::Kind::InternalError,
                                  "cannot write to standard output"));
        return 0;
    }

    // 4. Delivery to every URL at once; the strategy and the worst outcome
    //    decide.
    status::Outcome result =
        deliver_all(options, plan, input.view(), body, started);
    return finish(result);
}

} // namespace

int run(int argc, char** argv) noexcept
{
    try {
        return run_checked(argc, argv);
    } catch (const std::bad_alloc&) {
        return finish(failure(status::Kind::InternalError, "out of memory"));
    } catch (const std::exception&) {
        return finish(failure(status::Kind::InternalError,
                              "unexpected error"));
    } catch (...) {
        return finish(failure(status::Kind::InternalError,
                              "unexpected error"));
    }
}

} // namespace agent
