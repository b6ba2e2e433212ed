#include "cli/options.hpp"

#include "version.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace cli {
namespace {

std::vector<std::string> split_commas(const std::vector<std::string>& args)
{
    std::vector<std::string> out;
    for (const std::string& arg : args) {
        size_t start = 0;
        while (start <= arg.size()) {
            size_t comma = arg.find(',', start);
            if (comma == std::string::npos)
                comma = arg.size();
            std::string item = arg.substr(start, comma - start);
            size_t b = item.find_first_not_of(" \t");
            size_t e = item.find_last_not_of(" \t");
            if (b != std::string::npos)
                out.push_back(item.substr(b, e - b + 1));
            start = comma + 1;
        }
    }
    return out;
}

// Larger values cannot be meant, and some would overflow the arithmetic
// on durations or make every message defer with a misleading reason.
constexpr uint64_t s_max_size = uint64_t {1} << 40;
constexpr double s_max_seconds = 86400;

// CLI::Range lets NaN through, as every comparison with it is false.
CLI::Validator seconds_in_range()
{
    return CLI::Validator(
        [](std::string& text) -> std::string {
            double value = 0;
            if (!CLI::detail::lexical_cast(text, value) ||
                !std::isfinite(value) || value <= 0 || value > s_max_seconds)
                return "must be more than 0 and at most 86400 seconds";
            return {};
        },
        "SECONDS in (0, 86400]");
}

// Repeatable options take one value per occurrence (allow_extra_args off):
// otherwise "--recipient a@b https://hook" would swallow the URL.
void define(CLI::App& app, Options& o, std::vector<std::string>& urls)
{
    app.add_option("URL", urls,
                   "webhook URLs (http:// or https://); an argument may "
                   "hold several, separated by commas");
    // From a --config file these would make every run drop the mail on
    // standard input and exit 0, so only the command line may set them.
    app.add_flag("-n,--dry-run", o.dry_run,
                 "print the payload to standard output, POST nothing")
        ->configurable(false);
    app.add_option("-i,--input", o.input,
                   "read the message from FILE instead of standard input")
        ->type_name("FILE")
        ->configurable(false);
    app.add_option("--sender", o.sender, "envelope sender (${sender})")
        ->type_name("ADDR");
    app.add_option("--recipient", o.recipients,
                   "envelope recipient (${recipient}); repeatable")
        ->type_name("ADDR")
        ->allow_extra_args(false);
    app.add_option("--original-recipient", o.original_recipient,
                   "original recipient (${original_recipient})")
        ->type_name("ADDR");
    app.add_option("--queue-id", o.queue_id, "queue id (${queue_id})")
        ->type_name("ID");
    app.add_option("-H,--header", o.headers,
                   "extra request header 'Name: value'; repeatable")
        ->type_name("HEADER")
        ->allow_extra_args(false);
    app.add_option("--max-size", o.max_size,
                   "largest message accepted, in bytes")
        ->type_name("BYTES")
        ->check(CLI::Range(uint64_t {1}, s_max_size))
        ->capture_default_str();
    app.add_option("--retries", o.retries,
                   "attempts after the first for each URL")
        ->type_name("N")
        ->check(CLI::Range(0, 100))
        ->capture_default_str();
    app.add_option("--timeout", o.timeout, "bound on one attempt")
        ->type_name("SECONDS")
        ->check(seconds_in_range())
        ->capture_default_str();
    app.add_option("--deadline", o.deadline, "bound on the whole run")
        ->type_name("SECONDS")
        ->check(seconds_in_range())
        ->capture_default_str();
    app.add_flag("-v,--verbose", o.verbose,
                 "log each attempt to standard error");
}

void define_delivery(CLI::App& app, Options& o)
{
    app.add_option("--connect-timeout", o.connect_timeout,
                   "bound on connecting, within each attempt")
        ->type_name("SECONDS")
        ->check(seconds_in_range())
        ->capture_default_str();
    app.add_option("--strategy", o.strategy,
                   "all: every URL must accept; first: try URLs in order "
                   "until one accepts")
        ->type_name("all|first")
        ->check(CLI::IsMember({"all", "first"}))
        ->capture_default_str();
    app.add_option("--state-dir", o.state_dir,
                   "remember which URLs accepted each message, so a retry "
                   "by the mail server posts only to the others")
        ->type_name("DIR");
    app.add_option("--state-ttl", o.state_ttl,
                   "forget records older than this (s, m, h or d suffix)")
        ->type_name("DURATION")
        ->capture_default_str();
}

void define_statuses(CLI::App& app, Options& o)
{
    app.add_option("--temporary", o.temporary_statuses,
                   "defer (exit 75, 4.4.0) on these HTTP statuses, "
                   "e.g. 400,422; repeatable")
        ->type_name("CODES")
        ->allow_extra_args(false);
    app.add_option("--permanent", o.permanent_statuses,
                   "bounce (exit 65, 5.6.0) on these HTTP statuses, "
                   "e.g. 403,406; repeatable")
        ->type_name("CODES")
        ->allow_extra_args(false);
    app.add_flag("--dsn-response", o.dsn_response,
                 "add the first line of the webhook's answer to the "
                 "status line");
}

void define_secrets(CLI::App& app, Options& o)
{
    app.set_config("--config", "",
                   "read options from FILE (INI or TOML; "
                   "keys are long option names)")
        ->type_name("FILE");
    app.add_option("--secret", o.secrets,
                   "signing secret whsec_...; only in the --config file or "
                   "$MAIL2WEBHOOK_SECRET, never on the command line")
        ->type_name("SECRET")
        ->allow_extra_args(false)
        ->envname(env_secret);
    app.add_option("--secret-file", o.secret_files,
                   "read signing secrets from FILE, one per line")
        ->type_name("FILE")
        ->allow_extra_args(false)
        ->envname(env_secret_file);
    app.add_option("--header-file", o.header_files,
                   "read extra request headers from FILE, one per line")
        ->type_name("FILE")
        ->allow_extra_args(false)
        ->envname(env_header_file);
}

void define_tls(CLI::App& app, Options& o)
{
    app.add_option("--cacert", o.cacert,
                   "trust the CA certificates in FILE (PEM)")
        ->type_name("FILE");
    app.add_option("--capath", o.capath,
                   "trust the CA certificates in DIR (c_rehash layout)")
        ->type_name("DIR");
    app.add_option("--cert", o.cert, "client certificate (PEM)")
        ->type_name("FILE");
    app.add_option("--key", o.key, "private key of the client certificate")
        ->type_name("FILE");
    app.add_option("--tls-min-version", o.tls_min_version,
                   "lowest TLS version to accept")
        ->type_name("1.2|1.3")
        ->check(CLI::IsMember({"1.2", "1.3"}))
        ->capture_default_str();
    app.add_option("--interface", o.interface,
                   "send from this network interface")
        ->type_name("NAME");
    app.add_option("--source-address", o.source_address,
                   "send from this local IP address")
        ->type_name("ADDR");
}

// Secrets given as arguments would show in ps(1) and in master.cf.
bool secret_in_arguments(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--")
            break;
        if (arg == "--secret" || arg.substr(0, 9) == "--secret=")
            return true;
    }
    return false;
}

