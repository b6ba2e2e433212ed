"""A private, loopback-only Postfix instance for mail2webhook's tests.

``PostfixLab`` writes its own ``main.cf`` and ``master.cf`` into a
temporary directory, with its own queue, data and log directories, starts
Postfix with ``postfix -c DIR start`` and stops it with ``postfix -c DIR
stop``. Nothing of the system's Postfix setup (/etc/postfix/main.cf,
/var/spool/postfix) is read or changed.

What keeps the instance from reaching anything but this machine's loopback:
  * the only listener is one SMTP service on 127.0.0.1:<free port>
    (``inet_interfaces = loopback-only``, ``inet_protocols = ipv4``);
  * master.cf holds no smtp/lmtp/relay client at all, and no local or
    virtual delivery agent: mail for any domain that the test did not route
    goes to the ``error`` transport (``default_transport``,
    ``relay_transport``, ``local_transport``, ``virtual_transport``);
  * no relay host, no DNS (``smtp_dns_support_level = disabled``,
    ``smtpd_peername_lookup = no``);
  * the pipe transports run only programs inside the lab directory.

Postfix needs root to start (master(8) binds and switches users). Its
daemons run as Debian's ``postfix`` user (mail_owner), ``postdrop`` is the
setgid_group, and pipe transports run their command as ``nobody``; so the
lab directory is world-searchable and the programs in it world-executable.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"
POSTQUEUE = "/usr/sbin/postqueue"
POSTCONF = "/usr/sbin/postconf"
PIPE_USER = "nobody"

# Bound on one Postfix command (start, stop, postqueue, sendmail).
COMMAND_BOUND = 30.0

# One delivery attempt in the log, as pipe(8), error(8) and friends write it:
#   QID: to=<rcpt>, [orig_to=<orig>, ]relay=NAME, ..., dsn=X.Y.Z,
#   status=sent|deferred|bounced (text)
DELIVERY_RE = re.compile(
    r"postfix/[\w/-]+\[\d+\]: (?P<qid>[0-9A-Za-z]+): to=<(?P<rcpt>[^>]*)>,"
    r"(?: orig_to=<(?P<orig>[^>]*)>,)? relay=(?P<relay>[^,]+),.*"
    r" dsn=(?P<dsn>\d\.\d+\.\d+), status=(?P<status>\w+) \((?P<text>.*)\)$")
MSGID_RE = re.compile(
    r"postfix/cleanup\[\d+\]: (?P<qid>[0-9A-Za-z]+): message-id=(?P<mid>.*)$")
BOUNCE_RE = re.compile(
    r"postfix/bounce\[\d+\]: (?P<qid>[0-9A-Za-z]+): sender non-delivery "
    r"notification: (?P<nqid>[0-9A-Za-z]+)$")


class LabError(Exception):
    """The lab could not be set up or a Postfix command failed."""


def postfix_available() -> Optional[str]:
    """None if Postfix can be used here, else the reason why not."""
    for prog in (POSTFIX, SENDMAIL, POSTQUEUE, POSTCONF):
        if not os.access(prog, os.X_OK):
            return f"{prog} not found (install Debian's postfix package)"
    try:
        out = subprocess.run([POSTCONF, "-dh", "mail_version"],
                             capture_output=True, timeout=COMMAND_BOUND,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"postconf -dh mail_version: {exc}"
    if out.returncode != 0 or not out.stdout.strip():
        return f"postconf -dh mail_version failed: {out.stderr!r}"
    if os.path.islink(SENDMAIL) and "postfix" not in os.path.realpath(SENDMAIL):
        return f"{SENDMAIL} is not Postfix's ({os.path.realpath(SENDMAIL)})"
    if os.geteuid() != 0:
        return "Postfix can only be started by root"
    for user in ("postfix", PIPE_USER):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return f"no user {user}"
    return None


def searchable_tmpdir() -> str:
    """A temporary-files directory that other users (postfix, nobody) can
    reach: $TMPDIR if it and all its parents are searchable by others,
    else /tmp."""
    base = tempfile.gettempdir()
    path = os.path.abspath(base)
    while True:
        try:
            if not os.stat(path).st_mode & 0o001:
                return "/tmp"
        except OSError:
            return "/tmp"
        parent = os.path.dirname(path)
        if parent == path:
            return base
        path = parent


def free_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


@dataclass
class Delivery:
    """One delivery attempt read from the log."""
    qid: str
    rcpt: str
    orig: Optional[str]
    relay: str
    dsn: str
    status: str
    text: str


@dataclass
class PipeService:
    """One pipe(8) service in master.cf.

    ``entry`` is the complete master.cf entry text (first line and
    continuation lines); ``domains`` are routed to it by transport_maps.
    """
    name: str
    entry: str
    domains: Sequence[str]


def pipe_entry(name: str, attributes: str) -> str:
    """A master.cf pipe entry: ``name unix - n n - - pipe`` + ATTRIBUTES."""
    lines = [f"{name} unix - n n - - pipe"]
    lines += ["  " + line.strip() for line in attributes.strip().splitlines()]
    return "\n".join(lines) + "\n"


class PostfixLab:
    """A private Postfix instance in a temporary directory.

    Use as a context manager: ``with PostfixLab(...) as lab:``; Postfix is
    stopped on leaving, whatever happened.
    """

    TEST_HOST = "mx.m2w-lab.test"

    def __init__(self, services: Sequence[PipeService],
                 extra_main: str = "", virtual: Dict[str, str] = None,
                 sink_domains: Sequence[str] = ("sender.test",),
                 keep: bool = False, verbose: bool = False):
        self.services = list(services)
        self.extra_main = extra_main
        self.virtual = dict(virtual or {})
        self.sink_domains = list(sink_domains)
        self.keep = keep
        self.verbose = verbose
        self.root = tempfile.mkdtemp(prefix="m2w-postfix-",
                                     dir=searchable_tmpdir())
        os.chmod(self.root, 0o755)
        self.conf = os.path.join(self.root, "conf")
        self.queue = os.path.join(self.root, "queue")
        self.data = os.path.join(self.root, "data")
        self.logdir = os.path.join(self.root, "log")
        self.maillog = os.path.join(self.logdir, "maillog")
        self.bindir = os.path.join(self.root, "bin")
        self.sink = os.path.join(self.root, "sink")
        self.port = 0
        self.started = False

    # -- files -----------------------------------------------------------
    def install_program(self, src: str, name: str) -> str:
        """Copy SRC into the lab's bin directory, executable by everyone
        (the build directory may not be reachable for the pipe user)."""
        dst = os.path.join(self.bindir, name)
        os.makedirs(self.bindir, mode=0o755, exist_ok=True)
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o755)
        return dst

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    def _write(self, path: str, text: str, mode: int = 0o644) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, mode)

    def _write_config(self) -> None:
        for d in (self.conf, self.queue, self.logdir, self.bindir):
            os.makedirs(d, mode=0o755, exist_ok=True)
        os.makedirs(self.data, mode=0o700, exist_ok=True)
        pw = pwd.getpwnam("postfix")
        os.chown(self.data, pw.pw_uid, pw.pw_gid)  # master.lock lives here
        # The sink: a pipe program that files each message it gets as
        # sink/<queue id>.eml. Bounces to the test senders end up there.
        os.makedirs(self.sink, exist_ok=True)
        nobody = pwd.getpwnam(PIPE_USER)
        os.chown(self.sink, nobody.pw_uid, nobody.pw_gid)
        os.chmod(self.sink, 0o755)
        sink_sh = os.path.join(self.bindir, "sink.sh")
        self._write(sink_sh, "#!/bin/sh\n# $1 = directory, $2 = queue id\n"
                    "exec cat > \"$1/$2.eml\"\n", 0o755)

        self.port = free_port()
        domains = []
        transport = []
        limits = []
        for svc in self.services:
            for d in svc.domains:
                domains.append(d)
                transport.append(f"{d}\t{svc.name}:")
            limits.append(f"{svc.name}_destination_recipient_limit = 1")
        for d in self.sink_domains:
            domains.append(d)
            transport.append(f"{d}\tsink:")
        self._write(os.path.join(self.conf, "transport"),
                    "\n".join(transport) + "\n")
        self._write(os.path.join(self.conf, "virtual"),
                    "".join(f"{k}\t{v}\n" for k, v in self.virtual.items()))

        main_cf = f"""\
