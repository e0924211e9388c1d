"""Every error crampkg reports, each carrying the user's words (which file, line, claim or input is wrong and how
to fix it) and the HTTP status it becomes.

The edges turn them into answers once: the command line into ``crampkg: error: …`` and exit status 2, the server
into its :attr:`~CrampkgError.status` (``server/errors.py``). Nothing else catches them to re-word them.
"""
from __future__ import annotations


class CrampkgError(Exception):
    """Base class: bad input, or a request that cannot be answered as asked."""

    status = 400


# ----- building ---------------------------------------------------------------------------------------
class BuildError(CrampkgError):
    """The sources cannot be built into a dataset; the previous good build is left untouched."""


class InconsistencyError(BuildError):
    """The reasoner found a contradiction (e.g. a member of two disjoint classes)."""


class UnsupportedConstruct(BuildError):
    """The graph uses OWL the fast reasoner does not implement (build with --reasoner owlrl)."""


# ----- reading the graph ------------------------------------------------------------------------------
class NotFound(CrampkgError):
    """No entity or triple by that name."""

    status = 404


class Ambiguous(CrampkgError):
    """A name matches several entities."""


# ----- queries ----------------------------------------------------------------------------------------
class QueryError(CrampkgError):
    """A query or its parameters are not acceptable."""


class QuerySyntaxError(QueryError):
    """The query does not parse; the message names line and column where the engine gives them."""


class UpdateRefused(QueryError):
    """The request is a SPARQL update; this endpoint is read-only."""

    status = 403


class RemoteRefused(QueryError):
    """The query asks for remote data (SERVICE); crampkg never makes outbound requests."""


class CompletionError(CrampkgError):
    """A request to the query editor's completion that cannot be answered as asked (a kind it does not know,
    control characters, an over-long fragment, a limit out of range)."""


class UnknownQuery(CrampkgError):
    """No canned query by that name."""

    status = 404


class NotAcceptable(CrampkgError):
    """No format the client accepts can carry this result."""

    status = 406


class QueryTimeout(CrampkgError):
    """The query ran past the time limit and its worker was stopped."""

    status = 503


class Overloaded(CrampkgError):
    """The query could not be run now (too many waiting, or its worker was lost); retry."""

    status = 503


class MemoryLimit(CrampkgError):
    """The query's worker needed more memory than the cap allows and was stopped."""

    status = 503


class WorkerFailed(CrampkgError):
    """Evaluating the query hit a bug in crampkg or its engine, not a fault of the query."""

    status = 500


# ----- external stores --------------------------------------------------------------------------------
class StoreError(CrampkgError):
    """The store could not give an answer (HTTP 502: crampkg is a gateway in front of it)."""

    status = 502


class StoreUnavailable(StoreError):
    """The store is down, unreachable, or answered something that is not a SPARQL answer (HTTP 502)."""


class StoreRefused(StoreError):
    """The store refused our credentials (its 401/403), or the operation (HTTP 502)."""


class StoreTimeout(StoreError):
    """The store did not answer within the time limit (HTTP 504)."""

    status = 504


class LoadError(CrampkgError):
    """`crampkg load` did not complete; the store's previous graphs are unchanged."""


def shown(text: str, limit: int = 80) -> str:
    """``text`` as it may appear in an error message: quoted, and cut short if long."""
    return repr(text if len(text) <= limit else text[:limit] + "…")
