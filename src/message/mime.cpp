// MIME structure scanner (RFC 2045, RFC 2046 section 5.1). One pass over
// the buffer, looking only at lines that start with "--".
#include "message/mime.hpp"

#include "message/text.hpp"

#include <cstring>
#include <string>

namespace message {
namespace {

struct Line {
    std::string_view text; // without CR LF
    size_t next;           // offset of the following line
};

Line line_at(std::string_view s, size_t pos) noexcept
{
    size_t eol = s.find('\n', pos);
    size_t end = eol == std::string_view::npos ? s.size() : eol;
    std::string_view text = s.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    return {text, eol == std::string_view::npos ? s.size() : eol + 1};
}

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

bool is_whitespace_only(std::string_view s) noexcept
{
    for (char c : s)
        if (!is_blank(c))
            return false;
    return true;
}

// "Name: value" with a name of printable non-space characters, allowing
// white space before the colon (obsolete syntax, RFC 5322 section 4.5).
bool split_field(std::string_view line, std::string_view* name,
                 std::string_view* value) noexcept
{
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return false;
    std::string_view n = line.substr(0, colon);
    while (!n.empty() && is_blank(n.back()))
        n.remove_suffix(1);
    if (n.empty())
        return false;
    for (char c : n) {
        auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b == 0x7F)
            return false;
    }
    *name = n;
    *value = line.substr(colon + 1);
    return true;
}

// Extends a field's value view to the end of `line` (same buffer).
void extend_value(HeaderField& field, std::string_view line) noexcept
{
    const char* begin = field.value.data();
    field.value = std::string_view(
        begin, static_cast<size_t>(line.data() + line.size() - begin));
}

// A colon-less line that continues a parameter list whose fold lost its
// indentation: 'Content-Type: x/y; a=b;' then 'name="z"'.
bool is_lost_continuation(const HeaderField& field,
                          std::string_view line) noexcept
{
    std::string_view value = trim(field.value);
    return !value.empty() && value.back() == ';' &&
           line.find('=') != std::string_view::npos;
}

// Whether the lines from `pos` on are header fields (or their folds) up to
// a blank line within a few lines: then a colon-less line before them is
// junk inside the header block, not the start of the body.
bool header_block_continues(std::string_view entity, size_t pos) noexcept
{
    constexpr int s_lookahead = 32;
    for (int i = 0; i < s_lookahead && pos < entity.size(); ++i) {
        Line line = line_at(entity, pos);
        std::string_view name, value;
        if (line.text.empty())
            return i > 0;
        if (!is_blank(line.text.front()) &&
            !split_field(line.text, &name, &value))
            return false;
        pos = line.next;
    }
    return false;
}

void read_part_fields(Part& part)
{
    if (const HeaderField* f = find_field(part.headers, "Content-Type")) {
        part.content_type = parse_content_type(f->value);
        part.has_content_type = true;
    }
    if (const HeaderField* f =
            find_field(part.headers, "Content-Disposition"))
        part.disposition = parse_content_disposition(f->value);
    if (const HeaderField* f =
            find_field(part.headers, "Content-Transfer-Encoding"))
        part.encoding = transfer_encoding_from(f->value);
    if (const HeaderField* f = find_field(part.headers, "Content-ID"))
        part.content_id = strip_angle_brackets(f->value);
}

struct OpenMultipart {
    int part;
    std::string boundary;
    int children = 0;
};

enum class Delimiter { None, Next, Close };

// Whether `line` is a delimiter of `boundary`: "--" boundary, then
// optionally "--", then only white space (RFC 2046 allows transport
// padding; vmime 0.9.2 does not recognise it). A longer boundary that
// merely starts with this one is not a match.
Delimiter match_delimiter(std::string_view line,
                          std::string_view boundary) noexcept
{
    if (line.size() < boundary.size() + 2 ||
        line.compare(2, boundary.size(), boundary) != 0)
        return Delimiter::None;
    std::string_view rest = line.substr(2 + boundary.size());
    while (!rest.empty() && is_blank(rest.back()))
        rest.remove_suffix(1);
    if (rest.empty())
        return Delimiter::Next;
    if (rest == "--")
        return Delimiter::Close;
    return Delimiter::None;
}

// Offset of the next line at or after `pos` that starts with "--".
// memchr for '-' crosses a base64 body (which has none) in one call.
size_t next_dash_line(std::string_view s, size_t pos) noexcept
{
    while (pos < s.size()) {
        const void* hit = std::memchr(s.data() + pos, '-', s.size() - pos);
        if (!hit)
            return s.size();
        size_t at = static_cast<size_t>(static_cast<const char*>(hit) -
                                        s.data());
        if (at + 1 < s.size() && s[at + 1] == '-' &&
            (at == 0 || s[at - 1] == '\n'))
            return at;
        pos = at + 1;
    }
    return s.size();
}

// End of a body that is followed by a delimiter line at `line_start`: the
// line break before the delimiter belongs to the delimiter.
size_t body_end_before(std::string_view s, size_t body_start,
                       size_t line_start) noexcept
{
    size_t end = line_start;
    if (end > body_start && s[end - 1] == '\n')
        --end;
    if (end > body_start && s[end - 1] == '\r')
        --end;
    return end < body_start ? body_start : end;
}

class TreeBuilder {
public:
    explicit TreeBuilder(std::string_view message) : m_message(message) {}