# Written by tests/postfix/postfix_lab.py: a private instance, loopback only.
compatibility_level = 3.6
config_directory = {self.conf}
queue_directory = {self.queue}
data_directory = {self.data}
mail_owner = postfix
setgid_group = postdrop

myhostname = {self.TEST_HOST}
mydomain = m2w-lab.test
myorigin = $myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8

# Never relay, never look anything up in the DNS.
relayhost =
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_peername_lookup = no
default_transport = error:5.7.1 no relaying from this test instance
relay_transport = error:5.7.1 no relaying from this test instance
local_transport = error:5.1.1 no local delivery in this test instance
virtual_transport = error:5.1.1 no virtual mailboxes in this test instance
alias_maps =
alias_database =
local_recipient_maps =
relay_domains = {", ".join(domains)}
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
transport_maps = texthash:{self.conf}/transport
virtual_alias_maps = texthash:{self.conf}/virtual

# Log to a file: there is no syslog daemon.
maillog_file = {self.maillog}
maillog_file_prefixes = {self.logdir}

# Deferred mail waits for "postqueue -f", so the tests decide when a
# second attempt happens.
queue_run_delay = 3600s
minimal_backoff_time = 3600s
maximal_backoff_time = 3600s
delay_warning_time = 0
smtputf8_enable = yes
biff = no
append_dot_mydomain = no
sink_destination_recipient_limit = 1
{chr(10).join(limits)}
{self.extra_main}
"""
        self._write(os.path.join(self.conf, "main.cf"), main_cf)

        master_cf = f"""\
