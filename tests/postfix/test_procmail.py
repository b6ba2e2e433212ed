#!/usr/bin/env python3
"""mail2webhook under procmail, with the recipe of
packaging/procmail/procmailrc.example.

    python3 test_procmail.py BINARY [--case SUBSTR] [-v]

Each case writes the example recipe file into a temporary directory, with
/usr/bin/mail2webhook replaced by BINARY and the example URL by a scripted
webhook server on 127.0.0.1 (tests/e2e/webhook_server.py), and runs
``procmail DEFAULT=DIR/mbox MAILDIR=DIR RCFILE`` on a message, as a mail
server's local delivery agent would. "Nothing in the mailbox" means
procmail did not fall back to filing the message in DEFAULT.

Two cases take a part out of the recipe (the "w" flag, the error recipe) to
show what each part is for.

Prints "ok NAME" or "FAIL NAME: why" per case; exit status 0, 1, or 77
when procmail is not installed.
"""

from __future__ import annotations

import argparse
import os
import re
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
from postfix_lab import CaseFailed, run_cases  # noqa: E402

EXAMPLE = os.path.join(SOURCE_ROOT, "packaging", "procmail",
                       "procmailrc.example")
EXAMPLE_BINARY = "/usr/bin/mail2webhook"
EXAMPLE_URL = "https://hooks.example.com/inbound"
PROCMAIL = shutil.which("procmail") or "/usr/bin/procmail"
BOUND = 60.0  # seconds for one procmail run
SKIP = 77

# What a mail server hands procmail: an mbox "From " line (Postfix's
# local(8) and Sendmail's mailers add it) and a Return-Path field.
MESSAGE = (b"From alice@sender.test  Fri Dec  4 10:00:00 2026\n"
           b"Return-Path: <alice@sender.test>\n"
           b"From: Alice <alice@sender.test>\n"
           b"To: <support@hook.test>\n"
           b"Subject: Via procmail\n"
           b"Date: Fri, 04 Dec 2026 10:00:00 +0100\n"
           b"Message-ID: <procmail.1@sender.test>\n"
           b"\n"
           b"Hello from procmail.\n")




class Run:
    def __init__(self, rc: int, out: bytes, err: bytes, mbox: bytes):
        self.rc, self.out, self.err, self.mbox = rc, out, err, mbox

    def describe(self) -> str:
        return (f"procmail exit {self.rc}, stdout {self.out[:200]!r}, "
                f"stderr {self.err[:300]!r}, mailbox {len(self.mbox)} bytes")


class Ctx:
    def __init__(self, binary: str, verbose: bool):
        self.binary = binary
        self.verbose = verbose
        self.problems: List[str] = []

    def check(self, cond, why: str) -> bool:
        if not cond:
            self.problems.append(why)
        return bool(cond)

    def recipe(self, url: str, drop_w: bool = False,
               drop_error_recipe: bool = False) -> str:
        with open(EXAMPLE, encoding="utf-8") as f:
            text = f.read()
        if EXAMPLE_BINARY not in text or EXAMPLE_URL not in text:
            raise CaseFailed(f"{EXAMPLE} lacks {EXAMPLE_BINARY} or "
                             f"{EXAMPLE_URL}")
        text = text.replace(EXAMPLE_BINARY, self.binary)
        text = text.replace(EXAMPLE_URL, url)
        if drop_w:
            text, n = re.subn(r"(?m)^:0 w$", ":0", text)
            if n != 1:
                raise CaseFailed("no ':0 w' line in the example")
        if drop_error_recipe:
            text, n = re.subn(r"(?ms)^:0 e\n\{.*?^\}\n", "", text)
            if n != 1:
                raise CaseFailed("no ':0 e' recipe in the example")
        return text

    def procmail(self, rc_text: str, message: bytes = MESSAGE,
                 args: Sequence[str] = ()) -> Run:
        d = tempfile.mkdtemp(prefix="m2w-procmail-")
        try:
            rc_path = os.path.join(d, "procmailrc")
            with open(rc_path, "w", encoding="utf-8") as f:
                f.write(rc_text)
            mbox = os.path.join(d, "mbox")
            argv = [PROCMAIL, *args, f"DEFAULT={mbox}", f"MAILDIR={d}",
                    rc_path]
            env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
            try:
                res = subprocess.run(argv, input=message, capture_output=True,
                                     timeout=BOUND, env=env)
            except subprocess.TimeoutExpired:
                # subprocess.run has killed procmail by its pid.
                raise CaseFailed(f"procmail still running after {BOUND:.0f}s")
            try:
                with open(mbox, "rb") as f:
                    content = f.read()
            except FileNotFoundError:
                content = b""
            run = Run(res.returncode, res.stdout, res.stderr, content)
            if self.verbose:
                print(f"  $ {' '.join(argv)}\n    {run.describe()}")
            return run
        finally:
            shutil.rmtree(d, ignore_errors=True)


CASES: Dict[str, Callable[[Ctx], None]] = {}


