#!/usr/bin/env python3
"""Checks the facts of tests/data/corpus/expectations.json (the machine-
readable form of the shared corpus manifest) against the program's
--dry-run output for every corpus message. Also checks that each output is
valid UTF-8 JSON with every payload key in order.

usage: check_expectations.py MAIL2WEBHOOK CORPUS_DIR
"""
import base64
import json
import os
import subprocess
import sys

KEYS = ["headers", "to", "from", "subject", "message-id", "date",
        "return-path", "timestamp", "text", "html", "inlines",
        "attachments", "cc", "reply-to", "envelope"]


def run(binary, path):
    proc = subprocess.run([binary, "--dry-run", "--input", path],
                          capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stdout!r}")
    text = proc.stdout.decode("utf-8")  # raises on invalid UTF-8
    payload = json.loads(text)
    if list(payload.keys()) != KEYS:
        raise AssertionError(f"keys {list(payload.keys())}")
    return payload


def check(payload, facts):
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)

    names = [a["name"] for a in payload["attachments"]]
    sizes = {p["name"]: len(base64.b64decode(p["content"]))
             for p in payload["attachments"] + payload["inlines"]}
    for key, want in facts.items():
        if key == "subject":
            expect(payload["subject"] == want,
                   f"subject {payload['subject']!r} != {want!r}")
        elif key == "date":
            expect(payload["date"] == want, f"date {payload['date']!r}")
        elif key == "timestamp":
            expect(payload["timestamp"] == want,
                   f"timestamp {payload['timestamp']} != {want}")
        elif key == "message_id":
            expect(payload["message-id"] == want,
                   f"message-id {payload['message-id']!r}")
        elif key == "from_email":
            expect(payload["from"]["email"] == want,
                   f"from email {payload['from']['email']!r} != {want!r}")
        elif key == "from_name":
            expect(payload["from"]["name"] == want,
                   f"from name {payload['from']['name']!r} != {want!r}")
        elif key == "to_emails":
            got = [a["email"] for a in payload["to"]]
            expect(got == want, f"to {got!r} != {want!r}")
        elif key == "text_contains":
            for s in want:
                expect(s in payload["text"], f"text lacks {s!r}")
        elif key == "html_contains":
            for s in want:
                expect(s in payload["html"], f"html lacks {s!r}")
        elif key == "text_absent":
            expect(payload["text"] == "", "text not empty")
        elif key == "html_absent":
            expect(payload["html"] == "", "html not empty")
        elif key == "must_not_contain":
            for s in want:
                expect(s not in payload["text"] and s not in payload["html"],
                       f"body contains {s!r}")
        elif key == "attachment_count":
            expect(len(payload["attachments"]) == want,
                   f"{len(payload['attachments'])} attachments {names}")
        elif key == "attachment_names":
            # The manifest lists names as a set (sorted), not in order.
            expect(sorted(names) == sorted(want),
                   f"attachment names {names!r}")
        elif key == "attachment_sizes":
            for name, size in want.items():
                expect(sizes.get(name) == size,
                       f"size of {name!r} {sizes.get(name)} != {size}")
        elif key == "inline_count":
            expect(len(payload["inlines"]) == want,
                   f"{len(payload['inlines'])} inlines")
        elif key == "inline_cids":
            got = [p["cid"] for p in payload["inlines"]]
            expect(got == want, f"inline cids {got!r}")
        else:
            problems.append(f"unknown fact {key}")
    return problems


def main():
    binary, corpus = sys.argv[1], sys.argv[2]
    with open(os.path.join(corpus, "expectations.json"),
              encoding="utf-8") as f:
        expectations = json.load(f)
    passed = failed = 0
    for name in sorted(expectations):
        try:
            problems = check(run(binary, os.path.join(corpus, name)),
                             expectations[name])
        except Exception as e:  # noqa: BLE001 - report and go on
            problems = [f"{type(e).__name__}: {e}"]
        if problems:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"ok {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