# Written by tests/postfix/postfix_lab.py. No chroot anywhere; no smtp,
# lmtp, local or virtual delivery agent.
127.0.0.1:{self.port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
sink      unix  -       n       n       -       -       pipe
  user={PIPE_USER} argv={sink_sh} {self.sink} ${{queue_id}}
"""
        master_cf += "".join(svc.entry for svc in self.services)
        self._write(os.path.join(self.conf, "master.cf"), master_cf)
        # Postfix waits about 2 s before it reads a main.cf changed within
        # the last second; these files are complete, so date them back.
        past = time.time() - 60
        for name in ("main.cf", "master.cf", "transport", "virtual"):
            os.utime(os.path.join(self.conf, name), (past, past))

    # -- running Postfix commands ---------------------------------------
    def run(self, argv: Sequence[str], stdin: bytes = b"",
            bound: float = COMMAND_BOUND, check: bool = True
            ) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        try:
            res = subprocess.run(list(argv), input=stdin, capture_output=True,
                                 timeout=bound, env=env)
        except subprocess.TimeoutExpired as exc:
            # subprocess.run kills the child (by its pid) on timeout.
            raise LabError(f"{' '.join(argv)}: still running after "
                           f"{bound:.0f}s, killed") from exc
        if self.verbose:
            print(f"  $ {' '.join(argv)} -> {res.returncode} "
                  f"{(res.stdout + res.stderr)[:300]!r}", flush=True)
        if check and res.returncode != 0:
            raise LabError(f"{' '.join(argv)} exited {res.returncode}: "
                           f"{(res.stdout + res.stderr).decode(errors='replace')}")
        return res

    def start(self) -> None:
        self._write_config()
        self.run([POSTFIX, "-c", self.conf, "check"])
        self.started = True  # from here on, stop() must run
        self.run([POSTFIX, "-c", self.conf, "start"])
        # Wait for the SMTP listener.
        end = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1):
                    break
            except OSError:
                if time.monotonic() > end:
                    raise LabError(f"no SMTP listener on port {self.port} "
                                   f"after 15 s; log:\n{self.log_text()}")
                time.sleep(0.05)

    def master_pid(self) -> Optional[int]:
        try:
            with open(os.path.join(self.queue, "pid", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """Stop Postfix: "postfix stop"; if that fails, SIGTERM to the
        master process by its pid (which stops its children)."""
        if not self.started:
            return
        pid = self.master_pid()
        try:
            self.run([POSTFIX, "-c", self.conf, "stop"], check=False)
        except LabError:
            pass
        if pid is not None and _alive(pid):
            try:
                os.kill(pid, 15)
            except OSError:
                pass
            end = time.monotonic() + 10
            while _alive(pid) and time.monotonic() < end:
                time.sleep(0.05)
        self.started = False

    def cleanup(self) -> None:
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PostfixLab":
        try:
            self.start()
        except BaseException:
            self.stop()
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            self.cleanup()

    # -- injecting mail --------------------------------------------------
    def sendmail(self, message: bytes, sender: str,
                 recipients: Sequence[str]) -> None:
        """Inject with Postfix's sendmail(1) -C DIR (via postdrop)."""
        self.run([SENDMAIL, "-C", self.conf, "-i", "-f", sender, "--",
                  *recipients], stdin=message)

    def postqueue_flush(self) -> None:
        self.run([POSTQUEUE, "-c", self.conf, "-f"])

    def queue_entries(self) -> List[dict]:
        """``postqueue -j``: one dict per queued message."""
        res = self.run([POSTQUEUE, "-c", self.conf, "-j"])
        return [json.loads(line) for line in res.stdout.decode().splitlines()
                if line.strip()]

    def queued(self, qid: str) -> Optional[dict]:
        for entry in self.queue_entries():
            if entry.get("queue_id") == qid:
                return entry
        return None

    # -- reading the log -------------------------------------------------
    def log_text(self) -> str:
        try:
            with open(self.maillog, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_lines(self) -> List[str]:
        return self.log_text().splitlines()

    def deliveries(self, qid: str) -> List[Delivery]:
        out = []
        for line in self.log_lines():
            m = DELIVERY_RE.search(line)
            if m and m.group("qid") == qid:
                out.append(Delivery(**m.groupdict()))
        return out

    def qid_for_message_id(self, message_id: str,
                           timeout: float = 15.0) -> str:
        """The queue ID that cleanup(8) gave the message with this
        Message-ID (angle brackets included)."""
        def find():
            for line in self.log_lines():
                m = MSGID_RE.search(line)
                if m and m.group("mid") == message_id:
                    return m.group("qid")
            return None
        return self.wait(find, timeout, f"queue ID of {message_id}")

    def removed(self, qid: str) -> bool:
        return any(f": {qid}: removed" in line for line in self.log_lines())

    def bounce_qid(self, qid: str) -> Optional[str]:
        for line in self.log_lines():
            m = BOUNCE_RE.search(line)
            if m and m.group("qid") == qid:
                return m.group("nqid")
        return None

    def wait(self, probe, timeout: float, what: str):
        """Poll PROBE every 50 ms until it returns a true value; raise
        LabError with the tail of the log after TIMEOUT seconds."""
        end = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > end:
                tail = "\n".join(self.log_lines()[-25:])
                raise LabError(f"timed out after {timeout:.0f}s waiting for "
                               f"{what}; log tail:\n{tail}")
            time.sleep(0.05)

    def wait_deliveries(self, qid: str, n: int, timeout: float = 20.0
                        ) -> List[Delivery]:
        """Wait until the log holds at least N delivery attempts of QID."""
        return self.wait(lambda: (lambda d: d if len(d) >= n else None)(
            self.deliveries(qid)), timeout, f"{n} delivery attempt(s) of {qid}")

    def wait_removed(self, qid: str, timeout: float = 20.0) -> None:
        self.wait(lambda: self.removed(qid), timeout, f"{qid} removed")

    def sink_message(self, qid: str, timeout: float = 20.0
                     ) -> email.message.EmailMessage:
        """Wait for the sink transport to file the message QID; parse it."""
        path = os.path.join(self.sink, qid + ".eml")

        def probe():
            # The sink writes the file, then exits; the log line comes after.
            if os.path.exists(path) and any(
                    d.status == "sent" for d in self.deliveries(qid)):
                return True
            return False
        self.wait(probe, timeout, f"message {qid} in the sink")
        with open(path, "rb") as f:
            return email.message_from_binary_file(f, policy=email.policy.default)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is gone for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class CaseFailed(Exception):
    """A check inside a test case did not hold."""


def run_cases(cases, make_ctx, filters: Sequence[str]) -> int:
    """Runs the named cases (all, or those whose name contains one of
    `filters`) with a fresh context each; prints `ok NAME` / `FAIL NAME:
    why` and a summary; returns the exit status for meson."""
    selected = [n for n in cases if not filters or
                any(f in n for f in filters)]
    failed = 0
    t0 = time.monotonic()
    for name in selected:
        ctx = make_ctx()
        start = time.monotonic()
        try:
            cases[name](ctx)
        except CaseFailed as exc:
            ctx.problems.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug in the test
            ctx.problems.append(f"error in test: {exc!r}")
        if ctx.problems:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(ctx.problems), flush=True)
        else:
            print(f"ok {name} ({time.monotonic() - start:.2f}s)", flush=True)
    print(f"# {len(selected) - failed}/{len(selected)} cases ok, {failed} "
          f"FAIL ({time.monotonic() - t0:.1f}s)", flush=True)
    return 1 if failed else 0
