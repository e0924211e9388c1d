"""What granian answers itself, before the app and its guards (server/serving.py lists it): each limit of the
HTTP server that cannot be configured, tripped on the real server, with the answer it gives; and just under each
one, the app answers with its own headers. After all of it the server answers normally.

Bad inputs tried: a request target of 65,535 bytes, 101 header fields, 1 MB of one header, a NUL byte in a
header, a raw non-UTF-8 byte in the path, a request line that is not HTTP, a header sent byte by byte past
nothing (the header read timeout is 30 s: not waited for here, only that other clients are served meanwhile).
"""
from __future__ import annotations

import socket

import pytest
import requests
from conftest import start_server, stop_server
from http_support import raw

from server.serving import READ_BUFFER_BYTES, Server

ASK = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"


def answer(port: int, data: bytes) -> tuple[int, bytes, bytes]:
    status, response = raw(port, data, timeout=30)
    head, _, body = response.partition(b"\r\n\r\n")
    return status, head.lower(), body


def headers(n: int) -> bytes:
    return b"".join(b"X-H%d: 1\r\n" % i for i in range(n))


CASES = [  # (name, request, status, answered by the app)
    ("target of 65,534 bytes", b"GET /" + b"y" * 65_533 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     404, True),
    ("target of 65,535 bytes", b"GET /" + b"y" * 65_534 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     414, False),
    ("100 header fields", ASK + headers(98) + b"\r\n", 200, True),  # with Host and Connection: 100
    ("101 header fields", ASK + headers(99) + b"\r\n", 431, False),
    ("a header over the cap, inside the read buffer", ASK + b"X-Big: " + b"a" * (READ_BUFFER_BYTES // 2) + b"\r\n\r\n",
     431, True),
    ("a header past the read buffer", ASK + b"X-Big: " + b"a" * 1_000_000 + b"\r\n\r\n", 431, False),
    ("NUL byte in a header", ASK + b"X-A: a\x00b\r\n\r\n", 400, False),
    ("raw 0xFF in the path", b"GET /id/\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400, False),
    ("not HTTP", b"HELLO\r\n\r\n", 400, False),
]


@pytest.mark.parametrize("name,data,status,by_app", CASES, ids=[c[0] for c in CASES])
def test_what_granian_answers_itself(live_server, name, data, status, by_app):
    got, head, body = answer(live_server.port, data)
    assert got == status, (name, head[:200])
    if by_app:  # the app's answer: our security headers
        assert b"x-content-type-options: nosniff" in head
    else:  # granian's: an empty body, the connection closed, none of our headers
        assert body == b"" and b"connection: close" in head and b"nosniff" not in head
    assert requests.get(f"{live_server.url}/sparql", params={"query": "ASK {}"}, timeout=10).json()["boolean"]


def test_slow_headers_hold_no_thread(live_server):
    """Thirty clients each send half a request line and stop: granian waits for the rest without calling the
    app, so every other client is served at once."""
    socks = [socket.create_connection(("127.0.0.1", live_server.port), timeout=5) for _ in range(30)]
    try:
        for s in socks:
            s.sendall(b"GET /sparql?query=AS")
        for _ in range(5):
            r = requests.get(f"{live_server.url}/sparql", params={"query": "ASK {}"}, timeout=5)
            assert r.status_code == 200
    finally:
        for s in socks:
            s.close()


def test_header_names_go_out_in_lower_case(live_server):
    """granian writes response header names in lower case (HTTP/1.1 names are case-insensitive)."""
    _, head, _ = answer(live_server.port, ASK + b"\r\n")
    status, raw_head = raw(live_server.port, ASK + b"\r\n")
    assert b"\r\ncontent-type: " in raw_head and b"Content-Type" not in raw_head.partition(b"\r\n\r\n")[0]
    assert status == 200 and b"x-content-type-options: nosniff" in head


def test_the_server_environment_never_reads_as_a_request_header(built):
    """granian's own WSGI wrapper copies the process environment into every request; ours does not. Started
    with HTTP_COOKIE of 20 KB, CONTENT_LENGTH and HTTP_HOST in its environment, the server still answers a
    plain GET as sent (no 431 for a cookie nobody sent, no body expected, the client's own Host)."""
    server = start_server(env={"HTTP_COOKIE": "c" * 20_000, "CONTENT_LENGTH": "5", "HTTP_HOST": "evil.example"})
    try:
        r = requests.get(f"{server.url}/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                         headers={"Accept": "application/n-triples"}, timeout=10)
        assert r.status_code == 200, r.text
        assert r.text.startswith(f"<{server.url}/s>")
    finally:
        stop_server(server)


@pytest.mark.parametrize("shared", [False, True])
def test_the_listening_socket_sends_small_writes_at_once(shared):
    """TCP_NODELAY on the listening socket, which Linux gives every connection it accepts. Without it a page
    that Flask answers as an iterable (its header and body written apart) waited for the client's delayed ACK
    on a keep-alive connection: 28 ms a request, 36 requests/s on one connection (measured; 3,100 with it)."""
    server = Server(lambda environ, start_response: [], host="127.0.0.1", port=0, threads=1, shared=shared)
    try:
        assert server.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        if shared:
            server.listen_alongside()
            assert server.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        server.socket.close()
