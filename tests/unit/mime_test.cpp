#include "message/mime.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace message;

namespace {

std::vector<std::string> leaf_bodies(const Tree& tree)
{
    std::vector<std::string> out;
    for (const Part& part : tree.parts)
        if (!part.is_container)
            out.emplace_back(part.body);
    return out;
}

} // namespace

TEST_SUITE("mime")
{
    TEST_CASE("a header block without a blank line ends at the first body line")
    {
        std::string m = "From: a@b\nSubject: hi\ncounter to RFC 5322\n";
        HeaderBlock block = parse_header_block(m);
        CHECK(block.fields.size() == 2);
        CHECK(m.substr(block.body_offset) == "counter to RFC 5322\n");
    }

    TEST_CASE("a colon-less line amid header fields is skipped")
    {
        std::string m = "From: a@b\njunk line\nSubject: hi\n\nbody";
        HeaderBlock block = parse_header_block(m);
        REQUIRE(block.fields.size() == 2);
        CHECK(block.fields[1].name == "Subject");
        CHECK(m.substr(block.body_offset) == "body");
    }

    TEST_CASE("a delimiter-like line ends a header block")
    {
        std::string m = "Content-Type: text/plain\n--b=:1\n";
        HeaderBlock block = parse_header_block(m);
        CHECK(block.fields.size() == 1);
        CHECK(m.substr(block.body_offset) == "--b=:1\n");
    }

    TEST_CASE("folds, obsolete spacing and lost indentation are continuations")
    {
        std::string m = "Subject :a\r\n   \r\n b\r\n"
                        "Content-Type: x/y; a=b;\r\nname=\"z\"\r\n\r\nbody";
        HeaderBlock block = parse_header_block(m);
        REQUIRE(block.fields.size() == 2);
        CHECK(block.fields[0].name == "Subject");
        CHECK(unfold(block.fields[0].value) == "a    b");
        CHECK(unfold(block.fields[1].value) == " x/y; a=b;name=\"z\"");
        CHECK(m.substr(block.body_offset) == "body");
    }

    TEST_CASE("delimiters with trailing white space are recognised")
    {
        std::string m = "Content-Type: multipart/mixed; boundary=b\n\n"
                        "--b \t\n\none\n--b\t\n\ntwo\n--b-- \n";
        Tree tree = parse_tree(m);
        CHECK(leaf_bodies(tree) == std::vector<std::string>{"one", "two"});
    }

    TEST_CASE("a boundary in the middle of a line is not a delimiter")
    {
        std::string m = "Content-Type: multipart/mixed; boundary=b\n\n"
                        "--b\n\nsee --b here\n--b--\n";
        CHECK(leaf_bodies(parse_tree(m)) ==
              std::vector<std::string>{"see --b here"});
    }

    TEST_CASE("an inner boundary that extends the outer one nests correctly")
    {
        std::string m =
            "Content-Type: multipart/mixed; boundary=\"--b\"\n\n"
            "----b\nContent-Type: multipart/alternative; boundary=\"--b-1\"\n\n"
            "----b-1\n\ninner one\n----b-1\n\ninner two\n----b-1--\n"
            "----b\n\nouter two\n----b--\n";
        Tree tree = parse_tree(m);
        CHECK(leaf_bodies(tree) ==
              std::vector<std::string>{"inner one", "inner two", "outer two"});
        CHECK(tree.parts[3].parent == 1);
        CHECK(tree.parts[4].parent == 0);
    }

    TEST_CASE("a boundary ending in -- still separates parts")
    {
        std::string m = "Content-Type: multipart/alternative; boundary=\"x--\"\n"
                        "\n--x--\n\nHi\n--x--\n\nHo\n--x----\n";
        CHECK(leaf_bodies(parse_tree(m)) ==
              std::vector<std::string>{"Hi", "Ho"});
    }

    TEST_CASE("the same boundary at three levels nests innermost first")
    {
        std::string m = "Content-Type: multipart/mixed; boundary=\"x\"\n\n"
                        "--x\nContent-Type: multipart/mixed; boundary=\"x\"\n\n"
                        "--x\nContent-Type: text/plain\n\nHello world.\n";
        Tree tree = parse_tree(m);
        REQUIRE(tree.parts.size() == 3);
        CHECK(tree.parts[2].depth == 2);
        CHECK(tree.parts[2].body == "Hello world.\n");
    }

    TEST_CASE("a missing close delimiter ends the last part at the end")
    {
        std::string m = "Content-Type: multipart/mixed; boundary=b\n\n"
                        "--b\n\nlast part";
        CHECK(leaf_bodies(parse_tree(m)) ==
              std::vector<std::string>{"last part"});
    }

    TEST_CASE("a multipart whose boundary never appears keeps its body")
    {
        std::string m = "Content-Type: multipart/mixed; boundary=B\n\n"
                        "--C\nContent-Type: text/plain\n\nlost?\n--C--\n";
        Tree tree = parse_tree(m);
        REQUIRE(tree.parts.size() == 1);
        CHECK_FALSE(tree.parts[0].is_container);
        CHECK(tree.parts[0].content_type.media_type() == "text/plain");
        CHECK(tree.parts[0].body.find("lost?") != std::string_view::npos);
    }

    TEST_CASE("an empty nested multipart closed by its parent is empty text")
    {
        std::string m = "Content-Type: multipart/mixed; boundary=o\n\n"
                        "--o\nContent-Type: multipart/alternative; boundary=i"
                        "\n\n--o\n\nsibling\n--o--\n";
        Tree tree = parse_tree(m);
        REQUIRE(tree.parts.size() == 3);
        CHECK_FALSE(tree.parts[1].is_container);
        CHECK(tree.parts[1].body.empty());
        CHECK(tree.parts[2].body == "sibling");
    }

    TEST_CASE("multipart without a boundary is a text leaf")
    {
        std::string m = "Content-Type: multipart/report;\n\n--x\nbody\n";
        Tree tree = parse_tree(m);
        REQUIRE(tree.parts.size() == 1);
        CHECK_FALSE(tree.parts[0].is_container);
        CHECK(tree.parts[0].content_type.media_type() == "text/plain");
    }

    TEST_CASE("digest members default to message/rfc822")
    {
        std::string m = "Content-Type: multipart/digest; boundary=d\n\n"
                        "--d\n\nSubject: one\n\nhello\n--d--\n";
        Tree tree = parse_tree(m);
        REQUIRE(tree.parts.size() == 2);
        CHECK(tree.parts[1].content_type.media_type() == "message/rfc822");
    }

    TEST_CASE("nesting 10,000 levels deep stops at the depth limit")
    {
        std::string m;
        for (int i = 0; i < 10000; ++i)
            m += "Content-Type: multipart/mixed; boundary=b" +
                 std::to_string(i) + "\n\n--b" + std::to_string(i) + "\n";
        m += "\nleaf\n";
        Tree tree = parse_tree(m);
        CHECK(tree.parts.size() == static_cast<size_t>(s_max_depth) + 1);
        CHECK_FALSE(tree.parts.back().is_container);
        CHECK(tree.parts.back().body.ends_with("leaf\n"));
        // Kept whole, with its own header, so its boundary can be found.
        CHECK(tree.parts.back().body.starts_with(
            "Content-Type: multipart/mixed; boundary=b64\n"));
    }

    TEST_CASE("the first of duplicated Content-Type fields wins")
    {
        std::string m = "Content-Type: text/html\nContent-Type: text/plain\n"
                        "\nx";
        CHECK(parse_tree(m).parts[0].content_type.subtype == "html");
    }

    TEST_CASE("an mbox From line is skipped")
    {
        CHECK(strip_mbox_from_line("From a@b Tue May 10\nX: y\n") == "X: y\n");
        CHECK(strip_mbox_from_line("From: a@b\n") == "From: a@b\n");
    }
}
