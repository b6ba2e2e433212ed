#include "config/config.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace config {
namespace {

void warn_if_others_can_read(const std::string& path, const char* what,
                             Config& config)
{
    struct stat st { };
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH))
        config.warnings.push_back(std::string(what) + " " + path +
                                  " is readable by other users; "
                                  "chmod o-r it");
}

// Lines without their end, skipping blank ones and # comments.
std::optional<std::vector<std::string>> read_lines(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#')
            continue;
        lines.push_back(line.substr(start));
    }
    if (in.bad())
        return std::nullopt;
    return lines;
}

void split_words(const std::string& text, std::vector<std::string>& out)
{
    std::istringstream words(text);
    std::string word;
    while (words >> word)
        out.push_back(word);
}

bool read_secrets(const cli::Options& options, Config& config,
                  std::string* error)
{
    for (const std::string& entry : options.secrets)
        split_words(entry, config.secrets);
    for (const std::string& path : options.secret_files) {
        auto lines = read_lines(path);
        if (!lines) {
            *error = "cannot read the --secret-file";
            return false;
        }
        for (const std::string& line : *lines)
            split_words(line, config.secrets);
        warn_if_others_can_read(path, "secret file", config);
    }
    return true;
}

bool read_headers(const cli::Options& options, Config& config,
                  std::string* error)
{
    config.headers = options.headers;
    for (const std::string& path : options.header_files) {
        auto lines = read_lines(path);
        if (!lines) {
            *error = "cannot read the --header-file";
            return false;
        }
        config.headers.insert(config.headers.end(), lines->begin(),
                              lines->end());
        warn_if_others_can_read(path, "header file", config);
    }
    return true;
}

bool check_readable(const std::string& path, const char* option,
                    std::string* error)
{
    if (path.empty() || ::access(path.c_str(), R_OK) == 0)
        return true;
    *error = std::string("cannot read the ") + option + " file";
    return false;
}

// "406" -> 406; the whole text must be a number.
bool parse_statuses(const std::vector<std::string>& texts, const char* option,
                    std::vector<long>& out, std::string* error)
{
    for (const std::string& text : texts) {
        long status = 0;
        auto [end, fail] =
            std::from_chars(text.data(), text.data() + text.size(), status);
        if (fail != std::errc() || end != text.data() + text.size()) {
            *error = std::string(option) +
                     " takes HTTP status codes separated by commas";
            return false;
        }
        out.push_back(status);
    }
    return true;
}

bool read_statuses(const cli::Options& options, Config& config,
                   std::string* error)
{
    if (!parse_statuses(options.temporary_statuses, "--temporary",
                        config.statuses.temporary, error) ||
        !parse_statuses(options.permanent_statuses, "--permanent",
                        config.statuses.permanent, error))
        return false;
    *error = status::check_overrides(config.statuses);
    return error->empty();
}

} // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text)
{
    long long value = 0;
    auto [end, fail] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (fail != std::errc() || end == text.data() || value < 0)
        return std::nullopt;
    std::string_view unit(end,
                          static_cast<size_t>(text.data() + text.size() - end));
    long long scale = unit.empty() || unit == "s" ? 1
                      : unit == "m"               ? 60
                      : unit == "h"               ? 3600
                      : unit == "d"               ? 86400
                                                  : 0;
    if (scale == 0 || value > (1LL << 40) / scale)
        return std::nullopt;
    return std::chrono::seconds(value * scale);
}

std::optional<Config> load(const cli::Options& options, std::string* error)
{
    Config config;
    if (!read_secrets(options, config, error) ||
        !read_headers(options, config, error))
        return std::nullopt;
    if (!options.config.empty())
        warn_if_others_can_read(options.config, "configuration file", config);
    if (!options.key.empty())
        warn_if_others_can_read(options.key, "client key", config);

    auto ttl = parse_duration(options.state_ttl);
    if (!ttl || ttl->count() == 0) {
        *error = "--state-ttl is not a duration such as 7d, 12h or 3600";
        return std::nullopt;
    }
    config.state_ttl = *ttl;
    if (!read_statuses(options, config, error))
        return std::nullopt;

    if (!check_readable(options.cacert, "--cacert", error) ||
        !check_readable(options.capath, "--capath", error) ||
        !check_readable(options.cert, "--cert", error) ||
        !check_readable(options.key, "--key", error))
        return std::nullopt;
    if (!options.interface.empty() && !options.source_address.empty()) {
        *error = "--interface and --source-address exclude each other";
        return std::nullopt;
    }
    return config;
}

} // namespace config
