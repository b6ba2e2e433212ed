#!/usr/bin/env python3
"""End-to-end tests for the defects a newcomer review found.

    python3 test_review_fixes.py BUILD/mail2webhook tests/data/messages/sample.eml

Each case failed before its fix.  Every server binds to 127.0.0.1, and no
case uses a name that needs DNS.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_harness import Cases, clean_env  # noqa: E402
from webhook_server import WebhookServer  # noqa: E402

cases = Cases(__doc__.splitlines()[0])


def _config_error(t, args, stdin=None, label=""):
    """Run ARGS (a callable taking the server URL) with a 200 server:
    want exit 75, one line ``4.3.5 ...`` and no request. Returns the line."""
    with WebhookServer(200) as srv:
        res = t.run(args(srv.url()), stdin=stdin)
        pre = f"{label}: " if label else ""
        t.check(res.rc == 75, f"{pre}exit {res.rc}, want 75 ({res.describe()})")
        line = t.expect_status_line(res, "4.3.5") or ""
        t.check(srv.count() == 0, f"{pre}server got {srv.count()} requests, want 0")
        return line


def _write(tmp, name, text, mode=0o600):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


# --------------------------------------------------------------------------
# 1. keys a --config file may not set
# --------------------------------------------------------------------------

@cases.case("config-file-cannot-set-dry-run-or-input")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp:
        for key in ("dry-run = true", f"input = {t.sample_path}",
                    "help = true", "version = true", "config = /dev/null"):
            path = _write(tmp, "bad.conf", key + "\n")
            _config_error(t, lambda url, p=path: ["--config", p, url],
                          label=key)


@cases.case("config-file-other-keys-still-work")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        path = _write(tmp, "good.conf", "timeout = 5\nretries = 0\n")
        res = t.run(["--config", path, srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 1)


# --------------------------------------------------------------------------
# 2. headers that mail2webhook or curl control
# --------------------------------------------------------------------------

RESERVED = ("Content-Length: 1", "transfer-encoding: chunked",
            "CONTENT-TYPE: text/plain", "Host: example", "Expect: 100-continue",
            "Connection: close", "Idempotency-Key: x", "webhook-id: x",
            "Webhook-Timestamp: 1", "webhook-signature: v1,x")


@cases.case("reserved-header-names-are-refused")
def _(t):
    for header in RESERVED:
        line = _config_error(t, lambda url, h=header: ["-H", h, url],
                             label=header)
        name = header.split(":")[0]
        t.check(name in line, f"{line!r} does not name {name}")


@cases.case("reserved-header-in-header-file-or-config-is-refused")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp:
        hfile = _write(tmp, "headers", "X-Fine: 1\nContent-Length: 1\n")
        _config_error(t, lambda url: ["--header-file", hfile, url],
                      label="--header-file")
        conf = _write(tmp, "m2w.conf", 'header = "Host: elsewhere"\n')
        _config_error(t, lambda url: ["--config", conf, url],
                      label="--config")


@cases.case("ordinary-extra-headers-still-pass")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["-H", "X-Content-Length-Note: 1", "-H",
                     "Authorization: Bearer t", "--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.require(srv.count() == 1, f"server got {srv.count()} requests")
        req = srv.requests()[0]
        t.check(len(req.body) > 100, f"body cut to {len(req.body)} bytes")


# --------------------------------------------------------------------------
# 3. time and size values
# --------------------------------------------------------------------------

@cases.case("time-values-must-be-finite-and-sane")
def _(t):
    bad = [("--deadline", "9.3e9"), ("--deadline", "nan"),
           ("--timeout", "1e18"), ("--timeout", "nan"),
           ("--connect-timeout", "nan"), ("--timeout", "inf"),
           ("--deadline", "0"), ("--timeout", "86401"),
           ("--max-size", str(2 ** 40 + 1))]
    for option, value in bad:
        line = _config_error(t, lambda url, o=option, v=value: [o, v, url],
                             label=f"{option} {value}")
        t.check(option in line, f"{line!r} does not name {option}")


@cases.case("time-values-at-the-limits-are-accepted")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--deadline", "86400", "--timeout", "86400",
                     "--connect-timeout", "0.5", "--max-size", str(2 ** 40),
                     srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 1)


# --------------------------------------------------------------------------
# 4. --deadline covers reading the message
# --------------------------------------------------------------------------

@cases.case("deadline-covers-reading-the-message")
def _(t):
    with WebhookServer(200) as srv:
        proc = subprocess.Popen(
            [t.binary, "--deadline", "2", srv.url()], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())
        start = time.monotonic()
        try:
            proc.stdin.write(b"From: a@b\n\nbody")
            proc.stdin.flush()
            # The writer keeps its end open, as a stuck one would.
            proc.wait(timeout=15)
            out = proc.stdout.read()
        except subprocess.TimeoutExpired:
            proc.kill()  # by pid, our own child
            proc.wait()
            t.require(False, "still reading after 15 s with --deadline 2")
        finally:
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                pipe.close()
        took = time.monotonic() - start
        text = out.decode("utf-8", "replace")
        t.check(proc.returncode == 75, f"exit {proc.returncode}, want 75")
        t.check(text.startswith("4.4.7 ") and "not read in time" in text,
                f"status line {text!r}")
        t.check(took < 5, f"took {took:.1f} s with --deadline 2")
        t.expect_count(srv, 0)


@cases.case("short-deadline-still-reads-a-message-already-written")
def _(t):
    res = t.run(["--dry-run", "--deadline", "0.1"])
    t.expect_exit(res, 0)
    t.check(res.out.startswith(b"{"), f"no payload: {res.text[:100]!r}")


# --------------------------------------------------------------------------
# 5. HTTP statuses
# --------------------------------------------------------------------------

@cases.case("status-999-is-any-other-4.3.0")
def _(t):
    with WebhookServer(999) as srv:
        res = t.run(["--retries", "0", "--timeout", "5", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.3.0")


class TruncatedOk:
    """Answers every request with a 200 status line and a body shorter than
    its Content-Length, then closes: curl reports CURLE_PARTIAL_FILE."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.count = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self):
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"

    def _read_request(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk

    def _serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    self._read_request(conn)
                    self.count += 1
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
                                 b"\r\nshort")
                except OSError:
                    pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join()
        self.sock.close()


