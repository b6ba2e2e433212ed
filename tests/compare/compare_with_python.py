#!/usr/bin/env python3
"""Comparison report, not a test: runs mail2webhook --dry-run and Python's
email package (stdlib, policy=default) over test messages and lists every
message where subject, from, to, attachment names or text differ, so the
differences can be judged by a person.

usage: compare_with_python.py MAIL2WEBHOOK [DIR ...]
       (default DIRs: tests/data/corpus tests/data/hostile)
"""
import email
import email.policy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def ours(binary, path):
    proc = subprocess.run([binary, "--dry-run", "--input", path],
                          capture_output=True, timeout=60)
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}"}
    p = json.loads(proc.stdout)
    return {"subject": p["subject"],
            "from": p["from"]["email"],
            "to": [a["email"] for a in p["to"]],
            "attachments": sorted(a["name"] for a in p["attachments"]),
            "text": p["text"].strip()}


def python(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"From "):
        data = data.split(b"\n", 1)[-1]
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        out = {"subject": str(msg.get("subject", "") or ""),
               "from": "", "to": [], "attachments": [], "text": ""}
        try:
            frm = msg["from"]
            out["from"] = frm.addresses[0].addr_spec if frm and \
                frm.addresses else ""
        except Exception as e:  # noqa: BLE001 - report the failure
            out["from"] = f"<error {type(e).__name__}>"
        try:
            to = msg["to"]
            out["to"] = [a.addr_spec for a in to.addresses] if to else []
        except Exception as e:  # noqa: BLE001
            out["to"] = [f"<error {type(e).__name__}>"]
        body = msg.get_body(preferencelist=("plain",))
        if body is not None:
            try:
                out["text"] = body.get_content().replace("\r\n", "\n").strip()
            except Exception as e:  # noqa: BLE001
                out["text"] = f"<error {type(e).__name__}>"
        out["attachments"] = sorted(
            str(part.get_filename() or "(unnamed)")
            for part in msg.iter_attachments())
        return out
    except Exception as e:  # noqa: BLE001
        return {"error": f"{type(e).__name__}: {e}"}


def short(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 90 else text[:87] + "..."


def main():
    binary = sys.argv[1]
    dirs = sys.argv[2:] or [os.path.join(DATA, "corpus"),
                            os.path.join(DATA, "hostile")]
    total = differing = 0
    for folder in dirs:
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".eml"):
                continue
            total += 1
            path = os.path.join(folder, name)
            a, b = ours(binary, path), python(path)
            fields = [k for k in ("error", "subject", "from", "to",
                                  "attachments", "text")
                      if a.get(k) != b.get(k)]
            if not fields:
                continue
            differing += 1
            print(f"## {os.path.basename(folder)}/{name}")
            for k in fields:
                print(f"- {k}: ours {short(a.get(k))}")
                print(f"  {' ' * len(k)}  python {short(b.get(k))}")
    print(f"\n{differing} of {total} messages differ in at least one field")


if __name__ == "__main__":
    main()
