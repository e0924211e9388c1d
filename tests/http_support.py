"""HTTP as a hostile client speaks it: raw bytes on a socket (invalid UTF-8, NUL bytes, slow bodies) and
requests from a chosen loopback address (all of 127.0.0.0/8 is this host), so tests can play several clients."""
from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path
from urllib.parse import urlencode

from requests.structures import CaseInsensitiveDict

from server.serving import SERVER_NAME


def raw(port: int, data: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send ``data`` as it is and read the answer to the end: (status, whole response)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    response = b"".join(chunks)
    return int(response.split(b" ", 2)[1]), response


def request_from(source: str, port: int, path: str, params: dict | None = None,
                 headers: dict | None = None, timeout: float = 60) -> tuple[int, CaseInsensitiveDict, str]:
    """GET ``path`` from the loopback address ``source``: (status, headers, body text). Header names are
    case-insensitive, as HTTP has them (granian writes them in lower case)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path + ("?" + urlencode(params) if params else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, CaseInsensitiveDict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def children(pid: int) -> set[int]:
    """The process ids of ``pid``'s children (the server's query workers)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found |= {int(x) for x in (task / "children").read_text().split()}
        except FileNotFoundError:  # a thread that ended since the listing (granian lets idle threads go)
            continue
    return found


def workers(pid: int) -> set[int]:
    """The query workers of the server ``pid``: its children, or with several server processes theirs (each
    names itself server.serving.SERVER_NAME once forked; a worker just forked may not have named itself yet)."""
    found: set[int] = set()
    for child in children(pid):
        try:
            name = Path(f"/proc/{child}/comm").read_text().strip()
        except FileNotFoundError:
            continue
        found |= workers(child) if name == SERVER_NAME else {child}
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is on a CPU or ready to be (state R): a worker evaluating a query."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R"
    except (FileNotFoundError, IndexError):
        return False


def wait_for(check, seconds: float = 10.0, every: float = 0.05) -> bool:
    """Whether ``check()`` comes true within ``seconds`` (asked every ``every`` s, and once more at the end)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()
