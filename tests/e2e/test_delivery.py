#!/usr/bin/env python3
"""End-to-end delivery tests: mail2webhook against a scripted local server.

    python3 test_delivery.py BUILD/mail2webhook tests/data/messages/sample.eml

Every server binds to 127.0.0.1 on an ephemeral port; nothing else is
contacted.  Prints ``ok NAME`` / ``FAIL NAME: why`` per case.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_harness import Cases  # noqa: E402
from webhook_server import Response, WebhookServer, free_port  # noqa: E402

cases = Cases(__doc__.splitlines()[0])

TEST_HEADER_NAME = "X-M2w-E2e-Token"
TEST_HEADER_VALUE = "e2e-token-7f3a"
TEST_HEADER = f"{TEST_HEADER_NAME}: {TEST_HEADER_VALUE}"


def media_type(value):
    return (value or "").split(";", 1)[0].strip().lower()


def describe_body_diff(a: bytes, b: bytes) -> str:
    """Short hint of where two payloads differ (and whether only in the
    timestamp)."""
    import json
    try:
        ja, jb = json.loads(a), json.loads(b)
        if isinstance(ja, dict) and isinstance(jb, dict):
            keys = sorted(k for k in set(ja) | set(jb) if ja.get(k) != jb.get(k))
            return f"differing keys {keys}"
    except ValueError:
        pass
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]),
             min(len(a), len(b)))
    return f"first difference at byte {i} (lengths {len(a)} vs {len(b)})"


# --------------------------------------------------------------------------
# success
# --------------------------------------------------------------------------

@cases.case("status-200-delivers-once")
def _(t):
    with WebhookServer(200) as srv:
        url = srv.url("/hook/in?src=e2e")
        opts = ["-H", TEST_HEADER, "--timeout", "5"]
        res = t.run([*opts, url])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.require(srv.count() == 1, f"server got {srv.count()} requests, want 1")
        req = srv.requests()[0]

        dry = t.run([*opts, "--dry-run", url])
        t.expect_exit(dry, 0)
        t.check(srv.count() == 1,
                f"--dry-run POSTed something ({srv.count() - 1} extra requests)")

    t.check(req.method == "POST", f"method {req.method}, want POST")
    t.check(req.path == "/hook/in?src=e2e", f"request target {req.path!r}")
    t.check(media_type(req.header("Content-Type")) == "application/json",
            f"Content-Type {req.header('Content-Type')!r}")
    ua = req.header("User-Agent") or ""
    t.check(ua.startswith("mail2webhook/") and len(ua) > len("mail2webhook/"),
            f"User-Agent {ua!r}")
    t.check(req.header(TEST_HEADER_NAME) == TEST_HEADER_VALUE,
            f"-H header arrived as {req.header_all(TEST_HEADER_NAME)!r}")
    cl = req.header("Content-Length")
    if cl is not None:
        t.check(int(cl) == len(req.body),
                f"Content-Length {cl} but body has {len(req.body)} bytes")
    t.check(req.body.endswith(b"}\n"), "POSTed body does not end with '}\\n'")
    try:
        payload = req.json()
        t.check(isinstance(payload, dict), "payload is not a JSON object")
    except ValueError as exc:
        t.check(False, f"POSTed body is not JSON: {exc}")
    t.check(dry.out == req.body,
            "POSTed body differs from --dry-run output: "
            + describe_body_diff(dry.out, req.body))


@cases.case("status-2xx-other-success")
def _(t):
    for status in (201, 202, 204):
        with WebhookServer(status) as srv:
            res = t.run(["--retries", "0", "--timeout", "5", srv.url()])
            t.check(res.rc == 0, f"HTTP {status}: exit {res.rc}, want 0 "
                                 f"({res.describe()})")
            t.check(res.out == b"", f"HTTP {status}: output {res.text!r}")
            t.check(srv.count() == 1, f"HTTP {status}: {srv.count()} requests")


# --------------------------------------------------------------------------
# retries
# --------------------------------------------------------------------------

@cases.case("retry-503-503-200-succeeds")
def _(t):
    with WebhookServer("503,503,200") as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.expect_count(srv, 3)
        bodies = {r.body for r in srv.requests()}
        t.check(len(bodies) == 1, "the retried bodies differ between attempts")


@cases.case("retry-backoff-1s-then-2s")
def _(t):
    with WebhookServer("503,503,200") as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        reqs = srv.requests()
    t.require(len(reqs) == 3, f"{len(reqs)} requests, want 3")
    gap1 = reqs[1].received - reqs[0].received
    gap2 = reqs[2].received - reqs[1].received
    t.check(0.9 <= gap1 <= 2.5, f"first wait {gap1:.2f}s, want about 1s")
    t.check(1.9 <= gap2 <= 3.5, f"second wait {gap2:.2f}s, want about 2s")


@cases.case("retry-503x3-defers")
def _(t):
    with WebhookServer("503,503,503") as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.expect_count(srv, 3)


@cases.case("retries-0-single-attempt")
def _(t):
    with WebhookServer(503) as srv:
        res = t.run(["--retries", "0", "--timeout", "5", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.expect_count(srv, 1)


@cases.case("retry-after-timeout-succeeds")
def _(t):
    # first answer comes too late for --timeout 0.5, the second at once
    with WebhookServer([(200, 5.0), 200]) as srv:
        res = t.run(["--timeout", "0.5", "--retries", "1", srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.expect_count(srv, 2)
        t.check(res.elapsed < 4.0, f"took {res.elapsed:.2f}s")


# --------------------------------------------------------------------------
# HTTP status mapping
# --------------------------------------------------------------------------

@cases.case("status-400-bounces-5.6.0")
def _(t):
    with WebhookServer("400,400,400") as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.6.0")
        t.check(srv.count() >= 1, "server got no request")


@cases.case("status-410-bounces-5.1.1")
def _(t):
    with WebhookServer(410) as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 67)
        t.expect_status_line(res, "5.1.1")
        t.check(srv.count() >= 1, "server got no request")


@cases.case("status-413-bounces-5.3.4")
def _(t):
    with WebhookServer(413) as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.3.4")
        t.check(srv.count() >= 1, "server got no request")


@cases.case("status-404-defers")
def _(t):
    with WebhookServer(404) as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.check(srv.count() >= 1, "server got no request")


# (status, exit code, accepted line prefixes) with --retries 0
STATUS_TABLE = [
    (408, 75, ("4.",)),
    (425, 75, ("4.",)),
    (429, 75, ("4.",)),
    (500, 75, ("4.",)),
    (502, 75, ("4.",)),
    (504, 75, ("4.",)),
    (401, 75, ("4.7.", "4.3.5")),
    (403, 75, ("4.7.", "4.3.5")),
    (405, 75, ("4.7.", "4.3.5")),
    (415, 65, ("5.6.0",)),
    (422, 65, ("5.6.0",)),
]


def _status_case(status, code, prefixes):
    def run(t):
        with WebhookServer(status) as srv:
            res = t.run(["--retries", "0", "--timeout", "5", srv.url()])
            t.expect_exit(res, code)
            line = t.expect_status_line(res, "")
            t.check(line is not None and line.startswith(prefixes),
                    f"line {line!r}, want it to start with "
                    + " or ".join(prefixes))
            t.expect_count(srv, 1)
    return run


for _status, _code, _prefixes in STATUS_TABLE:
    cases.case(f"status-{_status}-exit-{_code}")(
        _status_case(_status, _code, _prefixes))


@cases.case("redirect-not-followed")
def _(t):
    with WebhookServer(200) as target:
        redirect = Response(status=302, headers=(
            ("Location", target.url("/moved")), ("Content-Type", "text/plain")))
        with WebhookServer([redirect]) as srv:
            res = t.run(["--retries", "0", "--timeout", "5", srv.url()])
            t.check(res.rc != 0, "a 302 answer counted as delivered (exit 0)")
            t.expect_count(srv, 1)
            t.check(target.count() == 0, "the redirect was followed")


# --------------------------------------------------------------------------
# network failures and time limits
# --------------------------------------------------------------------------

@cases.case("connection-refused-defers")
def _(t):
    port = free_port()
    res = t.run(["--retries", "1", "--timeout", "5",
                 f"http://127.0.0.1:{port}/hook"])
    t.expect_exit(res, 75)
    t.expect_status_line(res, "4.")


@cases.case("timeout-slow-server-defers")
def _(t):
    with WebhookServer(200, delay=6.0) as srv:
        res = t.run(["--timeout", "0.5", "--retries", "0", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.check(res.elapsed < 3.0,
                f"took {res.elapsed:.2f}s with --timeout 0.5 --retries 0")
        t.expect_count(srv, 1)


@cases.case("deadline-stops-retries")
def _(t):
    with WebhookServer(503) as srv:
        res = t.run(["--deadline", "2", "--retries", "5", "--timeout", "5",
                     srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.check(res.elapsed < 3.0,
                f"took {res.elapsed:.2f}s with --deadline 2")
        t.check(1 <= srv.count() <= 3, f"server got {srv.count()} requests")


@cases.case("deadline-cuts-slow-attempt")
def _(t):
    with WebhookServer(200, delay=8.0) as srv:
        res = t.run(["--deadline", "1", "--timeout", "30", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.check(res.elapsed < 2.5,
                f"took {res.elapsed:.2f}s with --deadline 1")


# --------------------------------------------------------------------------
# several URLs
# --------------------------------------------------------------------------

def _two_servers(t, first, second, joined, want_rc, want_prefix):
    with WebhookServer(first) as a, WebhookServer(second) as b:
        urls = [a.url("/a"), b.url("/b")]
        args = [",".join(urls)] if joined else urls
        res = t.run(["--retries", "0", "--timeout", "5", *args])
        t.expect_exit(res, want_rc)
        if want_prefix is None:
            t.expect_silent(res)
        else:
            t.expect_status_line(res, want_prefix)
        t.check(a.count() == 1, f"first URL got {a.count()} requests, want 1")
        t.check(b.count() == 1, f"second URL got {b.count()} requests, want 1")
        if a.count() and b.count():
            t.check(a.requests()[0].body == b.requests()[0].body,
                    "the two URLs got different bodies")


@cases.case("two-urls-args-200-503-defers")
def _(t):
    _two_servers(t, 200, 503, False, 75, "4.")


@cases.case("two-urls-comma-200-503-defers")
def _(t):
    _two_servers(t, 200, 503, True, 75, "4.")


@cases.case("two-urls-comma-503-200-defers")
def _(t):
    _two_servers(t, 503, 200, True, 75, "4.")


@cases.case("two-urls-both-200-succeeds")
def _(t):
    _two_servers(t, 200, 200, True, 0, None)


@cases.case("two-urls-bounce-beats-success")
def _(t):
    _two_servers(t, 200, 410, False, 67, "5.1.1")


@cases.case("two-urls-defer-beats-bounce")
def _(t):
    _two_servers(t, 410, 503, False, 75, "4.")


# --------------------------------------------------------------------------
# no secrets in the status line
# --------------------------------------------------------------------------

SECRET_USER = "e2euser"
SECRET_PASS = "S3cr3tPw-91x"
SECRET_PATH = "private-hook-path-4q"
SECRET_QUERY = "token=qry-secret-88"


def _secret_url(port):
    return (f"http://{SECRET_USER}:{SECRET_PASS}@127.0.0.1:{port}"
            f"/{SECRET_PATH}/in?{SECRET_QUERY}")


def _check_no_secrets(t, label, res):
    text = res.text
    for what, secret in (("password", SECRET_PASS), ("path", SECRET_PATH),
                         ("query", SECRET_QUERY), ("query value", "qry-secret")):
        t.check(secret not in text, f"{label}: output shows the {what}: {text!r}")


@cases.case("failure-line-hides-credentials-path-query")
def _(t):
    for status, code in ((503, 75), (410, 67), (400, 65)):
        with WebhookServer(status) as srv:
            res = t.run(["--retries", "0", "--timeout", "5",
                         _secret_url(srv.port)])
            t.expect_exit(res, code)
            t.expect_status_line(res, "")
            _check_no_secrets(t, f"HTTP {status}", res)
    res = t.run(["--retries", "0", "--timeout", "5", _secret_url(free_port())])
    t.expect_exit(res, 75)
    t.expect_status_line(res, "4.")
    _check_no_secrets(t, "connection refused", res)
    with WebhookServer(200, delay=6.0) as srv:
        res = t.run(["--retries", "0", "--timeout", "0.5", _secret_url(srv.port)])
        t.expect_exit(res, 75)
        _check_no_secrets(t, "timeout", res)


@cases.case("failure-line-hides-username")
def _(t):
    with WebhookServer(503) as srv:
        res = t.run(["--retries", "0", "--timeout", "5", _secret_url(srv.port)])
        t.expect_exit(res, 75)
        t.check(SECRET_USER not in res.text,
                f"output shows the user name: {res.text!r}")


@cases.case("verbose-keeps-stdout-contract")
def _(t):
    # -v may log (to stderr), but stdout stays empty on success and one
    # status line on failure.
    with WebhookServer(200) as srv:
        res = t.run(["-v", "--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
    with WebhookServer(503) as srv:
        res = t.run(["--verbose", "--retries", "0", "--timeout", "5",
                     _secret_url(srv.port)])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        _check_no_secrets(t, "-v", res)


@cases.case("verbose-log-hides-password")
def _(t):
    # Beyond the stdout contract: the -v log should not leak the password.
    with WebhookServer(503) as srv:
        res = t.run(["-v", "--retries", "0", "--timeout", "5",
                     _secret_url(srv.port)])
        t.expect_exit(res, 75)
        t.check(SECRET_PASS.encode() not in res.err,
                "stderr (-v log) shows the URL password")


if __name__ == "__main__":
    sys.exit(cases.main())
