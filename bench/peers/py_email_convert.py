#!/usr/bin/env python3
"""Peer converter for the benchmark: the short script a mail administrator
would write with Python's stdlib `email` package (policy=default).

Reads one message on stdin and prints the same payload keys as
`mail2webhook --dry-run` (see docs/payload.md): headers, to, from, subject,
message-id, date, return-path, timestamp, text, html, inlines, attachments
(base64 content), cc, reply-to, envelope. It follows the same rules for
bodies, inlines and attachments as far as the stdlib makes that simple; it
is meant to do the same work, not to match every edge case byte for byte.
"""
import base64
import email
import email.utils
import json
import sys
from email import policy

TRACE = {"received", "received-spf", "dkim-signature", "authentication-results"}


def unfold(value):
    return value.replace("\r\n", "").replace("\n", "").strip()


def headers_of(msg):
    out, keys = {}, {}
    for name, value in msg.raw_items():
        value = unfold(str(value))
        lower = name.lower()
        key = keys.get(lower)
        if key is None:
            keys[lower] = name
            trace = lower in TRACE or lower.startswith("arc-")
            out[name] = [value] if trace else value
        else:
            slot = out[key]
            if not isinstance(slot, list):
                out[key] = slot = [slot]
            slot.append(value)
    return out


def address_list(msg, name):
    out = []
    for header in msg.get_all(name, []) or []:
        try:
            addrs = header.addresses
        except Exception:  # unparsable field
            continue
        for a in addrs:
            out.append({"name": a.display_name or None, "email": a.addr_spec})
    return out


def first_address(msg, name):
    lst = address_list(msg, name)
    return lst[0] if lst else None


def timestamp_of(date):
    if not date:
        return None
    try:
        return int(email.utils.parsedate_to_datetime(date).timestamp())
    except Exception:
        return None


def part_name(part, index):
    name = part.get_filename()
    if name:
        return name
    ext = {"text/plain": ".txt", "text/html": ".html", "image/png": ".png",
           "image/jpeg": ".jpg", "application/pdf": ".pdf",
           "message/rfc822": ".eml", "text/calendar": ".ics"}
    return f"part-{index}{ext.get(part.get_content_type(), '.bin')}"


def raw_bytes(part):
    if part.get_content_type() == "message/rfc822":
        return part.get_payload(0).as_bytes()
    return part.get_payload(decode=True) or b""


def main():
    msg = email.message_from_binary_file(sys.stdin.buffer, policy=policy.default)
    texts, htmls, leaves = [], [], []
    for index, part in enumerate(msg.walk(), start=1):
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = part.get_content_disposition()
        if (ctype in ("text/plain", "text/html") and disposition != "attachment"
                and not part.get_filename()):
            try:
                content = part.get_content()
            except Exception:
                content = raw_bytes(part).decode("utf-8", "replace")
            content = content.replace("\r\n", "\n")
            (texts if ctype == "text/plain" else htmls).append(content)
        else:
            leaves.append((index, part, ctype, disposition))
    html = "".join(htmls)
    inlines, attachments = [], []
    for index, part, ctype, disposition in leaves:
        cid = (part.get("Content-ID") or "").strip().strip("<>")
        content = base64.b64encode(raw_bytes(part)).decode("ascii")
        name = part_name(part, index)
        if cid and (disposition != "attachment" or f"cid:{cid}" in html):
            inlines.append({"type": ctype, "name": name, "content": content,
                            "cid": cid})
        else:
            attachments.append({"type": ctype, "name": name, "content": content,
                                "encoding": "binary"})
    sender = first_address(msg, "From") or {"name": "", "email": ""}
    if sender["name"] is None:
        sender["name"] = ""
    rp = msg.get("Return-Path")
    date = unfold(str(msg.get("Date", "") or ""))
    payload = {
        "headers": headers_of(msg),
        "to": address_list(msg, "To"),
        "from": sender,
        "subject": str(msg.get("Subject", "") or ""),
        "message-id": unfold(str(msg.get("Message-ID", "") or "")),
        "date": date,
        "return-path": ({"name": None, "email": str(rp).strip().strip("<>")}
                        if rp is not None else None),
        "timestamp": timestamp_of(date),
        "text": "".join(texts),
        "html": html,
        "inlines": inlines,
        "attachments": attachments,
        "cc": address_list(msg, "Cc"),
        "reply-to": address_list(msg, "Reply-To"),
        "envelope": {"sender": None, "recipients": [],
                     "original-recipient": None, "queue-id": None},
    }
    out = sys.stdout.buffer
    out.write(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    out.write(b"\n")


if __name__ == "__main__":
    main()
