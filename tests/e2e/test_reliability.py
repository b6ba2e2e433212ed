#!/usr/bin/env python3
"""End-to-end reliability: retries, fan-out, state, identity, signing.

    python3 test_reliability.py BUILD/mail2webhook SAMPLE.eml

Every server binds to 127.0.0.1 on an ephemeral port; nothing else is
contacted.  Signatures are checked with Python's own hmac, independently
of the program's OpenSSL code.
"""

import base64
import email.utils
import hashlib
import hmac
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_harness import Cases, clean_env  # noqa: E402
from webhook_server import WebhookServer  # noqa: E402

cases = Cases(__doc__.splitlines()[0])

def whsec(key: bytes) -> str:
    return "whsec_" + base64.b64encode(key).decode()


SECRET_A = whsec(b"first-key-for-e2e-0123456789ab")
SECRET_B = whsec(b"second-key-for-e2e-rotation!!")


def retry_after(status, value):
    return {"status": status, "headers": [("Retry-After", value),
                                          ("Content-Type", "text/plain")],
            "body": b"busy\n"}


def gaps(srv):
    reqs = srv.requests()
    return [b.received - a.received for a, b in zip(reqs, reqs[1:])]


def private_file(directory, name, text, mode=0o600):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def verify_signature(req, secrets):
    """Standard Webhooks verification written from the specification:
    HMAC-SHA256 over id.timestamp.body, keyed with the base64-decoded
    secret. Returns the number of secrets that match a signature."""
    msg_id = req.header("webhook-id") or ""
    stamp = req.header("webhook-timestamp") or ""
    signed = msg_id.encode() + b"." + stamp.encode() + b"." + req.body
    given = set((req.header("webhook-signature") or "").split(" "))
    matched = 0
    for secret in secrets:
        key = base64.b64decode(secret[len("whsec_"):])
        mac = hmac.new(key, signed, hashlib.sha256).digest()
        if "v1," + base64.b64encode(mac).decode() in given:
            matched += 1
    return matched


# --------------------------------------------------------------------------
# retry policy
# --------------------------------------------------------------------------

@cases.case("429-retry-after-1-then-200-waits-1s")
def _(t):
    with WebhookServer([retry_after(429, "1"), 200]) as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.expect_count(srv, 2)
        g = gaps(srv)
    t.check(g and 0.95 <= g[0] <= 1.6, f"wait {g}, want about 1 s")


@cases.case("503-retry-after-http-date-honoured")
def _(t):
    when = email.utils.formatdate(time.time() + 3, usegmt=True)
    with WebhookServer([retry_after(503, when), 200]) as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 2)
        g = gaps(srv)
    # The date has whole seconds: the wait is between 2 and 3 s.
    t.check(g and 1.9 <= g[0] <= 3.6, f"wait {g}, want 2 to 3 s")


