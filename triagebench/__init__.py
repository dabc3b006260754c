"""triagebench: a terminal workbench for triaging device diagnostics.

The code lives in sibling folders mapped into this namespace by pyproject.toml:
``triagebench.parser`` (parser/), ``triagebench.heuristics`` (heuristics/),
``triagebench.tui`` (tui/), ``triagebench.themes`` (themes/) and the bundled
samples ``triagebench.samples`` (sample-diagnostics/).
"""

__version__ = "0.1.0"
