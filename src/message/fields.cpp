// vmime-backed header field interpretation. Fields longer than
// s_max_vmime_field bytes are not handed to vmime (its parsers are
// recursive and, in Debian's -O0 build, slow); they get the plain UTF-8
// policy instead.
#include "message/fields.hpp"

#include "message/text.hpp"

#include <vmime/contentDispositionField.hpp>
#include <vmime/contentTypeField.hpp>
#include <vmime/dateTime.hpp>
#include <vmime/headerFieldFactory.hpp>
#include <vmime/mediaType.hpp>
#include <vmime/parameterizedHeaderField.hpp>
#include <vmime/text.hpp>
#include <vmime/word.hpp>

#include <cctype>
#include <ctime>

namespace message {
namespace {

constexpr size_t s_max_vmime_field = 64 * 1024;
const vmime::charset s_utf8("utf-8");

// Text of one vmime word as UTF-8. Unencoded words come back labelled
// us-ascii even when they hold 8-bit bytes, and vmime would turn those into
// U+FFFD; our input was already made valid UTF-8, so take the bytes as they
// are.
std::string word_to_utf8(const vmime::word& word)
{
    const std::string& buffer = word.getBuffer();
    std::string name = to_lower_ascii(word.getCharset().getName());
    if (name == "us-ascii" || name == "utf-8")
        return undeclared_to_utf8(buffer);
    try {
        std::string out = word.getConvertedText(s_utf8);
        if (is_valid_utf8(out))
            return out;
        std::string repaired;
        append_utf8_repaired(repaired, out);
        return repaired;
    } catch (const std::exception&) {
        return undeclared_to_utf8(buffer);
    }
}

// Decodes the encoded words of unfolded raw text. Text outside encoded
// words gets the undeclared 8-bit policy; bytes inside an encoded word
// belong to its charset (Eudora puts raw Latin-1 bytes inside Q words).
std::string decode_words(const std::string& unfolded)
{
    if (unfolded.find("=?") == std::string::npos ||
        unfolded.size() > s_max_vmime_field)
        return undeclared_to_utf8(unfolded);
    try {
        vmime::text text;
        text.parse(unfolded);
        // Adjacent words in one charset are converted together: a UTF-8
        // character (or an ISO-2022-JP escape) may be split between two
        // encoded words, and vmime 0.9.2 converts each word alone.
        std::string out;
        size_t count = text.getWordCount();
        for (size_t i = 0; i < count;) {
            const vmime::word& first = *text.getWordAt(i);
            std::string buffer = first.getBuffer();
            size_t next = i + 1;
            for (; next < count; ++next) {
                const vmime::word& word = *text.getWordAt(next);
                if (!iequals(word.getCharset().getName(),
                             first.getCharset().getName()))
                    break;
                buffer += word.getBuffer();
            }
            out += word_to_utf8(vmime::word(buffer, first.getCharset()));
            i = next;
        }
        return out;
    } catch (const std::exception&) {
        return undeclared_to_utf8(unfolded);
    }
}

// Splits at top-level commas: not inside quotes, comments or angle
// brackets. Group syntax ("name: a, b;") is handled by the caller, so no
// list ever reaches vmime's group parser (its recursion overflows the stack
// on a flood of ":,", a defect of 0.9.2).
std::vector<std::string_view> split_addresses(std::string_view s)
{
    std::vector<std::string_view> items;
    size_t start = 0;
    int comment_depth = 0;
    bool quoted = false, angle = false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
        } else if (comment_depth > 0) {
            if (c == '\\')
                ++i;
            else if (c == '(')
                ++comment_depth;
            else if (c == ')')
                --comment_depth;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '(') {
            comment_depth = 1;
        } else if (c == '<') {
            angle = true;
        } else if (c == '>') {
            angle = false;
        } else if ((c == ',' || c == ';') && !angle) {
            items.push_back(s.substr(start, i - start));
            start = i + 1;
        } else if (c == ':' && !angle) {
            // "group-name:" starts a group; the name is not an address.
            start = i + 1;
        }
    }
    items.push_back(s.substr(start));
    return items;
}

// Removes (comments) outside quotes; returns the text of the first comment
// through `first_comment`.
std::string remove_comments(std::string_view s, std::string* first_comment)
{
    std::string out;
    int depth = 0;
    bool quoted = false;
    size_t comment_start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (depth == 0 && c == '"')
            quoted = !quoted;
        if (!quoted && c == '(') {
            if (depth++ == 0)
                comment_start = i + 1;
            continue;
        }
        if (!quoted && depth > 0 && c == ')') {
            if (--depth == 0 && first_comment && first_comment->empty())
                *first_comment = std::string(
                    s.substr(comment_start, i - comment_start));
            continue;
        }
        if (depth == 0)
            out.push_back(c);
    }
    return out;
}

