"""An external SPARQL store (Oxigraph server, Virtuoso, Fuseki, …): its endpoints, its credentials, and the
one place that talks HTTP to it.

Every call has a deadline enforced here, on our side, whatever the store does: the request runs in a helper
thread and the caller stops waiting when the time is up (a store that accepts the connection and then
hangs, or trickles bytes, cannot hold a server thread longer than the limit). Every failure names the store
and says what it answered; credentials come from the environment and never appear in a message, a log line
or a ``repr``.

It refuses to guess: a store that answers something other than what the protocol says is an error, not an
empty result.
"""
from __future__ import annotations

import json
import os
import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from kg.errors import CrampkgError, StoreError, StoreRefused, StoreTimeout, StoreUnavailable, shown

T = TypeVar("T")

USER_VAR, PASSWORD_VAR, AUTH_VAR = "CRAMPKG_STORE_USER", "CRAMPKG_STORE_PASSWORD", "CRAMPKG_STORE_AUTH"
AUTH_SCHEMES = ("basic", "digest")
# Bodies above this size are sent with digest credentials up front (see Store.digest_header).
PREEMPT_BYTES = 64 * 1024
# How much of a store's error page a message quotes: enough for its own explanation, not a whole HTML page.
DETAIL_CHARS = 300


@dataclass(frozen=True)
class Credentials:
    """HTTP basic or digest credentials; the password is kept out of ``repr`` and every message."""

    user: str
    password: str = field(repr=False)
    scheme: str = "basic"

    @classmethod
    def from_env(cls, env: dict | None = None) -> Credentials | None:
        """``CRAMPKG_STORE_USER`` / ``CRAMPKG_STORE_PASSWORD`` / ``CRAMPKG_STORE_AUTH`` (basic or digest), or
        None when no user is set."""
        env = os.environ if env is None else env
        user = env.get(USER_VAR, "")
        if not user:
            return None
        scheme = (env.get(AUTH_VAR) or "basic").strip().lower()
        if scheme not in AUTH_SCHEMES:
            raise CrampkgError(f"{AUTH_VAR}={scheme!r}: use one of {', '.join(AUTH_SCHEMES)}")
        if PASSWORD_VAR not in env:
            raise CrampkgError(f"{USER_VAR} is set but {PASSWORD_VAR} is not; set both (or neither)")
        return cls(user, env[PASSWORD_VAR], scheme)


def public_url(url: str) -> str:
    """The URL without any user:password@ part, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def check_url(url: str, option: str) -> str:
    """``url`` if it is an http(s) URL with a host, a valid port and no spaces, else an error naming ``option``
    (checked before anything is sent: a bad port would otherwise surface as a ValueError from deep in urllib)."""
    url = url or ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise CrampkgError(f"{option} {shown(url)}: not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CrampkgError(f"{option} {shown(url)}: give an http:// or https:// URL of the store's endpoint")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise CrampkgError(f"{option} {shown(url)}: a URL has no spaces or control characters; percent-encode them")
    return url


def within(seconds: float | None, work: Callable[[], T], what: str) -> T:
    """``work()``, or :class:`StoreTimeout` naming ``what`` after ``seconds``.

    The work runs in a daemon thread so that the wait really ends on time; its socket has the same timeout,
    so an abandoned thread ends soon after.
    """
    if not seconds:
        return work()
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="crampkg-store")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise StoreTimeout(f"{what} did not answer within the {seconds:g} s limit")
    if "error" in box:
        raise box["error"]
    return box["value"]


def detail(body: bytes) -> str:
    """The gist of a store's error body: its text without markup, shortened."""
    text = re.sub(r"<[^>]+>", " ", body.decode("utf-8", "replace"))
    text = " ".join(text.split())
    return text[:DETAIL_CHARS] + ("…" if len(text) > DETAIL_CHARS else "")


