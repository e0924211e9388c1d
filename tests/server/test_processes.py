"""`crampkg serve --processes 2`: two server processes forked after loading, each with its own query workers,
both serving the one port; one that dies is reported and replaced; SIGTERM on the parent ends them all. By
default (``auto``) one process per CPU, each with its share of the server-wide limits; one with a client budget.

Bad inputs tried: --processes 0, -1, 17 (over the cap of 16), 1.5, two and an empty value; --processes 2 with a
client budget.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import http_support
import pytest
import requests
from conftest import ROOT, start_server, stop_server
from http_support import children

from kg.cli import auto_processes, parser, serve_config
from kg.query import limits
from kg.query.limits import MAX_SERVER_PROCESSES, QUERY_WORKERS
from server.serving import SERVER_NAME, START_SECONDS, cpu_shares

# a process may take this long to start, die or be replaced on a loaded machine
wait_for = partial(http_support.wait_for, seconds=20.0)

ARGS = ["--processes", "2", "--workers", "1", "--max-workers", "1", "--cache", "0", "--timeout", "2"]


def cpu_ticks(pid: int) -> int:
    """User and system CPU time of ``pid`` so far, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def alive(pid: int) -> bool:
    path = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in path.read_text().lower()
    except FileNotFoundError:
        return False



@pytest.fixture
def two_processes(built):
    server = start_server(ARGS)
    yield server
    stop_server(server)


def test_both_processes_serve_with_their_own_workers(two_processes):
    parent = two_processes.process.pid
    processes = children(parent)
    assert len(processes) == 2, processes
    for pid in processes:  # each made its executor after the fork: its query worker is its own child
        assert len(children(pid)) == 1, (pid, children(pid))
    before = {pid: cpu_ticks(pid) for pid in processes}
    for n in range(300):  # a new connection each time: the kernel spreads connections, not requests
        r = requests.get(f"{two_processes.url}/sparql", params={"query": f"SELECT * WHERE {{ ?s a ?c }} LIMIT {n + 1}"},
                         headers={"Accept": "application/sparql-results+json", "Connection": "close"}, timeout=10)
        assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == n + 1
    used = {pid: cpu_ticks(pid) - before[pid] for pid in processes}
    assert all(ticks >= 3 for ticks in used.values()), used  # each served a share (a request costs ~1 ms)
    page = requests.get(f"{two_processes.url}/", timeout=10)
    assert page.status_code == 200 and "not medical advice" in page.text
    assert "from 2 processes" in two_processes.output()


