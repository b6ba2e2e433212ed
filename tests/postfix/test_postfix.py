#!/usr/bin/env python3
"""mail2webhook under a real Postfix: pipe(8) runs the built binary.

    python3 test_postfix.py BINARY [--group main|state-dir] [--case SUBSTR]
                            [--keep] [-v]

Starts a private Postfix instance (tests/postfix/postfix_lab.py: its own
config and queue directories in a temporary directory, SMTP on a free
127.0.0.1 port, no DNS, no relaying), with pipe services that run a copy of
BINARY against scripted webhook servers on 127.0.0.1
(tests/e2e/webhook_server.py). Messages go in with sendmail(1) and over
SMTP; the outcome is read from the queue (postqueue -j), the log
(maillog_file) and the requests the webhook servers received.

The "webhook" service is the entry of packaging/postfix/master.cf.example,
with only the program path and the URL replaced.

Prints "ok NAME" or "FAIL NAME: why" per case (and the Postfix log when
a case failed), or one "skip" line when nothing can run. Exit
status: 0 all cases passed, 1 a case failed, 77 nothing could run (no
Postfix, not root, or --group state-dir with a binary without --state-dir).
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import signal
import smtplib
import subprocess
import sys
import time
import traceback
from typing import Callable, Dict, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "e2e"))

from postfix_lab import (LabError, PipeService, PostfixLab,  # noqa: E402
                         pipe_entry, postfix_available)
from webhook_server import WebhookServer  # noqa: E402

EXAMPLE = os.path.join(SOURCE_ROOT, "packaging", "postfix",
                       "master.cf.example")
EXAMPLE_BINARY = "/usr/bin/mail2webhook"
EXAMPLE_URL = "https://hooks.example.com/inbound"
SKIP = 77
SENDER = "alice@sender.test"
WAIT = 20.0  # bound on each wait for Postfix


class CaseFailed(Exception):
    pass


def example_entry(binary: str, url: str) -> str:
    """The "webhook" entry of master.cf.example, pointed at BINARY and
    URL."""
    with open(EXAMPLE, encoding="utf-8") as f:
        lines = f.read().splitlines()
    entry: List[str] = []
    for line in lines:
        if not entry:
            if re.match(r"^webhook\s+unix\s", line):
                entry.append(line)
        elif line.startswith((" ", "\t")):
            entry.append(line)
        else:
            break
    text = "\n".join(entry) + "\n"
    if not entry or EXAMPLE_BINARY not in text or EXAMPLE_URL not in text:
        raise LabError(f"{EXAMPLE}: no webhook entry with {EXAMPLE_BINARY} "
                       f"and {EXAMPLE_URL}")
    return text.replace(EXAMPLE_BINARY, binary).replace(EXAMPLE_URL, url)


def message(mid: str, to: str, subject: str, body: str = "Hello.\n",
            sender: str = SENDER, extra: str = "") -> bytes:
    return (f"From: Alice <{sender}>\n"
            f"To: <{to}>\n"
            f"Subject: {subject}\n"
            f"Date: Fri, 04 Dec 2026 10:00:00 +0100\n"
            f"Message-ID: {mid}\n"
            f"{extra}"
            f"MIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n"
            f"Content-Transfer-Encoding: 8bit\n"
            f"\n{body}").encode("utf-8")


class Suite:
    """Shared state: the lab, the webhook servers, check helpers."""

    def __init__(self, binary: str, verbose: bool):
        self.binary = binary
        self.verbose = verbose
        self.problems: List[str] = []
        self.seq = 0

    # -- checks ----------------------------------------------------------
    def check(self, cond, why: str) -> bool:
        if not cond:
            self.problems.append(why)
        return bool(cond)

    def require(self, cond, why: str) -> None:
        if not cond:
            raise CaseFailed(why)

    def eq(self, got, want, what: str) -> bool:
        return self.check(got == want, f"{what}: got {got!r}, want {want!r}")

    def new_mid(self, tag: str) -> str:
        self.seq += 1
        return f"<{tag}.{self.seq}.{os.getpid()}@sender.test>"

    # -- webhook requests ------------------------------------------------
    @staticmethod
    def payloads_for(srv: WebhookServer, mid: str, path: str = None
                     ) -> List[dict]:
        """JSON payloads of the requests SRV got for the message MID."""
        out = []
        for req in srv.requests():
            if path is not None and req.path != path:
                continue
            try:
                data = req.json()
            except ValueError:
                continue
            if data.get("message-id") == mid:
                out.append(data)
        return out

    def wait_payloads(self, srv: WebhookServer, mid: str, n: int,
                      path: str = None, timeout: float = 5.0) -> List[dict]:
        end = time.monotonic() + timeout
        while True:
            got = self.payloads_for(srv, mid, path)
            if len(got) >= n or time.monotonic() > end:
                return got
            time.sleep(0.05)

    # -- Postfix outcomes ------------------------------------------------
    def expect_sent(self, qid: str, rcpts: Sequence[str]) -> None:
        """Every recipient in RCPTS was delivered once, with dsn 2.0.0, and
        the message left the queue."""
        dels = self.lab.wait_deliveries(qid, len(rcpts), WAIT)
        for d in dels:
            self.check(d.status == "sent" and d.dsn.startswith("2."),
                       f"{qid} to {d.rcpt}: status={d.status} dsn={d.dsn} "
                       f"({d.text})")
        self.eq(sorted(d.rcpt for d in dels), sorted(rcpts),
                f"{qid}: recipients delivered")
        self.lab.wait_removed(qid, WAIT)
        self.check(self.lab.queued(qid) is None,
                   f"{qid} still in the queue after delivery")

    def wait_deferred(self, qid: str) -> None:
        """Wait until QID sits in the deferred queue. The log line of the
        deferral comes before qmgr moves the message out of the active
        queue, and "postqueue -f" does not touch a message that is still
        active (it would then wait out its backoff time)."""
        def probe():
            entry = self.lab.queued(qid)
            return entry is not None and entry.get("queue_name") == "deferred"
        self.lab.wait(probe, WAIT, f"{qid} in the deferred queue")

    def smtp_send(self, msg: bytes, sender: str, rcpts: Sequence[str],
                  options: Sequence[str] = ()) -> str:
        """Send over SMTP to the lab's listener; return the queue ID from
        the "250 ... queued as ID" answer to DATA."""
        with smtplib.SMTP("127.0.0.1", self.lab.port, timeout=15,
                          local_hostname="client.sender.test") as s:
            s.ehlo()
            code, text = s.mail(sender, list(options))
            self.require(code == 250, f"MAIL FROM: {code} {text!r}")
            for r in rcpts:
                code, text = s.rcpt(r)
                self.require(code == 250, f"RCPT TO:<{r}>: {code} {text!r}")
            # smtplib sends bytes as they are: make the line ends CRLF.
            code, text = s.data(re.sub(rb"\r?\n", b"\r\n", msg))
            self.require(code == 250, f"DATA: {code} {text!r}")
        m = re.search(rb"queued as ([0-9A-Za-z]+)", text)
        self.require(m is not None, f"no queue ID in {text!r}")
        return m.group(1).decode()


# ---------------------------------------------------------------------------
# Cases. Each gets the Suite; the lab and servers are set up in main().
CASES: Dict[str, Callable[[Suite], None]] = {}
GROUP: Dict[str, str] = {}


def case(name: str, group: str = "main"):
    def deco(fn):
        CASES[name] = fn
        GROUP[name] = group
        return fn
    return deco


@case("delivered-sendmail")
def delivered_sendmail(t: Suite) -> None:
    """sendmail -> example service -> 200: delivered, queue empty, the
    envelope macros in the payload."""
    rcpt = "deliver@hook.test"
    mid = t.new_mid("deliver")
    t.lab.sendmail(message(mid, rcpt, "Delivered via sendmail"), SENDER,
                   [rcpt])
    qid = t.lab.qid_for_message_id(mid, WAIT)
    t.expect_sent(qid, [rcpt])
    got = t.wait_payloads(t.srv_ok, mid, 1, "/example")
    t.require(len(got) == 1, f"webhook got {len(got)} payloads, want 1")
    p = got[0]
    t.eq(p["subject"], "Delivered via sendmail", "subject")
    t.eq(p["text"], "Hello.\n", "text")
    t.eq(p["from"], {"name": "Alice", "email": SENDER}, "from")
    t.eq(p["envelope"], {"sender": SENDER, "recipients": [rcpt],
                         "original-recipient": rcpt, "queue-id": qid},
         "envelope")
    # flags=R of the example
    t.eq(p["headers"].get("Return-Path"), f"<{SENDER}>", "Return-Path")
    t.eq(p["return-path"], {"name": None, "email": SENDER}, "return-path")


@case("delivered-smtp-original-recipient")
def delivered_smtp(t: Suite) -> None:
    """SMTP -> virtual alias -> example service: ${recipient} is the
    rewritten address, ${original_recipient} the one the client gave,
    ${queue_id} the ID in the SMTP reply."""
    mid = t.new_mid("alias")
    qid = t.smtp_send(message(mid, "alias@hook.test", "Via SMTP"), SENDER,
                      ["alias@hook.test"])
    t.expect_sent(qid, ["target@hook.test"])
    got = t.wait_payloads(t.srv_ok, mid, 1, "/example")
    t.require(len(got) == 1, f"webhook got {len(got)} payloads, want 1")
    t.eq(got[0]["envelope"],
         {"sender": SENDER, "recipients": ["target@hook.test"],
          "original-recipient": "alias@hook.test", "queue-id": qid},
         "envelope")
    t.eq(got[0]["subject"], "Via SMTP", "subject")


@case("deferred-503-then-postqueue-f")
def deferred_then_flush(t: Suite) -> None:
    """503: the program exits 75 with 4.x.x, the message stays in the
    deferred queue; the server recovers, postqueue -f delivers it."""
    line = by_hand(t, 503)
    t.require(line.startswith("4.4.0 "), f"by hand: {line!r}")
    rcpt = "defer@flaky.hook.test"
    mid = t.new_mid("defer")
    t.srv_flaky.set_responses(503)
    t.lab.sendmail(message(mid, rcpt, "Deferred first"), SENDER, [rcpt])
    qid = t.lab.qid_for_message_id(mid, WAIT)
    dels = t.lab.wait_deliveries(qid, 1, WAIT)
    d = dels[0]
    t.check(d.status == "deferred" and d.dsn.startswith("4."),
            f"first attempt: status={d.status} dsn={d.dsn} ({d.text})")
    # pipe(8) takes the program's leading status code as the DSN status
    # and logs the rest of the line as the reason.
    # (The newline that ends the line becomes a trailing space.)
    t.eq(f"{d.dsn} {d.text.rstrip()}", line,
         "dsn and reason vs the program's line")
    t.wait_deferred(qid)
    t.eq(len(t.payloads_for(t.srv_flaky, mid)), 1,
         "requests before the flush (--retries 0)")
    t.check(not t.lab.removed(qid), f"{qid} removed after a 503")

    t.srv_flaky.set_responses(200)
    t.lab.postqueue_flush()
    dels = t.lab.wait_deliveries(qid, 2, WAIT)
    t.check(dels[1].status == "sent" and dels[1].dsn == "2.0.0",
            f"after postqueue -f: status={dels[1].status} dsn={dels[1].dsn} "
            f"({dels[1].text})")
    t.lab.wait_removed(qid, WAIT)
    t.check(t.lab.queued(qid) is None, f"{qid} still queued")
    got = t.payloads_for(t.srv_flaky, mid)
    t.eq(len(got), 2, "requests in all")
    if len(got) == 2:
        t.eq(got[1], got[0], "payload of the second run vs the first")


@case("bounced-410-dsn-in-bounce")
def bounced_410(t: Suite) -> None:
    """410: the program prints 5.1.1; Postfix bounces with that status and
    puts the program's line in the non-delivery notice."""
    line = by_hand(t, 410)
    t.require(line.startswith("5.1.1 "), f"by hand: {line!r}")
    code, _, reason = line.partition(" ")

    rcpt = "gone@gone.hook.test"
    mid = t.new_mid("gone")
    t.lab.sendmail(message(mid, rcpt, "Bounced"), SENDER, [rcpt])
    qid = t.lab.qid_for_message_id(mid, WAIT)
    d = t.lab.wait_deliveries(qid, 1, WAIT)[0]
    t.eq((d.status, d.dsn, d.text.rstrip()), ("bounced", code, reason),
         "status, dsn and reason in the log")
    t.lab.wait_removed(qid, WAIT)
    nqid = t.lab.wait(lambda: t.lab.bounce_qid(qid), WAIT,
                      f"non-delivery notice for {qid}")
    notice = t.lab.sink_message(nqid, WAIT)
    t.eq(notice["To"], SENDER, "To of the bounce")
    status = None
    for part in notice.walk():
        if part.get_content_type() == "message/delivery-status":
            status = part
    t.require(status is not None, "no message/delivery-status part")
    # email parses message/delivery-status into a list of header blocks.
    blocks = status.get_payload()
    rcpt_block = blocks[-1] if isinstance(blocks, list) else None
    t.require(rcpt_block is not None, "delivery-status not parsed")
    t.eq(str(rcpt_block.get("Final-Recipient")), f"rfc822; {rcpt}",
         "Final-Recipient")
    t.eq(str(rcpt_block.get("Action")), "failed", "Action")
    t.eq(str(rcpt_block.get("Status")), code, "Status")
    t.eq(str(rcpt_block.get("Diagnostic-Code")), f"x-unix; {reason}",
         "Diagnostic-Code")
    # The human-readable part quotes the reason too.
    t.check(reason in notice.get_body(("plain",)).get_content(),
            f"the notice's text lacks {reason!r}")


