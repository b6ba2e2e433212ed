// Payload assembly. The steps follow the key order of the payload:
// headers, addresses, simple fields, bodies, inlines, attachments, extras.
#include "payload/build.hpp"

#include "message/charset.hpp"
#include "message/decode.hpp"
#include "message/fields.hpp"
#include "message/mime.hpp"
#include "message/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>

namespace payload {
namespace {

using Json = nlohmann::ordered_json;
using message::HeaderField;
using message::Part;
using message::Tree;

// Joins pieces (GCC 12 warns falsely about `"literal" + std::string`).
std::string concat(std::initializer_list<std::string_view> pieces)
{
    std::string out;
    for (std::string_view piece : pieces)
        out.append(piece);
    return out;
}

std::string dump(const Json& value)
{
    // Every string we put in is valid UTF-8 already; replace is a guard.
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Trace and authentication fields are arrays even when they occur once,
// as in the reference payload.
bool is_trace_field(std::string_view name)
{
    static constexpr std::array<std::string_view, 4> names = {
        "received", "received-spf", "dkim-signature",
        "authentication-results"};
    std::string lower = message::to_lower_ascii(name);
    return lower.starts_with("arc-") ||
           std::find(names.begin(), names.end(), lower) != names.end();
}

// The "headers" object as JSON text. Fields are grouped by name without
// regard to case, in order of first appearance. Written directly rather
// than through ordered_json, whose key lookup is linear: 20,000 fields
// took 2.5 s that way.
std::string headers_json(const std::vector<HeaderField>& fields)
{
    struct Entry {
        std::string name; // as first written
        std::vector<std::string> values;
    };
    std::vector<Entry> entries;
    std::unordered_map<std::string, size_t> index; // lower-case name
    for (const HeaderField& field : fields) {
        std::string name = message::undeclared_to_utf8(field.name);
        auto [slot, added] =
            index.try_emplace(message::to_lower_ascii(name), entries.size());
        if (added)
            entries.push_back({std::move(name), {}});
        entries[slot->second].values.push_back(
            message::decode_text(field.value));
    }

    std::string out = "{";
    for (const Entry& entry : entries) {
        if (out.size() > 1)
            out += ',';
        out += dump(Json(entry.name));
        out += ':';
        if (entry.values.size() == 1 && !is_trace_field(entry.name))
            out += dump(Json(entry.values.front()));
        else
            out += dump(Json(entry.values));
    }
    out += '}';
    return out;
}

// All occurrences of an address field, in order.
std::vector<message::Address>
addresses(const std::vector<HeaderField>& fields, std::string_view name)
{
    std::vector<message::Address> out;
    for (const HeaderField& field : fields)
        if (message::iequals(field.name, name)) {
            auto list = message::parse_address_list(field.value);
            std::move(list.begin(), list.end(), std::back_inserter(out));
        }
    return out;
}

Json address_list_json(const std::vector<message::Address>& list)
{
    Json out = Json::array();
    for (const auto& address : list)
        out.push_back({{"name", address.name ? Json(*address.name)
                                             : Json(nullptr)},
                       {"email", address.email}});
    return out;
}

Json from_json(const std::vector<HeaderField>& fields)
{
    auto list = addresses(fields, "From");
    if (list.empty())
        return {{"name", ""}, {"email", ""}};
    return {{"name", list.front().name.value_or("")},
            {"email", list.front().email}};
}

std::string raw_field(const std::vector<HeaderField>& fields,
                      std::string_view name)
{
    const HeaderField* field = message::find_field(fields, name);
    if (!field)
        return {};
    return std::string(message::trim(
        message::undeclared_to_utf8(message::unfold(field->value))));
}

Json return_path_json(const std::vector<HeaderField>& fields,
                      const Envelope& envelope)
{
    std::string email = envelope.sender;
    if (message::find_field(fields, "Return-Path"))
        email = message::strip_angle_brackets(
            message::find_field(fields, "Return-Path")->value);
    return {{"name", nullptr}, {"email", email}};
}

// --- Bodies, inlines and attachments -------------------------------------

enum class Role { TextBody, HtmlBody, Skipped, Other };

std::string file_name(const Part& part)
{
    auto pick = [](const std::map<std::string, std::string>& p,
                   const char* key) -> std::string {
        auto it = p.find(key);
        return it == p.end() ? std::string() : it->second;
    };
    std::string name = pick(part.disposition.parameters, "filename");
    if (name.empty())
        name = pick(part.content_type.parameters, "name");
    return message::strip_controls(name);
}

bool is_body_candidate(const Part& part)
{
    const auto& type = part.content_type;
    return type.type == "text" &&
           (type.subtype == "plain" || type.subtype == "html") &&
           part.disposition.kind != "attachment" && file_name(part).empty();
}

// One past the last descendant of each part (parts are in pre-order).
std::vector<size_t> subtree_ends(const Tree& tree)
{
    std::vector<size_t> ends(tree.parts.size());
    for (size_t i = tree.parts.size(); i-- > 0;) {
        ends[i] = std::max(ends[i], i + 1);
        int parent = tree.parts[i].parent;
        if (parent >= 0) {
            auto& p = ends[static_cast<size_t>(parent)];
            p = std::max(p, ends[i]);
        }
    }
    return ends;
}

// In a multipart/alternative, each body type comes from the last branch
// that has it (RFC 2046 section 5.1.4: the last is the richest); the same
// type in earlier branches is another rendering of the same content and is
// left out.
std::vector<Role> assign_roles(const Tree& tree)
{
    std::vector<Role> roles(tree.parts.size(), Role::Other);
    for (size_t i = 0; i < tree.parts.size(); ++i) {
        const Part& part = tree.parts[i];
        if (part.is_container)
            roles[i] = Role::Skipped;
        else if (is_body_candidate(part))
            roles[i] = part.content_type.subtype == "html" ? Role::HtmlBody
                                                           : Role::TextBody;
    }
    std::vector<size_t> ends = subtree_ends(tree);
    auto has_role = [&](size_t from, size_t to, Role role) {
        return std::find(roles.begin() + static_cast<long>(from),
                         roles.begin() + static_cast<long>(to),
                         role) != roles.begin() + static_cast<long>(to);
    };
    for (size_t a = 0; a < tree.parts.size(); ++a) {
        const Part& alt = tree.parts[a];
        if (!alt.is_container || alt.content_type.subtype != "alternative")
            continue;
        for (Role role : {Role::TextBody, Role::HtmlBody}) {
            size_t winner = ends[a];
            for (size_t child = a + 1; child < ends[a]; child = ends[child])
                if (has_role(child, ends[child], role))
                    winner = child;
            for (size_t child = a + 1; child < ends[a]; child = ends[child])
                if (child != winner)
                    std::replace(roles.begin() + static_cast<long>(child),
                                 roles.begin() +
                                     static_cast<long>(ends[child]),
                                 role, Role::Skipped);
        }
    }
    return roles;
}

// A body as a reader sees it: decoded, in UTF-8, with "\n" line ends. A
// body of nothing but white space shows nothing and counts as empty.
std::string body_text(const Part& part)
{
    std::string decoded = message::decode(part.encoding, part.body);
    std::string utf8 = message::charset_to_utf8(
        decoded, part.content_type.parameter("charset"));
    if (message::trim(utf8).empty())
        return {};
    return message::normalize_newlines(utf8);
}

void append_body(std::string& out, const std::string& text)
{
    if (!out.empty() && out.back() != '\n' && !text.empty())
        out.push_back('\n');
    out += text;
}

std::string extension_for(const std::string& media_type)
{
    static const std::array<std::pair<std::string_view, std::string_view>, 12>
        table = {{{"text/plain", ".txt"},
                  {"text/html", ".html"},
                  {"text/calendar", ".ics"},
                  {"message/rfc822", ".eml"},
                  {"image/png", ".png"},
                  {"image/jpeg", ".jpg"},
                  {"image/gif", ".gif"},
                  {"application/pdf", ".pdf"},
                  {"application/zip", ".zip"},
                  {"application/pgp-signature", ".asc"},
                  {"application/pkcs7-signature", ".p7s"},
                  {"application/ms-tnef", ".dat"}}};
    for (const auto& [type, ext] : table)
        if (media_type == type)
            return std::string(ext);
    if (media_type.starts_with("multipart/")) // nested too deep, kept whole
        return ".eml";
    if (media_type.ends_with("html")) // text/watch-html, text/x-amp-html
        return ".html";
    if (media_type.starts_with("text/"))
        return ".txt";
    return ".bin";
}

// The embedded message's subject, for naming an attached message/rfc822.
std::string embedded_subject(const Part& part)
{
    std::string decoded;
    std::string_view bytes = part.body;
    if (part.encoding != message::TransferEncoding::Identity) {
        decoded = message::decode(part.encoding,
                                  bytes.substr(0, std::min<size_t>(
                                                      bytes.size(), 1 << 20)));
        bytes = decoded;
    }
    auto block = message::parse_header_block(bytes);
    const HeaderField* subject = message::find_field(block.fields, "Subject");
    return subject ? message::strip_controls(message::decode_text(
                         subject->value))
                   : std::string();
}

class Builder {
public:
    Builder(const Tree& tree, Stream& stream) : m_tree(tree), m_out(stream) {}

    void bodies_and_parts(Summary* summary)
    {
        std::vector<Role> roles = assign_roles(m_tree);
        std::string text, html;
        for (size_t i = 0; i < m_tree.parts.size(); ++i) {
            if (roles[i] == Role::TextBody)
                append_body(text, body_text(m_tree.parts[i]));
            else if (roles[i] == Role::HtmlBody)
                append_body(html, body_text(m_tree.parts[i]));
        }
        m_out.append(concat({",\"text\":", dump(text), ",\"html\":",
                             dump(html)}));

        std::vector<size_t> inlines, attachments;
        for (size_t i = 0; i < m_tree.parts.size(); ++i) {
            if (roles[i] != Role::Other)
                continue;
            (is_inline(m_tree.parts[i], html) ? inlines : attachments)
                .push_back(i);
        }
        write_part_array("inlines", inlines, true);
        write_part_array("attachments", attachments, false);
        if (summary) {
            summary->inlines = inlines.size();
            summary->attachments = attachments.size();
        }
    }

private:
    const Tree& m_tree;
    Stream& m_out;
    size_t m_unnamed = 0;

    bool is_inline(const Part& part, const std::string& html) const
    {
        if (part.content_id.empty())
            return false;
        if (part.disposition.kind != "attachment")
            return true;
        return html.find("cid:" + part.content_id) != std::string::npos;
    }

    std::string name_for(const Part& part)
    {
        std::string name = file_name(part);
        std::string type = part.content_type.media_type();
        if (name.empty() && type == "message/rfc822") {
            std::string subject = embedded_subject(part);
            if (!subject.empty())
                name = subject + ".eml";
        }
        if (name.empty())
            name = "part-" + std::to_string(++m_unnamed) +
                   extension_for(type);
        return name;
    }

    void write_content(const Part& part)
    {
        switch (part.encoding) {
        case message::TransferEncoding::Base64:
            m_out.append_base64_rewrap(part.body);
            break;
        case message::TransferEncoding::QuotedPrintable:
            m_out.append_base64_of(
                m_out.keep(message::decode_quoted_printable(part.body)));
            break;
        case message::TransferEncoding::Identity:
            m_out.append_base64_of(part.body);
            break;
        }
    }

    void write_part_array(const char* key, const std::vector<size_t>& parts,
                          bool inline_parts)
    {
        m_out.append(std::string(",\"") + key + "\":[");
        bool first = true;
        for (size_t index : parts) {
            const Part& part = m_tree.parts[index];
            Json head = {{"type", part.content_type.media_type()},
                         {"name", name_for(part)}};
            std::string open = dump(head);
            open.pop_back(); // reopen the object to add content
            m_out.append(concat({first ? "" : ",", open, ",\"content\":\""}));
            write_content(part);
            Json tail = inline_parts ? Json{{"cid", part.content_id}}
                                     : Json{{"encoding", "binary"}};
            std::string close = dump(tail);
            m_out.append(concat({"\",", close.substr(1)}));
            first = false;
        }
        m_out.append("]");
    }
};

} // namespace

Stream build(std::string_view raw, const Envelope& envelope, int64_t now,
             Summary* summary)
{
    Stream out;
    // Old Mac mail ends lines with CR alone; the scanner reads LF. Such a
    // message is rare and small, so it gets a converted copy.
    if (raw.find('\n') == std::string_view::npos &&
        raw.find('\r') != std::string_view::npos) {
        std::string copy(raw);
        std::replace(copy.begin(), copy.end(), '\r', '\n');
        raw = out.keep(std::move(copy));
    }
    std::string_view input = message::strip_mbox_from_line(raw);
    Tree tree = message::parse_tree(input);
    const std::vector<HeaderField>& fields = tree.parts.front().headers;

    Json head = Json::object();
    head["to"] = address_list_json(addresses(fields, "To"));
    head["from"] = from_json(fields);
    head["subject"] = message::find_field(fields, "Subject")
                          ? message::decode_text(
                                message::find_field(fields, "Subject")->value)
                          : std::string();
    head["message-id"] = raw_field(fields, "Message-ID");
    head["date"] = raw_field(fields, "Date");
    head["return-path"] = return_path_json(fields, envelope);
    std::optional<int64_t> date;
    if (const HeaderField* field = message::find_field(fields, "Date"))
        date = message::parse_date(field->value);
    head["timestamp"] = date.value_or(now);
    std::string text = dump(head);
    text.pop_back(); // the object continues with the bodies
    out.append(concat({"{\"headers\":", headers_json(fields), ",",
                       std::string_view(text).substr(1)}));

    Builder(tree, out).bodies_and_parts(summary);

    Json tail = Json::object();
    tail["cc"] = address_list_json(addresses(fields, "Cc"));
    tail["reply-to"] = address_list_json(addresses(fields, "Reply-To"));
    tail["envelope"] = {{"sender", envelope.sender},
                        {"recipients", envelope.recipients},
                        {"original-recipient", envelope.original_recipient},
                        {"queue-id", envelope.queue_id}};
    out.append(concat({",", dump(tail).substr(1), "\n"}));
    if (summary)
        summary->message_id = raw_field(fields, "Message-ID");
    return out;
}

} // namespace payload
