"""The bundled library against real lines from public balena sources (tests/realdata/).

What a support agent relies on: on each real failure the right finding at the right severity
with its evidence; on each healthy, recovered or benign real case, nothing at medium or worse.
Cases marked ``pending`` are known gaps: strict xfails, so fixing one forces removing the mark.
"""

from __future__ import annotations

import pytest

from tests.realdata.build import KINDS, build_text, load_cases
from tests.realdata.score import score

CASES = load_cases()


def test_corpus_is_balanced_and_sourced() -> None:
    problems = [c for c in CASES if c.kind == "problem"]
    others = [c for c in CASES if c.kind != "problem"]
    assert problems, "no problem case"
    assert len(others) >= len(problems), "keep at least as many healthy/recovered/benign cases"
    assert all(c.kind in KINDS and c.sources for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case) -> None:
    result = score(case)
    if case.pending:
        assert not result.ok, f"{case.name} passes now: remove its `pending` mark"
        pytest.xfail(f"{case.pending}: {'; '.join(result.problems)}")
    assert result.ok, f"{case.name} ({case.kind}): {'; '.join(result.problems)}; found {result.found}"


@pytest.mark.parametrize("case", CASES[:3], ids=[c.name for c in CASES[:3]])
def test_builder_frames_sections_like_diagnose(case) -> None:
    from triagebench.parser import parse_text

    document = parse_text(build_text(case))
    keys = {s.key for s in document.sections}
    assert set(case.sections) <= keys
    assert document.facts.get("captured_at")
