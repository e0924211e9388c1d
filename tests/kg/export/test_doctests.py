"""The docstring examples of kg.export run, so the documentation cannot drift from the code."""
from __future__ import annotations

import doctest

import pytest

import kg.export
import kg.export.curies


@pytest.mark.parametrize("module", [kg.export, kg.export.curies], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{module.__name__} has no examples"
    assert result.failed == 0
