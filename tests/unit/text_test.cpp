#include "message/text.hpp"

#include <doctest/doctest.h>

using namespace message;

TEST_SUITE("text")
{
    TEST_CASE("valid UTF-8 is recognised and ill-formed sequences are not")
    {
        CHECK(is_valid_utf8("plain ascii"));
        CHECK(is_valid_utf8("J\xC3\xB6rn \xF0\x9F\x8E\x89"));
        CHECK_FALSE(is_valid_utf8("\xC0\xAF"));         // overlong
        CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate
        CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
        CHECK_FALSE(is_valid_utf8("abc\xE2\x82"));      // truncated
    }

    TEST_CASE("repair replaces each maximal ill-formed subpart once")
    {
        std::string out;
        append_utf8_repaired(out, "a\xE2\x82" "b\xFF");
        CHECK(out == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    }

    TEST_CASE("undeclared bytes are UTF-8 when valid, else windows-1252")
    {
        CHECK(undeclared_to_utf8("Fr\xC3\xB6sche") == "Fr\xC3\xB6sche");
        CHECK(undeclared_to_utf8("Fr\xF6sche") == "Fr\xC3\xB6sche");
        CHECK(undeclared_to_utf8("\x80uro") == "\xE2\x82\xAC" "uro");
        // 0x81 is undefined in windows-1252.
        CHECK(undeclared_to_utf8("\x81") == "\xEF\xBF\xBD");
        // UTF-8 with one stray byte stays UTF-8.
        CHECK(undeclared_to_utf8("\xD0\xAE\xF1") == "\xD0\xAE\xEF\xBF\xBD");
    }

    TEST_CASE("control characters are removed from file names")
    {
        CHECK(strip_controls("a\nb\tc\x7F" "d\xC2\x85" "e") == "abcde");
        CHECK(strip_controls("../etc/passwd") == "../etc/passwd");
    }

    TEST_CASE("line ends become LF")
    {
        CHECK(normalize_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd");
    }
}