@cases.case("a-2xx-answer-cut-short-counts-as-delivered")
def _(t):
    with TruncatedOk() as srv:
        res = t.run(["--retries", "2", "--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.check(srv.count == 1, f"server got {srv.count} requests, want 1")


@cases.case("a-2xx-answer-reset-or-stalled-counts-as-delivered")
def _(t):
    with WebhookServer([{"action": "reset-response", "status": 200,
                         "body": b"x" * 4000}]) as srv:
        res = t.run(["--timeout", "5", "--retries", "1", srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 1)
    with WebhookServer([{"action": "stall", "status": 202}]) as srv:
        res = t.run(["--timeout", "1", "--retries", "1", srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 1)


# --------------------------------------------------------------------------
# 6. a local address or interface that cannot be used
# --------------------------------------------------------------------------

@cases.case("unusable-interface-or-source-address-is-4.3.5")
def _(t):
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface here.
    for args in (["--interface", "nosuchif0"],
                 ["--source-address", "192.0.2.1"]):
        _config_error(t, lambda url, a=args: [*a, "--timeout", "5", url],
                      label=" ".join(args))


# --------------------------------------------------------------------------
# 7. a world-readable --config file is warned about
# --------------------------------------------------------------------------

@cases.case("world-readable-config-file-warns")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        shared = _write(tmp, "open.conf", "timeout = 5\n", 0o644)
        private = _write(tmp, "closed.conf", "timeout = 5\n", 0o600)
        res = t.run(["-v", "--config", shared, srv.url()])
        t.expect_exit(res, 0)
        t.check(b"readable by other users" in res.err,
                f"no warning for a 0644 --config file: {res.err[-300:]!r}")
        res = t.run(["-v", "--config", private, srv.url()])
        t.expect_exit(res, 0)
        t.check(b"readable by other users" not in res.err,
                "warning for a 0600 --config file")


# --------------------------------------------------------------------------
# 8. option errors name the option, never a secret
# --------------------------------------------------------------------------

@cases.case("option-errors-name-the-option")
def _(t):
    line = _config_error(t, lambda url: ["--retries", "many", url])
    t.check("--retries" in line, f"{line!r} does not name --retries")
    line = _config_error(t, lambda url: ["--strategy", "some", url])
    t.check("--strategy" in line, f"{line!r} does not name --strategy")


@cases.case("option-errors-hide-urls-and-addresses")
def _(t):
    for value in ("http://user:hunter2@127.0.0.1/x", "hunter2@example",
                  "X-Token:hunter2"):
        for args in (["--retries", value], [f"--retries={value}"],
                     ["--strategy", value]):
            with WebhookServer(200) as srv:
                res = t.run([*args, srv.url()])
                t.expect_exit(res, 75)
                t.check(b"hunter2" not in res.out + res.err,
                        f"{args}: the argument is shown: {res.text!r}")


@cases.case("option-errors-hide-config-file-values")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp:
        conf = _write(tmp, "m2w.conf",
                      'retries = "http://user:hunter2@127.0.0.1/x"\n')
        with WebhookServer(200) as srv:
            res = t.run(["--config", conf, srv.url()])
            t.expect_exit(res, 75)
            t.check(b"--retries" in res.out, f"option not named: {res.text!r}")
            t.check(b"hunter2" not in res.out + res.err,
                    f"the value is shown: {res.text!r}")


@cases.case("missing-input-file-says-why")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["-i", "/nonexistent/m2w-input", srv.url()], stdin=b"")
        t.expect_exit(res, 75)
        line = t.expect_status_line(res, "4.") or ""
        t.check("cannot open the input file: No such file or directory"
                in line, f"status line {line!r}")
        t.expect_count(srv, 0)


# --------------------------------------------------------------------------
# 9. each distinct URL once
# --------------------------------------------------------------------------

@cases.case("duplicate-urls-are-posted-once")
def _(t):
    with WebhookServer(200) as srv:
        url = srv.url()
        res = t.run(["--timeout", "5", url, url])
        t.expect_exit(res, 0)
        t.expect_count(srv, 1)
    with WebhookServer(200) as srv, WebhookServer(200) as other:
        url = srv.url()
        res = t.run(["--timeout", "5", url + "," + other.url(), url])
        t.expect_exit(res, 0)
        t.expect_count(srv, 1)
        t.check(other.count() == 1, f"other got {other.count()}, want 1")


# --------------------------------------------------------------------------
# 10. the null envelope sender
# --------------------------------------------------------------------------

@cases.case("null-sender-is-empty-in-payload")
def _(t):
    message = b"From: a@example.org\nSubject: bounce\n\nbody\n"
    with WebhookServer(200) as srv:
        res = t.run(["--sender", "<>", "--timeout", "5", srv.url()],
                    stdin=message)
        t.expect_exit(res, 0)
        t.require(srv.count() == 1, f"server got {srv.count()} requests")
        doc = srv.requests()[0].json()
    t.check(doc["return-path"]["email"] == "",
            f"return-path {doc['return-path']!r}, want email \"\"")
    t.check(doc["envelope"]["sender"] == "",
            f"envelope sender {doc['envelope']['sender']!r}, want \"\"")


# --------------------------------------------------------------------------
# 11. a closed standard output
# --------------------------------------------------------------------------

@cases.case("closed-stdout-defers-instead-of-sigpipe")
def _(t):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.Popen(
            [t.binary, "--dry-run"], stdin=subprocess.PIPE, stdout=write_end,
            stderr=subprocess.PIPE, env=clean_env())
    finally:
        os.close(write_end)
    try:
        _, err = proc.communicate(input=t.sample, timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()  # by pid, our own child
        proc.communicate()
        t.require(False, "still running after 30 s")
    t.check(proc.returncode != -signal.SIGPIPE, "killed by SIGPIPE")
    t.check(proc.returncode == 75, f"exit {proc.returncode}, want 75")


if __name__ == "__main__":
    sys.exit(cases.main())
