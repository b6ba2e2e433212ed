#include "delivery/retry.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace delivery {
namespace {

// IMF-fixdate, the form RFC 9110 requires senders to use; the obsolete
// RFC 850 and asctime forms are accepted too, as the RFC asks of receivers.
std::optional<std::time_t> parse_http_date(const std::string& text)
{
    static constexpr const char* s_formats[] = {
        "%a, %d %b %Y %H:%M:%S GMT",
        "%A, %d-%b-%y %H:%M:%S GMT",
        "%a %b %e %H:%M:%S %Y",
    };
    for (const char* format : s_formats) {
        std::tm tm {};
        const char* end = strptime(text.c_str(), format, &tm);
        if (end && *end == '\0')
            return timegm(&tm);
    }
    return std::nullopt;
}

std::string_view trim(std::string_view text)
{
    size_t begin = text.find_first_not_of(" \t");
    if (begin == std::string_view::npos)
        return {};
    size_t end = text.find_last_not_of(" \t\r\n");
    return text.substr(begin, end - begin + 1);
}

} // namespace

milliseconds backoff(int retry, milliseconds first, milliseconds cap,
                     std::mt19937_64& random)
{
    milliseconds wait = first;
    for (int i = 1; i < retry && wait < cap; ++i)
        wait *= 2;
    wait = std::min(wait, cap);
    std::uniform_real_distribution<double> stretch(1.0, 1.25);
    return milliseconds(static_cast<long long>(wait.count() * stretch(random)));
}

std::optional<std::chrono::seconds>
parse_retry_after(std::string_view value,
                  std::chrono::system_clock::time_point now)
{
    value = trim(value);
    if (value.empty())
        return std::nullopt;
    // Longer waits are cut to a year, which is as good as "never" here and
    // keeps later arithmetic in milliseconds from overflowing.
    constexpr long long year = 365LL * 24 * 3600;
    if (value.find_first_not_of("0123456789") == std::string_view::npos) {
        long long seconds = 0;
        auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (error != std::errc() || end != value.data() + value.size())
            seconds = year;
        return std::chrono::seconds(std::min(seconds, year));
    }
    auto date = parse_http_date(std::string(value));
    if (!date)
        return std::nullopt;
    auto then = std::chrono::system_clock::from_time_t(*date);
    if (then <= now)
        return std::chrono::seconds(0);
    auto wait = std::chrono::ceil<std::chrono::seconds>(then - now);
    return std::min(wait, std::chrono::seconds(year));
}

bool honours_retry_after(long status) noexcept
{
    return status == 429 || status == 503;
}

} // namespace delivery
