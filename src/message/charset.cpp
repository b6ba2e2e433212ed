// Charset conversion through vmime's converter (ICU in Debian's build). The
// alias table covers names seen in real mail that ICU does not accept as
// written.
#include "message/charset.hpp"

#include "message/text.hpp"

#include <vmime/charsetConverter.hpp>

#include <array>
#include <utility>

namespace message {
namespace {

// Names as mail clients write them -> a name ICU knows.
constexpr std::array<std::pair<std::string_view, std::string_view>, 14>
    s_aliases = {{
        {"ks_c_5601-1987", "windows-949"},
        {"ks_c_5601", "windows-949"},
        {"iso-8859-8-i", "iso-8859-8"},
        {"iso-8859-6-i", "iso-8859-6"},
        {"x-mac-cyrillic", "x-mac-cyrillic"},
        {"unicode-1-1-utf-7", "utf-7"},
        {"x-unicode-2-0-utf-7", "utf-7"},
        {"cp-850", "ibm-850"},
        {"x-sjis", "shift_jis"},
        {"x-euc-jp", "euc-jp"},
        {"gb2312", "gbk"}, // GBK is a superset seen under this label
        {"x-gbk", "gbk"},
        {"ansi_x3.4-1968", "us-ascii"},
        {"latin1", "iso-8859-1"},
    }};

// Labels whose text is plain ASCII bytes but not ASCII text: the fast path
// that copies ASCII through unchanged must not apply to them.
bool is_seven_bit_stateful(std::string_view name)
{
    return name.starts_with("iso-2022") || name.starts_with("utf-7") ||
           name.starts_with("hz") || name.starts_with("utf-16") ||
           name.starts_with("utf-32") || name.starts_with("ucs-") ||
           name.starts_with("unicode");
}

bool is_utf8_or_ascii_label(std::string_view name)
{
    return name.empty() || name == "us-ascii" || name == "ascii" ||
           name == "utf-8" || name == "utf8" || name == "unknown-8bit" ||
           name == "x-unknown" || name == "default";
}

std::string repaired(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    append_utf8_repaired(out, bytes);
    return out;
}

} // namespace

std::string canonical_charset(std::string_view charset)
{
    std::string name = to_lower_ascii(trim(charset));
    if (name.size() >= 2 && (name.front() == '"' || name.front() == '\''))
        name = name.substr(1, name.size() - 2);
    for (const auto& [alias, target] : s_aliases)
        if (name == alias)
            return std::string(target);
    return name;
}

std::string charset_to_utf8(std::string_view bytes, std::string_view charset)
{
    std::string name = canonical_charset(charset);
    if (is_seven_bit_stateful(name) && is_ascii(bytes) &&
        bytes.find_first_of("\x1b+~") == std::string_view::npos)
        return std::string(bytes);
    if (!is_seven_bit_stateful(name)) {
        if (is_ascii(bytes))
            return std::string(bytes);
        if (is_utf8_or_ascii_label(name) || is_valid_utf8(bytes))
            return undeclared_to_utf8(bytes);
    }

    std::string out;
    try {
        vmime::charsetConverterOptions options;
        options.silentlyReplaceInvalidSequences = true;
        options.invalidSequence = "\xEF\xBF\xBD";
        auto converter = vmime::charsetConverter::create(
            vmime::charset(name), vmime::charset("utf-8"), options);
        std::string input(bytes);
        converter->convert(input, out);
    } catch (const std::exception&) {
        // ICU does not know the name (or it is not a charset at all, such
        // as "text/html"): rule 4.
        return undeclared_to_utf8(bytes);
    }
    return is_valid_utf8(out) ? out : repaired(out);
}

} // namespace message