def by_hand(t: Suite, status: int) -> str:
    """The line the program prints when a webhook answers STATUS, from a
    run by hand against a server of its own."""
    with WebhookServer(status) as probe:
        res = subprocess.run([t.binary, "--retries", "0", probe.url("/x")],
                             input=message("<probe@x>", "a@b", "probe"),
                             capture_output=True, timeout=30)
    lines = res.stdout.decode().splitlines()
    t.require(len(lines) == 1 and res.returncode in (65, 66, 67, 75),
              f"by hand, HTTP {status}: exit {res.returncode}, "
              f"output {res.stdout!r}")
    return lines[0]


def _flag_case(t: Suite, domain: str, path: str, flags: str) -> dict:
    """Deliver one message through the service with pipe FLAGS; return the
    payload after common checks."""
    rcpt = f"flag@{domain}"
    mid = t.new_mid("flag" + flags)
    t.lab.sendmail(message(mid, rcpt, f"flags={flags}"), SENDER, [rcpt])
    qid = t.lab.qid_for_message_id(mid, WAIT)
    t.expect_sent(qid, [rcpt])
    got = t.wait_payloads(t.srv_ok, mid, 1, path)
    t.require(len(got) == 1, f"webhook got {len(got)} payloads, want 1")
    p = got[0]
    t.eq(p["subject"], f"flags={flags}", "subject")
    t.eq(p["from"], {"name": "Alice", "email": SENDER}, "from")
    t.eq(p["text"], "Hello.\n", "text")
    t.eq(p["envelope"]["queue-id"], qid, "queue-id")
    bad = [k for k in p["headers"] if not re.fullmatch(r"[!-9;-~]+", k)]
    t.check(not bad, f"header names that are not field names: {bad!r}")
    names = list(p["headers"])
    t.check("Received" in names and "Subject" in names,
            f"header names: {names!r}")
    return p


