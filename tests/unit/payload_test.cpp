#include "payload/build.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

std::string render(payload::Stream& stream, size_t chunk = 4096)
{
    std::string out(chunk, '\0'), all;
    stream.rewind();
    for (size_t n; (n = stream.read(out.data(), chunk)) > 0;)
        all.append(out, 0, n);
    return all;
}

nlohmann::json build_json(const std::string& message,
                          const payload::Envelope& envelope = {})
{
    payload::Stream stream = payload::build(message, envelope, 1234);
    std::string text = render(stream);
    REQUIRE(text.size() == stream.size());
    return nlohmann::json::parse(text);
}

} // namespace

TEST_SUITE("payload")
{
    TEST_CASE("a simple message gives exactly the reference payload")
    {
        std::string message =
            "Received: from a\r\nFrom: Ann <ann@example.org>\r\n"
            "To: bob@example.com\r\nSubject: Hi\r\n"
            "Date: Thu, 13 Feb 2020 13:44:12 -0800\r\n"
            "Message-ID: <1@example.org>\r\n\r\nHello\r\n";
        payload::Envelope envelope{"s@x", {"r@y"}, "o@y", "Q1"};
        payload::Stream stream = payload::build(message, envelope, 1234);
        CHECK(render(stream) ==
              R"({"headers":{"Received":["from a"],"From":"Ann <ann@example.org>",)"
              R"("To":"bob@example.com","Subject":"Hi",)"
              R"("Date":"Thu, 13 Feb 2020 13:44:12 -0800",)"
              R"("Message-ID":"<1@example.org>"},)"
              R"("to":[{"name":null,"email":"bob@example.com"}],)"
              R"("from":{"name":"Ann","email":"ann@example.org"},)"
              R"("subject":"Hi","message-id":"<1@example.org>",)"
              R"("date":"Thu, 13 Feb 2020 13:44:12 -0800",)"
              R"("return-path":{"name":null,"email":"s@x"},)"
              R"("timestamp":1581630252,"text":"Hello\n","html":"",)"
              R"("inlines":[],"attachments":[],"cc":[],"reply-to":[],)"
              R"("envelope":{"sender":"s@x","recipients":["r@y"],)"
              R"("original-recipient":"o@y","queue-id":"Q1"}})"
              "\n");
    }

    TEST_CASE("repeated fields become arrays under the first spelling")
    {
        auto json = build_json("X-A: 1\nx-a: 2\nX-B: 3\n\nbody");
        CHECK(json["headers"]["X-A"] == nlohmann::json::array({"1", "2"}));
        CHECK(json["headers"]["X-B"] == "3");
    }

    TEST_CASE("no Date, no From: the fallbacks")
    {
        auto json = build_json("Subject: x\n\nbody");
        CHECK(json["timestamp"] == 1234);
        CHECK(json["from"] == nlohmann::json({{"name", ""}, {"email", ""}}));
        CHECK(json["return-path"]["email"] == "");
        CHECK(json["date"] == "");
    }

    TEST_CASE("Return-Path <> is the null sender even with --sender")
    {
        payload::Envelope envelope{"s@x", {}, "", ""};
        auto json = build_json("Return-Path: <>\n\nbody", envelope);
        CHECK(json["return-path"]["email"] == "");
    }

    TEST_CASE("alternative bodies, related inline, attachments")
    {
        std::string message =
            "Content-Type: multipart/mixed; boundary=m\n\n"
            "--m\nContent-Type: multipart/alternative; boundary=a\n\n"
            "--a\nContent-Type: text/plain\n\nplain one\n"
            "--a\nContent-Type: text/plain\n\nplain two\n"
            "--a\nContent-Type: multipart/related; boundary=r\n\n"
            "--r\nContent-Type: text/html\n\n<img src=\"cid:i@x\">\n"
            "--r\nContent-Type: image/png\nContent-ID: <i@x>\n"
            "Content-Transfer-Encoding: base64\n\niVBO\nRw==\n--r--\n"
            "--a\nContent-Type: text/calendar\n\nBEGIN:VCALENDAR\n--a--\n"
            "--m\nContent-Type: application/pdf; name=\"a\\\".pdf\"\n"
            "Content-Disposition: attachment\n"
            "Content-Transfer-Encoding: quoted-printable\n\n%PDF=0A\n"
            "--m\nContent-Type: message/rfc822\n\nSubject: Inner\n\nhi\n"
            "--m--\n";
        auto json = build_json(message);
        CHECK(json["text"] == "plain two");
        CHECK(json["html"] == "<img src=\"cid:i@x\">");
        REQUIRE(json["inlines"].size() == 1);
        CHECK(json["inlines"][0] == nlohmann::json({{"type", "image/png"},
                                                    {"name", "part-1.png"},
                                                    {"content", "iVBORw=="},
                                                    {"cid", "i@x"}}));
        REQUIRE(json["attachments"].size() == 3);
        CHECK(json["attachments"][0]["type"] == "text/calendar");
        CHECK(json["attachments"][0]["name"] == "part-2.ics");
        CHECK(json["attachments"][1]["name"] == "a\".pdf");
        CHECK(json["attachments"][1]["content"] == "JVBERgo=");
        CHECK(json["attachments"][2]["name"] == "Inner.eml");
        CHECK(json["attachments"][2]["content"] == "U3ViamVjdDogSW5uZXIKCmhp");
        CHECK(json["attachments"][2]["encoding"] == "binary");
    }

    TEST_CASE("a Content-ID part with attachment disposition is inline only "
              "when the HTML uses it")
    {
        std::string message =
            "Content-Type: multipart/mixed; boundary=m\n\n"
            "--m\nContent-Type: text/html\n\n<img src=\"cid:used\">\n"
            "--m\nContent-Type: image/gif; name=a.gif\nContent-ID: <used>\n"
            "Content-Disposition: attachment\n\nGIF\n"
            "--m\nContent-Type: image/gif; name=b.gif\nContent-ID: <unused>\n"
            "Content-Disposition: attachment\n\nGIF\n--m--\n";
        auto json = build_json(message);
        REQUIRE(json["inlines"].size() == 1);
        CHECK(json["inlines"][0]["name"] == "a.gif");
        REQUIRE(json["attachments"].size() == 1);
        CHECK(json["attachments"][0]["name"] == "b.gif");
    }

    TEST_CASE("the stream reads the same in any chunk size and after rewind")
    {
        std::string message =
            "Content-Type: application/octet-stream\n"
            "Content-Transfer-Encoding: base64\n\nAAEC\nAwQ\n";
        payload::Stream stream = payload::build(message, {}, 1);
        std::string whole = render(stream);
        for (size_t chunk : {1, 2, 3, 7, 100})
            CHECK(render(stream, chunk) == whole);
        CHECK(whole.find("\"content\":\"AAECAwQ=\"") != std::string::npos);
    }

    TEST_CASE("invalid bytes never reach the output")
    {
        auto json = build_json("Subject: \xFF\xFE bad\nFrom: \xE9 <a@b>\n"
                               "Content-Type: text/plain; charset=bogus\n\n"
                               "caf\xE9 \x81\n");
        CHECK(json["subject"] == "\xC3\xBF\xC3\xBE bad");
        CHECK(json["text"] == "caf\xC3\xA9 \xEF\xBF\xBD\n");
    }
}
