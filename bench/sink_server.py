#!/usr/bin/env python3
"""Minimal webhook receiver for the delivery benchmark.

Listens on 127.0.0.1 only, reads and discards each request body in 1 MiB
blocks (Content-Length or chunked) and answers 200 with an empty body.
Prints the port it listens on as the first line of stdout; runs until
killed (SIGTERM) by the benchmark that started it.
"""
import http.server
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps Expect: 100-continue working

    def _discard(self):
        remaining = self.headers.get("Content-Length")
        if remaining is not None:
            remaining = int(remaining)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
        elif "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                while size > 0:
                    size -= len(self.rfile.read(min(size, 1 << 20)))
                self.rfile.readline()

    def do_POST(self):
        self._discard()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
