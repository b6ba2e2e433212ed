#!/usr/bin/env python3
"""End-to-end option and input tests for mail2webhook.

    python3 test_options.py BUILD/mail2webhook tests/data/messages/sample.eml

Configuration errors must defer (exit 75, ``4.3.5``) and bad input must
bounce, without POSTing anything.  Every server binds to 127.0.0.1.
"""

import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_harness import Cases  # noqa: E402
from webhook_server import WebhookServer, free_port  # noqa: E402

cases = Cases(__doc__.splitlines()[0])


def _config_error(t, args, stdin=None, label=""):
    """Run ARGS (a callable taking the server URL) with a 200 server:
    want exit 75, one line ``4.3.5 ...`` and no request."""
    with WebhookServer(200) as srv:
        res = t.run(args(srv.url()), stdin=stdin)
        pre = f"{label}: " if label else ""
        t.check(res.rc == 75, f"{pre}exit {res.rc}, want 75 ({res.describe()})")
        line = t.expect_status_line(res, "4.3.5")
        t.check(srv.count() == 0, f"{pre}server got {srv.count()} requests, want 0")
        return line


# --------------------------------------------------------------------------
# bad options and configuration
# --------------------------------------------------------------------------

@cases.case("unknown-option-4.3.5")
def _(t):
    _config_error(t, lambda url: ["--no-such-option", url])


@cases.case("ftp-url-4.3.5")
def _(t):
    _config_error(t, lambda url: [f"ftp://127.0.0.1:{free_port()}/inbox"])


@cases.case("other-schemes-4.3.5")
def _(t):
    for bad in ("file:///tmp/x", "127.0.0.1/hook", "gopher://127.0.0.1/x"):
        _config_error(t, lambda url, bad=bad: [bad], label=bad)


@cases.case("ftp-url-among-good-4.3.5")
def _(t):
    with WebhookServer(200) as srv:
        bad = f"ftp://127.0.0.1:{free_port()}/inbox"
        res = t.run(["--timeout", "5", srv.url() + "," + bad])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.3.5")


@cases.case("header-with-crlf-4.3.5")
def _(t):
    # Control: the same command line with a clean header delivers, so the
    # 4.3.5 below is due to the CR/LF and nothing else.
    with WebhookServer(200) as srv:
        res = t.run(["-H", "X-A: one", "--timeout", "5", srv.url()])
        t.require(res.rc == 0 and srv.count() == 1,
                  f"control run with a clean -H failed: {res.describe()}")
    for label, hdr in (("CRLF", "X-A: one\r\nX-Injected: two"),
                       ("LF", "X-A: one\nX-Injected: two"),
                       ("CR", "X-A: one\rX-Injected: two")):
        _config_error(t, lambda url, hdr=hdr: ["-H", hdr, "--timeout", "5", url],
                      label=label)
        _config_error(t, lambda url, hdr=hdr: [f"--header={hdr}", "--timeout",
                                               "5", url],
                      label="--header= " + label)


# A repeatable option directly followed by the URL must not swallow the URL
# (the way an MTA's pipe command is usually written).
REPEATABLE_THEN_URL = [
    ("-H", ["-H", "X-A: one"]),
    ("--header", ["--header", "X-A: one"]),
    ("--header=", ["--header=X-A: one"]),
    ("--recipient", ["--recipient", "c@d"]),
    ("--recipient x2", ["--recipient", "c@d", "--recipient", "e@f"]),
]


@cases.case("repeatable-option-then-url")
def _(t):
    for label, opts in REPEATABLE_THEN_URL:
        with WebhookServer(200) as srv:
            res = t.run(["--timeout", "5", *opts, srv.url()])
            t.check(res.rc == 0 and srv.count() == 1,
                    f"'{label} VALUE URL': {srv.count()} requests, "
                    f"{res.describe()}")


@cases.case("https-url-accepted")
def _(t):
    # Nothing listens there: a network deferral, not a configuration error.
    res = t.run(["--retries", "0", "--timeout", "5",
                 f"https://127.0.0.1:{free_port()}/hook"])
    t.expect_exit(res, 75)
    line = t.expect_status_line(res, "4.")
    t.check(line is None or not line.startswith("4.3.5"),
            f"https URL treated as a configuration error: {line!r}")


@cases.case("no-url-without-dry-run-4.3.5")
def _(t):
    res = t.run(["--timeout", "5"])
    t.expect_exit(res, 75)
    t.expect_status_line(res, "4.3.5")


@cases.case("bad-number-values-4.3.5")
def _(t):
    for opt in (["--retries", "abc"], ["--timeout", "soon"],
                ["--deadline", "x1"], ["--max-size", "big"]):
        _config_error(t, lambda url, opt=opt: [*opt, url], label=" ".join(opt))


@cases.case("fractional-seconds-accepted")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--timeout", "2.5", "--deadline", "10.5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.expect_count(srv, 1)


@cases.case("help-exits-0")
def _(t):
    res = t.run(["--help"], stdin=b"")
    t.expect_exit(res, 0)
    t.check(len(res.out.strip()) > 0, "--help printed nothing on stdout")


@cases.case("version-exits-0")
def _(t):
    res = t.run(["--version"], stdin=b"")
    t.expect_exit(res, 0)
    t.check(len(res.out.strip()) > 0, "--version printed nothing on stdout")


# --------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------

@cases.case("empty-stdin-66-5.6.0")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--timeout", "5", srv.url()], stdin=b"")
        t.expect_exit(res, 66)
        t.expect_status_line(res, "5.6.0")
        t.expect_count(srv, 0)


@cases.case("empty-input-file-66-5.6.0")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp:
        path = os.path.join(tmp, "empty.eml")
        open(path, "wb").close()
        with WebhookServer(200) as srv:
            res = t.run(["--input", path, "--timeout", "5", srv.url()])
            t.expect_exit(res, 66)
            t.expect_status_line(res, "5.6.0")
            t.expect_count(srv, 0)


@cases.case("max-size-exceeded-65-5.3.4")
def _(t):
    t.require(len(t.sample) > 100, "sample message is not larger than 100 bytes")
    with WebhookServer(200) as srv:
        res = t.run(["--max-size", "100", "--timeout", "5", srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.3.4")
        t.expect_count(srv, 0)


@cases.case("max-size-equal-is-accepted")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--max-size", str(len(t.sample)), "--timeout", "5",
                     srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.expect_count(srv, 1)


@cases.case("max-size-one-below-bounces")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--max-size", str(len(t.sample) - 1), "--timeout", "5",
                     srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.3.4")
        t.expect_count(srv, 0)


@cases.case("input-file-same-as-stdin")
def _(t):
    with WebhookServer(200) as srv:
        res1 = t.run(["--timeout", "5", srv.url()])
        res2 = t.run(["--input", t.sample_path, "--timeout", "5", srv.url()],
                     stdin=b"")
        res3 = t.run(["-i", t.sample_path, "--timeout", "5", srv.url()],
                     stdin=b"")
        for n, res in enumerate((res1, res2, res3), 1):
            t.check(res.rc == 0, f"run {n}: {res.describe()}")
        t.require(srv.count() == 3, f"server got {srv.count()} requests, want 3")
        b = [r.body for r in srv.requests()]
    t.check(b[0] == b[1], "--input FILE posts another body than stdin")
    t.check(b[1] == b[2], "-i FILE posts another body than --input FILE")


if __name__ == "__main__":
    sys.exit(cases.main())
