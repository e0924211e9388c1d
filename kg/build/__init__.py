"""Building the dataset from the sources: the article, the claims and their evidence, the OWL 2 RL closure,
SHACL validation, the outside vocabulary, the summary. :func:`build` runs them in that order
(:mod:`kg.build.pipeline`); every failure names a file, line or claim."""
from __future__ import annotations

from kg.build.pipeline import DATASET_FILE, SUMMARY_FILE, BuildResult, Sources, build
from kg.build.summary import format_summary

__all__ = ["DATASET_FILE", "SUMMARY_FILE", "BuildResult", "Sources", "build", "format_summary"]