def case(name: str):
    def deco(fn):
        CASES[name] = fn
        return fn
    return deco


@case("webhook-200-exit-0-mailbox-empty")
def ok_200(c: Ctx) -> None:
    with WebhookServer(200) as srv:
        run = c.procmail(c.recipe(srv.url("/hook")))
        c.check(run.rc == 0, f"want exit 0: {run.describe()}")
        c.check(run.mbox == b"", f"message filed in the mailbox: "
                                 f"{run.describe()}")
        c.check(srv.count() == 1, f"webhook got {srv.count()} requests")
        if srv.count():
            p = srv.requests()[0].json()
            c.check(p["subject"] == "Via procmail", f"subject {p['subject']!r}")
            c.check(p["from"] == {"name": "Alice",
                                  "email": "alice@sender.test"},
                    f"from {p['from']!r}")
            c.check(p["return-path"] == {"name": None,
                                         "email": "alice@sender.test"},
                    f"return-path {p['return-path']!r}")
            c.check(list(p["headers"])[0] == "Return-Path",
                    f"first header {list(p['headers'])[:1]!r} (the From_ "
                    f"line must be skipped)")
            # procmail ends every message it passes on with an empty line
            # (the mbox separator), so the body arrives with one more "\n".
            c.check(p["text"].rstrip("\n") == "Hello from procmail.",
                    f"text {p['text']!r}")


@case("webhook-503-exit-75-mailbox-empty")
def defer_503(c: Ctx) -> None:
    with WebhookServer(503) as srv:
        run = c.procmail(c.recipe(srv.url("/hook")))
        c.check(run.rc == 75, f"want exit 75: {run.describe()}")
        c.check(run.mbox == b"", f"message filed in the mailbox: "
                                 f"{run.describe()}")
        # The example keeps the default --retries 2.
        c.check(srv.count() == 3, f"webhook got {srv.count()} requests, "
                                  f"want 3")


@case("webhook-410-exit-75-too")
def gone_410(c: Ctx) -> None:
    """A permanent failure also leaves procmail with 75 (the example's
    error recipe sets EXITCODE=75; procmail drops the program's status
    line, which it writes to standard output)."""
    with WebhookServer(410) as srv:
        run = c.procmail(c.recipe(srv.url("/hook")))
        c.check(run.rc == 75, f"want exit 75: {run.describe()}")
        c.check(run.mbox == b"", f"message filed: {run.describe()}")
        c.check(b"5.1.1" not in run.out + run.err,
                f"the program's status line reached procmail's output: "
                f"{run.describe()}")


@case("recipient-from-procmail-a")
def recipient_from_a(c: Ctx) -> None:
    """The variant docs/integration.md and the example describe: the mail
    server runs procmail -a "$RECIPIENT", the recipe passes "$1" on."""
    with WebhookServer(200) as srv:
        text = c.recipe(srv.url("/hook"))
        cmd = f"| {c.binary} {srv.url('/hook')}"
        if cmd not in text:
            raise CaseFailed(f"no line {cmd!r} in the adapted example")
        text = text.replace(cmd, f'| {c.binary} --recipient "$1" '
                                 f'{srv.url("/hook")}')
        run = c.procmail(text, args=["-a", "support@hook.test"])
        c.check(run.rc == 0, f"want exit 0: {run.describe()}")
        c.check(srv.count() == 1, f"webhook got {srv.count()} requests")
        if srv.count():
            env = srv.requests()[0].json()["envelope"]
            c.check(env["recipients"] == ["support@hook.test"],
                    f"envelope {env!r}")


@case("without-error-recipe-503-is-filed-and-exit-0")
def no_error_recipe(c: Ctx) -> None:
    """Why the example has the ":0 e" recipe: without it a failed POST
    falls through to the default mailbox and procmail reports success."""
    with WebhookServer(503) as srv:
        run = c.procmail(c.recipe(srv.url("/hook") + " --retries 0",
                                  drop_error_recipe=True))
        c.check(run.rc == 0 and b"Via procmail" in run.mbox,
                f"procmail changed: want exit 0 and the message in the "
                f"mailbox: {run.describe()}")


@case("without-w-flag-503-is-lost-and-exit-0")
def no_w(c: Ctx) -> None:
    """Why the example has the "w" flag: without it procmail does not look
    at the exit status, so a failed POST counts as delivered."""
    with WebhookServer(503) as srv:
        run = c.procmail(c.recipe(srv.url("/hook") + " --retries 0",
                                  drop_w=True))
        c.check(run.rc == 0 and run.mbox == b"",
                f"procmail changed: want exit 0 and nothing filed: "
                f"{run.describe()}")
        c.check(srv.count() == 1, f"webhook got {srv.count()} requests")


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if not os.access(PROCMAIL, os.X_OK):
        print("skip all: procmail is not installed (Debian package "
              "procmail)")
        return SKIP
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"FAIL setup: {binary} is not executable")
        return 1
    return run_cases(CASES, lambda: Ctx(binary, args.verbose), args.case)


if __name__ == "__main__":
    sys.exit(main())
