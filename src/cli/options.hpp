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
    bool verbose = false;
};

enum class ParseStatus { Run, Done, Error };

// Done: --help or --version was printed to standard output. Error: `error`
// holds a one-line message that repeats no argument (it may be a URL with
// credentials).
ParseStatus parse(int argc, char** argv, Options& options,
                  std::string* error);

} // namespace cli