    Tree build()
    {
        add_part(0, m_message.size(), -1, 0);
        size_t pos = m_tree.parts[0].body.data() - m_message.data();
        while (!m_open.empty()) {
            size_t line_start = next_dash_line(m_message, pos);
            if (line_start >= m_message.size())
                break;
            Line line = line_at(m_message, line_start);
            handle_dash_line(line, line_start);
            pos = line.next;
        }
        close_current_leaf(m_message.size());
        close_open_from(0, m_message.size());
        return std::move(m_tree);
    }

private:
    std::string_view m_message;
    Tree m_tree;
    std::vector<OpenMultipart> m_open;
    int m_current_leaf = -1; // leaf whose body is still being read
    size_t m_leaf_start = 0;

    void handle_dash_line(const Line& line, size_t line_start)
    {
        // Innermost first: the same boundary may be reused at two levels.
        for (size_t level = m_open.size(); level-- > 0;) {
            Delimiter kind = match_delimiter(line.text,
                                             m_open[level].boundary);
            if (kind == Delimiter::None)
                continue;
            close_current_leaf(line_start);
            close_open_from(level + 1, line_start);
            if (kind == Delimiter::Close) {
                close_open_from(level, line_start);
                return;
            }
            ++m_open[level].children;
            int parent = m_open[level].part;
            add_part(line.next, m_message.size(), parent,
                     m_tree.parts[static_cast<size_t>(parent)].depth + 1);
            return;
        }
    }

    // Closes the open multiparts from `level` inward, at `line_start`. One
    // that never saw its delimiter (a boundary that does not match the
    // body, or a preamble only) becomes a text leaf holding its whole body,
    // so that nothing in it is lost.
    void close_open_from(size_t level, size_t line_start)
    {
        while (m_open.size() > level) {
            OpenMultipart open = std::move(m_open.back());
            m_open.pop_back();
            if (open.children > 0)
                continue;
            Part& part = m_tree.parts[static_cast<size_t>(open.part)];
            size_t start = static_cast<size_t>(part.body.data() -
                                               m_message.data());
            size_t end = line_start >= m_message.size()
                             ? m_message.size()
                             : body_end_before(m_message, start, line_start);
            part.body = m_message.substr(start, end - start);
            part.is_container = false;
            part.content_type = ContentType{};
        }
    }

