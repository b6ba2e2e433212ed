#!/usr/bin/env python3
"""mail2webhook from a Sieve script under Dovecot's dovecot-lda.

    python3 test_sieve.py BINARY [--case SUBSTR] [-v]

Each case writes a private Dovecot configuration into a temporary directory
(its own base_dir, log file, Maildir and Sieve script; no Dovecot daemon is
started) and runs ``dovecot-lda -c DIR/dovecot.conf -f SENDER -a RCPT`` on
a message, as user nobody when run as root. The Sieve scripts are those of
docs/integration.md: vnd.dovecot.pipe, and vnd.dovecot.execute with a
fallback folder. The webhook is a scripted server on 127.0.0.1
(tests/e2e/webhook_server.py).

What the cases show is Dovecot's rule, not mail2webhook's: dovecot-lda exits
0 whatever the program's exit status; a failed "pipe" leaves the message in
INBOX (implicit keep), and a failed "pipe :try" loses it.

Prints "ok NAME" or "FAIL NAME: why" per case; exit status 0, 1, or 77
when dovecot-lda or the Sieve extprograms plugin is not installed.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "e2e"))

from webhook_server import WebhookServer  # noqa: E402

sys.path.insert(0, HERE)
from postfix_lab import (CaseFailed, run_cases,  # noqa: E402
                         searchable_tmpdir)

LDA = "/usr/lib/dovecot/dovecot-lda"
EXTPROGRAMS = "/usr/lib/dovecot/modules/sieve/lib90_sieve_extprograms_plugin.so"
BOUND = 60.0
SKIP = 77
SENDER = "alice@sender.test"
RCPT = "support@hook.test"

MESSAGE = (b"Return-Path: <alice@sender.test>\n"
           b"From: Alice <alice@sender.test>\n"
           b"To: <support@hook.test>\n"
           b"Subject: Via Sieve\n"
           b"Date: Fri, 04 Dec 2026 10:00:00 +0100\n"
           b"Message-ID: <sieve.1@sender.test>\n"
           b"\n"
           b"Hello from Sieve.\n")

# The scripts of docs/integration.md; URL is filled in.
PIPE_SCRIPT = """\
require ["vnd.dovecot.pipe", "envelope", "variables"];
if envelope :matches "from" "*" { set "sender" "${1}"; }
if envelope :matches "to" "*" { set "recipient" "${1}"; }
pipe%(try)s "mail2webhook" ["--sender", "${sender}",
                      "--recipient", "${recipient}",
                      "--timeout", "5", "--deadline", "8",
                      "URL"];
"""

EXECUTE_SCRIPT = """\
require ["vnd.dovecot.execute", "envelope", "variables", "fileinto",
         "mailbox"];
if envelope :matches "from" "*" { set "sender" "${1}"; }
if envelope :matches "to" "*" { set "recipient" "${1}"; }
if execute :pipe "mail2webhook" ["--sender", "${sender}",
                                  "--recipient", "${recipient}",
                                  "--timeout", "5", "--deadline", "8",
                                  "URL"] {
  discard;
} else {
  fileinto :create "webhook-failed";
}
"""




class Lda:
    """One dovecot-lda run in a private directory."""

    def __init__(self, binary: str, script: str, verbose: bool):
        self.dir = tempfile.mkdtemp(prefix="m2w-sieve-",
                                    dir=searchable_tmpdir())
        os.chmod(self.dir, 0o755)
        self.verbose = verbose
        d = self.dir
        self.bin = os.path.join(d, "bin")
        self.home = os.path.join(d, "home")
        self.maildir = os.path.join(self.home, "Maildir")
        self.log = os.path.join(d, "dovecot.log")
        for sub in ("bin", "home", "run"):
            os.makedirs(os.path.join(d, sub))
        shutil.copyfile(binary, os.path.join(self.bin, "mail2webhook"))
        os.chmod(os.path.join(self.bin, "mail2webhook"), 0o755)
        with open(os.path.join(self.home, "active.sieve"), "w") as f:
            f.write(script)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("nobody")
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
        else:
            self.uid, self.gid = os.geteuid(), os.getegid()
        with open(os.path.join(d, "dovecot.conf"), "w") as f:
            f.write(f"""\
