// Interpretation of header field values: RFC 2047 encoded words, address
// lists, Content-Type / Content-Disposition parameters (RFC 2045, RFC 2231)
// and dates. vmime does the decoding; this module is the only place that
// includes it for header fields, and no vmime exception leaves it. Where
// Debian's vmime 0.9.2 gets a field wrong, the workaround lives here, next
// to a comment naming the defect.
//
// Every input is untrusted raw header text, possibly with 8-bit bytes;
// every output string is valid UTF-8.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace message {

struct Address {
    std::optional<std::string> name; // display name; empty optional if none
    std::string email;
};

struct ContentType {
    std::string type = "text";     // lower case
    std::string subtype = "plain"; // lower case
    // Lower-case parameter names; values decoded to UTF-8 (RFC 2231 and
    // encoded words inside quoted values).
    std::map<std::string, std::string> parameters;

    std::string media_type() const { return type + "/" + subtype; }
    std::string parameter(const std::string& name) const;
};

struct ContentDisposition {
    std::string kind; // "inline", "attachment", or "" when absent
    std::map<std::string, std::string> parameters;
};

// Removes the line breaks of a folded field (RFC 5322 section 2.2.3).
std::string unfold(std::string_view raw);

// Unfolds, reads raw 8-bit bytes as UTF-8 or windows-1252, and decodes
// RFC 2047 encoded words. Leading and trailing white space is removed.
std::string decode_text(std::string_view raw);

// Parses an address list (To, Cc, From, ...). Groups are flattened; entries
// without an address are left out.
std::vector<Address> parse_address_list(std::string_view raw);

ContentType parse_content_type(std::string_view raw);
ContentDisposition parse_content_disposition(std::string_view raw);

// Unix time of an RFC 5322 date, honouring its zone; nothing when the
// value is not a readable date (e.g. hour 27).
std::optional<int64_t> parse_date(std::string_view raw);

// A message-id or content-id without angle brackets and white space.
std::string strip_angle_brackets(std::string_view raw);

} // namespace message