// A display name: quotes removed (with their escapes), encoded words
// decoded, including words inside quotes as most clients write them.
std::string decode_display_name(std::string_view raw)
{
    std::string unquoted;
    bool quoted = false;
    for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (quoted && c == '\\' && i + 1 < raw.size())
            c = raw[++i];
        unquoted.push_back(c);
    }
    return decode_words(std::string(trim(unquoted)));
}

std::optional<Address> parse_mailbox(std::string_view item)
{
    std::string first_comment;
    std::string text = remove_comments(item, &first_comment);
    std::string_view view = trim(text);
    if (view.empty())
        return std::nullopt;

    // We find the angle address ourselves: vmime 0.9.2 takes
    // "alice@example.com <bob@example.com>" as the address alice@... and
    // mangles raw UTF-8 local parts (RFC 6532) into encoded words.
    size_t open = view.find('<');
    Address address;
    if (open != std::string_view::npos) {
        size_t close = view.find('>', open);
        std::string_view inside = view.substr(
            open + 1,
            close == std::string_view::npos ? std::string_view::npos
                                            : close - open - 1);
        address.email = undeclared_to_utf8(trim(inside));
        std::string name = decode_display_name(view.substr(0, open));
        if (!name.empty())
            address.name = std::move(name);
    } else {
        address.email = undeclared_to_utf8(view);
        std::string name = decode_display_name(first_comment);
        if (!name.empty())
            address.name = std::move(name);
    }
    if (address.email.empty() && !address.name)
        return std::nullopt;
    return address;
}

std::string fix_missing_semicolon(std::string_view value)
{
    // "multipart/mixed<fold>boundary=x": some mailers forget the ';' before
    // the first parameter; vmime then sees no parameter at all.
    std::string out = unfold(value);
    size_t slash = out.find('/');
    if (slash == std::string::npos)
        return out;
    size_t end = slash + 1;
    while (end < out.size() && out[end] != ';' && out[end] != ' ' &&
           out[end] != '\t')
        ++end;
    size_t next = end;
    while (next < out.size() && (out[next] == ' ' || out[next] == '\t'))
        ++next;
    if (next < out.size() && out[next] != ';' && next > end &&
        out.find('=', next) != std::string::npos)
        return out.substr(0, end) + ";" + out.substr(end);
    return out;
}

// vmime 0.9.2 drops white space at the start of a quoted parameter value
// (filename=" a.txt" gives "a.txt"); restore_leading_space() puts it back
// for plain parameters. FIXME(#3): an RFC 2231 segment (*1=" b") still
// loses its space; fixing that means parsing parameters ourselves. Listed
// in README "Limitations".
std::map<std::string, std::string>
read_parameters(const vmime::parameterizedHeaderField& field)
{
    std::map<std::string, std::string> out;
    for (const auto& parameter : field.getParameterList()) {
        std::string name = to_lower_ascii(parameter->getName());
        out.emplace(name, word_to_utf8(parameter->getValue()));
    }
    return out;
}

std::shared_ptr<vmime::headerField> vmime_field(const char* name,
                                                const std::string& value)
{
    return vmime::headerFieldFactory::getInstance()->create(name, value);
}

// For each plain parameter written name="  value" (quoted, starting with
// white space, no encoded word), puts back the leading white space that
// vmime 0.9.2 dropped, if vmime's value is the rest of it.
void restore_leading_space(std::string_view raw,
                           std::map<std::string, std::string>& parameters)
{
    size_t pos = 0;
    while ((pos = raw.find("=\"", pos)) != std::string_view::npos) {
        size_t value_start = pos + 2;
        size_t name_end = pos;
        size_t name_start = raw.find_last_of(" \t;", name_end);
        name_start = name_start == std::string_view::npos ? 0 : name_start + 1;
        pos = value_start;
        size_t close = raw.find('"', value_start);
        if (close == std::string_view::npos || value_start == close ||
            (raw[value_start] != ' ' && raw[value_start] != '\t'))
            continue;
        std::string name =
            to_lower_ascii(raw.substr(name_start, name_end - name_start));
        std::string value =
            undeclared_to_utf8(raw.substr(value_start, close - value_start));
        auto it = parameters.find(name);
        if (it != parameters.end() && value.find("=?") == std::string::npos &&
            it->second == trim(value))
            it->second = value;
        pos = close + 1;
    }
}