# Written by tests/postfix/test_sieve.py: no daemon, no listener.
protocols =
base_dir = {d}/run
log_path = {self.log}
info_log_path = {self.log}
ssl = no
first_valid_uid = 1
hostname = mx.m2w-lab.test
postmaster_address = postmaster@hook.test
mail_location = maildir:{self.maildir}
protocol lda {{
  mail_plugins = sieve
}}
plugin {{
  sieve = file:{self.home}/sieve;active={self.home}/active.sieve
  sieve_plugins = sieve_extprograms
  sieve_extensions = +vnd.dovecot.pipe +vnd.dovecot.execute
  sieve_pipe_bin_dir = {self.bin}
  sieve_execute_bin_dir = {self.bin}
  sieve_pipe_exec_timeout = 10s
  sieve_execute_exec_timeout = 10s
}}
""")
        for root, dirs, files in os.walk(d):
            for name in dirs + files:
                os.chown(os.path.join(root, name), self.uid, self.gid)
        os.chown(d, self.uid, self.gid)

    def run(self, message: bytes = MESSAGE) -> int:
        argv = [LDA, "-c", os.path.join(self.dir, "dovecot.conf"),
                "-f", SENDER, "-a", RCPT]
        kw = {}
        if os.geteuid() == 0:
            kw = dict(user=self.uid, group=self.gid, extra_groups=[])
        try:
            res = subprocess.run(argv, input=message, capture_output=True,
                                 timeout=BOUND, cwd=self.dir,
                                 env={"PATH": "/usr/bin:/bin",
                                      "HOME": self.home, "USER": "nobody"},
                                 **kw)
        except subprocess.TimeoutExpired:
            raise CaseFailed(f"dovecot-lda still running after {BOUND:.0f}s "
                             "(killed)")
        self.out = res.stdout + res.stderr
        if self.verbose:
            print(f"  $ {' '.join(argv)} -> {res.returncode} {self.out!r}\n"
                  f"{self.log_text()}")
        return res.returncode

    def stored(self, folder: str = "") -> List[bytes]:
        """Messages delivered to INBOX (or FOLDER) of the Maildir."""
        base = self.maildir if not folder else os.path.join(
            self.maildir, "." + folder)
        out = []
        for sub in ("new", "cur"):
            p = os.path.join(base, sub)
            if os.path.isdir(p):
                for name in sorted(os.listdir(p)):
                    with open(os.path.join(p, name), "rb") as f:
                        out.append(f.read())
        return out

    def log_text(self) -> str:
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Ctx:
    def __init__(self, binary: str, verbose: bool):
        self.binary = binary
        self.verbose = verbose
        self.problems: List[str] = []

    def check(self, cond, why: str) -> bool:
        if not cond:
            self.problems.append(why)
        return bool(cond)

    def deliver(self, script: str, status: int):
        """Run dovecot-lda with SCRIPT against a server answering STATUS;
        return (exit status, Lda, server requests)."""
        with WebhookServer(status) as srv:
            lda = Lda(self.binary, script.replace("URL", srv.url("/hook")),
                      self.verbose)
            try:
                rc = lda.run()
                return rc, lda, srv.requests()
            except BaseException:
                lda.close()
                raise


CASES: Dict[str, Callable[[Ctx], None]] = {}


def case(name: str):
    def deco(fn):
        CASES[name] = fn
        return fn
    return deco


@case("pipe-200-delivered-not-kept")
def pipe_ok(c: Ctx) -> None:
    rc, lda, reqs = c.deliver(PIPE_SCRIPT % {"try": ""}, 200)
    try:
        c.check(rc == 0, f"dovecot-lda exit {rc}: {lda.out!r}")
        c.check(lda.stored() == [], "message also kept in INBOX")
        c.check(len(reqs) == 1, f"webhook got {len(reqs)} requests")
        if reqs:
            p = reqs[0].json()
            c.check(p["subject"] == "Via Sieve", f"subject {p['subject']!r}")
            c.check(p["envelope"]["sender"] == SENDER
                    and p["envelope"]["recipients"] == [RCPT],
                    f"envelope {p['envelope']!r}")
            c.check(p["text"] == "Hello from Sieve.\n", f"text {p['text']!r}")
    finally:
        lda.close()


@case("pipe-503-kept-in-inbox-lda-exit-0")
def pipe_fail(c: Ctx) -> None:
    """The limit: the program exits 75, dovecot-lda still exits 0 (the mail
    server will not retry) and files the message in INBOX instead."""
    rc, lda, reqs = c.deliver(PIPE_SCRIPT % {"try": ""}, 503)
    try:
        c.check(rc == 0, f"dovecot-lda exit {rc}, Dovecot changed: "
                         f"{lda.out!r}")
        c.check(len(lda.stored()) == 1, f"{len(lda.stored())} messages "
                                        "in INBOX, want 1 (implicit keep)")
        c.check(len(reqs) == 3, f"webhook got {len(reqs)} requests, want 3")
        log = lda.log_text()
        c.check("non-zero exit code 75" in log,
                f"the log lacks the exit code: {log!r}")
    finally:
        lda.close()


@case("pipe-try-503-message-lost")
def pipe_try_fail(c: Ctx) -> None:
    """Why docs/integration.md says not to use "pipe :try": a failure is
    ignored and the message is neither posted nor kept."""
    rc, lda, reqs = c.deliver(PIPE_SCRIPT % {"try": " :try"}, 503)
    try:
        c.check(rc == 0, f"dovecot-lda exit {rc}: {lda.out!r}")
        c.check(lda.stored() == [],
                "Dovecot changed: pipe :try now keeps the message")
    finally:
        lda.close()


@case("execute-503-filed-into-webhook-failed")
def execute_fail(c: Ctx) -> None:
    rc, lda, reqs = c.deliver(EXECUTE_SCRIPT, 503)
    try:
        c.check(rc == 0, f"dovecot-lda exit {rc}: {lda.out!r}")
        c.check(lda.stored() == [], "message in INBOX")
        c.check(len(lda.stored("webhook-failed")) == 1,
                "message not in the webhook-failed folder")
    finally:
        lda.close()


@case("execute-200-discarded")
def execute_ok(c: Ctx) -> None:
    rc, lda, reqs = c.deliver(EXECUTE_SCRIPT, 200)
    try:
        c.check(rc == 0, f"dovecot-lda exit {rc}: {lda.out!r}")
        c.check(lda.stored() == [] and lda.stored("webhook-failed") == [],
                "message kept somewhere")
        c.check(len(reqs) == 1, f"webhook got {len(reqs)} requests")
        if reqs:
            c.check(reqs[0].json()["envelope"]["recipients"] == [RCPT],
                    f"envelope {reqs[0].json()['envelope']!r}")
    finally:
        lda.close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    for path, pkg in ((LDA, "dovecot-core"), (EXTPROGRAMS, "dovecot-sieve")):
        if not os.path.exists(path):
            print(f"skip all: {path} not found (Debian package {pkg})")
            return SKIP
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"FAIL setup: {binary} is not executable")
        return 1
    return run_cases(CASES, lambda: Ctx(binary, args.verbose), args.case)


if __name__ == "__main__":
    sys.exit(main())
