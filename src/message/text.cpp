// UTF-8 validation follows the well-formed byte sequences table of the
// Unicode Standard (chapter 3, table 3-7); a maximal ill-formed subpart is
// replaced by one U+FFFD, as the W3C encoding standard recommends.
#include "message/text.hpp"

#include <array>
#include <cstdint>

namespace message {
namespace {

constexpr std::string_view s_replacement = "\xEF\xBF\xBD";

// Length of the well-formed sequence at `pos`, or 0 when it is ill-formed.
// On ill-formed input, `*consumed` gets the length of the maximal subpart.
size_t utf8_sequence(std::string_view s, size_t pos, size_t* consumed) noexcept
{
    auto byte = [&](size_t i) -> unsigned {
        return pos + i < s.size() ? static_cast<unsigned char>(s[pos + i])
                                  : 0x100;
    };
    unsigned b0 = byte(0);
    *consumed = 1;
    if (b0 < 0x80)
        return 1;
    unsigned lo = 0x80, hi = 0xBF;
    size_t need;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0)
            lo = 0xA0;
        if (b0 == 0xED)
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0)
            lo = 0x90;
        if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    for (size_t i = 1; i <= need; ++i) {
        unsigned b = byte(i);
        if (b < lo || b > hi)
            return 0;
        *consumed = i + 1;
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

constexpr std::array<char16_t, 32> s_cp1252_high = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

void append_code_point(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace

bool is_ascii(std::string_view bytes) noexcept
{
    for (char c : bytes)
        if (static_cast<unsigned char>(c) >= 0x80)
            return false;
    return true;
}

bool is_valid_utf8(std::string_view bytes) noexcept
{
    size_t pos = 0;
    while (pos < bytes.size()) {
        // Skip ASCII quickly: it is most of every real message.
        while (pos < bytes.size() &&
               static_cast<unsigned char>(bytes[pos]) < 0x80)
            ++pos;
        if (pos == bytes.size())
            break;
        size_t consumed;
        size_t n = utf8_sequence(bytes, pos, &consumed);
        if (n == 0)
            return false;
        pos += n;
    }
    return true;
}

void append_utf8_repaired(std::string& out, std::string_view bytes)
{
    size_t pos = 0;
    while (pos < bytes.size()) {
        size_t consumed;
        size_t n = utf8_sequence(bytes, pos, &consumed);
        if (n == 0) {
            out += s_replacement;
            pos += consumed;
        } else {
            out.append(bytes.substr(pos, n));
            pos += n;
        }
    }
}

void append_windows1252(std::string& out, std::string_view bytes)
{
    for (char c : bytes) {
        auto b = static_cast<unsigned char>(c);
        if (b < 0x80)
            out.push_back(c);
        else if (b < 0xA0)
            append_code_point(out, s_cp1252_high[b - 0x80]);
        else
            append_code_point(out, b);
    }
}

// Whether the bytes hold at least one well-formed multi-byte UTF-8
// sequence: then they are UTF-8 with damage, not a legacy charset.
bool has_utf8_sequence(std::string_view bytes) noexcept
{
    for (size_t pos = 0; pos < bytes.size(); ++pos) {
        if (static_cast<unsigned char>(bytes[pos]) < 0x80)
            continue;
        size_t consumed;
        if (utf8_sequence(bytes, pos, &consumed) > 1)
            return true;
    }
    return false;
}

std::string undeclared_to_utf8(std::string_view bytes)
{
    std::string out;
    if (is_valid_utf8(bytes)) {
        out.assign(bytes);
        return out;
    }
    out.reserve(bytes.size() + bytes.size() / 2);
    if (has_utf8_sequence(bytes))
        append_utf8_repaired(out, bytes);
    else
        append_windows1252(out, bytes);
    return out;
}

std::string strip_controls(std::string_view utf8)
{
    std::string out;
    out.reserve(utf8.size());
    for (size_t i = 0; i < utf8.size(); ++i) {
        auto b = static_cast<unsigned char>(utf8[i]);
        if (b < 0x20 || b == 0x7F)
            continue;
        // U+0080..U+009F are C1 controls: C2 80..C2 9F in UTF-8.
        if (b == 0xC2 && i + 1 < utf8.size()) {
            auto next = static_cast<unsigned char>(utf8[i + 1]);
            if (next >= 0x80 && next <= 0x9F) {
                ++i;
                continue;
            }
        }
        out.push_back(static_cast<char>(b));
    }
    return out;
}

std::string normalize_newlines(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\r') {
            out.push_back('\n');
            if (i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string to_lower_ascii(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

std::string_view trim(std::string_view s) noexcept
{
    size_t b = 0, e = s.size();
    auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    };
    while (b < e && space(s[b]))
        ++b;
    while (e > b && space(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

} // namespace message
