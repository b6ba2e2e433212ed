#include "message/decode.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace message;

namespace {

template <class Source>
std::string drain(Source& source, size_t chunk)
{
    std::string out;
    std::string buffer(chunk, '\0');
    for (;;) {
        size_t n = source.read(buffer.data(), chunk);
        if (n == 0)
            return out;
        out.append(buffer, 0, n);
    }
}

} // namespace

TEST_SUITE("decode")
{
    TEST_CASE("transfer encodings are recognised, unknown ones pass through")
    {
        CHECK(transfer_encoding_from(" Base64 ") == TransferEncoding::Base64);
        CHECK(transfer_encoding_from("Quoted-Printable") ==
              TransferEncoding::QuotedPrintable);
        CHECK(transfer_encoding_from("8bits") == TransferEncoding::Identity);
        CHECK(transfer_encoding_from("x-gzip64") ==
              TransferEncoding::Identity);
        CHECK(transfer_encoding_from("") == TransferEncoding::Identity);
    }

    TEST_CASE("base64 skips illegal characters and tolerates bad padding")
    {
        CHECK(decode_base64("PGh0bWw+Cg==") == "<html>\n");
        CHECK(decode_base64("PGh0*bWw+Cg==") == "<html>\n");
        CHECK(decode_base64("PGh0bWw+Cg") == "<html>\n"); // no padding
        CHECK(decode_base64("aGVs\r\nbG8=\r\n") == "hello");
        CHECK(decode_base64("aGVsbG8gd29ybGQK junk!") ==
              "hello world\n\x8e\xe9\xe4"); // junk letters are data
        CHECK(decode_base64("QQ=") == "A");
        CHECK(decode_base64("Q") == ""); // one character holds no byte
        CHECK(base64_decoded_size("PGh0*bWw+Cg==") == 7);
    }

    TEST_CASE("quoted-printable handles soft breaks and bad escapes")
    {
        CHECK(decode_quoted_printable("caf=C3=A9=\r\nbar\r\n") ==
              "caf\xC3\xA9" "bar\n");
        CHECK(decode_quoted_printable("a=ZZb =\nc") == "a=ZZb c");
        CHECK(decode_quoted_printable("trailing   \nx") == "trailing\nx");
        CHECK(decode_quoted_printable("end=") == "end");
        CHECK(decode_quoted_printable("=4") == "=4");
    }

    TEST_CASE("base64 re-wrap equals encoding the decoded bytes")
    {
        // Each source decodes to bytes whose canonical base64 we know.
        struct Case {
            const char* source;
            const char* canonical;
        };
        const Case cases[] = {
            {"PGh0bWw+Cg==", "PGh0bWw+Cg=="},
            {"PGh0\r\n*bWw+\r\nCg", "PGh0bWw+Cg=="},
            {"QR==", "QQ=="}, // unused bits cleared
            {"QUJ", "QUI="},
            {"QUJD\nR", "QUJD"}, // a lone last character is dropped
            {"", ""},
        };
        for (const Case& c : cases) {
            CAPTURE(c.source);
            for (size_t chunk : {1, 2, 3, 5, 64}) {
                Base64Rewrap rewrap(c.source);
                CHECK(rewrap.size() == std::string(c.canonical).size());
                CHECK(drain(rewrap, chunk) == c.canonical);
                rewrap.rewind();
                CHECK(drain(rewrap, chunk) == c.canonical);
            }
        }
    }

    TEST_CASE("base64 encoder streams whole groups")
    {
        Base64Encoder encoder("hello world");
        CHECK(encoder.size() == 16);
        CHECK(drain(encoder, 4) == "aGVsbG8gd29ybGQ=");
        encoder.rewind();
        CHECK(drain(encoder, 7) == "aGVsbG8gd29ybGQ=");
    }
}
