// Byte-level text helpers shared by the message module: UTF-8 validation and
// repair, the windows-1252 fallback for undeclared 8-bit bytes, and small
// ASCII utilities. Everything here is pure and never throws except
// std::bad_alloc.
#pragma once

#include <string>
#include <string_view>

namespace message {

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view bytes) noexcept;

// True when every byte is below 0x80.
bool is_ascii(std::string_view bytes) noexcept;

// Appends `bytes` to `out`, replacing every ill-formed UTF-8 sequence with
// U+FFFD, so the result is always valid UTF-8.
void append_utf8_repaired(std::string& out, std::string_view bytes);

// Decodes bytes as windows-1252 (the five undefined code points become
// U+FFFD) and appends UTF-8 to `out`.
void append_windows1252(std::string& out, std::string_view bytes);

// The policy for 8-bit bytes with no declared charset (raw header bytes,
// undeclared bodies): UTF-8 when the bytes are valid UTF-8; UTF-8 with
// U+FFFD for the damaged bytes when they hold at least one well-formed
// multi-byte sequence (a UTF-8 name with one stray byte); else
// windows-1252. The result is always valid UTF-8.
std::string undeclared_to_utf8(std::string_view bytes);

// Removes C0 controls and DEL (and U+0080..U+009F encoded in UTF-8), for
// file names; tabs and line breaks are removed too.
std::string strip_controls(std::string_view utf8);

// Turns CRLF and lone CR into LF.
std::string normalize_newlines(std::string_view text);

std::string to_lower_ascii(std::string_view s);
bool iequals(std::string_view a, std::string_view b) noexcept;
std::string_view trim(std::string_view s) noexcept;

} // namespace message
