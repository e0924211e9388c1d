"""Every error the library raises carries its own HTTP status, and the server answers with it (kg/errors.py)."""
from __future__ import annotations

import inspect

import kg.errors
from kg.errors import CrampkgError

EXPECTED = {
    "CrampkgError": 400, "BuildError": 400, "InconsistencyError": 400, "UnsupportedConstruct": 400,
    "NotFound": 404, "Ambiguous": 400,
    "QueryError": 400, "QuerySyntaxError": 400, "UpdateRefused": 403, "RemoteRefused": 400,
    "UnknownQuery": 404, "NotAcceptable": 406, "QueryTimeout": 503, "Overloaded": 503, "WorkerFailed": 500,
    "CompletionError": 400,
    # an external store (crampkg is a gateway in front of it): 502 when it fails, 504 when it is too slow
    "StoreError": 502, "StoreUnavailable": 502, "StoreRefused": 502, "StoreTimeout": 504, "LoadError": 400,
}


def test_every_error_lives_in_kg_errors_with_its_status():
    found = {name: cls.status for name, cls in inspect.getmembers(kg.errors, inspect.isclass)
             if issubclass(cls, CrampkgError)}
    assert found == EXPECTED


def test_no_other_module_defines_a_crampkg_error():
    """One hierarchy, one file: a new error class elsewhere would bring back a second status table."""
    import pkgutil

    import kg
    import server

    for package in (kg, server):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = __import__(info.name, fromlist=["_"])
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, CrampkgError):
                    assert cls.__module__ == "kg.errors", f"{cls.__module__}.{cls.__name__}"
