#include "agent.hpp"

#include "cli/options.hpp"
#include "delivery/deliver.hpp"
#include "input.hpp"
#include "logging/log.hpp"
#include "payload/build.hpp"
#include "status/exit_codes.hpp"
#include "version.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace agent {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

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

status::Outcome failure(status::Kind kind, std::string reason)
{
    status::Outcome outcome;
    outcome.kind = kind;
    outcome.reason = std::move(reason);
    return outcome;
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
status::Outcome read_message(const cli::Options& options, InputBuffer& input)
{
    int fd = STDIN_FILENO;
    if (!options.input.empty()) {
        fd = ::open(options.input.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return failure(status::Kind::InternalError,
                           "cannot open the input file");
    }
    std::string error;
    auto result = input.read_all(fd, options.max_size, &error);
    if (fd != STDIN_FILENO)
        ::close(fd);
    switch (result) {
    case InputBuffer::Result::ReadError:
        return failure(status::Kind::InternalError, error);
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

// Checks URLs and headers before anything is read, so a typo in master.cf
// defers every message rather than bouncing some.
status::Outcome validate(const cli::Options& options,
                         std::vector<delivery::Endpoint>& endpoints)
{
    for (const std::string& url : options.urls) {
        std::string error;
        auto endpoint = delivery::parse_endpoint(url, &error);
        if (!endpoint)
            return failure(status::Kind::Usage, error);
        endpoints.push_back(std::move(*endpoint));
    }
    if (endpoints.empty() && !options.dry_run)
        return failure(status::Kind::Usage, "no webhook URL given");
    for (const std::string& header : options.headers)
        if (!delivery::is_valid_header(header))
            return failure(status::Kind::Usage,
                           "a --header is not 'Name: value' on one line");
    return {};
}

void log_summary(const cli::Options& options, const std::string& host,
                 const status::Outcome& outcome,
                 std::chrono::steady_clock::time_point started)
{
    auto elapsed = duration_cast<milliseconds>(
        std::chrono::steady_clock::now() - started);
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

int run_checked(int argc, char** argv)
{
    auto started = std::chrono::steady_clock::now();
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
    auto deadline = started + duration_cast<milliseconds>(
                                  std::chrono::duration<double>(
                                      options.deadline));

    // 1. Configuration, before the message is read.
    std::vector<delivery::Endpoint> endpoints;
    if (auto bad = validate(options, endpoints);
        bad.kind != status::Kind::Delivered) {
        log_summary(options, "", bad, started);
        return finish(bad);
    }

    // 2. The message, whole, in one buffer.
    InputBuffer input;
    if (auto bad = read_message(options, input);
        bad.kind != status::Kind::Delivered) {
        log_summary(options, "", bad, started);
        return finish(bad);
    }

    // 3. The payload, built once for every URL and attempt.
    payload::Envelope envelope{options.sender, options.recipients,
                               options.original_recipient, options.queue_id};
    payload::Stream body =
        payload::build(input.view(), envelope, std::time(nullptr));
    if (options.dry_run) {
        if (!body.write_to(stdout))
            return finish(failure(status::Kind::InternalError,
                                  "cannot write to standard output"));
        return 0;
    }

    // 4. Delivery to each URL; the worst outcome decides.
    delivery::RequestOptions request{options.headers,
                                     "mail2webhook/" M2W_VERSION,
                                     options.verbose};
    delivery::RetryPolicy policy;
    policy.retries = options.retries;
    policy.timeout = duration_cast<milliseconds>(
        std::chrono::duration<double>(options.timeout));
    policy.deadline = deadline;
    PayloadBody source(body);
    status::Outcome result;
    for (const delivery::Endpoint& endpoint : endpoints) {
        status::Outcome outcome =
            delivery::deliver(endpoint, source, request, policy);
        log_summary(options, endpoint.host, outcome, started);
        result = status::worst(result, outcome);
    }
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