void replace_all(std::string& text, const std::string& what)
{
    if (what.empty())
        return;
    for (size_t at = text.find(what); at != std::string::npos;
         at = text.find(what, at + 3))
        text.replace(at, what.size(), "...");
}

bool may_hold_secret(std::string_view arg)
{
    return arg.find("://") != std::string_view::npos ||
           arg.find_first_of("@:") != std::string_view::npos;
}

// Values from the --config file are not in argv; any word that looks like
// a URL, an address or "name:value" goes ("--timeout:" ends in a colon).
std::string redact_words(const std::string& message)
{
    std::string out;
    size_t start = 0;
    while (start <= message.size()) {
        size_t end = std::min(message.find(' ', start), message.size());
        std::string_view word(message.data() + start, end - start);
        bool inner_colon = word.find(':') < word.size() - 1;
        bool secret = word.find("://") != std::string_view::npos ||
                      word.find('@') != std::string_view::npos || inner_colon;
        out += secret ? std::string_view("...") : word;
        if (end < message.size())
            out += ' ';
        start = end + 1;
    }
    return out;
}

// CLI11's messages name the option, which we keep, but quote arguments: a
// URL may carry credentials, a header a token, an address a person. Any
// argument that could be one of those is cut out of the message.
std::string redact(std::string message, int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        size_t equals = arg.find('=');
        if (arg.rfind("--", 0) == 0 && equals != std::string::npos) {
            std::string value = arg.substr(equals + 1);
            if (may_hold_secret(value))
                replace_all(message, value);
        }
        if (may_hold_secret(arg))
            replace_all(message, arg);
    }
    return redact_words(message);
}

} // namespace

ParseStatus parse(int argc, char** argv, Options& options,
                  std::string* error)
{
    CLI::App app{"mail2webhook " M2W_VERSION
                 ": deliver an email read from standard input to webhooks "
                 "as JSON (ImprovMX payload format)",
                 "mail2webhook"};
    app.set_version_flag("-V,--version", "mail2webhook " M2W_VERSION);
    app.footer("Exit status follows sysexits.h; see mail2webhook(1).");
    std::vector<std::string> urls;
    define(app, options, urls);
    define_delivery(app, options);
    define_statuses(app, options);
    define_secrets(app, options);
    define_tls(app, options);
    // A misspelt key in the --config file must not be dropped silently.
    app.allow_config_extras(CLI::config_extras_mode::error);
    if (secret_in_arguments(argc, argv)) {
        *error = "--secret is not accepted on the command line; use "
                 "--config, --secret-file or $MAIL2WEBHOOK_SECRET";
        return ParseStatus::Error;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::FileError&) {
        *error = "cannot read the --config file";
        return ParseStatus::Error;
    } catch (const CLI::ConfigError& e) {
        *error = "the --config file has an unknown, malformed or disallowed "
                 "setting: " +
                 redact(e.what(), argc, argv);
        return ParseStatus::Error;
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            app.exit(e, std::cout, std::cerr);
            return ParseStatus::Done;
        }
        *error = redact(e.what(), argc, argv) + "; see mail2webhook --help";
        return ParseStatus::Error;
    }
    // CLI11 reads the --config file itself and keeps its name here.
    if (const CLI::Option* config = app.get_config_ptr();
        config && config->count() > 0)
        options.config = config->as<std::string>();
    options.urls = split_commas(urls);
    options.temporary_statuses = split_commas(options.temporary_statuses);
    options.permanent_statuses = split_commas(options.permanent_statuses);
    return ParseStatus::Run;
}

} // namespace cli
