"""Heuristics: the file format, loader/linter, evaluator and version comparator. No Textual.

``load_library(dirs=(), builtin=True, drafts=())`` -> ``Library`` (``format``);
``heuristics.evaluate.evaluate(document, library, timeout=1.0, budget=10.0)`` -> ``Findings``
(each finding with its status, shown severity, first/last seen and event count:
docs/heuristic-format.md);
``lint(dirs)`` -> list of ``LintMessage``; ``run_examples(library)`` -> results.

The names below are imported on first use (PEP 562 ``__getattr__``), so importing
one submodule does not load the whole engine. The evaluator is imported from its
module (``from triagebench.heuristics.evaluate import evaluate``): the package does
not re-export the function, which would shadow the ``evaluate`` module.
"""

from __future__ import annotations

from triagebench.parser.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "ExampleResult": "examples", "example_document": "examples", "run_examples": "examples",
    "BUILTIN_DIR": "format", "Example": "format", "Heuristic": "format", "Library": "format",
    "LintMessage": "format", "STATUSES": "format", "Signal": "format", "load_file": "format",
    "load_library": "format",
    "lint": "lint",
    "SEVERITIES": "model", "SEVERITY_RANK": "model", "Evidence": "model", "Finding": "model",
    "Findings": "model", "HeuristicError": "model", "SignalResult": "model",
    "severity_at_least": "model",
    "compare_versions": "versions", "parse_version": "versions",
}


__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = sorted(_EXPORTS)
