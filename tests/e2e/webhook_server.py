#!/usr/bin/env python3
"""Scripted HTTP/1.1 webhook receiver for mail2webhook's end-to-end tests.

The server binds to 127.0.0.1 on an ephemeral port, answers every request
from a scripted list of responses (the last entry repeats once the list is
used up), can delay its answers (to provoke client timeouts) and records
every request it receives so that a test can assert on count and content.

Use it as a module::

    from webhook_server import WebhookServer

    with WebhookServer("503,503,200") as srv:
        run_the_client(srv.url("/hook"))
        assert srv.count() == 3
        body = srv.requests()[0].body

or start it by hand for manual experiments::

    python3 webhook_server.py --responses 503,200 --delay 0
"""

from __future__ import annotations

import argparse
import http.server
import json
import socket
import ssl
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Tuple, Union

LOOPBACK = "127.0.0.1"

# Upper bound on a request body the mock accepts (the product's default
# --max-size is 50 MiB; a JSON payload of that is larger, so leave room).
MAX_BODY = 256 * 1024 * 1024


@dataclass(frozen=True)
class Response:
    """One scripted answer."""

    status: int = 200
    delay: float = 0.0  # seconds to wait before answering
    body: bytes = b'{"ok":true}\n'
    headers: Tuple[Tuple[str, str], ...] = (("Content-Type", "application/json"),)
    # Misbehaviour instead of a normal answer (after `delay`):
    #   "reset-request"  read half the request body, then reset (RST)
    #   "reset-response" send the headers and half the body, then reset
    #   "stall"          send the headers, then nothing until stopped
    #   "trickle"        send the headers, then one body byte per 0.2 s
    #   "ignore-body"    read the request headers, then read nothing more
    #                    (the body is recorded empty) until stopped
    action: str = ""


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    version: str
    headers: List[Tuple[str, str]]
    body: bytes
    received: float  # time.monotonic() when the body had been read
    peer: Tuple[str, int] = ("", 0)

    def header(self, name: str) -> Optional[str]:
        """First value of header NAME (case-insensitive), or None."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def header_all(self, name: str) -> List[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    def json(self):
        return json.loads(self.body.decode("utf-8"))


ResponseSpec = Union[str, int, Response, Tuple, dict, Iterable]

ACTIONS = ("", "reset-request", "reset-response", "stall", "trickle",
           "ignore-body")


def parse_responses(spec: ResponseSpec, delay: float = 0.0) -> List[Response]:
    """Turn a response script into a list of Response objects.

    Accepted forms:
      * "503,503,200"      - status codes; "200:1.5" delays that answer 1.5 s
      * 200                - one status
      * [503, (200, 2.0), Response(...), {"status": 302, "headers": [...]}]
    ``delay`` is the default delay for entries that do not give their own.
    """
    if isinstance(spec, Response):
        return [spec]
    if isinstance(spec, int):
        return [Response(status=spec, delay=delay)]
    if isinstance(spec, str):
        items: List[ResponseSpec] = [s.strip() for s in spec.split(",") if s.strip()]
    elif isinstance(spec, dict):
        items = [spec]
    else:
        items = list(spec)
    out: List[Response] = []
    for item in items:
        if isinstance(item, Response):
            out.append(item)
        elif isinstance(item, int):
            out.append(Response(status=item, delay=delay))
        elif isinstance(item, str):
            if ":" in item:
                status, _, d = item.partition(":")
                out.append(Response(status=int(status), delay=float(d)))
            else:
                out.append(Response(status=int(item), delay=delay))
        elif isinstance(item, tuple):
            status = int(item[0])
            d = float(item[1]) if len(item) > 1 else delay
            out.append(Response(status=status, delay=d))
        elif isinstance(item, dict):
            hdrs = item.get("headers", Response.headers)
            if isinstance(hdrs, dict):
                hdrs = tuple(hdrs.items())
            body = item.get("body", Response.body)
            if isinstance(body, str):
                body = body.encode("utf-8")
            out.append(
                Response(
                    status=int(item.get("status", 200)),
                    delay=float(item.get("delay", delay)),
                    body=body,
                    headers=tuple(tuple(h) for h in hdrs),
                    action=str(item.get("action", "")),
                )
            )
        else:
            raise TypeError(f"cannot read response spec item {item!r}")
    if not out:
        raise ValueError("empty response script")
    for r in out:
        if not 100 <= r.status <= 999:
            raise ValueError(f"bad status {r.status}")
        if r.action not in ACTIONS:
            raise ValueError(f"bad action {r.action!r}")
        if r.delay < 0:
            raise ValueError(f"negative delay {r.delay}")
    return out


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "webhook-mock/1"
    sys_version = ""

    # The owning WebhookServer is reachable as self.server.owner.

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if self.server.owner.verbose:
            sys.stderr.write("webhook-mock: " + (format % args) + "\n")

    def _read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("eof in chunk size")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    # trailer section up to the empty line
                    while True:
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)  # CRLF after the chunk
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        n = int(length)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(n)

    def _reset(self):
        """Close the connection with a TCP RST instead of a FIN."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _misbehave(self, resp: "Response") -> None:
        owner: WebhookServer = self.server.owner
        self.send_response(resp.status)
        self.send_header("Content-Length", str(max(len(resp.body), 1000)))
        self.end_headers()
        self.wfile.flush()
        if resp.action == "reset-response":
            self.wfile.write(resp.body[: len(resp.body) // 2])
            self._reset()
            return
        while not owner._stopping.is_set():
            if resp.action == "trickle":
                self.wfile.write(b" ")
                self.wfile.flush()
            owner._stopping.wait(0.2)
        self.close_connection = True

    def _handle(self):
        owner: WebhookServer = self.server.owner
        if owner._peek().action == "ignore-body":
            owner._record(Request(self.command, self.path,
                                  self.request_version,
                                  list(self.headers.items()), b"",
                                  time.monotonic(),
                                  tuple(self.client_address[:2])))
            owner._stopping.wait()
            self.close_connection = True
            return
        if owner._peek().action == "reset-request":
            length = int(self.headers.get("Content-Length") or 0)
            part = self.rfile.read(length // 2)
            owner._record(Request(self.command, self.path,
                                  self.request_version,
                                  list(self.headers.items()), part,
                                  time.monotonic(),
                                  tuple(self.client_address[:2])))
            self._reset()
            return
        try:
            body = self._read_body()
        except (ValueError, ConnectionError):
            self.close_connection = True
            self.send_error(400, "bad request body")
            return
        req = Request(
            method=self.command,
            path=self.path,
            version=self.request_version,
            headers=list(self.headers.items()),
            body=body,
            received=time.monotonic(),
            peer=tuple(self.client_address[:2]),
        )
        resp = owner._record(req)
        if resp.delay > 0:
            # Interruptible sleep: stop() wakes every delayed handler.
            if owner._stopping.wait(resp.delay):
                self.close_connection = True
                return
        try:
            if resp.action:
                self._misbehave(resp)
                return
            self.send_response(resp.status)
            sent_len = False
            for name, value in resp.headers:
                if name.lower() == "content-length":
                    sent_len = True
                self.send_header(name, value)
            if not sent_len:
                self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            # The client gave up (for instance after its own timeout).
            self.close_connection = True

    do_POST = _handle
    do_GET = _handle
    do_PUT = _handle
    do_PATCH = _handle
    do_DELETE = _handle
    do_HEAD = _handle
    do_OPTIONS = _handle


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "WebhookServer"

    def handle_error(self, request, client_address):
        # A client that hangs up mid-request is normal in these tests.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


class WebhookServer:
    """A scripted HTTP/1.1 server on 127.0.0.1:<ephemeral port>."""

    def __init__(
        self,
        responses: ResponseSpec = 200,
        delay: float = 0.0,
        verbose: bool = False,
        tls: Optional[ssl.SSLContext] = None,
        host: str = LOOPBACK,
    ):
        """TLS: a server-side SSLContext makes it an HTTPS server. HOST is
        only the name put into url(); the server always binds 127.0.0.1."""
        self._script = parse_responses(responses, delay)
        self.tls = tls
        self.host = host
        self.verbose = verbose
        self._lock = threading.Lock()
        self._requests: List[Request] = []
        self._requests_at_script = 0
        self._stopping = threading.Event()
        self._httpd: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> "WebhookServer":
        if self._httpd is not None:
            raise RuntimeError("already started")
        httpd = _Server((LOOPBACK, 0), _Handler)
        httpd.owner = self
        if self.tls is not None:
            httpd.socket = self.tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"webhook-mock-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> "WebhookServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("not started")
        return self._httpd.server_address[1]

    def url(self, path: str = "/hook", userinfo: str = "") -> str:
        if not path.startswith("/"):
            path = "/" + path
        auth = userinfo + "@" if userinfo else ""
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{auth}{self.host}:{self.port}{path}"

    # -- script and records ----------------------------------------------
    def set_responses(self, responses: ResponseSpec, delay: float = 0.0) -> None:
        """Replace the script; the next request gets the first new entry."""
        script = parse_responses(responses, delay)
        with self._lock:
            self._script = script
            self._requests_at_script = len(self._requests)

    def _peek(self) -> Response:
        """The answer the next request will get."""
        with self._lock:
            idx = len(self._requests) - self._requests_at_script
            return self._script[min(idx, len(self._script) - 1)]

    def _record(self, req: Request) -> Response:
        with self._lock:
            idx = len(self._requests) - self._requests_at_script
            self._requests.append(req)
            script = self._script
        return script[min(idx, len(script) - 1)]

    def requests(self) -> List[Request]:
        with self._lock:
            return list(self._requests)

    def count(self) -> int:
        with self._lock:
            return len(self._requests)

    def wait_for(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until at least N requests arrived; True if they did."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.count() >= n:
                return True
            time.sleep(0.01)
        return self.count() >= n


def free_port() -> int:
    """A loopback TCP port that nothing listens on (bound, then closed)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--responses", default="200",
                    help="comma-separated statuses, e.g. 503,503,200 or 200:2.5")
    ap.add_argument("--delay", type=float, default=0.0,
                    help="default delay before each answer, in seconds")
    ap.add_argument("--duration", type=float, default=600.0,
                    help="stop by itself after this many seconds")
    args = ap.parse_args(argv)
    srv = WebhookServer(args.responses, args.delay, verbose=True).start()
    print(srv.url("/hook"), flush=True)
    try:
        end = time.monotonic() + args.duration
        seen = 0
        while time.monotonic() < end:
            time.sleep(0.1)
            reqs = srv.requests()
            for r in reqs[seen:]:
                print(f"{r.method} {r.path} {len(r.body)} bytes", flush=True)
            seen = len(reqs)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
