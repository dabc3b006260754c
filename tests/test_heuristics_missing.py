"""`missing = "false"`: a sign of health that was not captured reads false, not unknown, and
the bundled library never scans a big log with a regex that has no literal to look for."""

from __future__ import annotations

from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.format import Library, load_file
from triagebench.parser import parse_text

from tests.test_heuristics_support import diagnostics_text

RULE = '''id = "dns-test"
title = "DNS"
severity = "high"
permalink = "https://example.com/x"
description = "d"
when = "eai and not api_ok"
[signals.eai]
in = ["balena logs {id}"]
regex = "getaddrinfo EAI_AGAIN"
[signals.api_ok]
in = ["CURL_CA_BUNDLE={tmp} curl https://api.balena-cloud.com/ping"]
regex = "^OK$"
'''
LOGS = {"balena logs {id}": ["[error]   LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api"]}


def _findings(tmp_path, missing: str | None):
    rule = tmp_path / "dns-test.toml"
    rule.write_text(RULE + (f'missing = "{missing}"\n' if missing else ""), encoding="utf-8")
    heuristic, problems = load_file(rule)
    assert heuristic is not None and not problems
    return evaluate(parse_text(diagnostics_text(LOGS)), Library([heuristic])).matches


def test_an_uncaptured_sign_of_health_is_unknown_by_default(tmp_path) -> None:
    assert _findings(tmp_path, None) == []  # `not unknown` is unknown: no finding


def test_missing_false_lets_the_finding_stand(tmp_path) -> None:
    (finding,) = _findings(tmp_path, "false")
    assert finding.signals["api_ok"].value is False


def test_missing_takes_only_unknown_or_false(tmp_path) -> None:
    rule = tmp_path / "dns-test.toml"
    rule.write_text(RULE + 'missing = "true"\n', encoding="utf-8")
    heuristic, problems = load_file(rule)
    assert heuristic is None and any("missing" in str(p) for p in problems)


LOG_SELECTORS = ("*", "journalctl", "balena logs", "docker logs", "dmesg", "tail ", "category:")


def test_no_bundled_regex_without_a_literal_scans_a_log() -> None:
    """Such a regex is tried on every line of the sections it selects: on a journal that is
    the whole scan budget (a 1M-line file went from 1.7 s to 4.6 s)."""
    slow = [(h.id, s.name, selector) for h in load_library() for s in h.signals.values()
            if s.kind == "regex" and s.prefilter is None and s.literal is None
            for selector in s.selectors if selector.startswith(LOG_SELECTORS)]
    assert slow == []
