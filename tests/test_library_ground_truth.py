"""The bundled heuristics library against the planted problems of the sample files.

What a support agent relies on: every problem planted in a sample diagnostics file
(``sample-diagnostics/ground_truth.json``) is reported by the bundled library, at
the expected severity, with the planted line(s) among the evidence they jump to;
and a healthy device lights up nothing at medium or above. The library itself
must also be well formed: it loads without lint problems, its embedded examples
pass, it covers every failure signature of the reference (S01-S29 plus the
legacy ones) and links only to public http(s) sources.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest
from triagebench.heuristics import (
    BUILTIN_DIR,
    Findings,
    load_library,
    run_examples,
    severity_at_least,
)
from triagebench.heuristics.evaluate import evaluate
from triagebench.parser import parse_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample-diagnostics"
GROUND_TRUTH = SAMPLES / "ground_truth.json"
LIBRARY_DIR = Path(BUILTIN_DIR)

# Reference signature id (balena-diagnostics.md §6) -> the bundled heuristic(s) that
# report it. A finding of any listed heuristic counts for the signature.
SIGNATURE_HEURISTICS: dict[str, tuple[str, ...]] = {
    "S01": ("engine-storage-migration-timeout",),
    "S02": ("engine-storage-migration-failed",),
    "S03": ("engine-watchdog-timeout",),
    "S04": ("supervisor-watchdog-timeout",),
    "S05": ("engine-delta-slice-bounds-panic",),
    "S06": ("supervisor-delta-download-failed",),
    "S07": ("engine-not-running",),
    "S08": ("engine-killed-crashloop",),
    "S09": ("engine-containerd-uuid-corrupt",),
    "S10": ("rpi-under-voltage",),
    "S11": ("cpu-thermal-throttling",),
    "S12": ("storage-media-io-errors",),
    "S13": ("filesystem-corruption",),
    "S14": ("data-partition-full",),
    "S15": ("data-partition-not-expanded",),
    "S16": ("deleted-files-held-open",),
    "S17": ("oom-killer",),
    "S18": ("dns-resolution-failing",),
    "S19": ("ntp-not-synchronised",),
    "S20": ("tls-certificate-not-yet-valid",),
    "S21": ("vpn-cannot-connect",),
    "S22": ("tls-interception-firewall",),
    "S23": ("hup-failed",),
    "S24": ("os-rollback",),
    "S25": ("supervisor-duplicate-network",),
    "S26": ("supervisor0-network-missing",),
    "S27": ("supervisor-database-locked",),
    "S28": ("user-container-crash-loop",),
    "S29": ("supervisor-unhealthy",),
    # legacy 2017 "leech" matcher entries (reference §6, after the table)
    "L401": ("legacy-supervisor-name-conflict",),
    "L784": ("legacy-engine-network-controller",),
    "L783": ("dns-resolution-failing",),
    "L712": ("image-layer-extract-eof",),
}


@lru_cache(maxsize=1)
def _library() -> Any:
    return load_library(dirs=(), builtin=True)


@lru_cache(maxsize=1)
def _ground_truth() -> dict[str, Any]:
    return json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))


@cache
def _findings(name: str) -> Findings:
    return evaluate(parse_file(SAMPLES / name), _library())


def _files() -> dict[str, dict[str, Any]]:
    """``{file name: entry}`` from ground_truth.json (a list or a mapping of entries)."""
    data = _ground_truth()
    files = data.get("files", data) if isinstance(data, dict) else data
    if isinstance(files, list):
        return {entry["file"]: entry for entry in files}
    return dict(files)


def _problems(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return list(entry.get("problems") or [])


def _planted_lines(problem: dict[str, Any]) -> set[int]:
    lines = problem.get("lines") or []
    return {int(n) for n in lines}


def _sample_names() -> list[str]:
    if not GROUND_TRUTH.exists():
        return []
    return sorted(_files())


def _planted_cases() -> list[tuple[str, str]]:
    if not GROUND_TRUTH.exists():
        return []
    return [(name, problem["id"]) for name in _sample_names()
            for problem in _problems(_files()[name])]


def _is_healthy(entry: dict[str, Any]) -> bool:
    return not _problems(entry) and bool(entry.get("healthy", True))


# --- the library itself ---------------------------------------------------------------


def test_library_loads_without_problems() -> None:
    library = _library()
    assert not library.problems, [str(p) for p in library.problems]
    assert len(library.heuristics) >= 30


def test_every_embedded_example_passes() -> None:
    failed = [r.describe() for r in run_examples(_library()) if not r.passed]
    assert not failed, failed


def test_every_heuristic_has_a_positive_and_a_negative_example() -> None:
    for heuristic in _library().heuristics:
        outcomes = {example.matches for example in heuristic.examples}
        assert outcomes == {True, False}, heuristic.id


def test_every_reference_signature_has_a_bundled_heuristic() -> None:
    ids = {h.id for h in _library().heuristics}
    for signature in [f"S{n:02d}" for n in range(1, 30)]:
        assert signature in SIGNATURE_HEURISTICS, signature
    missing = {sig: hs for sig, hs in SIGNATURE_HEURISTICS.items() if not set(hs) <= ids}
    assert not missing


def test_permalinks_are_public_http_sources() -> None:
    for heuristic in _library().heuristics:
        link = heuristic.permalink
        assert re.match(r"^https?://[^\s/]+\.[a-z]{2,}/\S*$", link), (heuristic.id, link)
        assert "jel.ly.fish" not in link and "resin-io/hq" not in link, (heuristic.id, link)


def test_top_level_keys_precede_tables() -> None:
    """A key written after ``[signals.x]`` silently joins that table (TOML): guard it."""
    top = {"id", "title", "severity", "permalink", "description", "remedy", "tags",
           "when", "fixed_in"}
    for path in sorted(LIBRARY_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data["id"] == path.stem
        for name, signal in data["signals"].items():
            assert not top & set(signal), (path.name, name)


# --- the samples ----------------------------------------------------------------------


@pytest.mark.skipif(not GROUND_TRUTH.exists(), reason="sample-diagnostics not generated")
@pytest.mark.parametrize(("name", "signature"), _planted_cases())
def test_planted_problem_is_found_with_its_evidence(name: str, signature: str) -> None:
    entry = _files()[name]
    problems = [p for p in _problems(entry) if p["id"] == signature]
    assert signature in SIGNATURE_HEURISTICS, f"no heuristic mapped for {signature}"
    wanted = SIGNATURE_HEURISTICS[signature]
    findings = [f for f in _findings(name).matches if f.id in wanted]
    assert findings, f"{name}: {signature} not reported (expected one of {wanted})"
    for problem in problems:
        severity = problem.get("severity")
        if severity:
            assert any(f.severity == severity for f in findings), (
                f"{name}: {signature} reported as {[f.severity for f in findings]}, expected {severity}")
        planted = _planted_lines(problem)
        if planted:
            evidence = {e.line for f in findings for e in f.evidence}
            assert planted & evidence, (
                f"{name}: {signature} evidence {sorted(evidence)[:10]} misses planted lines "
                f"{sorted(planted)[:10]}")


@pytest.mark.skipif(not GROUND_TRUTH.exists(), reason="sample-diagnostics not generated")
def test_healthy_samples_raise_nothing_at_medium_or_above() -> None:
    healthy = [n for n in _sample_names() if _is_healthy(_files()[n])]
    assert healthy, "ground truth names no healthy sample"
    for name in healthy:
        loud = [(f.id, f.severity) for f in _findings(name).matches
                if severity_at_least(f.severity, "medium")]
        assert not loud, f"{name}: {loud}"


@pytest.mark.skipif(not GROUND_TRUTH.exists(), reason="sample-diagnostics not generated")
def test_no_evaluation_errors_on_samples() -> None:
    for name in _sample_names():
        errors = [e.as_dict() for e in _findings(name).errors]
        assert not errors, f"{name}: {errors}"
