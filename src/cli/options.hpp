// The command line, through CLI11, into a plain Options struct. Nothing
// else in the program includes CLI11. Parsing never exits the process: the
// caller decides, because a CLI11 exit code (100 and up) would bounce mail
// under Postfix, where a configuration error must defer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cli {

struct Options {
    std::vector<std::string> urls; // comma-separated arguments split
    bool dry_run = false;
    std::string input; // empty: standard input
    std::string sender;
    std::vector<std::string> recipients;
    std::string original_recipient;
    std::string queue_id;
    std::vector<std::string> headers;
    uint64_t max_size = 50ull * 1024 * 1024;
    int retries = 2;
    double timeout = 30;
    double deadline = 300;
    double connect_timeout = 10;
    bool verbose = false;

    std::string strategy = "all"; // or "first"
    std::string state_dir;        // empty: no memory across runs
    std::string state_ttl = "7d";

    // HTTP statuses moved between deferral and bounce, as written (commas
    // split); config::load turns them into numbers and checks them.
    std::vector<std::string> temporary_statuses, permanent_statuses;
    bool dsn_response = false; // quote the answer's first line

    // Secrets: never from the command line itself (ps shows it), only
    // from --config, the environment, or files.
    std::string config;
    std::vector<std::string> secrets; // each may hold several, spaced
    std::vector<std::string> secret_files;
    std::vector<std::string> header_files;

    std::string cacert, capath, cert, key;
    std::string tls_min_version = "1.2";
    std::string interface, source_address;
};

// Environment variables read when the option is not given.
inline constexpr const char* env_secret = "MAIL2WEBHOOK_SECRET";
inline constexpr const char* env_secret_file = "MAIL2WEBHOOK_SECRET_FILE";
inline constexpr const char* env_header_file = "MAIL2WEBHOOK_HEADER_FILE";

enum class ParseStatus { Run, Done, Error };

// Done: --help or --version was printed to standard output. Error: `error`
// holds a one-line message naming the option, with every argument that
// holds "://", "@" or ":" cut out (it may be a URL with credentials).
ParseStatus parse(int argc, char** argv, Options& options,
                  std::string* error);

} // namespace cli
