#!/usr/bin/env python3
"""Hostile input that must not crash, hang or exhaust the program: deep
nesting, a huge header, a 1 GB input, binary junk, 5,000 recipients,
truncated MIME. Inputs are generated here (deterministic) and fed through a
pipe, as a mail server does. Each case checks the exit status, that the
output is valid UTF-8 JSON when the exit status is 0, and bounds on wall
time and peak memory (README "Limitations" documents the limits).

usage: check_limits.py MAIL2WEBHOOK
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

MiB = 1024 * 1024
# Under AddressSanitizer memory figures mean nothing: .ci/run sets this.
SANITIZED = os.environ.get("M2W_SANITIZED") == "1"


def run(binary, data, args=(), feed=None):
    """Runs the program on `data` (bytes) or on what `feed(pipe)` writes.
    Returns (exit status, stdout bytes, seconds, peak RSS in MiB)."""
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen([binary, "--dry-run", *args],
                            stdin=subprocess.PIPE, stdout=out,
                            stderr=subprocess.DEVNULL)
    start = time.monotonic()

    def writer():
        try:
            if feed:
                feed(proc.stdin)
            else:
                proc.stdin.write(data)
        except (BrokenPipeError, ValueError):
            pass  # the program may stop reading early (too large)
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    thread = threading.Thread(target=writer)
    thread.start()
    timer = threading.Timer(120, proc.kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    timer.cancel()
    thread.join()
    seconds = time.monotonic() - start
    out.seek(0)
    return proc.returncode, out.read(), seconds, usage.ru_maxrss / 1024


def nested(depth):
    parts = []
    for i in range(depth):
        parts.append(f"Content-Type: multipart/mixed; boundary=b{i}\n\n"
                     f"--b{i}\n")
    return ("From: a@example.org\nSubject: deep\n" + "".join(parts) +
            "Content-Type: text/plain\n\ndeepest\n").encode()


def recipients(count):
    to = ", ".join(f"User {i} <user{i}@example.org>" for i in range(count))
    return f"From: a@example.org\nTo: {to}\nSubject: many\n\nhi\n".encode()


def many_fields(count):
    fields = "".join(f"X-Field-{i}: value {i}\n" for i in range(count))
    return f"From: a@example.org\n{fields}\nbody\n".encode()


def junk(size):
    rng = random.Random(2026)
    return bytes(rng.getrandbits(8) for _ in range(size))


def truncated():
    body = "QUJD" * 19 + "\n"
    return ("From: a@example.org\nSubject: cut\n"
            "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
            "Content-Type: application/pdf; name=a.pdf\n"
            "Content-Transfer-Encoding: base64\n\n" + body * 100 +
            "QUJDRE").encode()


def feed_gigabyte(pipe):
    block = b"X-Filler: " + b"a" * (MiB - 12) + b"\n"
    pipe.write(b"From: a@example.org\n")
    for _ in range(1024):
        pipe.write(block)


def huge_header():
    return (b"From: a@example.org\nX-Huge: " + b"x" * (100 * MiB) +
            b"\nSubject: big header\n\nbody\n")


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def payload_of(stdout):
    return json.loads(stdout.decode("utf-8"))


@case
def nesting_10000_levels(binary):
    rc, out, secs, rss = run(binary, nested(10000))
    assert rc == 0, f"exit {rc}"
    payload = payload_of(out)
    assert len(payload["attachments"]) == 1, "the over-deep rest is one part"
    assert secs < 10, f"{secs:.1f} s"
    return f"{secs:.2f} s, {rss:.0f} MiB"


@case
def recipients_5000(binary):
    rc, out, secs, rss = run(binary, recipients(5000))
    assert rc == 0, f"exit {rc}"
    payload = payload_of(out)
    assert len(payload["to"]) == 5000
    assert payload["to"][4999]["email"] == "user4999@example.org"
    assert SANITIZED or secs < 1.0, f"{secs:.2f} s (must be well under 1 s)"
    return f"{secs:.3f} s"


@case
def header_fields_200000(binary):
    # Grouping fields by name once cost linear time per field (quadratic).
    rc, out, secs, rss = run(binary, many_fields(200000))
    assert rc == 0, f"exit {rc}"
    assert len(payload_of(out)["headers"]) == 200001
    assert SANITIZED or secs < 5, f"{secs:.2f} s"
    return f"{secs:.2f} s, {rss:.0f} MiB"


@case
def binary_junk(binary):
    rc, out, secs, rss = run(binary, junk(2 * MiB))
    assert rc == 0, f"exit {rc}"
    payload_of(out)
    return f"{secs:.2f} s, {rss:.0f} MiB"


@case
def truncated_base64_attachment(binary):
    rc, out, secs, rss = run(binary, truncated())
    assert rc == 0, f"exit {rc}"
    payload = payload_of(out)
    assert payload["attachments"][0]["name"] == "a.pdf"
    return "ok"


@case
def gigabyte_input_over_max_size(binary):
    rc, out, secs, rss = run(binary, None, feed=feed_gigabyte)
    assert rc == 65, f"exit {rc}"
    assert out.startswith(b"5.3.4 "), out[:80]
    assert SANITIZED or rss < 128, f"peak {rss:.0f} MiB"
    return f"{secs:.2f} s, {rss:.0f} MiB"


@case
def header_of_100_mib(binary):
    data = huge_header()
    rc, out, secs, rss = run(binary, data)
    assert rc == 65 and out.startswith(b"5.3.4 "), f"exit {rc}"
    rc, out, secs, rss = run(binary, data, ["--max-size", str(200 * MiB)])
    assert rc == 0, f"exit {rc}"
    payload = payload_of(out)
    assert len(payload["headers"]["X-Huge"]) == 100 * MiB
    assert payload["subject"] == "big header"
    assert secs < 30, f"{secs:.1f} s"
    assert SANITIZED or rss < 6 * 100 + 64, f"peak {rss:.0f} MiB"
    return f"{secs:.2f} s, {rss:.0f} MiB"


def main():
    binary = sys.argv[1]
    passed = failed = 0
    for fn in CASES:
        try:
            note = fn(binary)
            print(f"ok {fn.__name__}: {note}")
            passed += 1
        except AssertionError as e:
            print(f"FAIL {fn.__name__}: {e}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
