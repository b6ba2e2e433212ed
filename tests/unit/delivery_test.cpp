// Unit tests of the delivery module's pure parts: backoff, Retry-After,
// URL and header checks, and Standard Webhooks signing.
#include "delivery/http.hpp"
#include "delivery/retry.hpp"
#include "delivery/signing.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

namespace {

using namespace std::chrono_literals;

// A body over a string, read in small pieces to exercise chunking.
class TextBody final : public delivery::Body {
public:
    explicit TextBody(std::string text)
        : m_text(std::move(text))
    {
    }
    size_t size() const noexcept override { return m_text.size(); }
    void rewind() noexcept override { m_offset = 0; }
    size_t read(char* out, size_t capacity) noexcept override
    {
        size_t n = std::min<size_t>({capacity, m_text.size() - m_offset, 3});
        std::memcpy(out, m_text.data() + m_offset, n);
        m_offset += n;
        return n;
    }

private:
    std::string m_text;
    size_t m_offset = 0;
};

std::chrono::system_clock::time_point at(std::time_t t)
{
    return std::chrono::system_clock::from_time_t(t);
}

} // namespace

TEST_SUITE("delivery")
{
    TEST_CASE("the response excerpt is the first non-blank line")
    {
        using delivery::response_excerpt;
        CHECK(response_excerpt("invalid recipient\r\nmore") ==
              "invalid recipient");
        CHECK(response_excerpt("\r\n\n  down\t for now  \nx") ==
              "down  for now");
        CHECK(response_excerpt("").empty());
        CHECK(response_excerpt(" \r\n\t\n").empty());
    }

    TEST_CASE("the response excerpt has no control characters")
    {
        std::string body("a\x1b[1m\0b\x7f", 8);
        CHECK(delivery::response_excerpt(body) == "a_[1m_b_");
    }

    TEST_CASE("the response excerpt is cut to 200 bytes on a UTF-8 boundary")
    {
        CHECK(delivery::response_excerpt(std::string(5000, 'y')) ==
              std::string(200, 'y'));
        std::string accented = std::string(199, 'x') + "\xC3\xA9zz";
        CHECK(delivery::response_excerpt(accented) == std::string(199, 'x'));
        std::string fits = std::string(198, 'x') + "\xC3\xA9zz";
        CHECK(delivery::response_excerpt(fits) == fits.substr(0, 200));
        CHECK(delivery::response_excerpt("abcdef", 3) == "abc");
    }

    TEST_CASE("backoff doubles from the first wait and adds under 25% jitter")
    {
        std::mt19937_64 random(42);
        for (int i = 0; i < 200; ++i) {
            auto first = delivery::backoff(1, 1000ms, 60s, random);
            auto third = delivery::backoff(3, 1000ms, 60s, random);
            CHECK(first >= 1000ms);
            CHECK(first < 1250ms);
            CHECK(third >= 4000ms);
            CHECK(third < 5000ms);
        }
    }

    TEST_CASE("backoff never exceeds the cap by more than the jitter")
    {
        std::mt19937_64 random(7);
        auto wait = delivery::backoff(40, 1000ms, 10s, random);
        CHECK(wait >= 10s);
        CHECK(wait < 12500ms);
    }

    TEST_CASE("backoff jitter differs between draws")
    {
        std::mt19937_64 random(1);
        auto a = delivery::backoff(2, 1000ms, 60s, random);
        auto b = delivery::backoff(2, 1000ms, 60s, random);
        CHECK(a != b);
    }

    TEST_CASE("Retry-After in delay-seconds")
    {
        auto now = at(1'700'000'000);
        CHECK(delivery::parse_retry_after("1", now) == 1s);
        CHECK(delivery::parse_retry_after(" 120 ", now) == 120s);
        CHECK(delivery::parse_retry_after("0", now) == 0s);
    }

    TEST_CASE("Retry-After as an IMF-fixdate is relative to now")
    {
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777 (RFC 9110's example).
        auto now = at(784'111'777 - 30);
        auto wait =
            delivery::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now);
        REQUIRE(wait);
        CHECK(*wait == 30s);
    }

    TEST_CASE("Retry-After in the obsolete date forms is accepted")
    {
        auto now = at(784'111'777 - 5);
        CHECK(delivery::parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT",
                                          now) == 5s);
        CHECK(delivery::parse_retry_after("Sun Nov  6 08:49:37 1994", now) ==
              5s);
    }

    TEST_CASE("Retry-After with a date in the past means no wait")
    {
        auto now = at(784'111'777 + 3600);
        CHECK(delivery::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT",
                                          now) == 0s);
    }

    TEST_CASE("Retry-After that is neither form is ignored")
    {
        auto now = at(1'700'000'000);
        CHECK_FALSE(delivery::parse_retry_after("", now));
        CHECK_FALSE(delivery::parse_retry_after("soon", now));
        CHECK_FALSE(delivery::parse_retry_after("-5", now));
        CHECK_FALSE(delivery::parse_retry_after("1.5", now));
    }

    TEST_CASE("an absurd Retry-After number means a very long wait")
    {
        auto wait =
            delivery::parse_retry_after("99999999999999999999999", at(0));
        REQUIRE(wait);
        CHECK(*wait > std::chrono::hours(24));
        CHECK(*wait <= std::chrono::hours(24 * 366));
        auto huge = delivery::parse_retry_after("9000000000000000000", at(0));
        REQUIRE(huge);
        CHECK(*huge <= std::chrono::hours(24 * 366));
    }

    TEST_CASE("only 429 and 503 name their own wait")
    {
        CHECK(delivery::honours_retry_after(429));
        CHECK(delivery::honours_retry_after(503));
        CHECK_FALSE(delivery::honours_retry_after(500));
        CHECK_FALSE(delivery::honours_retry_after(301));
    }

    TEST_CASE("URL credentials move out of the URL")
    {
        std::string error;
        auto endpoint = delivery::parse_endpoint(
            "https://us%65r:p%40ss@hooks.example:8443/in?k=v", &error);
        REQUIRE(endpoint);
        CHECK(endpoint->user == "user");
        CHECK(endpoint->password == "p@ss");
        CHECK(endpoint->url == "https://hooks.example:8443/in?k=v");
        CHECK(endpoint->display == "https://hooks.example:8443");
        CHECK(endpoint->host == "hooks.example");
    }

    TEST_CASE("URL errors repeat neither credentials nor path")
    {
        std::string error;
        CHECK_FALSE(delivery::parse_endpoint("ftp://u:secret@h/path", &error));
        CHECK(error.find("secret") == std::string::npos);
        CHECK(error.find("path") == std::string::npos);
    }

    TEST_CASE("headers must be one line with a token name")
    {
        CHECK(delivery::is_valid_header("X-Token: abc"));
        CHECK_FALSE(delivery::is_valid_header("X-Token: a\r\nX-B: c"));
        CHECK_FALSE(delivery::is_valid_header("No colon"));
        CHECK_FALSE(delivery::is_valid_header("Bad Name: x"));
    }

    TEST_CASE("headers curl or mail2webhook set are reserved, in any case")
    {
        CHECK(delivery::is_reserved_header("Content-Length: 1"));
        CHECK(delivery::is_reserved_header("transfer-encoding: chunked"));
        CHECK(delivery::is_reserved_header("CONTENT-TYPE: text/plain"));
        CHECK(delivery::is_reserved_header("Host: x"));
        CHECK(delivery::is_reserved_header("Expect: 100-continue"));
        CHECK(delivery::is_reserved_header("Connection: close"));
        CHECK(delivery::is_reserved_header("idempotency-key: x"));
        CHECK(delivery::is_reserved_header("Webhook-Id: x"));
        CHECK(delivery::is_reserved_header("webhook-timestamp: 1"));
        CHECK(delivery::is_reserved_header("webhook-signature: v1,x"));
        CHECK_FALSE(delivery::is_reserved_header("X-Content-Length: 1"));
        CHECK_FALSE(delivery::is_reserved_header("Content-Lengths: 1"));
        CHECK_FALSE(delivery::is_reserved_header("Authorization: Bearer t"));
    }

    TEST_CASE("secrets are whsec_ and base64, the prefix optional")
    {
        auto key = delivery::decode_secret("whsec_aGVsbG8=");
        REQUIRE(key);
        CHECK(*key == "hello");
        CHECK(delivery::decode_secret("aGVsbG8h") == std::string("hello!"));
        CHECK_FALSE(delivery::decode_secret("whsec_"));
        CHECK_FALSE(delivery::decode_secret("whsec_not base64"));
        CHECK_FALSE(delivery::decode_secret("whsec_abc"));
    }

    TEST_CASE("signature matches the Standard Webhooks test vector")
    {
        // From the Standard Webhooks specification's reference libraries.
        auto key =
            delivery::decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        REQUIRE(key);
        TextBody body(R"({"test": 2432232314})");
        CHECK(delivery::sign({*key}, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                             body) ==
              "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    TEST_CASE("several secrets give one signature each, space-separated")
    {
        auto a =
            delivery::decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        auto b = delivery::decode_secret("whsec_aGVsbG8=");
        REQUIRE(a);
        REQUIRE(b);
        TextBody body(R"({"test": 2432232314})");
        std::string both = delivery::sign(
            {*a, *b}, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        CHECK(both.rfind("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= "
                         "v1,",
                         0) == 0);
        CHECK(std::count(both.begin(), both.end(), ' ') == 1);
    }

    TEST_CASE("signing leaves the body rewound for sending")
    {
        auto key = delivery::decode_secret("whsec_aGVsbG8=");
        TextBody body("abcdef");
        delivery::sign({*key}, "id", 1, body);
        char first[3] = {};
        CHECK(body.read(first, 3) == 3);
        CHECK(std::string(first, 3) == "abc");
    }

    TEST_CASE("the message digest is stable and depends on the recipients")
    {
        auto one = delivery::message_digest("message", {"a@example.org"});
        CHECK(one.size() == 64);
        CHECK(one == delivery::message_digest("message", {"a@example.org"}));
        CHECK(one != delivery::message_digest("message", {"b@example.org"}));
        CHECK(one != delivery::message_digest("messagf", {"a@example.org"}));
        CHECK(delivery::message_digest("m", {"a", "b"}) !=
              delivery::message_digest("m", {"ab"}));
    }

    TEST_CASE("sha256_hex of the empty string is the known value")
    {
        CHECK(delivery::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb924"
                                          "27ae41e4649b934ca495991b7852b855");
    }
}