@case("flags-R-return-path")
def flag_r(t: Suite) -> None:
    p = _flag_case(t, "r.hook.test", "/R", "R")
    t.eq(p["headers"].get("Return-Path"), f"<{SENDER}>", "Return-Path")
    t.eq(p["return-path"], {"name": None, "email": SENDER}, "return-path")
    t.eq(list(p["headers"])[0], "Return-Path", "first header")


@case("flags-D-delivered-to")
def flag_d(t: Suite) -> None:
    p = _flag_case(t, "d.hook.test", "/D", "D")
    t.eq(p["headers"].get("Delivered-To"), "flag@d.hook.test", "Delivered-To")
    t.eq(list(p["headers"])[0], "Delivered-To", "first header")


@case("flags-O-x-original-to")
def flag_o(t: Suite) -> None:
    p = _flag_case(t, "o.hook.test", "/O", "O")
    t.eq(p["headers"].get("X-Original-To"), "flag@o.hook.test",
         "X-Original-To")
    t.eq(list(p["headers"])[0], "X-Original-To", "first header")


@case("flags-F-from-line")
def flag_f(t: Suite) -> None:
    p = _flag_case(t, "f.hook.test", "/F", "F")
    t.eq(list(p["headers"])[0], "Received", "first header after From_ line")
    t.check(not any(k.startswith("From ") for k in p["headers"]),
            "the From_ line became a header")


