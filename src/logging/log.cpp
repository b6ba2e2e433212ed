#include "logging/log.hpp"

#include <syslog.h>

#include <cstdio>

namespace logging {
namespace {

bool s_verbose = false;

void to_stderr(std::string_view line) noexcept
{
    std::fprintf(stderr, "mail2webhook: %.*s\n",
                 static_cast<int>(line.size()), line.data());
}

} // namespace

void open(bool verbose) noexcept
{
    s_verbose = verbose;
    openlog("mail2webhook", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

std::string sanitize(std::string_view text, size_t max_length)
{
    std::string out;
    for (char c : text) {
        if (out.size() >= max_length) {
            out += "...";
            break;
        }
        auto b = static_cast<unsigned char>(c);
        out.push_back(b < 0x20 || b == 0x7F ? '_' : c);
    }
    return out;
}

void debug(std::string_view line) noexcept
{
    if (s_verbose)
        to_stderr(line);
}

void warning(std::string_view line) noexcept
{
    try {
        std::string text = sanitize(line, 500);
        syslog(LOG_MAIL | LOG_WARNING, "%s", text.c_str());
        if (s_verbose)
            to_stderr(text);
    } catch (...) {
        // Logging must not turn a delivery into a failure.
    }
}

void summary(const std::vector<std::pair<std::string, std::string>>& fields)
    noexcept
{
    try {
        std::string line;
        for (const auto& [key, raw] : fields) {
            std::string value = sanitize(raw);
            bool quote = value.empty() ||
                         value.find_first_of(" \"=") != std::string::npos;
            if (!line.empty())
                line += ' ';
            line += key + '=';
            if (quote) {
                line += '"';
                for (char c : value)
                    line += c == '"' ? '\'' : c;
                line += '"';
            } else {
                line += value;
            }
        }
        syslog(LOG_MAIL | LOG_INFO, "%s", line.c_str());
        if (s_verbose)
            to_stderr(line);
    } catch (...) {
        // As above.
    }
}

} // namespace logging
