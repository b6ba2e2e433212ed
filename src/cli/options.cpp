#include "cli/options.hpp"

#include "version.hpp"

#include <CLI/CLI.hpp>

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

// Repeatable options take one value per occurrence (allow_extra_args off):
// otherwise "--recipient a@b https://hook" would swallow the URL.
void define(CLI::App& app, Options& o, std::vector<std::string>& urls)
{
    app.add_option("URL", urls,
                   "webhook URLs (http:// or https://); an argument may "
                   "hold several, separated by commas");
    app.add_flag("-n,--dry-run", o.dry_run,
                 "print the payload to standard output, POST nothing");
    app.add_option("-i,--input", o.input,
                   "read the message from FILE instead of standard input")
        ->type_name("FILE");
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
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--retries", o.retries,
                   "attempts after the first for each URL")
        ->type_name("N")
        ->check(CLI::Range(0, 100))
        ->capture_default_str();
    app.add_option("--timeout", o.timeout, "bound on one attempt")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--deadline", o.deadline, "bound on the whole run")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_flag("-v,--verbose", o.verbose,
                 "log each attempt to standard error");
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
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            app.exit(e, std::cout, std::cerr);
            return ParseStatus::Done;
        }
        // CLI11's messages quote arguments; ours must not (a URL may carry
        // credentials), so only the kind of error is kept.
        *error = "invalid command line (" + e.get_name() +
                 "); see mail2webhook --help";
        return ParseStatus::Error;
    }
    options.urls = split_commas(urls);
    return ParseStatus::Run;
}

} // namespace cli