@case("flags-DORF-together")
def flag_dorf(t: Suite) -> None:
    p = _flag_case(t, "dorf.hook.test", "/DORF", "DORF")
    h = p["headers"]
    t.eq(h.get("Return-Path"), f"<{SENDER}>", "Return-Path")
    t.eq(h.get("Delivered-To"), "flag@dorf.hook.test", "Delivered-To")
    t.eq(h.get("X-Original-To"), "flag@dorf.hook.test", "X-Original-To")
    t.eq(p["return-path"], {"name": None, "email": SENDER}, "return-path")
    # What the program got: the same flags, delivered into a file.
    rcpt = "flag@raw.hook.test"
    mid = t.new_mid("raw")
    t.lab.sendmail(message(mid, rcpt, "raw"), SENDER, [rcpt])
    qid = t.lab.qid_for_message_id(mid, WAIT)
    t.lab.sink_message(qid, WAIT)
    with open(os.path.join(t.lab.sink, qid + ".eml"), "rb") as f:
        head = f.read().split(b"\n")[:4]
    t.check(head[0].startswith(b"From alice@sender.test ")
            and head[1:] == [b"Return-Path: <alice@sender.test>",
                             b"X-Original-To: flag@raw.hook.test",
                             b"Delivered-To: flag@raw.hook.test"],
            f"flags=DORF did not prepend what this test expects: {head!r}")


