"""The one balena-aware version comparator: the comparison table, and unknown never raising."""

from __future__ import annotations

import pytest
from triagebench.heuristics.versions import compare_values, compare_versions, parse_version

# (a, b, expected compare(a, b))
TABLE = [
    # balenaOS revisions are ordered by N, and below the next patch
    ("2.87.16+rev1", "2.87.16+rev2", -1),
    ("2.87.16+rev2", "2.87.17", -1),
    ("2.87.16+rev10", "2.87.16+rev9", 1),
    ("2.87.16-rev1", "2.87.16+rev2", -1),
    # a version without revision stands for every revision of that release
    ("2.87.16", "2.87.16+rev1", 0),
    ("2.98.4+rev3", "2.98.4", 0),
    # v prefix, leading zeros, missing minor/patch
    ("v2.98.4", "2.98.4", 0),
    ("V8.0.2", "8.0.2", 0),
    ("v12.11.0", "12.11.0", 0),
    ("19.03.30", "19.3.30", 0),
    ("19.03.30", "19.03.4", 1),
    ("2.0", "2.0.0", 0),
    ("2", "2.0.0", 0),
    ("4.0", "3.99.99", 1),
    # numeric per component
    ("2.113.18", "2.98.4", 1),
    ("2.9.0", "2.10.0", -1),
    # balena's bug: 2.98.10 must not be read as 2.98.1
    ("balenaOS 2.98.10", "2.98.4", 1),
    ("balenaOS 2.98.10", "2.98.1", 1),
    ("Resin OS 2.2.0+rev1", "2.2.0+rev1", 0),
    ("Docker version 19.03.30, build c41a2d5c1a10", "19.03.30", 0),
    ("Supervisor v12.11.0 starting up...", "12.11.0", 0),
    # ESR and later semver majors
    ("2022.7.0", "2.113.18", 1),
    ("2022.01.0", "2022.1.0", 0),
    ("2019.10.0.dev", "2019.10.0", 0),
    # vendor suffixes are not pre-releases
    ("20.10.17-balena", "20.10.17", 0),
    ("17.12.0-dev", "17.12.0", 0),
    ("19.03.13-dev", "19.03.12", 1),
    ("5.10.78-v8", "5.10.78", 0),
    ("5.10.78-ti-r72", "5.10.79", -1),
    # rc pre-releases sort before the release, numerically
    ("2.84rc2", "2.84.0", -1),
    ("2.84rc2", "2.84rc10", -1),
    ("1.2.3-rc.1", "1.2.3", -1),
    ("1.2.3-rc.1+build.5", "1.2.3-rc.1", 0),
    ("1.2.3-beta", "1.2.3-rc.1", -1),
    # a fourth component orders after the patch
    ("2.0.0.1", "2.0.0", 1),
]


@pytest.mark.parametrize(("a", "b", "expected"), TABLE)
def test_comparison_table(a: str, b: str, expected: int) -> None:
    assert compare_versions(a, b) == expected
    assert compare_versions(b, a) == -expected


@pytest.mark.parametrize("raw", ["", "dev", "balenaEngine version dev, build HEAD", None, True,
                                 "x86_64", "unknown", [], {"a": 1}])
def test_unreadable_is_unknown_never_an_exception(raw: object) -> None:
    assert parse_version(raw) is None
    assert compare_versions(raw, "2.98.4") is None
    assert compare_versions("2.98.4", raw) is None


def test_parsed_fields() -> None:
    version = parse_version("balenaOS 2.87.16+rev1")
    assert version is not None
    assert (version.core.major, version.core.minor, version.core.patch, version.rev) == (2, 87, 16, 1)
    assert str(version) == "2.87.16+rev1"


def test_numbers_compare_numerically_versions_as_versions() -> None:
    assert compare_values("95", 90) == 1
    assert compare_values(12.5, "12.50") == 0
    assert compare_values(9, "10") == -1  # numerically, not as text
    assert compare_values("2.87.16+rev1", "2.98.4") == -1
    assert compare_values("n/a", 5) is None
