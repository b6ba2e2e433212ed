#!/usr/bin/env python3
"""Self-test of the mock webhook server (no mail2webhook needed).

    python3 test_webhook_server.py
"""

import http.client
import os
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from webhook_server import (Response, WebhookServer, free_port,  # noqa: E402
                            parse_responses)


def post(port, path, body, headers=None, timeout=5.0, conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    conn.request("POST", path, body=body, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    if own:
        conn.close()
    return resp.status, data, resp


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def script_order_and_repeat_last():
    with WebhookServer("503,429,200") as srv:
        got = [post(srv.port, "/h", b"{}")[0] for _ in range(5)]
        assert got == [503, 429, 200, 200, 200], got
        assert srv.count() == 5


@case
def records_method_path_headers_body():
    with WebhookServer(200) as srv:
        body = b'{"a":1}\n'
        post(srv.port, "/x/y?q=1", body, {"X-Test": "v1", "User-Agent": "t/1"})
        (r,) = srv.requests()
        assert r.method == "POST" and r.path == "/x/y?q=1", (r.method, r.path)
        assert r.body == body
        assert r.header("x-test") == "v1" and r.header("User-Agent") == "t/1"
        assert r.header("Content-Length") == str(len(body))
        assert r.json() == {"a": 1}
        assert r.peer[0] == "127.0.0.1"


@case
def keep_alive_connection_reused():
    with WebhookServer("500,200") as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        try:
            s1 = post(srv.port, "/", b"1", conn=conn)[0]
            s2 = post(srv.port, "/", b"2", conn=conn)[0]
        finally:
            conn.close()
        assert (s1, s2) == (500, 200), (s1, s2)
        assert [r.body for r in srv.requests()] == [b"1", b"2"]


@case
def chunked_body():
    with WebhookServer(200) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        try:
            conn.request("POST", "/c", body=iter([b"hel", b"lo"]),
                         headers={"Transfer-Encoding": "chunked"},
                         encode_chunked=True)
            assert conn.getresponse().status == 200
        finally:
            conn.close()
        assert srv.requests()[0].body == b"hello"


@case
def delay_makes_client_time_out():
    with WebhookServer("200:3,200") as srv:
        t0 = time.monotonic()
        try:
            post(srv.port, "/", b"x", timeout=0.3)
            raise AssertionError("no timeout")
        except socket.timeout:
            pass
        assert time.monotonic() - t0 < 1.5
        assert post(srv.port, "/", b"y")[0] == 200
        assert srv.count() == 2


@case
def stop_is_prompt_with_delayed_handler():
    srv = WebhookServer(200, delay=30).start()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    assert srv.wait_for(1, 5)
    t0 = time.monotonic()
    srv.stop()
    s.close()
    assert time.monotonic() - t0 < 3, time.monotonic() - t0


@case
def custom_headers_and_set_responses():
    r = Response(status=302, headers=(("Location", "http://127.0.0.1:1/z"),))
    with WebhookServer([r]) as srv:
        status, _, resp = post(srv.port, "/", b"")
        assert status == 302 and resp.getheader("Location").endswith("/z")
        srv.set_responses("410")
        assert post(srv.port, "/", b"")[0] == 410


@case
def parse_forms():
    assert [x.status for x in parse_responses("503, 200")] == [503, 200]
    assert parse_responses("200:1.5")[0].delay == 1.5
    assert parse_responses([(503, 2)])[0].delay == 2.0
    assert parse_responses({"status": 204, "body": ""})[0].body == b""
    assert parse_responses(200, delay=0.25)[0].delay == 0.25
    for bad in ("", "abc", "99"):
        try:
            parse_responses(bad)
            raise AssertionError(f"accepted {bad!r}")
        except ValueError:
            pass


@case
def free_port_refuses():
    port = free_port()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        raise AssertionError("something listens on the free port")
    except ConnectionRefusedError:
        pass


@case
def url_is_loopback():
    with WebhookServer() as srv:
        assert srv.url("/a").startswith(f"http://127.0.0.1:{srv.port}/a")
        assert srv.url("b", "u:p") == f"http://u:p@127.0.0.1:{srv.port}/b"


@case
def reset_request_records_partial_body_and_resets():
    with WebhookServer([{"action": "reset-request"}, 200]) as srv:
        try:
            post(srv.port, "/h", b"x" * 100)
            raise AssertionError("no connection error")
        except (ConnectionError, http.client.HTTPException):
            pass
        assert srv.count() == 1 and len(srv.requests()[0].body) == 50
        assert post(srv.port, "/h", b"{}")[0] == 200


@case
def reset_response_cuts_the_answer():
    with WebhookServer([{"action": "reset-response", "body": b"y" * 400}]) \
            as srv:
        try:
            post(srv.port, "/h", b"{}")
            raise AssertionError("a cut answer read as complete")
        except (ConnectionError, http.client.HTTPException):
            pass


@case
def stall_sends_headers_then_nothing():
    with WebhookServer([{"action": "stall"}]) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=0.5)
        conn.request("POST", "/h", body=b"{}")
        resp = conn.getresponse()
        assert resp.status == 200
        try:
            resp.read()
            raise AssertionError("a stalled answer completed")
        except (socket.timeout, TimeoutError):
            pass
        conn.close()


@case
def bad_action_rejected():
    try:
        parse_responses([{"action": "explode"}])
        raise AssertionError("unknown action accepted")
    except ValueError:
        pass


@case
def tls_url_scheme_and_host():
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv = WebhookServer(tls=ctx, host="localhost")
    assert srv.tls is ctx and srv.host == "localhost"


def main():
    failed = 0
    for fn in CASES:
        try:
            fn()
            print(f"ok {fn.__name__}", flush=True)
        except Exception as exc:  # report every kind of failure
            failed += 1
            print(f"FAIL {fn.__name__}: {exc!r}", flush=True)
    print(f"# {len(CASES) - failed}/{len(CASES)} cases ok, {failed} FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
