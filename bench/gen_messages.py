#!/usr/bin/env python3
"""Deterministic test messages for the mail2webhook benchmark.

Writes one .eml file per message into OUTDIR plus manifest.json, which
lists every message with its size and a short description. The same seed
gives byte-identical files on every run (no clock, no os.urandom).

Usage: gen_messages.py OUTDIR [--quick] [--only NAME[,NAME...]]
"""
import argparse
import base64
import hashlib
import json
import os
import quopri
import random
import sys

SEED = 20261204
LF = "\n"  # Postfix's pipe(8) hands messages over with LF line ends

WORDS = ("the invoice meeting schedule report quarterly budget project team "
         "update customer order shipping delivery account password review "
         "draft please attached find regards thanks tomorrow monday friday "
         "office server backup contract proposal").split()
UTF8_WORDS = ("café naïve résumé Grüße Straße façade déjà-vu Ελλάδα Москва "
              "日本語 中文 한국어 ångström smörgåsbord piñata").split()

FIXED_DATE = "Fri, 04 Dec 2026 09:15:27 +0100"


def rng_for(name):
    # One independent, reproducible stream per message.
    digest = hashlib.sha256(f"{SEED}:{name}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def sentence(rng, utf8=False):
    n = rng.randint(6, 16)
    pool = WORDS + (UTF8_WORDS if utf8 else [])
    words = [rng.choice(pool) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph_text(rng, target_bytes, utf8=False):
    out, size = [], 0
    while size < target_bytes:
        para = " ".join(sentence(rng, utf8) for _ in range(rng.randint(2, 6)))
        out.append(para)
        size += len(para.encode()) + 2
    return "\n\n".join(out) + "\n"


def wrap_plain(text, width=72):
    lines = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "\n".join(lines)


def html_from(rng, target_bytes, images=()):
    parts = ["<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
             "<title>Newsletter</title><style>td{padding:4px}</style>"
             "</head><body>\n<table width=\"600\">\n"]
    size = sum(len(p) for p in parts)
    i = 0
    while size < target_bytes:
        cell = (f"<tr><td class=\"c{i % 7}\"><h2>{sentence(rng, True)}</h2>"
                f"<p>{sentence(rng, True)} <a href=\"https://example.com/t/"
                f"{rng.getrandbits(64):016x}\">{rng.choice(WORDS)}</a> "
                f"{sentence(rng, True)}</p>")
        if images and i % 8 == 0:
            cid = images[(i // 8) % len(images)]
            cell += f"<img src=\"cid:{cid}\" alt=\"\" width=\"560\">"
        cell += "</td></tr>\n"
        parts.append(cell)
        size += len(cell.encode())
        i += 1
    parts.append("</table></body></html>\n")
    return "".join(parts)


def qp(text):
    data = quopri.encodestring(text.encode("utf-8"))
    return data.decode("ascii").replace("\r\n", "\n")


def b64_lines(raw):
    return base64.encodebytes(raw).decode("ascii")  # 76-char lines, LF


def fake_pdf(rng, size):
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    tail = b"\n%%EOF\n"
    return head + rng.randbytes(max(0, size - len(head) - len(tail))) + tail


def fake_png(rng, size):
    head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    return head + rng.randbytes(max(0, size - len(head)))


def mailbox(rng, i, utf8_names=True):
    first = rng.choice(["Alice", "Bob", "Carol", "Dave", "Eve", "Frank",
                        "Grace", "Heidi", "Ivan", "Judy"])
    last = rng.choice(["Smith", "Jones", "Müller", "Dupont", "García",
                       "Rossi", "Novák", "Kowalski"])
    email = f"{first.lower()}.{i}@example{i % 13}.com"
    kind = i % 4
    if kind == 0:
        return email
    if kind == 1:
        return f"{first} {last} <{email}>"
    if kind == 2 and utf8_names:
        enc = base64.b64encode(f"{first} {last}".encode()).decode()
        return f"=?UTF-8?B?{enc}?= <{email}>"
    return f"\"{last}, {first}\" <{email}>"


def fold_address_list(addrs):
    # One address per line, as mail programs fold long To fields.
    return (",\n ").join(addrs)


def headers(rng, name, subject, content_type, extra=(), to=None):
    received = []
    for hop in range(3):
        received.append(
            f"Received: from mx{hop}.example.net (mx{hop}.example.net "
            f"[192.0.2.{10 + hop}])\n\tby mx.example.com (Postfix) with ESMTPS "
            f"id 4Kx9Yz{hop}abc{rng.getrandbits(20):05x}\n\tfor "
            f"<inbox@example.com>; {FIXED_DATE}")
    dkim = ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
            "d=example.net; s=sel1;\n\th=from:to:subject:date:message-id;\n\t"
            f"bh={base64.b64encode(rng.randbytes(32)).decode()};\n\tb="
            + "\n\t ".join(base64.b64encode(rng.randbytes(256)).decode()[i:i + 64]
                           for i in range(0, 344, 64)))
    to_value = to if to is not None else "Inbox <inbox@example.com>"
    lines = ["Return-Path: <sender@example.net>"] + received + [
        dkim,
        "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <sender@example.net>",
        f"To: {to_value}",
        "Cc: Bob <bob@example.org>, carol@example.org",
        f"Subject: {subject}",
        f"Date: {FIXED_DATE}",
        f"Message-ID: <{name}.{rng.getrandbits(64):016x}@example.net>",
        "MIME-Version: 1.0",
        *extra,
        f"Content-Type: {content_type}",
    ]
    return LF.join(lines) + LF


def encoded_subject(text):
    enc = base64.b64encode(text.encode()).decode()
    return f"=?UTF-8?B?{enc}?="


# --- the six reference messages -------------------------------------------

def msg_tiny(rng, scale=1):
    body = wrap_plain(paragraph_text(rng, 450 * scale))
    head = headers(rng, "tiny", "Short note about tomorrow",
                   "text/plain; charset=us-ascii",
                   extra=["Content-Transfer-Encoding: 7bit"])
    return head + LF + body


def alternative(rng, boundary, text_bytes, html_bytes, images=()):
    text = wrap_plain(paragraph_text(rng, text_bytes, utf8=True))
    html = html_from(rng, html_bytes, images)
    return (f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n"
            f"Content-Transfer-Encoding: quoted-printable\n\n{qp(text)}\n"
            f"--{boundary}\nContent-Type: text/html; charset=utf-8\n"
            f"Content-Transfer-Encoding: quoted-printable\n\n{qp(html)}\n"
            f"--{boundary}--\n")


def msg_typical(rng, scale=1):
    b = "=_alt_7f3a9c"
    head = headers(rng, "typical", encoded_subject("Réunion de lundi – ordre du jour"),
                   f"multipart/alternative; boundary=\"{b}\"")
    return (head + LF + "This is a multi-part message in MIME format.\n" +
            alternative(rng, b, 7800 * scale, 12300 * scale))


def msg_newsletter(rng, scale=1, images=5):
    rel, alt = "=_rel_1d2e", "=_alt_9b8c"
    cids = [f"img{i}.{rng.getrandbits(32):08x}@news.example.net"
            for i in range(images)]
    head = headers(rng, "newsletter", "Your weekly digest",
                   f"multipart/related; type=\"multipart/alternative\"; "
                   f"boundary=\"{rel}\"",
                   extra=["List-Unsubscribe: <https://news.example.net/u/1>",
                          "Precedence: bulk"])
    out = [head, LF, f"--{rel}\n",
           f"Content-Type: multipart/alternative; boundary=\"{alt}\"\n\n",
           alternative(rng, alt, 12000 * scale, 62000 * scale, cids)]
    # five inline images; the HTML above refers to them by cid
    for i, cid in enumerate(cids):
        raw = fake_png(rng, 15000 * scale)
        out.append(f"--{rel}\nContent-Type: image/png; name=\"image{i}.png\"\n"
                   f"Content-Transfer-Encoding: base64\n"
                   f"Content-ID: <{cid}>\n"
                   f"Content-Disposition: inline; filename=\"image{i}.png\"\n\n")
        out.append(b64_lines(raw))
    out.append(f"--{rel}--\n")
    return "".join(out)


def rfc2231_name(rng, i):
    base = f"Rechnung-{i:04d}-{rng.choice(UTF8_WORDS)} été {rng.choice(WORDS)}.dat"
    enc = "".join(c if c.isalnum() and c.isascii() or c in "-." else
                  "".join(f"%{b:02X}" for b in c.encode()) for c in base)
    if i % 3 == 2 and len(enc) > 30:
        # split into continuations: filename*0*=utf-8''...; filename*1*=...
        first, rest = enc[:24], enc[24:]
        # don't split a %XX escape
        while "%" in first[-2:]:
            first, rest = first[:-1], first[-1] + rest
        return (f"filename*0*=utf-8''{first};\n filename*1*={rest}")
    return f"filename*=utf-8''{enc}"


def msg_many_parts(rng, scale=1, parts=300, part_bytes=2450):
    b = "=_mix_55aa"
    head = headers(rng, "many-parts", "Scans from the copier",
                   f"multipart/mixed; boundary=\"{b}\"")
    out = [head, LF, f"--{b}\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n\n",
           wrap_plain(paragraph_text(rng, 800, utf8=True)), "\n"]
    types = ["application/octet-stream", "application/pdf", "image/jpeg",
             "application/vnd.ms-excel"]
    for i in range(parts * scale):
        raw = rng.randbytes(part_bytes)
        out.append(f"--{b}\nContent-Type: {types[i % len(types)]}\n"
                   f"Content-Transfer-Encoding: base64\n"
                   f"Content-Disposition: attachment;\n {rfc2231_name(rng, i)}\n\n")
        out.append(b64_lines(raw))
    out.append(f"--{b}--\n")
    return "".join(out)


def msg_attachments(rng, name, subject, sizes, kind="pdf"):
    b = f"=_mix_{name}"
    head = headers(rng, name, subject, f"multipart/mixed; boundary=\"{b}\"")
    out = [head, LF, f"--{b}\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n",
           qp(wrap_plain(paragraph_text(rng, 1200, utf8=True))), "\n"]
    for i, size in enumerate(sizes):
        raw = fake_pdf(rng, size)
        out.append(f"--{b}\nContent-Type: application/pdf; name=\"document-{i + 1}.pdf\"\n"
                   f"Content-Transfer-Encoding: base64\n"
                   f"Content-Disposition: attachment; filename=\"document-{i + 1}.pdf\"\n\n")
        out.append(b64_lines(raw))
    out.append(f"--{b}--\n")
    return "".join(out)


def msg_big(rng):
    return msg_attachments(rng, "big", "Two contracts", [3_750_000, 3_750_000])


def msg_huge(rng):
    return msg_attachments(rng, "huge", "Scanned archive", [30_000_000])


# --- scaling series (1x / 4x / 16x) ---------------------------------------

def msg_scale_size(rng, factor):
    # one base64 attachment: 1.5 MB, 6 MB, 24 MB raw (2 / 8 / 32 MB message)
    return msg_attachments(rng, f"size{factor}", "Scaling: size",
                           [1_500_000 * factor])


def msg_scale_text(rng, factor):
    # QP UTF-8 text+HTML bodies: 250 KB, 1 MB, 4 MB message
    b = "=_alt_scale"
    head = headers(rng, f"text{factor}", "Scaling: text body",
                   f"multipart/alternative; boundary=\"{b}\"")
    return head + LF + alternative(rng, b, 80_000 * factor, 100_000 * factor)


def msg_scale_parts(rng, factor):
    # 100 / 400 / 1600 attachments of 1 KB
    return msg_many_parts(rng, parts=100 * factor, part_bytes=1000)


def msg_scale_rcpt(rng, factor):
    # To with 100 / 400 / 1600 mailboxes
    addrs = [mailbox(rng, i) for i in range(100 * factor)]
    head = headers(rng, f"rcpt{factor}", "Scaling: recipients",
                   "text/plain; charset=us-ascii",
                   extra=["Content-Transfer-Encoding: 7bit"],
                   to=fold_address_list(addrs))
    return head + LF + wrap_plain(paragraph_text(rng, 1300))


def msg_scale_fields(rng, factor):
    # 100 / 400 / 1600 distinct header fields (X-Trace-N)
    extra = [f"X-Trace-{i:05d}: {sentence(rng)}" for i in range(100 * factor)]
    head = headers(rng, f"fields{factor}", "Scaling: header fields",
                   "text/plain; charset=us-ascii", extra=extra)
    return head + LF + wrap_plain(paragraph_text(rng, 1300))


MESSAGES = [
    # name, group, builder, description
    ("tiny", "main", msg_tiny, "2 KB text/plain, 7bit"),
    ("typical", "main", msg_typical,
     "30 KB multipart/alternative, QP UTF-8 text + HTML"),
    ("newsletter", "main", msg_newsletter,
     "200 KB multipart/related: QP HTML + 5 inline PNGs with Content-ID"),
    ("many-parts", "main", msg_many_parts,
     "1 MB multipart/mixed, 300 base64 attachments with RFC 2231 names"),
    ("big", "main", msg_big, "10 MB, two base64 PDFs of 3.75 MB"),
    ("huge", "main", msg_huge, "40 MB, one base64 attachment of 30 MB"),
]
SCALING = [
    ("size", msg_scale_size, "one base64 attachment, 2 / 8 / 32 MB message"),
    ("text", msg_scale_text, "QP UTF-8 text+HTML bodies, 0.25 / 1 / 4 MB"),
    ("parts", msg_scale_parts, "100 / 400 / 1600 attachments of 1 KB"),
    ("rcpt", msg_scale_rcpt, "To with 100 / 400 / 1600 mailboxes"),
    ("fields", msg_scale_fields, "100 / 400 / 1600 distinct header fields"),
]
FACTORS = (1, 4, 16)


def all_messages():
    for name, group, builder, desc in MESSAGES:
        yield name, group, (lambda b=builder, n=name: b(rng_for(n))), desc
    for series, builder, desc in SCALING:
        for f in FACTORS:
            name = f"{series}-{f}x"
            yield name, f"scale:{series}", (
                lambda b=builder, n=name, k=f: b(rng_for(n), k)), desc


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--only", help="comma-separated message names")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    manifest = []
    for name, group, build, desc in all_messages():
        if only and name not in only:
            continue
        path = os.path.join(args.outdir, f"{name}.eml")
        data = build().encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        manifest.append({"name": name, "group": group, "path": path,
                         "bytes": len(data), "description": desc,
                         "sha256": hashlib.sha256(data).hexdigest()[:16]})
        print(f"  {name:<14} {len(data):>11,} bytes  {desc}", file=sys.stderr)
    with open(os.path.join(args.outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