@case("null-sender")
def null_sender(t: Suite) -> None:
    """MAIL FROM:<> (a bounce arriving at the webhook address)."""
    rcpt = "null@hook.test"
    mid = t.new_mid("null")
    msg = (f"From: Mail Delivery System <MAILER-DAEMON@sender.test>\n"
           f"To: <{rcpt}>\nSubject: Undelivered Mail Returned to Sender\n"
           f"Date: Fri, 04 Dec 2026 10:00:00 +0100\nMessage-ID: {mid}\n"
           f"\nThis is a bounce.\n").encode()
    qid = t.smtp_send(msg, "", [rcpt])
    t.expect_sent(qid, [rcpt])
    got = t.wait_payloads(t.srv_ok, mid, 1, "/example")
    t.require(len(got) == 1, f"webhook got {len(got)} payloads, want 1")
    p = got[0]
    t.eq(p["envelope"]["sender"], "", "envelope.sender of a null sender")
    t.eq(p["return-path"], {"name": None, "email": ""}, "return-path")
    t.eq(p["headers"].get("Return-Path"), "<>", "Return-Path")
    t.eq(p["envelope"]["recipients"], [rcpt], "envelope.recipients")


@case("two-recipients-limit-1")
def two_recipients(t: Suite) -> None:
    """One message, two recipients of the webhook service: with
    webhook_destination_recipient_limit = 1, two runs, one recipient
    each."""
    rcpts = ["one@hook.test", "two@hook.test"]
    mid = t.new_mid("two")
    t.lab.sendmail(message(mid, "one@hook.test", "Two recipients",
                           extra="Cc: <two@hook.test>\n"), SENDER, rcpts)
    qid = t.lab.qid_for_message_id(mid, WAIT)
    t.expect_sent(qid, rcpts)
    got = t.wait_payloads(t.srv_ok, mid, 2, "/example")
    t.eq(len(got), 2, "requests")
    t.eq(sorted(tuple(p["envelope"]["recipients"]) for p in got),
         [("one@hook.test",), ("two@hook.test",)], "recipients per run")
    t.eq({p["envelope"]["queue-id"] for p in got}, {qid}, "queue-ids")


