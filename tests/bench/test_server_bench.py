"""The load benchmark's own reading of a run (bench/__main__.py): how crampkg's connections were spread over its
server processes, read from /proc on a real `crampkg serve`. No time is measured or asserted here.

Bad input tried: a port nobody is connected to (every process holds none: an empty spread)."""
from __future__ import annotations

import http.client

import pytest
from conftest import free_port, start_server, stop_server

from bench.__main__ import connection_spread


def open_connections(port: int, count: int) -> list[http.client.HTTPConnection]:
    """``count`` keep-alive connections, each with one answered request (so the server has accepted it)."""
    connections = []
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sparql?query=ASK%7B%7D")
        conn.getresponse().read()
        connections.append(conn)
    return connections


@pytest.mark.parametrize("processes", [1, 2])
def test_the_spread_counts_every_connection_once_per_server_process(built, processes):
    server = start_server(["--processes", str(processes)])
    connections = []
    try:
        assert connection_spread(server.port, server.process.pid) == []
        assert connection_spread(free_port(), server.process.pid) == []
        connections = open_connections(server.port, 4)
        spread = connection_spread(server.port, server.process.pid)
        assert sum(spread) == 4 and 1 <= len(spread) <= processes, spread
        assert spread == sorted(spread, reverse=True)
        if processes == 1:
            assert spread == [4]
    finally:
        for conn in connections:
            conn.close()
        stop_server(server)
