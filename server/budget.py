"""Per-client fairness, as the Wikidata Query Service does it: each client (by its address) may spend so many
seconds of server time per window; one that has spent it gets 429 with Retry-After until enough of its past
time leaves the window, while every other client is served as before.

Off by default (``CLIENT_BUDGET`` 0), and when on it spares loopback clients unless ``BUDGET_LOOPBACK`` is
set: `make run` on a laptop should never throttle its own user. Only the peer address counts: a
``X-Forwarded-For`` header is the client's to forge, so it is ignored.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

from server.errors import error_answer

LOOPBACK = ("127.", "::1", "::ffff:127.")
# Clients remembered at once; the least recently seen is forgotten first, so memory stays bounded.
MAX_CLIENTS = 10_000


class Budget:
    def __init__(self, app: Callable, seconds: float, window: float, loopback: bool) -> None:
        self.app = app
        self.seconds = seconds
        self.window = window
        self.loopback = loopback
        self._spent: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def _charged(self, environ: dict) -> str | None:
        client = environ.get("REMOTE_ADDR") or ""
        if not self.loopback and client.startswith(LOOPBACK):
            return None
        return client

    def retry_after(self, client: str, now: float) -> int:
        """Seconds until ``client`` is under its budget again (0: it is now)."""
        with self._lock:
            spent = self._spent.get(client)
            if spent is None:
                return 0
            while spent and spent[0][0] <= now - self.window:
                spent.popleft()
            used = sum(s for _, s in spent)
            if used < self.seconds:
                return 0
            for at, seconds in spent:  # oldest first: when enough of them leave the window, it is under again
                used -= seconds
                if used < self.seconds:
                    return max(1, math.ceil(at + self.window - now))
            return math.ceil(self.window)

    def charge(self, client: str, at: float, seconds: float) -> None:
        with self._lock:
            self._spent.setdefault(client, deque()).append((at, seconds))
            self._spent.move_to_end(client)
            while len(self._spent) > MAX_CLIENTS:
                self._spent.popitem(last=False)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        client = self._charged(environ)
        if client is None:
            return self.app(environ, start_response)
        now = time.monotonic()
        wait = self.retry_after(client, now)
        if wait:
            answer = error_answer(environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", ""),
                                  f"this client has used its {self.seconds:g} s of query time per "
                                  f"{self.window:g} s; retry after {wait} s", 429)
            answer.headers["Retry-After"] = str(wait)
            return answer(environ, start_response)
        try:
            return self.app(environ, start_response)
        finally:
            self.charge(client, now, time.monotonic() - now)


def init_app(app, seconds: float, window: float, loopback: bool) -> None:
    """Put the budget in front of ``app`` (a Flask app); ``seconds`` 0 leaves it out."""
    if seconds > 0:
        app.wsgi_app = Budget(app.wsgi_app, seconds, window, loopback)
