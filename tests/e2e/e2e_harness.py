"""Small case runner shared by the end-to-end test scripts.

Each script registers named cases with ``@cases.case("name")``, then calls
``cases.main()``.  The command line is::

    python3 test_x.py BINARY SAMPLE_EML [--case SUBSTRING ...] [--list] [-v]

For every case one line is printed, ``ok NAME`` or ``FAIL NAME: why``; the
script exits 1 if any case failed (2 on a usage error).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

# Generous bound for one run of the binary; a run that is still going after
# this is killed (by its pid) and the case fails.
DEFAULT_RUN_BOUND = 40.0

# An enhanced status code (RFC 3463) at the start of the one output line.
STATUS_RE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}(\s|$)")


class CaseFailed(Exception):
    """Raised by a check that makes going on with the case pointless."""


@dataclass
class Result:
    argv: List[str]
    rc: Optional[int]
    out: bytes
    err: bytes
    elapsed: float
    killed: bool

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")

    @property
    def lines(self) -> List[str]:
        return self.text.splitlines()

    def describe(self) -> str:
        out = self.text.strip().replace("\n", "\\n")
        err = self.err.decode("utf-8", "replace").strip().replace("\n", "\\n")
        if len(out) > 300:
            out = out[:300] + "..."
        if len(err) > 300:
            err = err[:300] + "..."
        return f"rc={self.rc} stdout={out!r} stderr={err!r} t={self.elapsed:.2f}s"


def clean_env() -> Dict[str, str]:
    """Environment for the binary: no proxies, so that every request goes
    straight to the loopback server; C locale for stable messages."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy",
                                "no_proxy", "ftp_proxy")}
    env["NO_PROXY"] = "127.0.0.1,localhost,::1"
    env["no_proxy"] = env["NO_PROXY"]
    env["LC_ALL"] = "C"
    return env


class Context:
    """What a case gets: the binary, the sample and check helpers."""

    def __init__(self, binary: str, sample_path: str, verbose: bool):
        self.binary = binary
        self.sample_path = sample_path
        with open(sample_path, "rb") as f:
            self.sample = f.read()
        self.verbose = verbose
        self.problems: List[str] = []

    # -- running the binary ----------------------------------------------
    def run(self, args: Sequence[str], stdin: Optional[bytes] = None,
            bound: float = DEFAULT_RUN_BOUND) -> Result:
        """Run BINARY ARGS with STDIN (default: the sample message).

        The run is killed by its pid if it lasts longer than BOUND seconds;
        the result then has killed=True and the case fails.
        """
        if stdin is None:
            stdin = self.sample
        argv = [self.binary, *args]
        start = time.monotonic()
        proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=clean_env(), close_fds=True,
        )
        killed = False
        try:
            out, err = proc.communicate(input=stdin, timeout=bound)
        except subprocess.TimeoutExpired:
            killed = True
            proc.kill()  # SIGKILL to proc.pid only
            out, err = proc.communicate()
        elapsed = time.monotonic() - start
        res = Result(argv, proc.returncode, out, err, elapsed, killed)
        if self.verbose:
            sys.stderr.write(f"  $ {' '.join(argv)}\n    {res.describe()}\n")
        if killed:
            raise CaseFailed(f"binary still running after {bound:.0f}s, "
                             f"killed pid {proc.pid}: {res.describe()}")
        return res

    # -- checks ----------------------------------------------------------
    def check(self, cond: bool, why: str) -> bool:
        """Record WHY as a problem if COND is false; go on with the case."""
        if not cond:
            self.problems.append(why)
        return bool(cond)

    def require(self, cond: bool, why: str) -> None:
        """Like check, but stop the case at once."""
        if not cond:
            raise CaseFailed(why)

    def expect_exit(self, res: Result, code: int) -> bool:
        return self.check(res.rc == code,
                          f"exit {res.rc}, want {code} ({res.describe()})")

    def expect_silent(self, res: Result) -> bool:
        return self.check(res.out == b"", f"stdout not empty: {res.text!r}")

    def expect_status_line(self, res: Result, prefix: str) -> Optional[str]:
        """Stdout is exactly one line, an enhanced status code that starts
        with PREFIX (e.g. '4.' or '5.6.0'). Returns the line."""
        lines = res.lines
        if not self.check(len(lines) == 1,
                          f"want exactly one output line, got {len(lines)}: "
                          f"{res.text!r}"):
            return lines[0] if lines else None
        line = lines[0]
        self.check(res.text.endswith("\n"),
                   f"output line not newline-terminated: {res.text!r}")
        self.check(STATUS_RE.match(line) is not None,
                   f"output line does not start with a status code: {line!r}")
        self.check(line.startswith(prefix),
                   f"output line {line!r} does not start with {prefix!r}")
        return line

    def expect_count(self, srv, n: int, what: str = "requests") -> bool:
        got = srv.count()
        return self.check(got == n, f"server got {got} {what}, want {n}")


class Cases:
    def __init__(self, description: str):
        self.description = description
        self._cases: Dict[str, Callable[[Context], None]] = {}

    def case(self, name: str):
        def deco(fn: Callable[[Context], None]):
            if name in self._cases:
                raise ValueError(f"duplicate case {name}")
            self._cases[name] = fn
            return fn
        return deco

    def main(self, argv: Optional[Sequence[str]] = None) -> int:
        ap = argparse.ArgumentParser(description=self.description)
        ap.add_argument("binary", help="path of the built mail2webhook")
        ap.add_argument("sample", help="path of a sample .eml message")
        ap.add_argument("--case", action="append", default=[],
                        help="run only cases whose name contains this")
        ap.add_argument("--list", action="store_true", help="list cases")
        ap.add_argument("-v", "--verbose", action="store_true",
                        help="show every command and its result on stderr")
        args = ap.parse_args(argv)

        if args.list:
            for name in self._cases:
                print(name)
            return 0
        if not os.access(args.binary, os.X_OK):
            print(f"FAIL setup: {args.binary} is not an executable file")
            return 1
        if not os.path.isfile(args.sample):
            print(f"FAIL setup: sample message {args.sample} not found")
            return 1

        selected = [(n, f) for n, f in self._cases.items()
                    if not args.case or any(s in n for s in args.case)]
        if not selected:
            print("FAIL setup: no case matches " + ", ".join(args.case))
            return 1
        failed = 0
        t0 = time.monotonic()
        for name, fn in selected:
            ctx = Context(args.binary, args.sample, args.verbose)
            start = time.monotonic()
            try:
                fn(ctx)
            except CaseFailed as exc:
                ctx.problems.append(str(exc))
            except Exception as exc:  # a bug in the case or the mock
                ctx.problems.append(f"error in test: {exc!r}")
                if args.verbose:
                    traceback.print_exc()
            took = time.monotonic() - start
            if ctx.problems:
                failed += 1
                print(f"FAIL {name}: " + "; ".join(ctx.problems), flush=True)
            else:
                print(f"ok {name}" + (f"  ({took:.2f}s)" if args.verbose else ""),
                      flush=True)
        total = len(selected)
        print(f"# {total - failed}/{total} cases ok, {failed} FAIL "
              f"({time.monotonic() - t0:.1f}s)", flush=True)
        return 1 if failed else 0
