"""``resolve`` picks exactly the sections ``matches_any`` names, one selector at a time,
on both of its paths: ``*``-only globs tested key by key with string operations (files
up to ``STAR_SCAN_SECTIONS`` sections), and one combined regex per selector list (built
for files with 100,000 sections)."""

from __future__ import annotations

import fnmatch
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from triagebench.heuristics import selectors as selector_module
from triagebench.heuristics.selectors import matches_any, resolve, star_match, star_parts
from triagebench.parser import parse_text

from tests.test_heuristics_support import diagnostics_text

KEYS = ["echo === NETWORK ===", "ping -c 1 -W 3 google.co.uk", "df -h", "df -ih", "dmesg -T",
        "journalctl --no-pager -u balena", "balena logs {id}", "cat /proc/[x]", "ls *"]
SELECTORS = ["*", "df*", "df -h", "category:network", "category: NETWORK", "journalctl *",
             "cat /proc/[x]", "ls *", "balena logs ?id?", "nothing", "d[fm]*", "d[!m]*", "*-T"]


@pytest.mark.parametrize("path", ["by key", "combined regex"])
def test_resolve_equals_selector_by_selector_matching(path: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if path == "combined regex":
        monkeypatch.setattr(selector_module, "STAR_SCAN_SECTIONS", 0)
    doc = parse_text(diagnostics_text({key: ["line"] for key in KEYS}))
    assert [s.key for s in doc.sections] == KEYS
    for size in (1, 2, 3):
        for selectors in itertools.combinations(SELECTORS, size):
            expected = [s.key for s in doc.sections if matches_any(selectors, s.key, s.category)]
            assert [s.key for s in resolve(list(selectors), doc)] == expected, selectors


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "ab", " ", "-", "*", "**", "aba", ""]), max_size=6),
       st.text(alphabet="ab -*", max_size=12))
def test_star_match_is_fnmatchcase_for_star_only_globs(pieces: list[str], key: str) -> None:
    glob = "".join(pieces)
    parts = star_parts(glob)
    assert parts is not None
    assert star_match(parts, key) == fnmatch.fnmatchcase(key, glob), (glob, key)


def test_globs_with_classes_or_question_marks_are_not_star_only() -> None:
    assert star_parts("balena logs ?id?") is None
    assert star_parts("d[fm]*") is None
    assert star_parts("journalctl *") == ("journalctl ", "")