@cases.case("retry-after-past-deadline-defers-at-once")
def _(t):
    with WebhookServer([retry_after(503, "3600")]) as srv:
        res = t.run(["--timeout", "5", "--deadline", "20", "--retries", "5",
                     srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.expect_count(srv, 1)
        t.check(res.elapsed < 2.0, f"took {res.elapsed:.2f}s, want at once")


@cases.case("retry-after-ignored-for-500")
def _(t):
    # Only 429 and 503 name their wait; a 500 uses the backoff (about 1 s).
    with WebhookServer([retry_after(500, "3600"), 200]) as srv:
        res = t.run(["--timeout", "5", "--deadline", "20", srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 2)
        t.check(res.elapsed < 3.0, f"took {res.elapsed:.2f}s")


@cases.case("backoff-has-jitter")
def _(t):
    waits = []
    for _ in range(3):
        with WebhookServer("503,200") as srv:
            res = t.run(["--timeout", "5", srv.url()])
            t.expect_exit(res, 0)
            waits += gaps(srv)
    t.check(all(0.95 <= w <= 1.5 for w in waits), f"waits {waits}")
    t.check(max(waits) - min(waits) > 0.005,
            f"three first waits nearly equal {waits}: no jitter")


@cases.case("503-503-200-exactly-three-requests")
def _(t):
    with WebhookServer("503,503,200") as srv:
        res = t.run(["--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 3)


@cases.case("reset-mid-request-then-200")
def _(t):
    with WebhookServer([{"action": "reset-request"}, 200]) as srv:
        res = t.run(["--timeout", "5", "--retries", "1", srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 2)


@cases.case("reset-mid-response-counts-as-failure")
def _(t):
    # A 2xx status line would mean the receiver took the message
    # (test_review_fixes.py); a 5xx cut short is a failure.
    with WebhookServer([{"action": "reset-response", "status": 503,
                         "body": b"x" * 4000}]) as srv:
        res = t.run(["--timeout", "5", "--retries", "1", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.expect_count(srv, 2)


@cases.case("headers-then-stall-ends-before-deadline")
def _(t):
    with WebhookServer([{"action": "stall", "status": 503}]) as srv:
        res = t.run(["--timeout", "30", "--deadline", "2", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.check(res.elapsed < 2.0, f"took {res.elapsed:.2f}s, --deadline 2")


@cases.case("trickling-server-ends-before-deadline")
def _(t):
    with WebhookServer([{"action": "trickle", "status": 503}]) as srv:
        res = t.run(["--timeout", "30", "--deadline", "2", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.check(res.elapsed < 2.0, f"took {res.elapsed:.2f}s, --deadline 2")


@cases.case("trickling-server-cut-by-timeout-4.4.2")
def _(t):
    with WebhookServer([{"action": "trickle", "status": 503}]) as srv:
        res = t.run(["--timeout", "1", "--retries", "0", "--deadline", "20",
                     srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.4.2")
        t.check(res.elapsed < 1.9, f"took {res.elapsed:.2f}s, --timeout 1")


@cases.case("connect-timeout-bounds-connecting")
def _(t):
    # A listener whose accept queue is full drops new connection attempts,
    # so connecting hangs: only --connect-timeout ends it.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", port))
            fillers.append(c)
        time.sleep(0.1)
        res = t.run(["--connect-timeout", "0.5", "--timeout", "10",
                     "--retries", "0", f"http://127.0.0.1:{port}/hook"])
    finally:
        for c in fillers:
            c.close()
        listener.close()
    t.expect_exit(res, 75)
    t.expect_status_line(res, "4.")
    t.check(res.elapsed < 2.5, f"took {res.elapsed:.2f}s, "
                               "--connect-timeout 0.5 --timeout 10")


# --------------------------------------------------------------------------
# fan-out
# --------------------------------------------------------------------------

@cases.case("parallel-fan-out-takes-the-slowest-not-the-sum")
def _(t):
    with WebhookServer(200, delay=1.5) as a, \
            WebhookServer(200, delay=1.5) as b, \
            WebhookServer(200, delay=1.5) as c:
        res = t.run(["--timeout", "10", a.url(), b.url(), c.url()])
        t.expect_exit(res, 0)
        for srv in (a, b, c):
            t.expect_count(srv, 1)
        bodies = {s.requests()[0].body for s in (a, b, c) if s.count()}
    t.check(res.elapsed < 3.0, f"took {res.elapsed:.2f}s for three URLs "
                               "of 1.5 s each")
    t.check(len(bodies) == 1, "the URLs got different bodies")


def big_message(directory, raw_size):
    """A message with one base64 attachment of RAW_SIZE random bytes."""
    data = base64.encodebytes(os.urandom(raw_size)).replace(b"\n", b"\r\n")
    path = os.path.join(directory, "big.eml")
    with open(path, "wb") as f:
        f.write(b"From: a@example.org\r\nTo: b@example.org\r\n"
                b"Subject: big\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n"
                b"--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                b"--b1\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\n"
                + data + b"--b1--\r\n")
    return path


@cases.case("a-receiver-that-stops-reading-does-not-starve-others")
def _(t):
    # The body is larger than the socket buffers, so the attempt to the
    # receiver that reads nothing blocks part way through its body.
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer([{"action": "ignore-body"}]) as stuck, \
            WebhookServer(200) as good:
        path = big_message(tmp, 24 * 1024 * 1024)
        res = t.run(["--input", path, "--timeout", "5", "--retries", "0",
                     "--deadline", "20", stuck.url(), good.url()], stdin=b"")
        t.expect_exit(res, 75)
        t.expect_count(good, 1)
        if good.count():
            req = good.requests()[0]
            t.check(len(req.body) == int(req.header("Content-Length") or -1)
                    and len(req.body) > 24 * 1024 * 1024,
                    f"the good URL got {len(req.body)} bytes")
            t.check(req.json()["subject"] == "big", "body is not the payload")
        t.check(res.elapsed < 8, f"took {res.elapsed:.2f}s")


@cases.case("parallel-each-url-has-its-own-retries")
def _(t):
    with WebhookServer("503,503,200") as a, WebhookServer("200") as b:
        res = t.run(["--timeout", "5", a.url(), b.url()])
        t.expect_exit(res, 0)
        t.expect_count(a, 3)
        t.expect_count(b, 1)


@cases.case("strategy-first-stops-at-the-first-acceptance")
def _(t):
    with WebhookServer(200) as a, WebhookServer(200) as b:
        res = t.run(["--strategy", "first", "--timeout", "5",
                     a.url(), b.url()])
        t.expect_exit(res, 0)
        t.expect_count(a, 1)
        t.expect_count(b, 0)


@cases.case("strategy-first-fails-over-in-order")
def _(t):
    with WebhookServer(503) as a, WebhookServer(200) as b, \
            WebhookServer(200) as c:
        res = t.run(["--strategy", "first", "--retries", "1",
                     "--timeout", "5", a.url(), b.url(), c.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.expect_count(a, 2)
        t.expect_count(b, 1)
        t.expect_count(c, 0)
        if a.count() and b.count():
            t.check(a.requests()[-1].received < b.requests()[0].received,
                    "the second URL was tried before the first gave up")


@cases.case("strategy-first-all-failing-defers")
def _(t):
    with WebhookServer(503) as a, WebhookServer(410) as b:
        res = t.run(["--strategy", "first", "--retries", "0",
                     "--timeout", "5", a.url(), b.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.expect_count(a, 1)
        t.expect_count(b, 1)


@cases.case("strategy-unknown-4.3.5")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--strategy", "some", srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.3.5")
        t.expect_count(srv, 0)


# --------------------------------------------------------------------------
# state across runs, idempotency key
# --------------------------------------------------------------------------

@cases.case("state-second-run-posts-only-to-the-deferred-url")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as a, WebhookServer(503) as b:
        state = os.path.join(tmp, "state")
        args = ["--state-dir", state, "--retries", "1", "--timeout", "5",
                "--recipient", "rcpt@example.org", a.url("/a"), b.url("/b")]
        first = t.run(args)
        t.expect_exit(first, 75)
        t.expect_status_line(first, "4.")
        t.expect_count(a, 1, "requests to the first URL after run 1")
        t.expect_count(b, 2, "requests to the second URL after run 1")

        b.set_responses(200)
        second = t.run(args)
        t.expect_exit(second, 0)
        t.expect_silent(second)
        t.expect_count(a, 1, "requests to the first URL across both runs")
        t.expect_count(b, 3, "requests to the second URL across both runs")

        third = t.run(args)
        t.expect_exit(third, 0)
        t.expect_count(a, 1, "requests to the first URL after run 3")
        t.expect_count(b, 3, "requests to the second URL after run 3")

        keys = {r.header("Idempotency-Key")
                for r in a.requests() + b.requests()}
        t.check(len(keys) == 1 and None not in keys,
                f"Idempotency-Key differs between attempts or runs: {keys}")
        mode = stat.S_IMODE(os.stat(state).st_mode)
        t.check(mode == 0o700, f"state directory mode {oct(mode)}")
        leftovers = [n for n in os.listdir(state) if n.endswith(".tmp")]
        t.check(not leftovers, f"temporary files left: {leftovers}")


@cases.case("state-other-recipient-is-another-delivery")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        state = os.path.join(tmp, "state")
        for rcpt in ("one@example.org", "two@example.org", "one@example.org"):
            res = t.run(["--state-dir", state, "--recipient", rcpt,
                         "--timeout", "5", srv.url()])
            t.expect_exit(res, 0)
        t.expect_count(srv, 2)
        keys = [r.header("Idempotency-Key") for r in srv.requests()]
        t.check(len(set(keys)) == 2, f"keys {keys}: want one per recipient")


@cases.case("idempotency-key-without-state-is-stable")
def _(t):
    with WebhookServer("503,200") as srv:
        t.expect_exit(t.run(["--timeout", "5", srv.url()]), 0)
        t.expect_exit(t.run(["--timeout", "5", srv.url()]), 0)
        keys = {r.header("Idempotency-Key") for r in srv.requests()}
        t.expect_count(srv, 3)
    t.check(len(keys) == 1 and None not in keys, f"keys {keys}")


@cases.case("state-ttl-expires-records")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        args = ["--state-dir", tmp, "--state-ttl", "1s", "--timeout", "5",
                srv.url()]
        t.expect_exit(t.run(args), 0)
        t.expect_exit(t.run(args), 0)
        t.expect_count(srv, 1, "requests before the ttl passed")
        time.sleep(2.2)
        t.expect_exit(t.run(args), 0)
        t.expect_count(srv, 2, "requests after the ttl passed")


@cases.case("state-bad-ttl-4.3.5")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        res = t.run(["--state-dir", tmp, "--state-ttl", "7 weeks",
                     srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.3.5")
        t.expect_count(srv, 0)


@cases.case("state-dir-unusable-defers-with-a-clear-line")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        blocker = private_file(tmp, "not-a-dir", "x")
        for state in (blocker, os.path.join(blocker, "sub")):
            res = t.run(["--state-dir", state, "--timeout", "5", srv.url()])
            t.expect_exit(res, 75)
            line = t.expect_status_line(res, "4.3.0")
            t.check(line is not None and "state" in line,
                    f"line {line!r} does not say the state is the problem")
        t.expect_count(srv, 0)


@cases.case("state-dir-without-write-permission-defers")
def _(t):
    # As root, permissions do not stop us: run the binary as nobody then.
    drop = None
    if os.geteuid() == 0:
        def drop():
            os.setgid(65534)
            os.setuid(65534)
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        os.chmod(tmp, 0o755)
        state = os.path.join(tmp, "state")
        os.mkdir(state, 0o555)
        os.chmod(state, 0o555)
        # A copy nobody can run wherever the build directory lives.
        binary = shutil.copy(t.binary, os.path.join(tmp, "mail2webhook"))
        os.chmod(binary, 0o755)
        p = subprocess.run([binary, "--state-dir", state, "--timeout", "5",
                            srv.url()], input=t.sample, capture_output=True,
                           env=clean_env(), timeout=30, preexec_fn=drop)
        t.check(p.returncode == 75, f"exit {p.returncode}: {p.stdout!r}")
        t.check(p.stdout.startswith(b"4.3.0 ") and b"state" in p.stdout,
                f"line {p.stdout!r}")
        t.expect_count(srv, 0)


@cases.case("state-concurrent-runs-post-once")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200, delay=1.0) as srv:
        argv = [t.binary, "--state-dir", tmp, "--timeout", "5",
                "--deadline", "20", srv.url()]
        procs = [subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=clean_env())
                 for _ in range(3)]
        codes = []
        for p in procs:
            try:
                p.communicate(t.sample, timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
            codes.append(p.returncode)
        t.check(codes == [0, 0, 0], f"exit codes {codes}")
        t.expect_count(srv, 1)


# --------------------------------------------------------------------------
# signing and secrets
# --------------------------------------------------------------------------

@cases.case("signature-verified-by-python-hmac-both-secrets")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer("503,200") as srv:
        path = private_file(tmp, "secrets", f"# rotation\n{SECRET_A}\n"
                                            f"{SECRET_B}\n")
        res = t.run(["--secret-file", path, "--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 2)
        now = time.time()
        for n, req in enumerate(srv.requests(), 1):
            sig = req.header("webhook-signature")
            t.check(verify_signature(req, [SECRET_A, SECRET_B]) == 2,
                    f"attempt {n}: signature {sig!r} not verified for both "
                    "secrets")
            t.check(req.header("webhook-id") == req.header("Idempotency-Key"),
                    "webhook-id differs from Idempotency-Key")
            stamp = int(req.header("webhook-timestamp") or 0)
            t.check(abs(now - stamp) < 30, f"webhook-timestamp {stamp}")
        sig = srv.requests()[0].header("webhook-signature") or ""
    t.check(len(sig.split(" ")) == 2, f"want two signatures: {sig!r}")


@cases.case("signature-tampered-body-fails-verification")
def _(t):
    # Control for the verifier itself: a changed body must not verify.
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        path = private_file(tmp, "secret", SECRET_A + "\n")
        t.expect_exit(t.run(["--secret-file", path, srv.url()]), 0)
        req = srv.requests()[0]
    req.body = req.body.replace(b"{", b"[", 1)
    t.check(verify_signature(req, [SECRET_A]) == 0,
            "the verifier accepts a tampered body")


@cases.case("secret-from-environment")
def _(t):
    with WebhookServer(200) as srv:
        env = clean_env()
        env["MAIL2WEBHOOK_SECRET"] = SECRET_B
        p = subprocess.run([t.binary, "--timeout", "5", srv.url()],
                           input=t.sample, capture_output=True, env=env,
                           timeout=30)
        t.check(p.returncode == 0, f"exit {p.returncode}: {p.stdout!r}")
        t.require(srv.count() == 1, f"{srv.count()} requests")
        t.check(verify_signature(srv.requests()[0], [SECRET_B]) == 1,
                "signature from $MAIL2WEBHOOK_SECRET does not verify")


@cases.case("secret-and-headers-from-config-file")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        conf = private_file(tmp, "m2w.conf",
                            f'secret = "{SECRET_A}"\n'
                            'header = ["X-From-Config: yes"]\n'
                            "retries = 0\n")
        res = t.run(["--config", conf, "--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.require(srv.count() == 1, f"{srv.count()} requests")
        req = srv.requests()[0]
        t.check(verify_signature(req, [SECRET_A]) == 1,
                "signature from the --config secret does not verify")
        t.check(req.header("X-From-Config") == "yes",
                f"config header {req.header('X-From-Config')!r}")


@cases.case("url-with-credentials-from-config-file")
def _(t):
    # master.cf and ps then show neither the URL nor its password.
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        conf = private_file(tmp, "m2w.conf",
                            f'URL = ["{srv.url("/in", "cfg-user:cfg-pw")}"]\n')
        res = t.run(["--config", conf, "--timeout", "5"])
        t.expect_exit(res, 0)
        t.require(srv.count() == 1, f"{srv.count()} requests")
        t.check(srv.requests()[0].header("Authorization") ==
                "Basic Y2ZnLXVzZXI6Y2ZnLXB3", "no Basic authentication")


@cases.case("config-file-missing-or-bad-4.3.5")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        bad = private_file(tmp, "bad.conf", "no-such-option = 1\n")
        for conf in (os.path.join(tmp, "missing.conf"), bad):
            res = t.run(["--config", conf, srv.url()])
            t.expect_exit(res, 75)
            t.expect_status_line(res, "4.3.5")
        t.expect_count(srv, 0)


@cases.case("secret-on-command-line-refused")
def _(t):
    with WebhookServer(200) as srv:
        for args in (["--secret", SECRET_A], [f"--secret={SECRET_A}"]):
            res = t.run([*args, srv.url()])
            t.expect_exit(res, 75)
            line = t.expect_status_line(res, "4.3.5")
            t.check(line is None or SECRET_A not in line,
                    "the status line repeats the secret")
        t.expect_count(srv, 0)


@cases.case("bad-secret-4.3.5-without-showing-it")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        path = private_file(tmp, "secret", "whsec_not*base64\n")
        res = t.run(["-v", "--secret-file", path, srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.3.5")
        t.check(b"not*base64" not in res.out + res.err, "secret shown")
        t.expect_count(srv, 0)


@cases.case("world-readable-secret-file-warns")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        open_file = private_file(tmp, "open", SECRET_A + "\n", 0o644)
        closed = private_file(tmp, "closed", SECRET_A + "\n", 0o600)
        res = t.run(["-v", "--secret-file", open_file, srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.check(b"readable by other users" in res.err,
                f"no warning for a 0644 secret file: {res.err[-300:]!r}")
        res = t.run(["-v", "--secret-file", closed, srv.url()])
        t.check(b"readable by other users" not in res.err,
                "warning for a 0600 secret file")
        t.check(SECRET_A.encode() not in res.err, "the log shows the secret")


@cases.case("header-file-adds-headers")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        path = private_file(tmp, "headers", "# tokens\nX-Token: t-123\n\n"
                                            "X-Other: two words\n")
        res = t.run(["--header-file", path, "--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.require(srv.count() == 1, f"{srv.count()} requests")
        req = srv.requests()[0]
        t.check(req.header("X-Token") == "t-123", "X-Token missing")
        t.check(req.header("X-Other") == "two words", "X-Other missing")
        bad = private_file(tmp, "bad", "X-Token t-123\n")
        res = t.run(["--header-file", bad, srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.3.5")
        t.expect_count(srv, 1)


@cases.case("header-file-from-environment")
def _(t):
    with tempfile.TemporaryDirectory(prefix="m2w-e2e-") as tmp, \
            WebhookServer(200) as srv:
        path = private_file(tmp, "headers", "X-Env-Token: e-1\n")
        env = clean_env()
        env["MAIL2WEBHOOK_HEADER_FILE"] = path
        p = subprocess.run([t.binary, srv.url()], input=t.sample,
                           capture_output=True, env=env, timeout=30)
        t.check(p.returncode == 0, f"exit {p.returncode}")
        t.check(srv.count() == 1 and
                srv.requests()[0].header("X-Env-Token") == "e-1",
                "header from $MAIL2WEBHOOK_HEADER_FILE missing")


@cases.case("url-credentials-become-basic-auth-and-stay-hidden")
def _(t):
    user, password = "hook-user", "pa:ss@w0rd-e2e"
    quoted = password.replace(":", "%3A").replace("@", "%40")
    with WebhookServer("503,200") as srv:
        res = t.run(["-v", "--timeout", "5",
                     srv.url("/in", userinfo=f"{user}:{quoted}")])
        t.expect_exit(res, 0)
        t.expect_count(srv, 2)
        want = "Basic " + base64.b64encode(
            f"{user}:{password}".encode()).decode()
        for req in srv.requests():
            t.check(req.header("Authorization") == want,
                    f"Authorization {req.header('Authorization')!r}")
            t.check(req.path == "/in", f"path {req.path!r}")
    for secret in (password, quoted, user):
        t.check(secret.encode() not in res.out + res.err,
                f"output or log shows {secret!r}")


# --------------------------------------------------------------------------
# outgoing address
# --------------------------------------------------------------------------

@cases.case("source-address-and-interface-bind-the-client")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--source-address", "127.0.0.1", srv.url()])
        t.expect_exit(res, 0)
        res = t.run(["--interface", "lo", srv.url()])
        t.expect_exit(res, 0)
        t.expect_count(srv, 2)
        peers = {r.peer[0] for r in srv.requests()}
        t.check(peers == {"127.0.0.1"}, f"peers {peers}")


@cases.case("unknown-interface-defers-without-sending")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--interface", "m2w-none0", "--retries", "0",
                     srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.expect_count(srv, 0)


@cases.case("interface-and-source-address-exclusive-4.3.5")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--interface", "lo", "--source-address", "127.0.0.1",
                     srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.3.5")
        t.expect_count(srv, 0)


if __name__ == "__main__":
    sys.exit(cases.main())
