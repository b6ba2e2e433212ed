// The message structure: header blocks and the MIME tree, found by our own
// scanner over one input buffer. No body is copied: parts hold views into
// the buffer, which must outlive them. vmime is not used for structure
// (Debian's 0.9.2 copies the message several times and mis-splits
// delimiter lines with trailing white space or prefix-sharing boundaries).
//
// The scanner is lenient in the ways real mail needs and documented in
// docs/payload.md; it is iterative, so no input can exhaust the stack, and
// multipart nesting deeper than s_max_depth is kept as one opaque part.
#pragma once

#include "message/decode.hpp"
#include "message/fields.hpp"

#include <string_view>
#include <vector>

namespace message {

inline constexpr int s_max_depth = 64;

struct HeaderField {
    std::string_view name;  // as written, white space before ':' removed
    std::string_view value; // raw, still folded, without the final line end
};

struct HeaderBlock {
    std::vector<HeaderField> fields;
    size_t body_offset = 0; // where the body starts, relative to the input
};

// Splits an entity into its header fields and body. A header block that
// ends without a blank line ends at the first line that is not a header
// (RFC 5322 forbids it; cpython's corpus has it). A colon-less line after
// a field ending in ';' is a continuation that lost its indentation.
HeaderBlock parse_header_block(std::string_view entity);

// First field with this name (case-insensitive), or nullptr. The first
// wins for duplicated Content-Type, as most clients display it.
const HeaderField* find_field(const std::vector<HeaderField>& fields,
                              std::string_view name) noexcept;

struct Part {
    std::vector<HeaderField> headers;
    std::string_view body; // still transfer-encoded
    int parent = -1;       // index into Tree::parts; -1 for the root
    int depth = 0;
    ContentType content_type;
    bool has_content_type = false;
    ContentDisposition disposition;
    TransferEncoding encoding = TransferEncoding::Identity;
    std::string content_id; // without angle brackets
    // A multipart that has children in this tree. A multipart without a
    // boundary, or nested too deep, is a leaf instead.
    bool is_container = false;
};

struct Tree {
    std::vector<Part> parts; // pre-order; parts[0] is the message itself
};

// Removes a leading mbox "From " line (procmail, Postfix flags=F).
std::string_view strip_mbox_from_line(std::string_view message) noexcept;

// Builds the tree. Same-boundary nesting is resolved innermost first; a
// missing close delimiter ends the part at the end of its parent; a
// multipart in which no delimiter of its boundary is found is a text leaf
// with its whole body; one nested deeper than s_max_depth is a leaf whose
// body is the whole entity, header included.
Tree parse_tree(std::string_view message);

} // namespace message
