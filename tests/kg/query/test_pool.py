"""The executor's worker pool (kg/query/executor.py): forked when all workers are busy, capped, trimmed when idle,
and the bounded wait for room in the query queue.

Bad inputs tried: a maximum below the kept workers, a negative wait.
"""
from __future__ import annotations

import multiprocessing
import os
import threading

import pytest
from http_support import wait_for

from kg.errors import CrampkgError, Overloaded, QueryTimeout
from kg.graph.dataset import DATASET_PATH
from kg.query.engines import open_engine
from kg.query.executor import Executor
from kg.query.formats import BY_KEY

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # (triples)³ rows: hours of work
FAST = "ASK { ?s ?p ?o }"
JSON = BY_KEY["json"]
TRUE = b'{"head":{},"boolean":true}'


def slow_in_background(executor: Executor) -> tuple[threading.Thread, list]:
    """A slow query running in a thread until the time limit stops it; the list receives its exception."""
    raised: list = []

    def run() -> None:
        try:
            executor.run(SLOW, JSON)
        except Exception as exc:  # the test inspects what was raised
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, raised



def workers() -> set[int]:
    """The process ids of this process's live query workers."""
    return {p.pid for p in multiprocessing.active_children() if p.name == "crampkg-query" and p.is_alive()}


@pytest.fixture
def engine(built):
    return open_engine("oxigraph", DATASET_PATH)


def test_a_quick_query_gets_a_new_worker_while_the_only_one_is_busy(engine):
    """One kept worker, busy with a slow query: a quick query is answered by a forked worker while the slow
    one still runs; the slow one is stopped by the time limit and one worker is kept."""
    executor = Executor(engine, workers=1, max_workers=3, timeout=4)
    try:
        slow, raised = slow_in_background(executor)
        assert wait_for(lambda: executor.stats()["busy"] == 1)
        assert executor.run(FAST, JSON).body == TRUE
        assert slow.is_alive(), "the quick query waited for the slow one"
        assert executor.worker_count == 2
        slow.join(30)
        assert isinstance(raised[0], QueryTimeout)
        assert executor.worker_count == 1  # the overrunning worker was killed; the forked one is kept
    finally:
        executor.close()


def test_workers_are_capped_and_a_query_waits_for_one(engine):
    """Two workers at most, both busy with slow queries: a quick query waits until the time limit frees one,
    and no third worker is forked."""
    executor = Executor(engine, workers=1, max_workers=2, timeout=2)
    try:
        slow = [slow_in_background(executor) for _ in range(2)]
        # busy counts a worker from just before its fork; the set of children has it once it has started
        assert wait_for(lambda: executor.stats()["busy"] == 2 and len(workers()) == 2)
        busy = workers()
        assert executor.run(FAST, JSON).body == TRUE
        assert executor.worker_count <= 2
        assert busy - workers(), "the quick query was answered before a slow one's worker was stopped"
        for thread, raised in slow:
            thread.join(30)
            assert isinstance(raised[0], QueryTimeout)
    finally:
        executor.close()


def test_extra_workers_stop_when_idle(engine):
    """A worker forked for a busy moment is stopped once idle for ``idle_seconds``; the kept one stays."""
    executor = Executor(engine, workers=1, max_workers=3, timeout=6, idle_seconds=0.3)
    try:
        slow, _ = slow_in_background(executor)
        assert wait_for(lambda: executor.stats()["busy"] == 1)
        assert executor.run(FAST, JSON).body == TRUE
        assert executor.worker_count == 2
        assert wait_for(lambda: executor.worker_count == 1, seconds=4), "the idle extra worker was not stopped"
        assert slow.is_alive()  # the busy worker was not the one stopped
        slow.join(30)
        assert executor.worker_count == 1  # the killed worker was replaced: one is kept
        assert executor.run(FAST, JSON).body == TRUE
    finally:
        executor.close()


def test_a_full_queue_waits_for_room_then_refuses(engine):
    """Room for one query: a second waits for room, and is refused (Overloaded, naming the wait) once the
    wait is over while the slow query still holds the room. With no wait, it is refused at once."""
    for wait in (1.0, 0.0):
        executor = Executor(engine, workers=1, max_workers=2, timeout=6, max_pending=1, queue_wait=wait)
        try:
            slow, _ = slow_in_background(executor)
            assert wait_for(lambda ex=executor: ex.stats()["busy"] == 1)
            with pytest.raises(Overloaded, match="1 queries running or waiting") as caught:
                executor.run(FAST, JSON)
            assert ("waited 1 s for room" in str(caught.value)) == bool(wait)
            assert slow.is_alive()
        finally:
            executor.close()
            slow.join(30)


