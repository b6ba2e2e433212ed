#!/usr/bin/env python3
"""End-to-end payload tests for mail2webhook (dry run and POSTed JSON).

    python3 test_payload.py BUILD/mail2webhook tests/data/messages/sample.eml

Every server binds to 127.0.0.1 on an ephemeral port.
"""

import email
import email.header
import email.policy
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_harness import Cases  # noqa: E402
from webhook_server import WebhookServer  # noqa: E402

cases = Cases(__doc__.splitlines()[0])

PAYLOAD_KEYS = ("headers", "to", "from", "subject", "message-id", "date",
                "return-path", "timestamp", "text", "html", "inlines",
                "attachments", "cc", "reply-to", "envelope")

ENVELOPE_ARGS = ["--sender", "a@b", "--recipient", "c@d", "--recipient", "e@f",
                 "--original-recipient", "g@h", "--queue-id", "Q1"]
ENVELOPE_WANT = {"sender": "a@b", "recipients": ["c@d", "e@f"],
                 "original-recipient": "g@h", "queue-id": "Q1"}


def _parse(t, raw: bytes, what: str):
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        t.require(False, f"{what} is not UTF-8 JSON: {exc}")
    t.require(isinstance(obj, dict), f"{what} is not a JSON object")
    return obj


@cases.case("envelope-in-posted-json")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run([*ENVELOPE_ARGS, "--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.require(srv.count() == 1, f"server got {srv.count()} requests, want 1")
        payload = _parse(t, srv.requests()[0].body, "POSTed body")
    env = payload.get("envelope")
    t.check(env == ENVELOPE_WANT,
            f"envelope is {json.dumps(env)}, want {json.dumps(ENVELOPE_WANT)}")


@cases.case("envelope-in-dry-run")
def _(t):
    res = t.run([*ENVELOPE_ARGS, "--dry-run"])
    t.expect_exit(res, 0)
    payload = _parse(t, res.out, "--dry-run output")
    env = payload.get("envelope")
    t.check(env == ENVELOPE_WANT,
            f"envelope is {json.dumps(env)}, want {json.dumps(ENVELOPE_WANT)}")


@cases.case("dry-run-without-url")
def _(t):
    res = t.run(["--dry-run"])
    t.expect_exit(res, 0)
    t.check(res.out.endswith(b"}\n"),
            f"output does not end with '}}\\n': ...{res.out[-20:]!r}")
    payload = _parse(t, res.out, "--dry-run output")
    missing = [k for k in PAYLOAD_KEYS if k not in payload]
    t.check(not missing, f"payload lacks keys {missing}")


@cases.case("dry-run-short-option")
def _(t):
    long_ = t.run(["--dry-run"])
    short = t.run(["-n"])
    t.expect_exit(short, 0)
    t.check(long_.out == short.out, "-n and --dry-run print different payloads")


@cases.case("dry-run-posts-nothing")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run(["--dry-run", "--timeout", "5", srv.url(), srv.url("/b")])
        t.expect_exit(res, 0)
        t.expect_count(srv, 0)
        _parse(t, res.out, "--dry-run output")


@cases.case("dry-run-is-repeatable")
def _(t):
    a = t.run(["--dry-run"])
    b = t.run(["--dry-run"])
    t.check(a.out == b.out, "two dry runs of the same input print different bytes")


@cases.case("subject-matches-sample")
def _(t):
    msg = email.message_from_bytes(t.sample, policy=email.policy.compat32)
    raw = msg.get("Subject")
    t.require(raw is not None, "sample has no Subject header")
    want = str(email.header.make_header(email.header.decode_header(raw)))
    want = " ".join(want.split())
    res = t.run(["--dry-run"])
    t.expect_exit(res, 0)
    payload = _parse(t, res.out, "--dry-run output")
    got = payload.get("subject")
    t.check(isinstance(got, str) and " ".join(got.split()) == want,
            f"subject {got!r}, want {want!r}")


@cases.case("posted-body-is-dry-run-with-envelope")
def _(t):
    with WebhookServer(200) as srv:
        res = t.run([*ENVELOPE_ARGS, "--timeout", "5", srv.url()])
        t.expect_exit(res, 0)
        t.require(srv.count() == 1, f"server got {srv.count()} requests, want 1")
        body = srv.requests()[0].body
    dry = t.run([*ENVELOPE_ARGS, "--dry-run"])
    t.check(dry.out == body, "POSTed body differs from --dry-run output")


def _big_message(size: int) -> (bytes, bytes):
    """A MIME message with a text part and a SIZE-byte attachment."""
    import base64
    import random
    blob = random.Random(20251204).randbytes(size)
    b64 = base64.encodebytes(blob).replace(b"\n", b"\r\n")
    msg = (b"From: Big Sender <big@example.org>\r\n"
           b"To: rcpt@example.net\r\n"
           b"Subject: large attachment\r\n"
           b"Date: Thu, 04 Dec 2025 12:00:00 +0000\r\n"
           b"Message-ID: <big-1@example.org>\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"b0undary\"\r\n"
           b"\r\n"
           b"--b0undary\r\n"
           b"Content-Type: text/plain; charset=us-ascii\r\n"
           b"\r\n"
           b"see attachment\r\n"
           b"--b0undary\r\n"
           b"Content-Type: application/octet-stream; name=\"blob.bin\"\r\n"
           b"Content-Disposition: attachment; filename=\"blob.bin\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n"
           b"\r\n" + b64 +
           b"--b0undary--\r\n")
    return msg, blob


@cases.case("large-attachment-posted-intact")
def _(t):
    import base64
    msg, blob = _big_message(4 * 1024 * 1024)
    with WebhookServer(200) as srv:
        res = t.run(["--timeout", "20", srv.url()], stdin=msg)
        t.expect_exit(res, 0)
        t.expect_silent(res)
        t.require(srv.count() == 1, f"server got {srv.count()} requests, want 1")
        body = srv.requests()[0].body
    dry = t.run(["--dry-run"], stdin=msg)
    t.check(dry.out == body, "POSTed body differs from --dry-run output")
    payload = _parse(t, body, "POSTed body")
    atts = payload.get("attachments")
    t.require(isinstance(atts, list) and len(atts) == 1,
              f"want one attachment, got {str(atts)[:200]}")
    att = atts[0]
    t.check(att.get("name") == "blob.bin", f"attachment name {att.get('name')!r}")
    try:
        got = base64.b64decode(att.get("content", ""), validate=True)
        t.check(got == blob, f"attachment content differs ({len(got)} bytes "
                             f"decoded, {len(blob)} sent)")
    except (ValueError, TypeError) as exc:
        t.check(False, f"attachment content is not base64: {exc}")


if __name__ == "__main__":
    sys.exit(cases.main())