// Parses a field that carries parameters (RFC 2045, RFC 2231) with vmime
// and reads its parameters; nullptr when vmime throws. Values longer than
// s_max_vmime_field are cut there: vmime's parser is slow on them.
std::shared_ptr<vmime::headerField>
parse_parameterized(const char* name, std::string_view value,
                    std::map<std::string, std::string>& parameters)
{
    try {
        auto field = vmime_field(
            name, std::string(value.substr(0, s_max_vmime_field)));
        using Parameterized = vmime::parameterizedHeaderField;
        if (auto p = vmime::dynamicCast<Parameterized>(field)) {
            parameters = read_parameters(*p);
            restore_leading_space(value, parameters);
        }
        return field;
    } catch (const std::exception&) {
        return nullptr; // unreadable: the defaults stay
    }
}

} // namespace

std::string ContentType::parameter(const std::string& name) const
{
    auto it = parameters.find(name);
    return it == parameters.end() ? std::string() : it->second;
}

std::string unfold(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    for (char c : raw)
        if (c != '\r' && c != '\n')
            out.push_back(c);
    return out;
}

std::string decode_text(std::string_view raw)
{
    return std::string(trim(decode_words(unfold(raw))));
}

std::vector<Address> parse_address_list(std::string_view raw)
{
    std::string unfolded = unfold(raw);
    std::vector<Address> out;
    for (std::string_view item : split_addresses(unfolded))
        if (auto address = parse_mailbox(item))
            out.push_back(std::move(*address));
    return out;
}

ContentType parse_content_type(std::string_view raw)
{
    ContentType result;
    std::string value = fix_missing_semicolon(raw);
    auto field = parse_parameterized("Content-Type", value, result.parameters);
    auto media = field ? vmime::dynamicCast<vmime::mediaType>(field->getValue())
                       : nullptr;
    // RFC 2045 section 5.2: an unreadable type means text/plain; vmime
    // would turn "garbage" into garbage/octet-stream.
    std::string_view written =
        trim(std::string_view(value).substr(0, value.find(';')));
    if (media && !media->getType().empty() && !media->getSubType().empty() &&
        written.find('/') != std::string_view::npos) {
        result.type = to_lower_ascii(media->getType());
        result.subtype = to_lower_ascii(media->getSubType());
    }
    return result;
}

ContentDisposition parse_content_disposition(std::string_view raw)
{
    ContentDisposition result;
    std::string value = unfold(raw);
    parse_parameterized("Content-Disposition", value, result.parameters);
    std::string_view kind =
        trim(std::string_view(value).substr(0, value.find(';')));
    result.kind = undeclared_to_utf8(to_lower_ascii(kind));
    return result;
}

std::optional<int64_t> parse_date(std::string_view raw)
{
    std::string value = undeclared_to_utf8(unfold(raw));
    if (trim(value).empty() || value.size() > 1024)
        return std::nullopt;
    vmime::datetime date;
    try {
        date.parse(value);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    // vmime 0.9.2 never reports failure: "Malformed Date." becomes
    // 1970-12-01 and hour 27 silently becomes hour 0. Accept its result only
    // when the year and the "H:MM" it read appear in the text as written.
    std::string year = std::to_string(date.getYear());
    char clock[16];
    std::snprintf(clock, sizeof clock, "%d:%02d", date.getHour(),
                  date.getMinute());
    std::string padded = std::string(date.getHour() < 10 ? "0" : "") + clock;
    bool has_clock = value.find(clock) != std::string::npos ||
                     value.find(padded) != std::string::npos;
    if (value.find(year) == std::string::npos || !has_clock ||
        date.getHour() > 23 || date.getMinute() > 59 ||
        date.getSecond() > 60 || date.getMonth() < 1 ||
        date.getMonth() > 12 || date.getDay() < 1 || date.getDay() > 31)
        return std::nullopt;

    std::tm tm{};
    tm.tm_year = date.getYear() - 1900;
    tm.tm_mon = date.getMonth() - 1;
    tm.tm_mday = date.getDay();
    tm.tm_hour = date.getHour();
    tm.tm_min = date.getMinute();
    tm.tm_sec = date.getSecond();
    int64_t local = static_cast<int64_t>(timegm(&tm));
    return local - static_cast<int64_t>(date.getZone()) * 60;
}

std::string strip_angle_brackets(std::string_view raw)
{
    std::string value = undeclared_to_utf8(unfold(raw));
    std::string_view view = trim(value);
    if (view.size() >= 2 && view.front() == '<' && view.back() == '>')
        view = trim(view.substr(1, view.size() - 2));
    else if (!view.empty() && view.front() == '<')
        view = trim(view.substr(1));
    return std::string(view);
}

} // namespace message
