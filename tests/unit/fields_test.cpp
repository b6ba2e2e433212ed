#include "message/fields.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace message;

TEST_SUITE("fields")
{
    TEST_CASE("encoded words are decoded, adjacent ones joined")
    {
        CHECK(decode_text("=?UTF-8?Q?MIME_UTF8_Test_=C2=A2?= More Text") ==
              "MIME UTF8 Test \xC2\xA2 More Text");
        CHECK(decode_text("=?windows-1250?Q?odpowied=9F_na?=\r\n"
                          " =?windows-1250?Q?uki?=") ==
              "odpowied\xC5\xBA nauki");
        CHECK(decode_text("=?utf-8?B?5ryi?= =?utf-8?B?5a2X?=") ==
              "\xE6\xBC\xA2\xE5\xAD\x97");
        CHECK(decode_text("Re: \"=?utf-8?B?5ryi5a2X?=\" mid") ==
              "Re: \"\xE6\xBC\xA2\xE5\xAD\x97\" mid");
    }

    TEST_CASE("vmime 0.9.2 defect: a character split across encoded words")
    {
        // vmime converts each word alone and gives mojibake.
        CHECK(decode_text("=?utf-8?Q?=C3?= =?utf-8?Q?=A9?=") == "\xC3\xA9");
        CHECK(decode_text("=?utf-8?B?4oK=?= =?utf-8?B?rA==?=") ==
              "\xE2\x82\xAC");
    }

    TEST_CASE("raw 8-bit header bytes: UTF-8 if valid, else windows-1252")
    {
        CHECK(decode_text("S\xC3\xA4ying Hello") == "S\xC3\xA4ying Hello");
        CHECK(decode_text("Fr\xF6sche") == "Fr\xC3\xB6sche");
    }

    TEST_CASE("raw bytes inside an encoded word belong to its charset")
    {
        CHECK(decode_text("=?iso-8859-1?Q?Fr\xF6sche?=") == "Fr\xC3\xB6sche");
    }

    TEST_CASE("an encoded comma does not split a display name")
    {
        auto list = parse_address_list(
            "=?utf-8?B?Rm9vLCBCYXI=?= <foo.bar@example.com>");
        REQUIRE(list.size() == 1);
        CHECK(*list[0].name == "Foo, Bar");
        CHECK(list[0].email == "foo.bar@example.com");
    }

    TEST_CASE("vmime 0.9.2 defect: an address as display name")
    {
        // vmime returns alice@example.com as the address.
        auto list = parse_address_list("alice@example.com <bob@example.com>");
        REQUIRE(list.size() == 1);
        CHECK(*list[0].name == "alice@example.com");
        CHECK(list[0].email == "bob@example.com");
    }

    TEST_CASE("vmime 0.9.2 defect: raw UTF-8 local parts stay as written")
    {
        auto list = parse_address_list(
            "J\xC3\xB6hn Doe <jd\xC3\xB6" "e@m\xC3\xA4" "chine.example>");
        REQUIRE(list.size() == 1);
        CHECK(*list[0].name == "J\xC3\xB6hn Doe");
        CHECK(list[0].email == "jd\xC3\xB6" "e@m\xC3\xA4" "chine.example");
    }

    TEST_CASE("groups are flattened and a name-less address has no name")
    {
        auto list = parse_address_list(
            "Team: a@x.org, \"B, b\" <b@x.org>;, c@y.org (Comment C), "
            "undisclosed-recipients:;");
        REQUIRE(list.size() == 3);
        CHECK(list[0].email == "a@x.org");
        CHECK_FALSE(list[0].name.has_value());
        CHECK(*list[1].name == "B, b");
        CHECK(list[2].email == "c@y.org");
        CHECK(*list[2].name == "Comment C");
    }

    TEST_CASE("two angle addresses keep the first")
    {
        auto list = parse_address_list("Name <a@x> <b@y>");
        REQUIRE(list.size() == 1);
        CHECK(list[0].email == "a@x");
    }

    TEST_CASE("a flood of ':,' and 5000 recipients stay fast and flat")
    {
        std::string flood;
        for (int i = 0; i < 100000; ++i)
            flood += ":,";
        CHECK(parse_address_list(flood).empty());

        std::string many;
        for (int i = 0; i < 5000; ++i)
            many += "User " + std::to_string(i) + " <u" +
                    std::to_string(i) + "@example.com>, ";
        auto list = parse_address_list(many);
        REQUIRE(list.size() == 5000);
        CHECK(list[4999].email == "u4999@example.com");
    }

    TEST_CASE("Content-Type parameters: RFC 2231, encoded words, defects")
    {
        auto type = parse_content_type(
            "text/plain; filename*0*=utf-8''nyan%20cat%20; "
            "filename*1=\"x.gif\"");
        CHECK(type.parameter("filename") == "nyan cat x.gif");
        type = parse_content_type(
            "text/plain; name=\"=?iso-8859-1?Q?Fr=F6sche.txt?=\"");
        CHECK(type.parameter("name") == "Fr\xC3\xB6sche.txt");
        type = parse_content_type("MULTIPART/MIXED; BOUNDARY=\"=:8452\"");
        CHECK(type.media_type() == "multipart/mixed");
        CHECK(type.parameter("boundary") == "=:8452");
        // A fold without the ';' before the first parameter.
        type = parse_content_type("multipart/mixed\r\n\tboundary=\"b\"");
        CHECK(type.parameter("boundary") == "b");
        type = parse_content_type("multipart/alternative;; boundary=\"foo\"");
        CHECK(type.parameter("boundary") == "foo");
        type = parse_content_type("garbage");
        CHECK(type.media_type() == "text/plain");
    }

    TEST_CASE("vmime 0.9.2 defect: leading white space of a quoted value")
    {
        // vmime returns "a.txt" for both.
        auto type = parse_content_type("text/plain; name=\"  a.txt\"");
        CHECK(type.parameter("name") == "  a.txt");
        auto disposition = parse_content_disposition(
            "attachment; size=3; filename=\" b.txt\"");
        CHECK(disposition.parameters["filename"] == " b.txt");
        // A trailing space was never lost; nothing to restore.
        type = parse_content_type("text/plain; name=\"c.txt \"");
        CHECK(type.parameter("name") == "c.txt ");
    }

    TEST_CASE("dates honour the zone; vmime 0.9.2 accepts impossible ones")
    {
        CHECK(parse_date("Thu, 13 Feb 2020 13:44:12 -0800") == 1581630252);
        CHECK(parse_date("Fri, 10 Jul 2016 15:29:52 GMT") == 1468164592);
        CHECK(parse_date("Fri, 23 Aug 2002 2:32:53 -0400") == 1030084373);
        // vmime turns hour 27 into 0 and "Malformed Date." into 1970.
        CHECK_FALSE(parse_date("Tue, 06 Jun 2017 27:39:33 +0600"));
        CHECK_FALSE(parse_date("Malformed Date."));
        CHECK_FALSE(parse_date(""));
    }

    TEST_CASE("angle brackets are removed from ids")
    {
        CHECK(strip_angle_brackets(" <a@b> ") == "a@b");
        CHECK(strip_angle_brackets("<>") == "");
        CHECK(strip_angle_brackets("plain") == "plain");
    }
}
