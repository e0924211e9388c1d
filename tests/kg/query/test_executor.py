"""The executor's guards for failures that are not the query's fault (kg/query/executor.py).

Bad inputs tried: a result format the worker does not know (a programming error inside the worker), in a
worker process and in-process; the next query must still be answered.
"""
from __future__ import annotations

import pytest

from kg.errors import WorkerFailed
from kg.graph.dataset import DATASET_PATH
from kg.query.engines import open_engine
from kg.query.executor import Executor
from kg.query.formats import BY_KEY, RESULTS, Format, results_json

# A format missing from the table: the worker cannot find it, which is a bug in the caller, not in the query.
UNKNOWN_FORMAT = Format("no-such-format", "application/x-none", RESULTS, results_json)


@pytest.mark.parametrize("workers", [1, 0])
def test_a_bug_inside_evaluation_is_a_500_not_a_400(built, workers):
    executor = Executor(open_engine("oxigraph", DATASET_PATH), workers=workers, timeout=30)
    try:
        with pytest.raises(WorkerFailed, match="internal error while evaluating the query") as caught:
            executor.run("ASK {}", UNKNOWN_FORMAT)
        assert caught.value.status == 500
        assert executor.run("ASK { ?s ?p ?o }", BY_KEY["json"]).body == b'{"head":{},"boolean":true}'
    finally:
        executor.close()