def test_a_burst_of_quick_queries_waits_for_room_instead_of_failing(engine):
    """Room for one query, twenty quick queries at once: each waits its turn and every one is answered."""
    executor = Executor(engine, workers=1, max_workers=2, timeout=10, max_pending=1, queue_wait=20, max_waiting=20)
    answers: list[bytes] = []
    try:
        threads = [threading.Thread(target=lambda: answers.append(executor.run(FAST, JSON).body)) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert answers == [TRUE] * 20
    finally:
        executor.close()


@pytest.mark.parametrize(("options", "message"), [
    ({"workers": 3, "max_workers": 2}, "at most 2 query workers cannot keep 3 running"),
    ({"queue_wait": -1.0}, "a queue wait of -1 s is negative"),
])
def test_bad_pool_settings_are_refused(engine, options, message):
    with pytest.raises(CrampkgError, match=message):
        Executor(engine, **options)


def test_a_long_query_runs_at_a_lower_cpu_priority_and_its_worker_is_then_replaced(engine):
    """Past ``long_query`` seconds, the worker running a query gets niceness 10, so quick queries come first;
    quick queries' workers keep the server's priority. A demoted worker is not reused."""
    executor = Executor(engine, workers=1, max_workers=3, timeout=3, long_query=0.2)
    try:
        slow, raised = slow_in_background(executor)

        def niceness() -> dict[int, int]:
            return {p.pid: os.getpriority(os.PRIO_PROCESS, p.pid) for p in multiprocessing.active_children()
                    if p.name == "crampkg-query" and p.is_alive()}

        assert wait_for(lambda: 10 in niceness().values()), niceness()
        demoted = [pid for pid, nice in niceness().items() if nice == 10]
        assert executor.run(FAST, JSON).body == TRUE
        assert sorted(niceness().values()) == [0, 10]  # the quick query's worker was not demoted
        slow.join(30)
        assert isinstance(raised[0], QueryTimeout)
        assert demoted[0] not in niceness() and set(niceness().values()) == {0}
    finally:
        executor.close()


def test_past_the_waiting_room_a_query_is_refused_at_once(engine):
    """Room for one query and for one waiting: with the slow query running and a quick one waiting, a third
    is refused at once, naming the one waiting; the waiting one is then refused after its wait."""
    executor = Executor(engine, workers=1, max_workers=2, timeout=8, max_pending=1, queue_wait=3, max_waiting=1)
    try:
        slow, _ = slow_in_background(executor)
        assert wait_for(lambda: executor.stats()["busy"] == 1)
        waiting, raised = slow_in_background(executor)
        assert wait_for(lambda: executor.stats()["waiting"] == 1)
        with pytest.raises(Overloaded, match=r"1 queries running or waiting, 1 more waiting for room"):
            executor.run(FAST, JSON)
        assert waiting.is_alive()  # refused at once, not after the wait
        waiting.join(30)
        assert "waited 3 s for room" in str(raised[0])
        assert slow.is_alive()
    finally:
        executor.close()
        slow.join(30)


def test_after_a_query_waited_in_vain_few_may_wait_until_there_is_room(engine):
    """Room for one query, held by a slow one: a query waits the 1 s in vain; while no room has been freed,
    the next is refused at once though ``max_waiting`` would let ten wait. Once the slow one has ended and a
    query found room at once, queries wait again."""
    executor = Executor(engine, workers=1, max_workers=2, timeout=3, max_pending=1, queue_wait=1, max_waiting=10)
    try:
        slow, _ = slow_in_background(executor)
        assert wait_for(lambda: executor.stats()["busy"] == 1)
        with pytest.raises(Overloaded, match="waited 1 s for room"):
            executor.run(FAST, JSON)
        with pytest.raises(Overloaded, match="0 more waiting for room"):
            executor.run(FAST, JSON)
        slow.join(30)
        assert executor.run(FAST, JSON).body == TRUE
        slow, _ = slow_in_background(executor)
        assert wait_for(lambda: executor.stats()["busy"] == 1)
        with pytest.raises(Overloaded, match="waited 1 s for room"):
            executor.run(FAST, JSON)
    finally:
        executor.close()
        slow.join(30)
