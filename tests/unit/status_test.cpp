// The exit table, one check per row, and how outcomes combine.
#include "status/exit_codes.hpp"

#include <doctest/doctest.h>

#include <sysexits.h>

namespace {

status::Outcome of(status::Kind kind)
{
    status::Outcome outcome;
    outcome.kind = kind;
    return outcome;
}

void check_row(status::Kind kind, int exit_code, std::string_view dsn)
{
    const status::ExitRule& rule = status::rule_for(kind);
    CHECK(rule.kind == kind);
    CHECK(rule.exit_code == exit_code);
    CHECK(rule.dsn == dsn);
    CHECK(status::is_temporary(kind) == (exit_code == EX_TEMPFAIL));
}

} // namespace

TEST_SUITE("status")
{
    using status::Kind;

    TEST_CASE("delivered exits 0 without a line")
    {
        check_row(Kind::Delivered, EX_OK, "");
        CHECK(status::status_line(of(Kind::Delivered)).empty());
    }
    TEST_CASE("connection failure defers 4.4.1")
    {
        check_row(Kind::ConnectFailed, EX_TEMPFAIL, "4.4.1");
    }
    TEST_CASE("a timed-out attempt defers 4.4.2")
    {
        check_row(Kind::TimedOut, EX_TEMPFAIL, "4.4.2");
    }
    TEST_CASE("the deadline defers 4.4.7")
    {
        check_row(Kind::DeadlineReached, EX_TEMPFAIL, "4.4.7");
    }
    TEST_CASE("temporary HTTP answers defer 4.4.0")
    {
        check_row(Kind::HttpTemporary, EX_TEMPFAIL, "4.4.0");
    }
    TEST_CASE("401 and 403 defer 4.7.0")
    {
        check_row(Kind::HttpUnauthorized, EX_TEMPFAIL, "4.7.0");
    }
    TEST_CASE("404, 405 and redirects defer 4.3.5")
    {
        check_row(Kind::HttpNotFound, EX_TEMPFAIL, "4.3.5");
    }
    TEST_CASE("other HTTP answers defer 4.3.0")
    {
        check_row(Kind::HttpOther, EX_TEMPFAIL, "4.3.0");
    }
    TEST_CASE("TLS failures defer 4.7.5")
    {
        check_row(Kind::TlsFailed, EX_TEMPFAIL, "4.7.5");
    }
    TEST_CASE("rejected content bounces 5.6.0 with 65")
    {
        check_row(Kind::ContentRejected, EX_DATAERR, "5.6.0");
    }
    TEST_CASE("too large bounces 5.3.4 with 65")
    {
        check_row(Kind::TooLarge, EX_DATAERR, "5.3.4");
    }
    TEST_CASE("gone bounces 5.1.1 with 67")
    {
        check_row(Kind::Gone, EX_NOUSER, "5.1.1");
    }
    TEST_CASE("configuration errors defer 4.3.5")
    {
        check_row(Kind::Usage, EX_TEMPFAIL, "4.3.5");
    }
    TEST_CASE("an unusable state directory defers 4.3.0")
    {
        check_row(Kind::StateUnavailable, EX_TEMPFAIL, "4.3.0");
    }
    TEST_CASE("empty input bounces 5.6.0 with 66")
    {
        check_row(Kind::EmptyInput, EX_NOINPUT, "5.6.0");
    }
    TEST_CASE("internal errors defer 4.3.0")
    {
        check_row(Kind::InternalError, EX_TEMPFAIL, "4.3.0");
    }
    TEST_CASE("a signal defers 4.3.0")
    {
        check_row(Kind::Interrupted, EX_TEMPFAIL, "4.3.0");
        auto outcome = of(Kind::Interrupted);
        outcome.reason = "signal 15 (SIGTERM)";
        CHECK(status::status_line(outcome) ==
              "4.3.0 delivery interrupted: signal 15 (SIGTERM)");
    }

    TEST_CASE("a deferral beats a bounce, a bounce beats success")
    {
        auto ok = of(Kind::Delivered);
        auto bounce = of(Kind::Gone);
        auto defer = of(Kind::HttpTemporary);
        CHECK(status::worst(ok, bounce).kind == Kind::Gone);
        CHECK(status::worst(bounce, defer).kind == Kind::HttpTemporary);
        CHECK(status::worst(defer, bounce).kind == Kind::HttpTemporary);
        CHECK(status::worst(ok, ok).kind == Kind::Delivered);
    }

    TEST_CASE("HTTP statuses map to kinds")
    {
        CHECK(status::kind_for_http(204) == Kind::Delivered);
        CHECK(status::kind_for_http(429) == Kind::HttpTemporary);
        CHECK(status::kind_for_http(503) == Kind::HttpTemporary);
        CHECK(status::kind_for_http(403) == Kind::HttpUnauthorized);
        CHECK(status::kind_for_http(302) == Kind::HttpNotFound);
        CHECK(status::kind_for_http(400) == Kind::ContentRejected);
        CHECK(status::kind_for_http(413) == Kind::TooLarge);
        CHECK(status::kind_for_http(410) == Kind::Gone);
        CHECK(status::kind_for_http(418) == Kind::HttpOther);
    }

    TEST_CASE("statuses outside 100-599 are any other answer, not 5xx")
    {
        CHECK(status::kind_for_http(599) == Kind::HttpTemporary);
        CHECK(status::kind_for_http(600) == Kind::HttpOther);
        CHECK(status::kind_for_http(999) == Kind::HttpOther);
        CHECK(status::kind_for_http(99) == Kind::HttpOther);
        CHECK(status::kind_for_http(0) == Kind::HttpOther);
    }

    TEST_CASE("--permanent moves a status to the rejected-content row")
    {
        status::HttpOverrides overrides;
        overrides.permanent = {406, 403, 503};
        CHECK(status::kind_for_http(406, overrides) == Kind::ContentRejected);
        CHECK(status::kind_for_http(403, overrides) == Kind::ContentRejected);
        CHECK(status::kind_for_http(503, overrides) == Kind::ContentRejected);
        CHECK(status::rule_for(Kind::ContentRejected).exit_code == EX_DATAERR);
        CHECK(status::rule_for(Kind::ContentRejected).dsn == "5.6.0");
    }

    TEST_CASE("--temporary moves a status to the temporary row")
    {
        status::HttpOverrides overrides;
        overrides.temporary = {400, 410, 413};
        CHECK(status::kind_for_http(400, overrides) == Kind::HttpTemporary);
        CHECK(status::kind_for_http(410, overrides) == Kind::HttpTemporary);
        CHECK(status::kind_for_http(413, overrides) == Kind::HttpTemporary);
        CHECK(status::is_temporary(Kind::HttpTemporary));
        CHECK(status::rule_for(Kind::HttpTemporary).dsn == "4.4.0");
    }

    TEST_CASE("statuses not overridden keep their rows")
    {
        status::HttpOverrides overrides;
        overrides.temporary = {400};
        overrides.permanent = {406};
        CHECK(status::kind_for_http(422, overrides) == Kind::ContentRejected);
        CHECK(status::kind_for_http(403, overrides) == Kind::HttpUnauthorized);
        CHECK(status::kind_for_http(503, overrides) == Kind::HttpTemporary);
        CHECK(status::kind_for_http(418, overrides) == Kind::HttpOther);
    }

    TEST_CASE("a 2xx is delivered whatever the overrides say")
    {
        status::HttpOverrides overrides;
        overrides.temporary = {200};
        overrides.permanent = {204};
        CHECK(status::kind_for_http(200, overrides) == Kind::Delivered);
        CHECK(status::kind_for_http(204, overrides) == Kind::Delivered);
    }

    TEST_CASE("usable overrides pass the check")
    {
        status::HttpOverrides overrides;
        CHECK(status::check_overrides(overrides).empty());
        overrides.temporary = {300, 400, 599};
        overrides.permanent = {403, 406, 500};
        CHECK(status::check_overrides(overrides).empty());
    }

    TEST_CASE("2xx and non-statuses cannot be moved")
    {
        for (long bad : {200L, 204L, 299L, 100L, 0L, -1L, 600L, 9999L}) {
            status::HttpOverrides temporary;
            temporary.temporary = {400, bad};
            std::string why = status::check_overrides(temporary);
            CHECK(why.find("--temporary") != std::string::npos);
            CHECK(why.find(std::to_string(bad)) != std::string::npos);
            status::HttpOverrides permanent;
            permanent.permanent = {bad};
            CHECK(status::check_overrides(permanent).find("--permanent") !=
                  std::string::npos);
        }
    }

    TEST_CASE("a status in both lists is refused")
    {
        status::HttpOverrides overrides;
        overrides.temporary = {400, 406};
        overrides.permanent = {403, 406};
        std::string why = status::check_overrides(overrides);
        CHECK(why == "406 is in both --temporary and --permanent");
    }

    TEST_CASE("the status line starts with the DSN and has no controls")
    {
        auto outcome = of(Kind::HttpTemporary);
        outcome.reason = "HTTP 503\r\nX";
        std::string line = status::status_line(outcome);
        CHECK(line.rfind("4.4.0 ", 0) == 0);
        CHECK(line.find('\n') == std::string::npos);
        CHECK(line.find('\r') == std::string::npos);
    }
}
