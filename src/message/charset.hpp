// Conversion of body text from its declared charset to UTF-8. Mail declares
// charsets that converters do not know (ks_c_5601-1987, iso-8859-8-i,
// "text/html") and declares wrong ones (UTF-8 labelled us-ascii or gb2312);
// the rules below decide what a reader would have seen. The result is
// always valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace message {

// Converts `bytes` declared as `charset` (may be empty) to UTF-8:
//  1. no charset, an ASCII or UTF-8 label: UTF-8 when valid, else
//     windows-1252;
//  2. bytes that are valid UTF-8 and not plain ASCII: UTF-8, whatever the
//     label says (legacy-charset text is almost never valid UTF-8 by
//     accident, mislabelled UTF-8 is common);
//  3. otherwise the declared charset, through the alias table and ICU;
//  4. a charset nobody knows: windows-1252.
// Invalid sequences become U+FFFD. Never throws except std::bad_alloc.
std::string charset_to_utf8(std::string_view bytes, std::string_view charset);

// The name ICU should be asked for, after our alias table (lower case).
std::string canonical_charset(std::string_view charset);

} // namespace message
