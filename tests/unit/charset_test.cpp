#include "message/charset.hpp"

#include <doctest/doctest.h>

using namespace message;

TEST_SUITE("charset")
{
    TEST_CASE("names converters do not know are mapped by the alias table")
    {
        CHECK(charset_to_utf8("\xBD\xBA\xC6\xBC\xC7\xD8", "ks_c_5601-1987") ==
              "\xEC\x8A\xA4\xED\x8B\xB0\xED\x95\xB4"); // 스티해
        CHECK(charset_to_utf8("\xF9\xE0", "iso-8859-8-i") ==
              "\xD7\xA9\xD7\x90");
        CHECK(charset_to_utf8("\x80\x81", "x-mac-cyrillic") ==
              "\xD0\x90\xD0\x91");
        CHECK(charset_to_utf8("Hi +AGEAYg-", "unicode-1-1-utf-7") == "Hi ab");
        CHECK(charset_to_utf8("\x82", "cp-850") == "\xC3\xA9");
    }

    TEST_CASE("stateful 7-bit charsets are converted even when ASCII")
    {
        CHECK(charset_to_utf8("\x1b$B$9$_$^$;$s!#\x1b(B", "ISO-2022-JP") ==
              "\xE3\x81\x99\xE3\x81\xBF\xE3\x81\xBE\xE3\x81\x9B\xE3\x82\x93"
              "\xE3\x80\x82");
    }

    TEST_CASE("a label that is not a charset falls back to UTF-8 or 1252")
    {
        CHECK(charset_to_utf8("caf\xC3\xA9", "text/html") == "caf\xC3\xA9");
        CHECK(charset_to_utf8("caf\xE9", "text/html") == "caf\xC3\xA9");
    }

    TEST_CASE("UTF-8 labelled us-ascii or gb2312 is read as UTF-8")
    {
        CHECK(charset_to_utf8("caf\xC3\xA9", "us-ascii") == "caf\xC3\xA9");
        CHECK(charset_to_utf8("\xE4\xBD\xA0\xE5\xA5\xBD", "gb2312") ==
              "\xE4\xBD\xA0\xE5\xA5\xBD");
    }

    TEST_CASE("output is valid UTF-8 whatever the input")
    {
        CHECK(charset_to_utf8("bad\xFF", "utf-8") == "bad\xC3\xBF");
        CHECK(charset_to_utf8("\xDC", "iso-8859-1") == "\xC3\x9C");
        CHECK(charset_to_utf8("\x80", "windows-1252") == "\xE2\x82\xAC");
    }
}
