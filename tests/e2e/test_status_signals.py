#!/usr/bin/env python3
"""End-to-end status overrides, --dsn-response, and signals.

    python3 test_status_signals.py BUILD/mail2webhook SAMPLE.eml

--temporary and --permanent move HTTP statuses between deferral and
bounce; --dsn-response quotes the endpoint's answer in the status line;
SIGTERM and SIGINT end a run quickly with exit 75 and leave the state
directory clean.  Every server binds to 127.0.0.1 on an ephemeral port;
signals go only to the pid of the run the case started.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_harness import Cases, Result, clean_env  # noqa: E402
from webhook_server import WebhookServer  # noqa: E402

cases = Cases(__doc__.splitlines()[0])


def answer(status, body):
    return {"status": status, "body": body,
            "headers": [("Content-Type", "text/plain")]}


def run_and_signal(t, args, signum, after=0.5, stdin=None, close_stdin=True):
    """Runs the binary, sends SIGNUM to its pid AFTER seconds, and returns
    the Result and the seconds from the signal to the exit."""
    argv = [t.binary, *args]
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=clean_env(), close_fds=True)
    try:
        proc.stdin.write(t.sample if stdin is None else stdin)
        proc.stdin.flush()
        if close_stdin:
            proc.stdin.close()
            proc.stdin = None  # communicate() must not flush it
        time.sleep(after)
        t.require(proc.poll() is None,
                  f"the run ended before the signal (rc={proc.returncode})")
        signalled = time.monotonic()
        proc.send_signal(signum)  # to this pid only
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            t.require(False, f"still running 10 s after signal {signum}")
        took = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    res = Result(argv, proc.returncode, out, err,
                 time.monotonic() - start, False)
    return res, took


def leftovers(directory):
    """Files in the state directory other than records and locks."""
    return sorted(n for n in os.listdir(directory)
                  if not n.endswith(".state") and not n.endswith(".lock"))


# --------------------------------------------------------------------------
# --temporary and --permanent
# --------------------------------------------------------------------------

@cases.case("permanent-406-bounces-65-5.6.0")
def _(t):
    with WebhookServer(406) as srv:
        res = t.run(["--permanent", "406,403", "--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.6.0")
        t.expect_count(srv, 1)


@cases.case("permanent-403-bounces-65")
def _(t):
    with WebhookServer(403) as srv:
        res = t.run(["--permanent", "406,403", "--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.")


@cases.case("406-without-override-still-defers")
def _(t):
    with WebhookServer(406) as srv:
        res = t.run(["--permanent", "403", "--retries", "0", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")


@cases.case("temporary-400-defers-75-4.4.0")
def _(t):
    with WebhookServer(400) as srv:
        res = t.run(["--temporary", "400", "--retries", "0", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.4.0")
        t.expect_count(srv, 1)


@cases.case("400-without-override-bounces")
def _(t):
    with WebhookServer(400) as srv:
        res = t.run(["--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.6.0")


@cases.case("repeated-options-add-up")
def _(t):
    with WebhookServer(409) as srv:
        res = t.run(["--permanent", "406", "--permanent", "409",
                     "--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.6.0")


@cases.case("status-list-does-not-swallow-the-url")
def _(t):
    with WebhookServer(406) as srv:
        res = t.run(["--retries", "0", "--permanent", "406", srv.url()])
        t.expect_exit(res, 65)
        t.expect_count(srv, 1)


@cases.case("status-in-both-lists-4.3.5")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--temporary", "400,406", "--permanent", "406",
                     srv.url()])
        t.expect_exit(res, 75)
        line = t.expect_status_line(res, "4.3.5") or ""
        t.check("406" in line, f"line does not name the status: {line!r}")
        t.expect_count(srv, 0)


@cases.case("2xx-cannot-be-moved-4.3.5")
def _(t):
    with WebhookServer(200) as srv:
        for option in ("--temporary", "--permanent"):
            res = t.run([option, "204", srv.url()])
            t.expect_exit(res, 75)
            t.expect_status_line(res, "4.3.5")
        t.expect_count(srv, 0)


@cases.case("non-numeric-status-4.3.5")
def _(t):
    with WebhookServer(200) as srv:
        for value in ("4o6", "406-499", "abc", "99999999999999999999"):
            res = t.run(["--permanent", value, srv.url()])
            t.expect_exit(res, 75)
            t.expect_status_line(res, "4.3.5")
        t.expect_count(srv, 0)


@cases.case("statuses-from-config-file")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(406) as srv:
        path = os.path.join(tmp, "m2w.conf")
        with open(path, "w") as f:
            f.write('permanent = ["406"]\nretries = 0\n')
        os.chmod(path, 0o600)
        res = t.run(["--config", path, srv.url()])
        t.expect_exit(res, 65)
        t.expect_status_line(res, "5.6.0")


# --------------------------------------------------------------------------
# --dsn-response
# --------------------------------------------------------------------------

@cases.case("dsn-response-quotes-the-first-line")
def _(t):
    with WebhookServer(answer(422, b"invalid recipient\r\nmore")) as srv:
        res = t.run(["--dsn-response", "--retries", "0", srv.url("/p?t=x")])
        t.expect_exit(res, 65)
        line = t.expect_status_line(res, "5.6.0") or ""
        t.check(line.endswith("HTTP 422: invalid recipient"),
                f"line {line!r}")
        t.check("more" not in line, f"second line quoted: {line!r}")
        t.check("/p" not in line and "t=x" not in line,
                f"URL path in line: {line!r}")


@cases.case("without-dsn-response-the-body-is-not-quoted")
def _(t):
    with WebhookServer(answer(422, b"invalid recipient\n")) as srv:
        res = t.run(["--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        line = t.expect_status_line(res, "5.6.0") or ""
        t.check("invalid" not in line, f"body quoted: {line!r}")


@cases.case("dsn-response-on-a-deferral")
def _(t):
    with WebhookServer(answer(503, b"\n\n  down for maintenance\n")) as srv:
        res = t.run(["--dsn-response", "--retries", "0", srv.url()])
        t.expect_exit(res, 75)
        line = t.expect_status_line(res, "4.4.0") or ""
        t.check(line.endswith("HTTP 503: down for maintenance"),
                f"line {line!r}")


@cases.case("dsn-response-control-characters-replaced")
def _(t):
    body = b"bad\x1b[31m\x00thing\x7f\tend\rrest"
    with WebhookServer(answer(400, body)) as srv:
        res = t.run(["--dsn-response", "--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        line = t.expect_status_line(res, "5.6.0") or ""
        t.check(not any(ord(c) < 0x20 or ord(c) == 0x7f for c in line),
                f"control character in {line!r}")
        t.check("bad" in line and "end" in line and "rest" not in line,
                f"line {line!r}")


@cases.case("dsn-response-1mb-body-capped-at-200-bytes")
def _(t):
    with WebhookServer(answer(422, b"y" * (1024 * 1024))) as srv:
        res = t.run(["--dsn-response", "--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        line = t.expect_status_line(res, "5.6.0") or ""
        quoted = line.partition("HTTP 422: ")[2]
        t.check(quoted == "y" * 200, f"quoted {len(quoted)} bytes, want 200")
        t.check(len(res.out) < 400, f"{len(res.out)} bytes of output")


@cases.case("dsn-response-utf8-not-cut-mid-character")
def _(t):
    body = ("x" * 199 + "é" + "z" * 50).encode()
    with WebhookServer(answer(422, body)) as srv:
        res = t.run(["--dsn-response", "--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        try:
            res.out.decode("utf-8")
        except UnicodeDecodeError:
            t.check(False, f"output is not UTF-8: {res.out!r}")
        t.check(res.out.rstrip(b"\n").endswith(b"x" * 199),
                f"output {res.out[-40:]!r}")


@cases.case("dsn-response-empty-body-keeps-the-plain-line")
def _(t):
    with WebhookServer(answer(422, b"")) as srv:
        res = t.run(["--dsn-response", "--retries", "0", srv.url()])
        t.expect_exit(res, 65)
        line = t.expect_status_line(res, "5.6.0") or ""
        t.check(line.endswith("HTTP 422"), f"line {line!r}")


# --------------------------------------------------------------------------
# signals
# --------------------------------------------------------------------------

@cases.case("sigterm-during-a-stalled-answer-exits-75-at-once")
def _(t):
    with WebhookServer([{"action": "stall"}]) as srv:
        res, took = run_and_signal(
            t, ["--timeout", "30", "--deadline", "60", srv.url()],
            signal.SIGTERM)
        t.expect_exit(res, 75)
        line = t.expect_status_line(res, "4.3.0") or ""
        t.check("interrupted" in line and "15" in line, f"line {line!r}")
        t.check(took < 1.0, f"exit {took:.2f}s after the signal")
        t.check(res.elapsed < 1.5, f"run took {res.elapsed:.2f}s")
        t.expect_count(srv, 1)


@cases.case("sigint-during-a-slow-answer-exits-75")
def _(t):
    with WebhookServer(200, delay=10) as srv:
        res, took = run_and_signal(
            t, ["--timeout", "30", srv.url()], signal.SIGINT)
        t.expect_exit(res, 75)
        line = t.expect_status_line(res, "4.3.0") or ""
        t.check("interrupted" in line and "SIGINT" in line, f"line {line!r}")
        t.check(took < 1.0, f"exit {took:.2f}s after the signal")


@cases.case("sigterm-during-backoff-wait-exits-75")
def _(t):
    # 503 then the backoff (about 1 s, more on the second retry): the
    # signal lands while no attempt is running.
    with WebhookServer(503) as srv:
        res, took = run_and_signal(
            t, ["--timeout", "5", "--retries", "5", srv.url()],
            signal.SIGTERM, after=0.5)
        t.expect_exit(res, 75)
        line = t.expect_status_line(res, "4.3.0") or ""
        t.check("interrupted" in line, f"line {line!r}")
        t.check(took < 1.0, f"exit {took:.2f}s after the signal")
        t.expect_count(srv, 1)


@cases.case("sigterm-while-reading-stdin-exits-75")
def _(t):
    # Standard input stays open with half a message: the run is blocked
    # reading it when the signal comes.
    with WebhookServer(200) as srv:
        res, took = run_and_signal(
            t, [srv.url()], signal.SIGTERM, stdin=t.sample[:100],
            close_stdin=False)
        t.expect_exit(res, 75)
        line = t.expect_status_line(res, "4.3.0") or ""
        t.check("interrupted" in line, f"line {line!r}")
        t.check(took < 1.0, f"exit {took:.2f}s after the signal")
        t.expect_count(srv, 0)


@cases.case("sigterm-with-state-dir-leaves-no-temporary-file")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as good, \
            WebhookServer([{"action": "stall"}]) as stalled:
        state = os.path.join(tmp, "state")
        args = ["--state-dir", state, "--timeout", "30",
                "--recipient", "rcpt@example.org"]
        res, took = run_and_signal(
            t, args + [good.url("/a"), stalled.url("/b")], signal.SIGTERM)
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.3.0")
        t.check(took < 1.0, f"exit {took:.2f}s after the signal")
        t.check(leftovers(state) == [],
                f"left in the state directory: {leftovers(state)}")
        # The next run gets the lock at once and posts only to the URL
        # that had not answered.
        stalled.set_responses(200)
        again = t.run(args + ["--deadline", "10", good.url("/a"),
                              stalled.url("/b")])
        t.expect_exit(again, 0)
        t.check(again.elapsed < 3, f"second run took {again.elapsed:.2f}s")
        t.expect_count(good, 1)
        t.expect_count(stalled, 2)
        t.check(leftovers(state) == [],
                f"left in the state directory: {leftovers(state)}")


@cases.case("sigterm-while-waiting-for-the-state-lock-exits-75")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer([{"action": "stall"}]) as srv:
        state = os.path.join(tmp, "state")
        args = ["--state-dir", state, "--timeout", "30", "--deadline", "60",
                "--recipient", "rcpt@example.org", srv.url()]
        holder = subprocess.Popen([t.binary, *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=clean_env())
        try:
            holder.stdin.write(t.sample)
            holder.stdin.close()
            holder.stdin = None
            t.require(srv.wait_for(1), "the first run did not post")
            res, took = run_and_signal(t, args, signal.SIGTERM)
            t.expect_exit(res, 75)
            line = t.expect_status_line(res, "4.3.0") or ""
            t.check("interrupted" in line, f"line {line!r}")
            t.check(took < 1.0, f"exit {took:.2f}s after the signal")
        finally:
            holder.send_signal(signal.SIGTERM)  # the run we started
            try:
                holder.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.communicate()
        t.check(holder.returncode == 75, f"holder exit {holder.returncode}")
        t.check(leftovers(state) == [],
                f"left in the state directory: {leftovers(state)}")


if __name__ == "__main__":
    sys.exit(cases.main())