@case("quoted-local-parts-flag-q")
def quoted_local_parts(t: Suite) -> None:
    """flags=q of the example: a local part with a space stays one
    argument, quoted, and arrives as such in the envelope."""
    sender = '"odd sender"@sender.test'
    rcpt = '"quoted rcpt"@hook.test'
    mid = t.new_mid("quoted")
    qid = t.smtp_send(message(mid, "x@hook.test", "Quoted"), sender, [rcpt])
    t.expect_sent(qid, [rcpt])
    got = t.wait_payloads(t.srv_ok, mid, 1, "/example")
    t.require(len(got) == 1, f"webhook got {len(got)} payloads, want 1")
    t.eq(got[0]["envelope"], {"sender": sender, "recipients": [rcpt],
                              "original-recipient": rcpt, "queue-id": qid},
         "envelope")
    t.eq(got[0]["return-path"], {"name": None, "email": sender},
         "return-path")


@case("smtputf8")
def smtputf8(t: Suite) -> None:
    """SMTPUTF8: UTF-8 envelope addresses and raw UTF-8 header fields."""
    sender = "jörg@sender.test"
    rcpt = "empfänger@hook.test"
    mid = t.new_mid("utf8")
    msg = (f"From: Jörg Müller <{sender}>\nTo: Empfänger <{rcpt}>\n"
           f"Subject: Grüße aus Köln ✓\n"
           f"Date: Fri, 04 Dec 2026 10:00:00 +0100\nMessage-ID: {mid}\n"
           f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           f"Content-Transfer-Encoding: 8bit\n\nSchöne Grüße ✓\n"
           ).encode("utf-8")
    qid = t.smtp_send(msg, sender, [rcpt], ["SMTPUTF8", "BODY=8BITMIME"])
    t.expect_sent(qid, [rcpt])
    got = t.wait_payloads(t.srv_ok, mid, 1, "/example")
    t.require(len(got) == 1, f"webhook got {len(got)} payloads, want 1")
    p = got[0]
    t.eq(p["subject"], "Grüße aus Köln ✓", "subject")
    t.eq(p["from"], {"name": "Jörg Müller", "email": sender}, "from")
    t.eq(p["to"], [{"name": "Empfänger", "email": rcpt}], "to")
    t.eq(p["text"], "Schöne Grüße ✓\n", "text")
    t.eq(p["envelope"], {"sender": sender, "recipients": [rcpt],
                         "original-recipient": rcpt, "queue-id": qid},
         "envelope")
    t.eq(p["return-path"], {"name": None, "email": sender}, "return-path")


@case("time-limit-bounces-deadline-defers")
def time_limit(t: Suite) -> None:
    """A run longer than the transport's time limit is killed and the
    message bounces (5.3.0); --deadline below that limit defers instead."""
    t.srv_slow.set_responses("200:6")
    mid = t.new_mid("slow")
    rcpt = "slow@slow.hook.test"
    t.lab.sendmail(message(mid, rcpt, "Too slow"), SENDER, [rcpt])
    qid = t.lab.qid_for_message_id(mid, WAIT)
    d = t.lab.wait_deliveries(qid, 1, WAIT)[0]
    t.eq((d.status, d.dsn), ("bounced", "5.3.0"),
         f"past wh_slow_time_limit ({d.text})")
    mid = t.new_mid("deadline")
    rcpt = "slow@deadline.hook.test"
    t.lab.sendmail(message(mid, rcpt, "Deadline"), SENDER, [rcpt])
    qid = t.lab.qid_for_message_id(mid, WAIT)
    d = t.lab.wait_deliveries(qid, 1, WAIT)[0]
    t.check(d.status == "deferred" and d.dsn.startswith("4.4."),
            f"--deadline 1 under a 3 s time limit: status={d.status} "
            f"dsn={d.dsn} ({d.text})")
    t.wait_deferred(qid)


