"""Errors that carry the user's words: which file, line, claim or input is wrong and how to fix it."""


class CrampkgError(Exception):
    """Base class: turned into a non-zero exit or an HTTP 4xx once, at the edge."""


class BuildError(CrampkgError):
    """The sources cannot be built into a dataset; the previous good build is left untouched."""


class InconsistencyError(BuildError):
    """The reasoner found a contradiction (e.g. a member of two disjoint classes)."""


class QueryError(CrampkgError):
    """A query or its parameters are not acceptable."""


class NotFound(CrampkgError):
    """No entity or triple by that name (HTTP 404)."""


class Ambiguous(CrampkgError):
    """A name matches several entities (HTTP 400)."""
