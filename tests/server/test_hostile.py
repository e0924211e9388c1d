"""The hostile-input catalogue (tests/hostile.py), one test per case against a live server with small limits,
and the cases that need more than one request: file:// and loopback URLs never read or fetched, slow bodies
that do not hold up other clients, XML entities never expanded, and the data unchanged after all of it."""
from __future__ import annotations

import os
import socket
import stat
import threading
import time

import pytest
import requests
from conftest import start_server, stop_server
from hostile import CASES
from rdflib import Graph

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def hostile_server(built):
    """A 1 s time limit (explosive queries end quickly), 100 rows, default size caps, no cache."""
    server = start_server(["--timeout", "1", "--max-rows", "100", "--cache", "0"])
    yield server
    stop_server(server)


def triples(server) -> int:
    r = requests.get(f"{server.url}/sparql", params={"query": COUNT}, timeout=30)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def before(hostile_server) -> int:
    return triples(hostile_server)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category}: {c.name}" for c in CASES])
def test_hostile_input_is_answered_correctly(hostile_server, before, case):
    assert case.check(hostile_server.port) is None, case.check(hostile_server.port)


def test_the_data_is_unchanged_after_the_catalogue(hostile_server, before):
    """Runs after every case on this worker: the same number of quads as before, and no urn:x triple."""
    for case in CASES:
        if case.category == "update smuggling":
            case.check(hostile_server.port)
    assert triples(hostile_server) == before
    r = requests.get(f"{hostile_server.url}/sparql", params={"query": "ASK { <urn:x> ?p ?o }"}, timeout=10)
    assert r.json()["boolean"] is False


def test_file_urls_are_never_opened(hostile_server, tmp_path):
    """FROM, FROM NAMED, SERVICE, LOAD, DESCRIBE and the dataset parameters naming a FIFO by file://: a reader
    opening the FIFO would let our writer in, so "never opened" is checked, not assumed. /etc/passwd by
    file:// never shows up in an answer either."""
    fifo = tmp_path / "graph.ttl"
    os.mkfifo(fifo)
    url = fifo.as_uri()
    queries = [f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{}} }}",
               f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", f"LOAD <{url}>", f"DESCRIBE <{url}>",
               "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"]
    opened: list[str] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody has it open for reading
                time.sleep(0.01)
                continue
            opened.append("opened")
            os.close(fd)

    thread = threading.Thread(target=probe)
    thread.start()
    try:
        for text in queries:
            for param in ("query",):
                r = requests.get(f"{hostile_server.url}/sparql", params={param: text}, timeout=30)
                assert r.status_code in (200, 400, 403) and "root:x:0:0" not in r.text
        for param in ("default-graph-uri", "named-graph-uri"):
            r = requests.get(f"{hostile_server.url}/sparql", params={"query": "SELECT * { ?s ?p ?o }", param: url},
                             timeout=30)
            assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    finally:
        done.set()
        thread.join(5)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and opened == []


def test_slow_bodies_do_not_hold_up_other_clients(hostile_server):
    """Twenty slowloris connections each promise a 10 KB body and send a byte every 0.2 s; meanwhile other
    clients' queries are answered."""
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", hostile_server.port), timeout=5)
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 10000\r\n\r\nASK")
        socks.append(s)
    try:
        for _ in range(5):
            for s in socks:
                s.sendall(b" ")
            r = requests.get(f"{hostile_server.url}/sparql", params={"query": "ASK {}"}, timeout=10)
            assert r.status_code == 200
            time.sleep(0.2)
    finally:
        for s in socks:
            s.close()


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY ext SYSTEM "file:///etc/passwd">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex#">
  <rdf:Description rdf:about="urn:x"><ex:big>&f;</ex:big></rdf:Description>
  <rdf:Description rdf:about="urn:y"><ex:file>&ext;</ex:file></rdf:Description>
</rdf:RDF>"""


def test_xml_entities_are_never_expanded():
    """crampkg parses RDF/XML only through rdflib (the tests read its own RDF/XML exports back; no route
    accepts RDF bodies). A billion-laughs document (80 bytes x 30^5 = 1.9 GB expanded) is refused by the
    parser, and an external entity naming /etc/passwd is never read into a literal."""
    graph = Graph()
    try:
        graph.parse(data=BILLION_LAUGHS, format="xml")
    except Exception as exc:  # expat's amplification limit stops the parse
        assert "amplification" in str(exc).lower() or "entity" in str(exc).lower(), exc
    assert all(len(str(o)) < 10_000_000 for o in graph.objects())
    assert not any("root:x:0:0" in str(o) for o in graph.objects())
    external = BILLION_LAUGHS.replace("<ex:big>&f;</ex:big>", "")
    graph = Graph().parse(data=external, format="xml")
    assert not any("root:" in str(o) for o in graph.objects())
