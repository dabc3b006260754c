"""docs/heuristic-format.md stays true: every complete heuristic in it loads, lints clean and
passes its own examples."""

from __future__ import annotations

import re
from pathlib import Path

from triagebench.heuristics import load_library
from triagebench.heuristics.examples import run_examples
from triagebench.heuristics.lint import lint

DOC = Path(__file__).resolve().parent.parent / "docs" / "heuristic-format.md"


def test_every_heuristic_in_the_format_doc_loads_and_passes_its_examples(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    written = []
    for block in blocks:
        match = re.search(r'^id = "([\w-]+)"', block, re.M)
        if match:
            (tmp_path / f"{match.group(1)}.toml").write_text(block, encoding="utf-8")
            written.append(match.group(1))
    assert len(written) == 4
    errors = [str(m) for m in lint([tmp_path]) if m.level == "error"]
    assert errors == []
    library = load_library([tmp_path], builtin=False)
    assert sorted(h.id for h in library.heuristics) == sorted(written)
    results = run_examples(library)
    assert len(results) == 4
    assert [r.describe() for r in results if not r.passed] == []
