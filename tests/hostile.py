"""The catalogue of hostile inputs (issue 13), shared by the tests (tests/server/test_hostile.py, one test per
case) and `make reliability`, which counts how many were tried and rejected correctly.

Each case is one request and what a correct answer is: its allowed statuses, and text that must never be in
the answer (a file's contents, a script reflected into HTML). Requests go out as raw bytes, so dot segments,
invalid UTF-8 and NUL bytes reach the server exactly as written (HTTP libraries would tidy them up).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from http_support import raw

SCRIPT = "<script>alert(1)</script>"
SECRETS = ("root:x:0:0", "[build-system]", "import argparse")  # /etc/passwd, pyproject.toml, kg/cli.py
INSERT = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"


@dataclass(frozen=True)
class Case:
    category: str
    name: str
    target: str  # the request target as sent, already percent-encoded where it should be
    statuses: frozenset[int]
    method: str = "GET"
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    absent: tuple[str, ...] = field(default=SECRETS)
    # answered by granian before the app (server/serving.py lists when): an empty body and none of our headers,
    # so nothing that could be sniffed; the app's answers all carry nosniff
    by_server: bool = False

    def request(self, port: int) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
                 *(f"{k}: {v}" for k, v in self.headers)]
        if self.method == "POST":
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body

    def check(self, port: int) -> str | None:
        """None when the server answered as it should, else what was wrong."""
        status, response = raw(port, self.request(port), timeout=60)
        head, _, body = response.partition(b"\r\n\r\n")
        text = body.decode("utf-8", "replace")
        if status not in self.statuses:
            return f"status {status}, expected {sorted(self.statuses)}: {text[:200]}"
        if status >= 500 and status not in (502, 503, 504):
            return f"undocumented {status}"
        if self.by_server:
            if body:
                return f"expected granian's own empty answer, got {text[:200]!r}"
        elif b"x-content-type-options: nosniff" not in head.lower():
            return "no nosniff"
        for secret in self.absent:
            if secret in text:
                return f"answer contains {secret!r}"
        if b"content-type: text/html" in head.lower() and SCRIPT in text:
            return "script reflected unescaped into HTML"
        return None


def q(text: str) -> str:
    return quote(text, safe="")


# granian answers 414 to a request target over 65,534 bytes (server/serving.py), so longer queries go by POST only.
GET_LIMIT = 65_000


def sparql(name: str, category: str, query: str, statuses: set[int]) -> list[Case]:
    """The query by GET (when it fits in a URL) and by POST (form and direct body)."""
    get = [Case(category, f"{name} (GET)", f"/sparql?query={q(query)}", frozenset(statuses))]
    return [*(get if len(q(query)) < GET_LIMIT else []),
            Case(category, f"{name} (POST form)", "/sparql", frozenset(statuses), "POST",
                 f"query={q(query)}".encode(), (("Content-Type", "application/x-www-form-urlencoded"),)),
            Case(category, f"{name} (POST body)", "/sparql", frozenset(statuses), "POST", query.encode(),
                 (("Content-Type", "application/sparql-query"),))]


# An update sent as `query` is a 400 (not a query), by `update=` or application/sparql-update a 403 (read-only).
REFUSED = {400, 403}
CASES: list[Case] = [
    # deeply nested or very long queries
    *sparql("3000 nested groups", "nested/long", "SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000, {400}),
    *sparql("3000 nested parentheses", "nested/long",
            "ASK { FILTER(" + "(" * 3000 + "true" + ")" * 3000 + ") }", {400}),
    *sparql("900 KB query", "nested/long", "ASK { ?s ?p ?o } #" + "x" * 900_000, {200}),
    *sparql("1.1 MB query", "nested/long", "ASK { ?s ?p ?o } #" + "x" * 1_100_000, {413}),
    # queries built to explode
    *sparql("cartesian product", "explosive",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", {503}),
    *sparql("?s ?p ?o ten times", "explosive",
            "SELECT * WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(10)) + " }", {200, 503}),
    *sparql("unbounded property path", "explosive",
            "SELECT * WHERE { ?s (!<urn:none>|^!<urn:none>)* ?o }", {200, 503}),
    *sparql("huge VALUES", "explosive",
            "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(60_000)) + " } }", {200, 503}),
    *sparql("regex bomb (a+)+$", "explosive",
            'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(CONCAT(STR(?o), "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), "^(a+)+$")) }',
            {200, 503}),
    *sparql("regex bomb a{1000}{1000}", "explosive",
            'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(a{1000}){1000}")) }', {200, 400, 503}),
    # update forms smuggled through every parameter
    *sparql("INSERT DATA as query", "update smuggling", INSERT, REFUSED),
    *sparql("DELETE WHERE as query", "update smuggling", "DELETE WHERE { ?s ?p ?o }", REFUSED),
    *sparql("query then update", "update smuggling", f"ASK {{}} ; {INSERT}", {400, 403}),
    *sparql("update after a comment", "update smuggling", f"# SELECT\n{INSERT}", REFUSED),
    *sparql("DROP ALL", "update smuggling", "DROP ALL", REFUSED),
    *sparql("CLEAR DEFAULT", "update smuggling", "CLEAR DEFAULT", REFUSED),
    Case("update smuggling", "update= parameter", f"/sparql?update={q(INSERT)}", frozenset({403})),
    Case("update smuggling", "update= in a form body", "/sparql", frozenset({403}), "POST",
         f"update={q(INSERT)}".encode(), (("Content-Type", "application/x-www-form-urlencoded"),)),
    Case("update smuggling", "application/sparql-update body", "/sparql", frozenset({403}), "POST",
         INSERT.encode(), (("Content-Type", "application/sparql-update"),)),
    Case("update smuggling", "update as default-graph-uri", f"/sparql?query=ASK{{}}&default-graph-uri={q(INSERT)}",
         frozenset({400})),
    Case("update smuggling", "update as named-graph-uri", f"/sparql?query=ASK{{}}&named-graph-uri={q(INSERT)}",
         frozenset({400})),
    Case("update smuggling", "update as a canned query parameter",
         f"/api/queries/entity?entity={q('id:x> } ; ' + INSERT + ' #')}", frozenset(REFUSED | {404})),
    # parameter injection into canned queries
    Case("parameter injection", "IRI breaking out into UNION",
         f"/api/queries/entity?entity={q('<urn:x> } UNION { ?s ?p ?o')}", frozenset({400})),
    Case("parameter injection", "number breaking out of VALUES",
         f"/api/queries/intake-exceeds-limit?amount={q('1) } UNION { ?s ?p ?o } #')}", frozenset({400})),
    Case("parameter injection", "IRI with a quote and brace",
         "/api/queries/claim-evidence?claim=" + q('claim:x" } ?s ?p ?o'), frozenset({400, 404})),
    Case("parameter injection", "unknown parameter", "/api/queries/entity?entity=id:vitamin-d&nope=1",
         frozenset({400})),
    Case("parameter injection", "repeated parameter", "/api/queries/entity?entity=id:vitamin-d&entity=id:diuretic",
         frozenset({400})),
    # invalid UTF-8, NUL bytes, overlong headers
    Case("bytes", "invalid UTF-8 in the query string", "/sparql?query=ASK%7B%FF%7D", frozenset({400})),
    Case("bytes", "invalid UTF-8 in a direct body", "/sparql", frozenset({400}), "POST", b"ASK {\xff\xfe}",
         (("Content-Type", "application/sparql-query"),)),
    Case("bytes", "invalid UTF-8 in a form body", "/sparql", frozenset({400}), "POST", b"query=ASK%7B%C3%28%7D",
         (("Content-Type", "application/x-www-form-urlencoded"),)),
    Case("bytes", "NUL byte in the query", "/sparql?query=ASK%00%7B%7D", frozenset({400})),
    Case("bytes", "NUL byte in an entity name", "/id/vitamin-d%00", frozenset({400, 404})),
    Case("bytes", "NUL byte in an API parameter", "/api/entities?q=vit%00amin", frozenset({200, 400})),
    Case("bytes", "70 KB header", "/api/entities", frozenset({431}), headers=(("X-Pad", "a" * 70_000),)),
    Case("bytes", "300 headers of 100 bytes", "/api/entities", frozenset({431}),
         headers=tuple((f"X-H{i}", "b" * 100) for i in range(300)), by_server=True),
    Case("bytes", "101 short headers", "/api/entities", frozenset({431}),
         headers=tuple((f"X-H{i}", "b") for i in range(99)), by_server=True),
    Case("bytes", "1 MB header", "/api/entities", frozenset({431}), headers=(("X-Pad", "a" * 1_000_000),),
         by_server=True),
    Case("bytes", "request target over 64 KiB", "/sparql?query=" + q("ASK {} #" + "x" * 66_000), frozenset({414}),
         by_server=True),
    # path traversal on static files, exports and entity pages
    # 308: Flask merges the double slash of "/static//etc/passwd" into a redirect to /static/etc/passwd (a 404)
    *[Case("path traversal", f"{prefix} {target}", f"{prefix}{target}", frozenset({308, 400, 404}))
      for prefix in ("/static/", "/export/", "/id/", "/ontology/", "/api/queries/")
      for target in ("../../pyproject.toml", "..%2f..%2fpyproject.toml", "%2e%2e/%2e%2e/pyproject.toml",
                     "%252e%252e%252fpyproject.toml", "..\\..\\pyproject.toml", "....//....//etc/passwd",
                     "/etc/passwd", "..%c0%af..%c0%afetc/passwd", "../../../../../../etc/passwd")],
    Case("path traversal", "/id/../.. to the root", "/id/../../../etc/passwd", frozenset({400, 404})),
    # HTML and script in query text and parameters, reflected in pages
    # JSON and plain-text answers may quote the input (with nosniff, checked for every case); HTML never unescaped
    *[Case("reflection", f"script in {target.split('=')[0]}", target + q(SCRIPT), frozenset({200, 400, 404}))
      for target in ("/query?query=", "/query?q=", "/?from=", "/?to=", "/?step=", "/article?claim=", "/id/",
                     "/ontology/", "/exports?content=", "/api/entities?q=", "/sparql?query=",
                     "/api/explain?from=", "/api/queries/entity?entity=", "/export/")],
]