    void close_current_leaf(size_t line_start)
    {
        if (m_current_leaf < 0)
            return;
        size_t end = body_end_before(m_message, m_leaf_start, line_start);
        if (line_start >= m_message.size())
            end = m_message.size();
        Part& leaf = m_tree.parts[static_cast<size_t>(m_current_leaf)];
        leaf.body = m_message.substr(m_leaf_start, end - m_leaf_start);
        m_current_leaf = -1;
    }

    void add_part(size_t start, size_t end, int parent, int depth)
    {
        std::string_view entity = m_message.substr(start, end - start);
        HeaderBlock block = parse_header_block(entity);
        Part part;
        part.headers = std::move(block.fields);
        part.parent = parent;
        part.depth = depth;
        read_part_fields(part);
        if (!part.has_content_type && parent >= 0 &&
            m_tree.parts[static_cast<size_t>(parent)].content_type.subtype ==
                "digest") {
            // RFC 2046 section 5.1.5: digest members default to messages.
            part.content_type.type = "message";
            part.content_type.subtype = "rfc822";
        }
        size_t body_start = start + block.body_offset;
        part.body = m_message.substr(body_start, end - body_start);

        std::string boundary = part.content_type.parameter("boundary");
        bool multipart = part.content_type.type == "multipart";
        part.is_container = multipart && !boundary.empty() &&
                            depth < s_max_depth;
        if (multipart && boundary.empty()) {
            // No boundary: the body is text, not a guess at a structure.
            part.content_type = ContentType{};
        }
        // Nested too deep: kept whole, headers included, so a receiver
        // can still read the structure (its boundary is in its header).
        bool too_deep = multipart && !boundary.empty() && !part.is_container;
        if (too_deep)
            part.encoding = TransferEncoding::Identity;
        int index = static_cast<int>(m_tree.parts.size());
        m_tree.parts.push_back(std::move(part));
        if (m_tree.parts.back().is_container) {
            m_open.push_back({index, std::move(boundary), 0});
        } else {
            m_current_leaf = index;
            m_leaf_start = too_deep ? start : body_start;
        }
    }
};

} // namespace

HeaderBlock parse_header_block(std::string_view entity)
{
    HeaderBlock block;
    size_t pos = 0;
    while (pos < entity.size()) {
        Line line = line_at(entity, pos);
        if (line.text.empty()) {
            block.body_offset = line.next;
            return block;
        }
        std::string_view name, value;
        if (is_blank(line.text.front())) {
            bool folded_next =
                line.next < entity.size() && is_blank(entity[line.next]);
            if (is_whitespace_only(line.text) && !folded_next) {
                block.body_offset = line.next; // a blank line in disguise
                return block;
            }
            if (!block.fields.empty())
                extend_value(block.fields.back(), line.text);
        } else if (!line.text.starts_with("--") &&
                   split_field(line.text, &name, &value)) {
            block.fields.push_back({name, value});
        } else if (!block.fields.empty() &&
                   is_lost_continuation(block.fields.back(), line.text)) {
            extend_value(block.fields.back(), line.text);
        } else if (!line.text.starts_with("--") && !block.fields.empty() &&
                   header_block_continues(entity, line.next)) {
            // A line without a colon amid header fields: skipped, so it
            // cannot swallow the fields after it (vmime 0.9.2 takes the
            // rest of the message as body there).
        } else {
            block.body_offset = pos; // the body starts without a blank line
            return block;
        }
        pos = line.next;
    }
    block.body_offset = entity.size();
    return block;
}

const HeaderField* find_field(const std::vector<HeaderField>& fields,
                              std::string_view name) noexcept
{
    for (const HeaderField& field : fields)
        if (iequals(field.name, name))
            return &field;
    return nullptr;
}

std::string_view strip_mbox_from_line(std::string_view message) noexcept
{
    if (message.starts_with("From ")) {
        size_t eol = message.find('\n');
        return eol == std::string_view::npos ? std::string_view()
                                             : message.substr(eol + 1);
    }
    return message;
}

Tree parse_tree(std::string_view message)
{
    return TreeBuilder(message).build();
}

} // namespace message