def test_the_time_limit_holds_in_every_process(two_processes):
    """Each process made its own executor after the fork: a runaway query sent on new connections (so both
    processes get some) is stopped at the 2 s limit by whichever process took it, and that process's worker
    is replaced; a quick query still answers after."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # (triples)³ rows: hours
    workers = {pid: children(pid) for pid in children(two_processes.process.pid)}
    for _ in range(4):
        started = time.monotonic()
        r = requests.get(f"{two_processes.url}/sparql", params={"query": runaway},
                         headers={"Connection": "close"}, timeout=60)
        assert r.status_code == 503 and "2 s limit" in r.text, (r.status_code, r.text)
        assert time.monotonic() - started < 30  # stopped, not finished
    assert any(workers[pid] - children(pid) for pid in workers), "no process's worker was killed"
    quick = requests.get(f"{two_processes.url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    assert quick.status_code == 200 and quick.json()["boolean"] is True


def test_a_process_that_dies_is_reported_and_replaced(two_processes):
    parent = two_processes.process.pid
    victim, other = sorted(children(parent))
    victim_workers = children(victim)
    time.sleep(START_SECONDS)  # a process that dies during its start stops the server instead
    os.kill(victim, signal.SIGKILL)
    assert wait_for(lambda: len(children(parent)) == 2 and victim not in children(parent)), children(parent)
    assert other in children(parent)
    assert wait_for(lambda: f"server process {victim} was killed by signal 9; started" in two_processes.output())
    assert wait_for(lambda: not any(alive(pid) for pid in victim_workers)), "the dead process's worker lives on"
    for _ in range(20):
        r = requests.get(f"{two_processes.url}/sparql", params={"query": "ASK {}"},
                         headers={"Connection": "close"}, timeout=10)
        assert r.status_code == 200 and r.json()["boolean"] is True


def test_sigterm_ends_every_process(built):
    server = start_server(ARGS)
    parent = server.process.pid
    everyone = children(parent)
    everyone |= {worker for pid in everyone for worker in children(pid)}
    assert len(everyone) == 4, everyone  # two server processes, one query worker each
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
    assert wait_for(lambda: not any(alive(pid) for pid in everyone)), [pid for pid in everyone if alive(pid)]
    stop_server(server)


@pytest.mark.parametrize("value", ["0", "-1", str(MAX_SERVER_PROCESSES + 1), "1.5", "two", ""])
def test_bad_process_counts_are_refused(value, tmp_path):
    out = tmp_path / "build"
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--out", str(out), "serve", "--port", "0",
                             "--processes", value], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "argument --processes" in result.stderr, result.stderr
    assert "whole number" in result.stderr or f"from 1 to {MAX_SERVER_PROCESSES}" in result.stderr
    assert not out.exists()  # refused before any work


def test_the_limits_are_shared_out_among_the_processes():
    """The server-wide limits, divided among the processes and rounded up; one process keeps them whole."""
    args = parser().parse_args(["serve"])
    whole = serve_config(args, 1)
    assert (whole["QUERY_WORKERS"], whole["QUERY_WORKERS_MAX"], whole["QUERY_QUEUE"], whole["QUEUE_WAITING"],
            whole["QUERY_CACHE"], whole["EXECUTOR_AFTER_FORK"]) == (
        limits.QUERY_WORKERS, limits.QUERY_WORKERS_MAX, limits.QUERY_QUEUE, limits.QUEUE_WAITING,
        limits.RESPONSE_CACHE, False)
    two = serve_config(args, 2)  # of 32 threads, 2 workers up to 6, room for 8, 512 cached answers
    assert (two["QUERY_WORKERS"], two["QUERY_WORKERS_MAX"], two["QUERY_QUEUE"], two["QUEUE_WAITING"],
            two["QUERY_CACHE"], two["EXECUTOR_AFTER_FORK"]) == (1, 3, 4, 16 - 4, 256, True)
    three = serve_config(parser().parse_args(["serve", "--workers", "1", "--queue", "5", "--threads", "4"]), 3)
    assert (three["QUERY_WORKERS"], three["QUERY_WORKERS_MAX"], three["QUERY_QUEUE"], three["QUEUE_WAITING"]) == (
        1, 2, 2, 0)  # no process gets none of a limit, and fewer threads than room leave no waiting room
    # pinned server processes give their query workers every CPU; unpinned ones (and a single one) leave them be
    assert whole["WORKER_CPUS"] is None and two["WORKER_CPUS"] == sorted(os.sched_getaffinity(0))
    assert serve_config(parser().parse_args(["serve", "--no-pin-cpus"]), 2)["WORKER_CPUS"] is None


def server_processes(pid: int) -> set[int]:
    return {c for c in children(pid) if Path(f"/proc/{c}/comm").read_text().strip() == SERVER_NAME}


def test_by_default_one_process_per_cpu_each_with_its_share_of_the_workers(built):
    cpus = auto_processes()
    server = start_server()
    try:
        parent = server.process.pid
        if cpus == 1:  # one process: its children are its workers
            assert not server_processes(parent) and len(children(parent)) == QUERY_WORKERS
            return
        processes = server_processes(parent)
        assert len(processes) == cpus == len(children(parent)), children(parent)
        share = -(-QUERY_WORKERS // cpus)
        assert wait_for(lambda: all(len(children(pid)) == share for pid in processes))
        assert f"from {cpus} processes" in server.output()
        assert requests.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=10).json()["boolean"]
    finally:
        stop_server(server)


def cpus_of(pid: int) -> set[int]:
    return os.sched_getaffinity(pid)


@pytest.mark.parametrize("pin", [True, False])
def test_each_process_runs_on_its_own_share_of_the_cpus_and_its_workers_on_any(built, pin):
    """Pinned (the default), each server process runs on one share of the CPUs (``cpu_shares``), the shares
    differ, and a process started in place of a dead one gets the dead one's share; the query workers of each,
    the replacement's too, may run on every CPU. With --no-pin-cpus every process may run anywhere."""
    server = start_server([*ARGS, "--pin-cpus" if pin else "--no-pin-cpus"])
    try:
        parent = server.process.pid
        everywhere = cpus_of(parent)
        assert wait_for(lambda: all(len(children(pid)) == 1 for pid in children(parent)))
        shares = {pid: cpus_of(pid) for pid in children(parent)}
        for pid in shares:
            assert [cpus_of(worker) for worker in children(pid)] == [everywhere]
        if not pin:
            assert all(share == everywhere for share in shares.values())
            return
        assert sorted(map(sorted, shares.values())) == sorted(map(sorted, cpu_shares(2)))
        victim = min(shares)
        time.sleep(START_SECONDS)  # a process that dies during its start stops the server instead
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: len(children(parent)) == 2 and victim not in children(parent))
        (replacement,) = children(parent) - set(shares)
        # it pins itself first thing after the fork: wait for that, not for the fork
        assert wait_for(lambda: cpus_of(replacement) == shares[victim]), (cpus_of(replacement), shares[victim])
        # and its worker widens its own set first thing after its fork
        assert wait_for(lambda: [cpus_of(w) for w in children(replacement)] == [everywhere]), (
            [cpus_of(w) for w in children(replacement)])
    finally:
        stop_server(server)


def test_a_client_budget_is_served_from_one_process(built):
    """The budget is counted in one process's memory: ``auto`` gives one process then."""
    server = start_server(["--client-budget", "5"])
    try:
        assert not server_processes(server.process.pid) and len(children(server.process.pid)) == QUERY_WORKERS
    finally:
        stop_server(server)


def test_several_processes_with_a_client_budget_are_refused(tmp_path):
    out = tmp_path / "build"
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--out", str(out), "serve", "--port", "0",
                             "--processes", "2", "--client-budget", "5"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "--client-budget is counted within one server process" in result.stderr
    assert "give --processes 1 (or auto)" in result.stderr
    assert not out.exists()  # refused before any work