def http_failure(exc: BaseException, who: str) -> StoreError:
    """The StoreError for a failed HTTP exchange with the store ``who``."""
    if isinstance(exc, urllib.error.HTTPError):
        body = b""
        try:
            body = exc.read()
        except OSError:
            pass
        code = exc.code
        if code in (401, 403):
            return StoreRefused(f"{who} refused the request (HTTP {code} {exc.reason}): check {USER_VAR}, "
                                f"{PASSWORD_VAR} and {AUTH_VAR} (basic or digest); {detail(body)}".rstrip("; "))
        return StoreUnavailable(f"{who} answered HTTP {code} {exc.reason}: {detail(body)}".rstrip(": "))
    if isinstance(exc, TimeoutError | socket.timeout):
        return StoreTimeout(f"{who} did not answer in time ({exc})")
    if isinstance(exc, urllib.error.URLError):
        return StoreUnavailable(f"cannot reach {who}: {exc.reason}")
    return StoreUnavailable(f"{who} failed: {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class Store:
    """A SPARQL store's endpoints. ``update_url`` defaults to the query endpoint (SPARQL 1.1 allows one URL
    for both); without ``graph_store_url`` graphs are written with SPARQL Update."""

    query_url: str
    update_url: str | None = None
    graph_store_url: str | None = None
    credentials: Credentials | None = None
    timeout: float = 30.0

    @property
    def name(self) -> str:
        return f"the store at {public_url(self.query_url)}"

    def passwords(self) -> urllib.request.HTTPPasswordMgrWithDefaultRealm:
        """The credentials for each of the store's endpoints, whatever realm it names."""
        assert self.credentials is not None
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in (self.query_url, self.update_url, self.graph_store_url):
            if url:
                passwords.add_password(None, url, self.credentials.user, self.credentials.password)
        return passwords

    def opener(self) -> urllib.request.OpenerDirector:
        handlers: list = []
        if self.credentials is not None:
            scheme = urllib.request.HTTPDigestAuthHandler if self.credentials.scheme == "digest" \
                else urllib.request.HTTPBasicAuthHandler
            handlers.append(scheme(self.passwords()))
        return urllib.request.build_opener(*handlers)

    def send(self, method: str, url: str, body: bytes | None, headers: dict[str, str], what: str) -> bytes:
        """One HTTP exchange within the time limit: the answer's body, or a StoreError naming ``what``."""
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        who = f"the store at {public_url(url)}" + (f" ({what})" if what else "")

        def exchange() -> bytes:
            try:
                if body and len(body) > PREEMPT_BYTES and self.credentials and self.credentials.scheme == "digest":
                    request.add_header("Authorization", self.digest_header(request))
                    opener = urllib.request.build_opener()
                else:
                    opener = self.opener()
                with opener.open(request, timeout=self.timeout) as response:
                    return response.read()
            except (OSError, ValueError) as exc:
                raise http_failure(exc, who) from None

        return within(self.timeout, exchange, who)

    def digest_header(self, request: urllib.request.Request) -> str:
        """A digest Authorization for ``request``, from the challenge of the same request without a body.

        urllib answers a digest challenge only after sending the whole body unauthenticated, and a store may
        close the connection on that body (Virtuoso does: a broken pipe on a large graph); so large bodies
        ask for the challenge first, with an empty request that the store refuses without reading anything.
        The answer to the challenge is urllib's own (:class:`urllib.request.HTTPDigestAuthHandler`)."""
        url, method = request.full_url, request.get_method()
        probe = urllib.request.Request(url, data=b"", method=method, headers=dict(request.header_items()))
        try:
            with urllib.request.build_opener().open(probe, timeout=self.timeout):
                raise StoreRefused(f"the store at {public_url(url)} did not ask for the credentials it was given")
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "")
            if exc.code != 401 or not challenge.lower().startswith("digest "):
                raise http_failure(exc, f"the store at {public_url(url)}") from None
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[len("digest "):]))
        answer = urllib.request.HTTPDigestAuthHandler(self.passwords()).get_authorization(request, fields)
        if answer is None:  # urllib's reasons: no realm or nonce, or an algorithm it does not know
            raise StoreRefused(f"the store at {public_url(url)} asked for digest credentials in a form urllib "
                               f"cannot answer: {challenge[:200]}")
        return f"Digest {answer}"

    def update(self, text: str, what: str = "") -> None:
        """Run a SPARQL Update request (form-encoded ``update=``, which every store accepts)."""
        url = self.update_url or self.query_url
        self.send("POST", url, urlencode({"update": text}).encode("utf-8"),
                  {"Content-Type": "application/x-www-form-urlencoded"}, what or "update")

    def put_graph(self, graph: str, ntriples: bytes, what: str = "") -> None:
        """Replace ``graph`` with the N-Triples ``ntriples`` through the Graph Store HTTP Protocol.

        Sent as ``text/turtle``: N-Triples is a subset of Turtle, and Turtle is the one format every store reads.
        """
        assert self.graph_store_url
        sep = "&" if "?" in self.graph_store_url else "?"
        url = f"{self.graph_store_url}{sep}{urlencode({'graph': graph})}"
        self.send("PUT", url, ntriples, {"Content-Type": "text/turtle; charset=utf-8"}, what or f"PUT <{graph}>")

    def select(self, text: str, what: str = "") -> dict:
        """A SELECT or ASK answered as SPARQL JSON results (for the loader's own checks)."""
        body = self.send("POST", self.query_url, urlencode({"query": text}).encode("utf-8"),
                         {"Content-Type": "application/x-www-form-urlencoded",
                          "Accept": "application/sparql-results+json"}, what or "query")
        try:
            doc = json.loads(body)
        except ValueError:
            raise StoreUnavailable(f"{self.name} answered something that is not SPARQL JSON results: "
                                   f"{detail(body)}") from None
        if not isinstance(doc, dict) or not ("boolean" in doc or "results" in doc):
            raise StoreUnavailable(f"{self.name} answered JSON that is not SPARQL results: {detail(body)}")
        return doc