@case("state-dir-no-duplicate", group="state-dir")
def state_dir(t: Suite) -> None:
    """Two URLs; the second answers 503: deferred. After it recovers,
    postqueue -f runs the program again, which must not POST to the first
    URL a second time (it remembers that URL in --state-dir)."""
    rcpt = "state@state.hook.test"
    mid = t.new_mid("state")
    t.srv_state_bad.set_responses(503)
    t.lab.sendmail(message(mid, rcpt, "State dir"), SENDER, [rcpt])
    qid = t.lab.qid_for_message_id(mid, WAIT)
    d = t.lab.wait_deliveries(qid, 1, WAIT)[0]
    t.check(d.status == "deferred" and d.dsn.startswith("4."),
            f"first run: status={d.status} dsn={d.dsn} ({d.text})")
    t.wait_deferred(qid)
    t.eq(len(t.payloads_for(t.srv_state_ok, mid)), 1, "first URL, run 1")
    t.eq(len(t.payloads_for(t.srv_state_bad, mid)), 1, "second URL, run 1")
    t.srv_state_bad.set_responses(200)
    t.lab.postqueue_flush()
    dels = t.lab.wait_deliveries(qid, 2, WAIT)
    t.check(dels[1].status == "sent",
            f"second run: status={dels[1].status} ({dels[1].text})")
    t.lab.wait_removed(qid, WAIT)
    t.eq(len(t.payloads_for(t.srv_state_ok, mid)), 1,
         "first URL after run 2 (a duplicate POST if 2)")
    t.eq(len(t.payloads_for(t.srv_state_bad, mid)), 2, "second URL, run 2")


# ---------------------------------------------------------------------------
def services(t: Suite, binary: str, state_dir: Optional[str]
             ) -> List[PipeService]:
    ok = t.srv_ok.url
    m = "--sender ${sender} --recipient ${recipient}\n" \
        "--original-recipient ${original_recipient} --queue-id ${queue_id}"

    def svc(name, flags, url, domains, extra=""):
        return PipeService(name, pipe_entry(
            name, f"flags={flags} user=nobody null_sender=\n"
                  f"argv={binary} {extra}\n{m}\n{url}"), domains)

    out = [
        PipeService("webhook", example_entry(binary, ok("/example")),
                    ["hook.test"]),
        svc("wh_flaky", "Rq", t.srv_flaky.url("/flaky"), ["flaky.hook.test"],
            "--retries 0"),
        svc("wh_gone", "Rq", t.srv_gone.url("/gone"), ["gone.hook.test"],
            "--retries 0"),
        svc("wh_r", "R", ok("/R"), ["r.hook.test"]),
        svc("wh_d", "D", ok("/D"), ["d.hook.test"]),
        svc("wh_o", "O", ok("/O"), ["o.hook.test"]),
        svc("wh_f", "F", ok("/F"), ["f.hook.test"]),
        svc("wh_dorf", "DORFq", ok("/DORF"), ["dorf.hook.test"]),
        # The same flags into the sink, to see what pipe(8) prepends.
        PipeService("raw_dorf", pipe_entry(
            "raw_dorf", f"flags=DORFq user=nobody null_sender=\n"
                        f"argv={t.lab.path('bin', 'sink.sh')} "
                        f"{t.lab.sink} ${{queue_id}}"), ["raw.hook.test"]),
    ]
    # Postfix kills wh_slow after 2 s and wh_deadline after 3 s
    # (time limits set in main()); the server answers after 6 s.
    out.append(svc("wh_slow", "Rq", t.srv_slow.url("/slow"),
                   ["slow.hook.test"], "--retries 0 --timeout 30"))
    out.append(svc("wh_deadline", "Rq", t.srv_slow.url("/deadline"),
                   ["deadline.hook.test"],
                   "--retries 0 --timeout 30 --deadline 1"))
    if state_dir:
        out.append(svc("wh_state", "Rq",
                       t.srv_state_ok.url("/first") + " "
                       + t.srv_state_bad.url("/second"),
                       ["state.hook.test"],
                       f"--retries 0 --state-dir {state_dir}"))
    return out


