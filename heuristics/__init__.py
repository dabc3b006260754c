"""Heuristics: the file format, loader/linter, evaluator and version comparator. No Textual.

``load_library(dirs=(), builtin=True, drafts=())`` -> ``Library``;
``evaluate(document, library, timeout=1.0, budget=10.0)`` -> ``Findings`` (each finding
with its status, shown severity, first/last seen and event count: docs/heuristic-format.md);
``lint(dirs)`` -> list of ``LintMessage``; ``run_examples(library)`` -> results.
"""

from __future__ import annotations

from .evaluate import evaluate
from .examples import ExampleResult, example_document, run_examples
from .format import (
    BUILTIN_DIR,
    STATUSES,
    Example,
    Heuristic,
    Library,
    LintMessage,
    Signal,
    load_file,
    load_library,
)
from .lint import lint
from .model import (
    SEVERITIES,
    SEVERITY_RANK,
    Evidence,
    Finding,
    Findings,
    HeuristicError,
    SignalResult,
    severity_at_least,
)
from .versions import compare_versions, parse_version

__all__ = [
    "BUILTIN_DIR", "SEVERITIES", "SEVERITY_RANK", "Evidence", "Example", "ExampleResult",
    "Finding", "Findings", "Heuristic", "HeuristicError", "Library", "LintMessage", "Signal",
    "SignalResult", "STATUSES", "compare_versions", "evaluate", "example_document", "lint", "load_file",
    "load_library", "parse_version", "run_examples", "severity_at_least",
]
