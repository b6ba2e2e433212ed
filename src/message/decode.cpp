// Transfer decoding over views of the input buffer. OpenSSL's EVP block
// coders do the base64 arithmetic; this file only decides what counts as
// input (the lenient part) and walks the buffer in pieces.
#include "message/decode.hpp"

#include "message/text.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace message {
namespace {

constexpr std::array<signed char, 256> make_base64_table()
{
    std::array<signed char, 256> table{};
    for (auto& v : table)
        v = -1;
    const char* alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] =
            static_cast<signed char>(i);
    return table;
}

constexpr auto s_base64_value = make_base64_table();
constexpr std::string_view s_base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool in_alphabet(char c) noexcept
{
    return s_base64_value[static_cast<unsigned char>(c)] >= 0;
}

// Range tests instead of the table, so that the loops below vectorise:
// they run over every byte of every base64 attachment.
inline bool is_alphabet_byte(unsigned char c) noexcept
{
    return (static_cast<unsigned char>(c - 'A') < 26) |
           (static_cast<unsigned char>(c - 'a') < 26) |
           (static_cast<unsigned char>(c - '0') < 10) | (c == '+') |
           (c == '/');
}

size_t count_alphabet(std::string_view s) noexcept
{
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i)
        n += is_alphabet_byte(p[i]);
    return n;
}

bool all_alphabet(const char* data, size_t size) noexcept
{
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    unsigned bad = 0;
    for (size_t i = 0; i < size; ++i)
        bad |= !is_alphabet_byte(p[i]);
    return bad == 0;
}

// Output size of the canonical re-encoding of `count` alphabet characters.
size_t rewrapped_size(size_t count) noexcept
{
    size_t rem = count % 4;
    return count / 4 * 4 + (rem >= 2 ? 4 : 0);
}

int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

} // namespace

TransferEncoding transfer_encoding_from(std::string_view header_value)
{
    std::string_view v = trim(header_value);
    if (iequals(v, "base64"))
        return TransferEncoding::Base64;
    if (iequals(v, "quoted-printable"))
        return TransferEncoding::QuotedPrintable;
    return TransferEncoding::Identity;
}

size_t base64_decoded_size(std::string_view encoded) noexcept
{
    size_t n = count_alphabet(encoded);
    size_t rem = n % 4;
    return n / 4 * 3 + (rem >= 2 ? rem - 1 : 0);
}

std::string decode_base64(std::string_view encoded)
{
    std::string clean;
    clean.reserve(encoded.size());
    for (char c : encoded)
        if (in_alphabet(c))
            clean.push_back(c);
    size_t rem = clean.size() % 4;
    if (rem == 1)
        clean.pop_back();
    size_t padding = rem >= 2 ? 4 - rem : 0;
    clean.append(padding, '=');

    std::string out(clean.size() / 4 * 3, '\0');
    if (clean.empty())
        return out;
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(
                                clean.data()),
                            static_cast<int>(clean.size()));
    // Every character is in the alphabet, so EVP_DecodeBlock cannot fail;
    // it counts the padding as decoded zero bytes, which we remove.
    out.resize(n < 0 ? 0 : static_cast<size_t>(n) - padding);
    return out;
}

std::string decode_quoted_printable(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    size_t pos = 0;
    while (pos < in.size()) {
        size_t eol = in.find('\n', pos);
        size_t end = eol == std::string_view::npos ? in.size() : eol;
        std::string_view line = in.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        // Trailing white space was added in transit (RFC 2045, rule 3).
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);

        bool soft_break = false;
        for (size_t i = 0; i < line.size(); ++i) {
            char c = line[i];
            if (c != '=') {
                out.push_back(c);
                continue;
            }
            if (i + 1 == line.size()) {
                soft_break = true;
                break;
            }
            int hi = i + 2 < line.size() ? hex_value(line[i + 1]) : -1;
            int lo = i + 2 < line.size() ? hex_value(line[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
            } else {
                out.push_back('=');
            }
        }
        if (eol == std::string_view::npos)
            break;
        if (!soft_break)
            out.push_back('\n');
        pos = eol + 1;
    }
    return out;
}

std::string decode(TransferEncoding encoding, std::string_view body)
{
    switch (encoding) {
    case TransferEncoding::Base64:
        return decode_base64(body);
    case TransferEncoding::QuotedPrintable:
        return decode_quoted_printable(body);
    case TransferEncoding::Identity:
        break;
    }
    return std::string(body);
}

Base64Rewrap::Base64Rewrap(std::string_view source) noexcept
    : m_source(source)
    , m_alphabet_count(count_alphabet(source))
    , m_output_size(rewrapped_size(m_alphabet_count))
{
}

void Base64Rewrap::rewind() noexcept
{
    m_source_pos = 0;
    m_emitted = 0;
}

size_t Base64Rewrap::read(char* out, size_t capacity) noexcept
{
    size_t full = m_alphabet_count / 4 * 4;
    size_t rem = m_alphabet_count % 4;
    size_t written = 0;

    // Whole groups: copy alphabet characters as they are, a line at a
    // time when the line is clean (the common case), else byte by byte.
    while (written < capacity && m_emitted < full) {
        const char* line = m_source.data() + m_source_pos;
        size_t left = m_source.size() - m_source_pos;
        const void* eol = std::memchr(line, '\n', left);
        size_t run = eol ? static_cast<size_t>(
                               static_cast<const char*>(eol) - line)
                         : left;
        if (run > 0 && line[run - 1] == '\r')
            --run;
        size_t take = std::min({run, capacity - written, full - m_emitted});
        if (take == 0) {
            ++m_source_pos; // a line break or an empty line
            continue;
        }
        if (all_alphabet(line, take)) {
            std::memcpy(out + written, line, take);
            written += take;
            m_emitted += take;
            m_source_pos += take;
            continue;
        }
        for (size_t i = 0; i < take && written < capacity &&
                           m_emitted < full;
             ++i) {
            ++m_source_pos;
            if (in_alphabet(line[i])) {
                out[written++] = line[i];
                ++m_emitted;
            }
        }
    }
    if (written == capacity || m_emitted >= m_output_size || rem < 2)
        return written;

    // The final partial group: 2 or 3 characters, canonicalised, padded.
    std::array<char, 4> tail{'=', '=', '=', '='};
    size_t have = 0;
    for (size_t p = m_source_pos; p < m_source.size() && have < rem; ++p)
        if (in_alphabet(m_source[p]))
            tail[have++] = m_source[p];
    int last = s_base64_value[static_cast<unsigned char>(tail[rem - 1])];
    last &= rem == 2 ? 0x30 : 0x3C;
    tail[rem - 1] = s_base64_alphabet[static_cast<size_t>(last)];
    size_t offset = m_emitted - full;
    while (written < capacity && offset < 4) {
        out[written++] = tail[offset++];
        ++m_emitted;
    }
    return written;
}

size_t Base64Encoder::read(char* out, size_t capacity) noexcept
{
    // Encode whole 3-byte groups that fit; the last group may be short.
    size_t groups = capacity / 4;
    size_t left = m_source.size() - m_source_pos;
    if (groups == 0 || left == 0)
        return 0;
    size_t take = std::min(left, groups * 3);
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out),
                            reinterpret_cast<const unsigned char*>(
                                m_source.data() + m_source_pos),
                            static_cast<int>(take));
    m_source_pos += take;
    return static_cast<size_t>(n);
}

} // namespace message
