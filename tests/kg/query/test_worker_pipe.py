"""The messages between the server and its query workers (kg/query/executor.py): one length-prefixed message
each way, marshal for plain tuples (a query's arguments, an answer's fields) and pickle for the rest.

Bad inputs tried: a pipe closed before a message, a message cut after its length, an object marshal cannot
write (a dataset, an exception), an answer larger than one read, a message whose rest comes after the read's
wait is over.
"""
from __future__ import annotations

import os
import signal
import socket
import threading
import time

import pytest
from http_support import wait_for

from kg.errors import QueryTimeout
from kg.graph.dataset import DATASET_PATH
from kg.query.engines import open_engine
from kg.query.engines.base import DatasetSpec
from kg.query.executor import (
    ANSWER,
    MARSHAL,
    PICKLE,
    READ_BYTES,
    Answer,
    Executor,
    decode,
    encode,
    receive,
    send,
    wait_at_most,
)
from kg.query.formats import BY_KEY


def zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


@pytest.fixture
def pipe():
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


@pytest.mark.parametrize("value, kind", [
    (("SELECT * {}", "json", None, None, 100, "http://h/sparql"), MARSHAL),
    (("ASK {}", "json", DatasetSpec(default_graphs=("http://g",)), None, None, None), PICKLE),
    (QueryTimeout("the query ran longer than the 1 s limit"), PICKLE),
    (Answer(b"x" * (3 * READ_BYTES + 7), "json", "SELECT", 12, True, 10), ANSWER),
])
def test_what_goes_through_the_pipe_comes_out_the_same(pipe, value, kind):
    a, b = pipe
    message = encode(value)
    assert message[0] == kind
    # the largest message is more than the socket buffer holds: write from a thread while this one reads
    writer = threading.Thread(target=send, args=(a.fileno(), *message))
    writer.start()
    got = decode(*receive(b.fileno()))
    writer.join()
    if isinstance(value, Exception):
        assert type(got) is type(value) and str(got) == str(value)
    else:
        assert got == value


def test_a_closed_or_cut_pipe_is_the_end_of_file(pipe):
    a, b = pipe
    os.write(a.fileno(), (100).to_bytes(4, "big") + b"m12")  # says 100 bytes, sends 3, then closes
    a.close()
    with pytest.raises(EOFError):
        receive(b.fileno())
    with pytest.raises(EOFError):
        receive(b.fileno())


def test_a_read_waits_at_most_the_time_given_and_a_begun_message_is_read_to_its_end(pipe):
    """wait_at_most bounds the wait for a message's start (BlockingIOError, nothing consumed); a message that has
    begun is read to its end however long its rest takes, so the two ends never lose step."""
    a, b = pipe
    wait_at_most(b.fileno(), 0.05)
    started = time.monotonic()
    with pytest.raises(BlockingIOError):
        receive(b.fileno())
    assert 0.04 <= time.monotonic() - started < 5
    kind, content = encode(("SELECT * {}", "json"))
    message = (len(content) + 1).to_bytes(4, "big") + kind + content
    os.write(a.fileno(), message[:3])  # not even the whole length
    rest = threading.Timer(0.2, os.write, (a.fileno(), message[3:]))  # four waits later
    rest.start()
    assert decode(*receive(b.fileno())) == ("SELECT * {}", "json")
    rest.join()
    wait_at_most(b.fileno(), None)  # without end: a message sent later is still read
    threading.Timer(0.1, send, (a.fileno(), *encode(("ASK {}",)))).start()
    assert decode(*receive(b.fileno())) == ("ASK {}",)


def test_a_worker_killed_while_idle_loses_no_query(built):
    """SIGKILL to every idle worker (an operator, the OOM killer): the next queries are answered by new ones."""
    executor = Executor(open_engine("oxigraph", DATASET_PATH), workers=2, timeout=10)
    try:
        killed = {w.process.pid for w in executor._idle}
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        for pid in killed:  # dead (a zombie: its end of the pipe is closed), not yet reaped
            assert wait_for(lambda pid=pid: zombie(pid))
        for _ in range(3):
            answer = executor.run("ASK { ?s ?p ?o }", BY_KEY["json"])
            assert answer.body == b'{"head":{},"boolean":true}'
        retired = killed - {w.process.pid for w in executor._all}
        assert retired, "the killed worker that was asked first is retired"
        assert executor.stats()["workers"] == 2  # and replaced, so the kept workers stay ready
    finally:
        executor.close()
