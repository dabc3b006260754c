"""``resolve`` (one combined matcher per selector list, built for files with 100,000
sections) picks exactly the sections ``matches_any`` names, one selector at a time."""

from __future__ import annotations

import itertools

from triagebench.heuristics.selectors import matches_any, resolve
from triagebench.parser import parse_text

from tests.test_heuristics_support import diagnostics_text

KEYS = ["echo === NETWORK ===", "ping -c 1 -W 3 google.co.uk", "df -h", "df -ih", "dmesg -T",
        "journalctl --no-pager -u balena", "balena logs {id}", "cat /proc/[x]", "ls *"]
SELECTORS = ["*", "df*", "df -h", "category:network", "category: NETWORK", "journalctl *",
             "cat /proc/[x]", "ls *", "balena logs ?id?", "nothing", "d[fm]*", "d[!m]*", "*-T"]


def test_resolve_equals_selector_by_selector_matching() -> None:
    doc = parse_text(diagnostics_text({key: ["line"] for key in KEYS}))
    assert [s.key for s in doc.sections] == KEYS
    for size in (1, 2, 3):
        for selectors in itertools.combinations(SELECTORS, size):
            expected = [s.key for s in doc.sections if matches_any(selectors, s.key, s.category)]
            assert [s.key for s in resolve(list(selectors), doc)] == expected, selectors