def has_state_dir(binary: str) -> bool:
    res = subprocess.run([binary, "--help"], capture_output=True, timeout=30)
    return b"--state-dir" in res.stdout


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--group", default="main", choices=["main", "state-dir"])
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("--keep", action="store_true",
                    help="keep the lab directory (its path is printed)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    why = postfix_available()
    if why:
        print(f"skip all: {why}")
        return SKIP
    if not os.access(args.binary, os.X_OK):
        print(f"FAIL setup: {args.binary} is not executable")
        return 1
    want_state = args.group == "state-dir"
    if want_state and not has_state_dir(args.binary):
        print("skip state-dir-no-duplicate: mail2webhook --help does not "
              "list --state-dir")
        return SKIP
    selected = [n for n in CASES if GROUP[n] == args.group
                and (not args.case or any(s in n for s in args.case))]
    if not selected:
        print("FAIL setup: no case selected")
        return 1

    # meson ends a test that runs too long with SIGTERM: turn it into an
    # exception so that the finally blocks stop Postfix. (The master
    # process runs in its own session and would outlive this script.)
    def on_term(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")
    signal.signal(signal.SIGTERM, on_term)

    t = Suite(args.binary, args.verbose)
    t0 = time.monotonic()
    t.srv_ok = WebhookServer(200)
    t.srv_flaky = WebhookServer(503)
    t.srv_gone = WebhookServer(410)
    t.srv_state_ok = WebhookServer(200)
    t.srv_state_bad = WebhookServer(503)
    t.srv_slow = WebhookServer(200)
    servers = [t.srv_ok, t.srv_flaky, t.srv_gone, t.srv_state_ok,
               t.srv_state_bad, t.srv_slow]
    failed = 0
    try:
        for s in servers:
            s.start()
        lab = PostfixLab([], virtual={"alias@hook.test": "target@hook.test"},
                         extra_main="wh_slow_time_limit = 2s\n"
                                    "wh_deadline_time_limit = 3s\n",
                         keep=args.keep, verbose=args.verbose)
        t.lab = lab
        binary = lab.install_program(args.binary, "mail2webhook")
        state_dir = None
        if want_state:
            state_dir = lab.path("state")
            os.makedirs(state_dir)
            nobody = pwd.getpwnam("nobody")
            os.chown(state_dir, nobody.pw_uid, nobody.pw_gid)
            os.chmod(state_dir, 0o700)
        lab.services = services(t, binary, state_dir)
        if args.keep:
            print(f"# lab directory: {lab.root}")
        with lab:
            for name in selected:
                t.problems = []
                start = time.monotonic()
                try:
                    CASES[name](t)
                except (CaseFailed, LabError) as exc:
                    t.problems.append(str(exc))
                except Exception as exc:  # a bug in the test itself
                    t.problems.append(f"error in test: {exc!r}")
                    if args.verbose:
                        traceback.print_exc()
                took = time.monotonic() - start
                if t.problems:
                    failed += 1
                    print(f"FAIL {name}: " + "; ".join(t.problems),
                          flush=True)
                else:
                    print(f"ok {name} ({took:.2f}s)", flush=True)
            if failed:
                print("# the instance's log:\n" + lab.log_text())
    except LabError as exc:
        print(f"FAIL setup: {exc}")
        return 1
    finally:
        for s in servers:
            s.stop()
    print(f"# {len(selected) - failed}/{len(selected)} cases ok, {failed} "
          f"FAIL ({time.monotonic() - t0:.1f}s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
