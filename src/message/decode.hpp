// Content-Transfer-Encoding decoders, lenient by design: mail in the wild
// carries base64 with stray characters and missing padding, and
// quoted-printable with bad escapes. Nothing here throws on bad input; the
// policy for each defect is written next to the code that applies it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace message {

enum class TransferEncoding { Identity, Base64, QuotedPrintable };

// Maps a Content-Transfer-Encoding value to a decoder. Unknown, empty and
// misspelled values ("8bits", "x-gzip64") are Identity: the bytes are passed
// through rather than lost (RFC 2045 section 6.4 says to treat an
// unrecognised encoding as application/octet-stream, which keeps them too).
TransferEncoding transfer_encoding_from(std::string_view header_value);

// Base64 per RFC 2045 section 6.8, ignoring every character outside the
// alphabet (line breaks, junk, '=' anywhere). A final group of one
// character carries no whole byte and is dropped.
std::string decode_base64(std::string_view encoded);

// Quoted-printable per RFC 2045 section 6.7. Soft line breaks are removed,
// trailing white space of encoded lines is removed, and an '=' that does not
// start a valid escape is kept literally.
std::string decode_quoted_printable(std::string_view encoded);

std::string decode(TransferEncoding encoding, std::string_view body);

// Length of the decoded form of a base64 body, without decoding it.
size_t base64_decoded_size(std::string_view encoded) noexcept;

// Produces the canonical single-line base64 of decode_base64(source)
// directly from the encoded text, without decoding and encoding again: it
// keeps the alphabet characters, drops an incomplete final character, clears
// the unused bits of the last character and adds the padding. Output comes
// out in pieces through read(), so a 30 MB attachment needs no 40 MB copy.
class Base64Rewrap {
public:
    explicit Base64Rewrap(std::string_view source) noexcept;

    // Size of the whole output.
    size_t size() const noexcept { return m_output_size; }

    // Writes up to `capacity` bytes of output to `out`; returns how many.
    // 0 means the end.
    size_t read(char* out, size_t capacity) noexcept;

    void rewind() noexcept;

private:
    std::string_view m_source;
    size_t m_alphabet_count = 0; // alphabet characters in the source
    size_t m_output_size = 0;
    size_t m_source_pos = 0;
    size_t m_emitted = 0; // output bytes produced so far
};

// Streams the base64 encoding of raw bytes (for 7bit, 8bit, binary and
// decoded quoted-printable content).
class Base64Encoder {
public:
    explicit Base64Encoder(std::string_view source) noexcept
        : m_source(source)
    {
    }

    size_t size() const noexcept { return (m_source.size() + 2) / 3 * 4; }
    size_t read(char* out, size_t capacity) noexcept;
    void rewind() noexcept { m_source_pos = 0; }

private:
    std::string_view m_source;
    size_t m_source_pos = 0;
};

} // namespace message
