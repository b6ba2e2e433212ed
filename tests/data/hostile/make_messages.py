#!/usr/bin/env python3
"""Writes the hand-made hostile test messages of this folder and their
facts (expectations.json, same vocabulary as the shared corpus). Each
message reproduces one kind of input that broke a widely used parser.
Run it again after changing a message; the .eml files are committed."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
messages = {}
facts = {}


def add(name, text, **expect):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    messages[name] = data
    facts[name] = expect


HEAD = "From: Ann <ann@example.org>\nTo: bob@example.com\nSubject: {}\n"

# --- Delimiters and boundaries -------------------------------------------
add("delimiter-trailing-whitespace.eml",
    HEAD.format("ws") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b \t\nContent-Type: text/plain\n\nfirst\n--b\t\n"
    "Content-Type: application/pdf; name=a.pdf\n\n%PDF\n--b-- \n",
    text_contains=["first"], attachment_names=["a.pdf"],
    attachment_sizes={"a.pdf": 4}, must_not_contain=["--b"])
add("boundary-inside-body-line.eml",
    HEAD.format("mid") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\n\nthe text --b continues and --b-- too\n--b--\n",
    text_contains=["the text --b continues and --b-- too"],
    attachment_count=0)
add("boundary-outer-plus-suffix.eml",
    HEAD.format("prefix") +
    "Content-Type: multipart/mixed; boundary=\"=_b\"\n\n"
    "--=_b\nContent-Type: multipart/alternative; boundary=\"=_b-alt\"\n\n"
    "--=_b-alt\nContent-Type: text/plain\n\nplain\n"
    "--=_b-alt\nContent-Type: text/html\n\n<b>html</b>\n--=_b-alt--\n"
    "--=_b\nContent-Type: text/csv; name=data.csv\n\na,b\n--=_b--\n",
    text_contains=["plain"], html_contains=["<b>html</b>"],
    attachment_names=["data.csv"], must_not_contain=["=_b"])
add("boundary-reused-two-levels.eml",
    HEAD.format("reuse") + "Content-Type: multipart/mixed; boundary=x\n\n"
    "--x\nContent-Type: multipart/alternative; boundary=x\n\n"
    "--x\nContent-Type: text/plain\n\ninner text\n--x--\n",
    text_contains=["inner text"], attachment_count=0,
    must_not_contain=["--x"])
add("boundary-ending-in-dashes.eml",
    HEAD.format("dashes") +
    "Content-Type: multipart/alternative; boundary=\"--zz--\"\n\n"
    "----zz--\nContent-Type: text/plain\n\nplain\n"
    "----zz--\nContent-Type: text/html\n\n<p>html</p>\n----zz----\n",
    text_contains=["plain"], html_contains=["<p>html</p>"],
    must_not_contain=["zz"])
add("missing-close-delimiter.eml",
    HEAD.format("open end") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\n\ntext part\n--b\nContent-Type: image/gif; name=x.gif\n"
    "Content-Transfer-Encoding: base64\n\nR0lGODlh\n",
    text_contains=["text part"], attachment_sizes={"x.gif": 6})
add("boundary-never-found.eml",
    HEAD.format("wrong boundary") +
    "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
    "--C\nContent-Type: text/plain\n\nthe text\n"
    "--C\nContent-Type: application/pdf; name=invoice.pdf\n\n%PDF\n--C--\n",
    text_contains=["the text", "invoice.pdf", "%PDF"], attachment_count=0)
add("multipart-without-boundary.eml",
    HEAD.format("no boundary") + "Content-Type: multipart/mixed\n\n"
    "--guess\nContent-Type: text/plain\n\nnot a part\n--guess--\n",
    text_contains=["--guess", "not a part"], attachment_count=0)

# --- Header blocks -------------------------------------------------------
add("header-without-blank-line.eml",
    "From: a@example.org\nSubject: no blank\nThis starts the body.\nmore\n",
    subject="no blank", text_contains=["This starts the body.\nmore"])
add("header-line-without-colon.eml",
    "From: a@example.org\nthis line has no colon\nSubject: kept\n"
    "To: c@example.org\n\nbody\n",
    subject="kept", to_emails=["c@example.org"], text_contains=["body"],
    must_not_contain=["no colon"])
add("continuation-without-indent.eml",
    HEAD.format("wrap") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: application/zip;\nname=\"lost-indent.zip\"\n\nPK\n"
    "--b--\n", attachment_names=["lost-indent.zip"])
add("duplicated-content-type.eml",
    HEAD.format("dup") + "Content-Type: text/html; charset=utf-8\n"
    "Content-Type: text/plain\n\n<p>first wins</p>\n",
    html_contains=["<p>first wins</p>"], text_absent=True)

add("cr-only-line-ends.eml",
    ("From: Ann <ann@example.org>\rTo: bob@example.com\rSubject: old Mac\r"
     "Content-Type: multipart/mixed; boundary=b\r\r--b\r\rline one\r"
     "line two\r--b\rContent-Type: application/octet-stream; name=a.bin\r"
     "\rAB\r--b--\r"),
    subject="old Mac", from_email="ann@example.org",
    to_emails=["bob@example.com"], text_contains=["line one\nline two"],
    attachment_sizes={"a.bin": 2})

# --- Transfer encodings --------------------------------------------------
for cte, label in [("x-gzip64", "unknown"), ("8bits", "misspelled"),
                   ("", "empty")]:
    add(f"cte-{label}.eml",
        HEAD.format(f"cte {label}") + "Content-Type: text/plain\n"
        f"Content-Transfer-Encoding: {cte}\n\nkept as written\n",
        text_contains=["kept as written"])
add("base64-illegal-characters.eml",
    HEAD.format("b64 junk") + "Content-Type: application/octet-stream; "
    "name=a.bin\nContent-Transfer-Encoding: base64\n\naGVs*bG8g!d29y\nbGQ=\n",
    attachment_sizes={"a.bin": 11})
add("base64-missing-padding.eml",
    HEAD.format("b64 pad") + "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n\naGVsbG8gd29ybGQ\n",
    text_contains=["hello world"])
add("base64-trailing-junk.eml",
    HEAD.format("b64 tail") + "Content-Type: application/octet-stream; "
    "name=t.bin\nContent-Transfer-Encoding: base64\n\nAAEC\n-- \nA\n",
    attachment_sizes={"t.bin": 3})
add("quoted-printable-bad-escapes.eml",
    HEAD.format("qp") + "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    "100=% sure =ZZ and caf=C3=A9=\nteria=\n",
    text_contains=["100=% sure =ZZ and caf\u00e9teria"])

# --- Charsets -------------------------------------------------------------
for label, charset, raw, text in [
        ("ks-c-5601", "ks_c_5601-1987", b"\xbd\xba\xc6\xbc\xc7\xd8",
         "\uc2a4\ud2f0\ud574"),
        ("iso-8859-8-i", "iso-8859-8-i", b"\xf9\xec\xe5\xed", "\u05e9\u05dc\u05d5\u05dd"),
        ("x-mac-cyrillic", "x-mac-cyrillic", b"\x8f\xf0\xe8\xe2\xe5\xf2",
         "\u041f\u0440\u0438\u0432\u0435\u0442"),
        ("utf-7", "unicode-1-1-utf-7", b"Hi Mom -+Jjo--!", "Hi Mom -\u263a-!"),
        ("cp-850", "cp-850", b"caf\x82", "caf\u00e9"),
        ("not-a-charset", "text/html", b"caf\xe9", "caf\u00e9"),
        ("utf8-labelled-ascii", "us-ascii", "caf\u00e9 \u2713".encode(),
         "caf\u00e9 \u2713")]:
    add(f"charset-{label}.eml",
        (HEAD.format(label) + f"Content-Type: text/plain; charset={charset}\n"
         "Content-Transfer-Encoding: 8bit\n\n").encode() + raw + b"\n",
        text_contains=[text])

# --- Header encodings -----------------------------------------------------
add("raw-8bit-headers.eml",
    b"From: J\xc3\xb6rg <j@example.org>\nTo: J\xfcrgen <j2@example.org>\n"
    b"Subject: \x93\xfa\x96\x7b\x8c\xea\nX-Latin: caf\xe9\n\nbody\n",
    from_name="J\u00f6rg", to_emails=["j2@example.org"],
    text_contains=["body"])
add("encoded-words-adjacent.eml",
    "From: a@example.org\nSubject: =?utf-8?q?one?= =?utf-8?q?two?=\n"
    " =?utf-8?q?_three?= plain =?utf-8?b?w6k=?=\n\nbody\n",
    subject="onetwo three plain \u00e9")
add("encoded-word-in-quoted-parameter.eml",
    HEAD.format("param") + "Content-Type: application/pdf;\n"
    " name=\"=?utf-8?q?R=C3=A9sum=C3=A9.pdf?=\"\n\n%PDF\n",
    attachment_names=["R\u00e9sum\u00e9.pdf"])
add("rfc2231-continuations.eml",
    HEAD.format("2231") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment;\n filename*0*=utf-8''%E2%9C%93%20check;\n"
    " filename*1=\"list \";\n filename*2*=%2Etxt\n\nx\n"
    "--b\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename*=''empty%20charset.bin\n\ny\n"
    "--b\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename*=\"utf-8''quoted%C3%A9.bin\"\n"
    "\nz\n--b--\n",
    attachment_names=["\u2713 checklist .txt", "empty charset.bin",
                      "quoted\u00e9.bin"])

# --- Addresses ------------------------------------------------------------
add("address-edge-cases.eml",
    "From: =?utf-8?B?RG9lLCBKYW5l?= <jane@example.org>\n"
    "To: Two Angles <first@example.org> <second@example.org>,\n"
    " carol@example.org <dave@example.org>,\n"
    " Friends: erin@example.org, \"Frank F.\" <frank@example.org>;,\n"
    " undisclosed-recipients:;\n"
    "Cc: :,:,:,:,:,:,:,:,:,:,:,:,\n"
    "Subject: addresses\n\nbody\n",
    from_name="Doe, Jane", from_email="jane@example.org",
    to_emails=["first@example.org", "dave@example.org", "erin@example.org",
               "frank@example.org"])
add("address-colon-comma-flood.eml",
    "From: a@example.org\nTo: " + ":," * 20000 + "\nSubject: flood\n\nbody\n",
    to_emails=[], subject="flood")

# --- Message structures ---------------------------------------------------
INNER = ("From: inner@example.org\nSubject: Inner message\n"
         "Content-Type: text/plain\n\ninner body\n")
add("top-level-message-rfc822.eml",
    HEAD.format("wrapped") + "Content-Type: message/rfc822\n\n" + INNER,
    attachment_names=["Inner message.eml"], text_absent=True)
add("attached-message-rfc822.eml",
    HEAD.format("forward") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\n\nsee attached\n--b\nContent-Type: message/rfc822\n\n" + INNER +
    "--b--\n", text_contains=["see attached"],
    attachment_names=["Inner message.eml"],
    attachment_sizes={"Inner message.eml": len(INNER) - 1},
    must_not_contain=["inner body"])
add("multipart-digest.eml",
    HEAD.format("digest") + "Content-Type: multipart/digest; boundary=d\n\n"
    "--d\n\nSubject: one\n\n1\n--d\n\nSubject: two\n\n2\n--d--\n",
    attachment_names=["one.eml", "two.eml"])
add("multipart-signed.eml",
    HEAD.format("signed") +
    "Content-Type: multipart/signed; protocol=\"application/pgp-signature\";"
    " micalg=pgp-sha256; boundary=s\n\n--s\nContent-Type: text/plain\n\n"
    "signed text\n--s\nContent-Type: application/pgp-signature; "
    "name=signature.asc\n\n-----BEGIN PGP SIGNATURE-----\n--s--\n",
    text_contains=["signed text"], attachment_names=["signature.asc"])
add("tnef-winmail.eml",
    HEAD.format("tnef") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\n\nsee winmail\n--b\nContent-Type: application/ms-tnef; "
    "name=winmail.dat\nContent-Transfer-Encoding: base64\n\neJ8+IgAA\n--b--\n",
    attachment_names=["winmail.dat"], attachment_sizes={"winmail.dat": 6})
add("calendar-invite.eml",
    HEAD.format("invite") +
    "Content-Type: multipart/alternative; boundary=a\n\n"
    "--a\nContent-Type: text/plain\n\nMeeting\n"
    "--a\nContent-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\n"
    "END:VCALENDAR\n--a--\n",
    text_contains=["Meeting"], attachment_names=["part-1.ics"])
add("part-without-content-type.eml",
    HEAD.format("no type") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\n\ndefault text\n--b\nContent-Type: application/x-unknown-thing\n\n"
    "??\n--b--\n", text_contains=["default text"],
    attachment_names=["part-1.bin"])
add("file-names-paths-and-controls.eml",
    HEAD.format("names") + "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: text/plain; name=\"../../etc/passwd\"\n\nx\n"
    "--b\nContent-Type: text/plain; name=\"C:\\\\dir\\\\a.txt\"\n\ny\n"
    "--b\nContent-Type: text/plain; name=\"=?utf-8?q?bell=07tab=09nl=0A.txt?=\"\n"
    "\nz\n--b--\n",
    attachment_names=["../../etc/passwd", "C:\\dir\\a.txt",
                      "belltabnl.txt"], text_absent=True)


def main():
    for name, data in messages.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    with open(os.path.join(HERE, "expectations.json"), "w",
              encoding="utf-8") as f:
        json.dump(facts, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(messages)} messages written")


if __name__ == "__main__":
    main()
