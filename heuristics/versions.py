"""The one balena-aware version comparator (wraps ``semver``).

Every version comparison in triagebench goes through ``parse_version`` /
``compare_versions``, so the CLI, the TUI and fleet scans agree. Policies
(decided here, tested in ``tests/test_heuristics_versions.py``):

* The first version token in the text is read, whole: ``balenaOS 2.98.10`` is
  2.98.10 (balena's hack-week regex read it as 2.98.1), ``Docker version
  19.03.30, build c41a2d5`` is 19.3.30, ``Supervisor v12.11.0 starting`` is 12.11.0.
* ``v``/``V`` prefix accepted; leading zeros dropped (``19.03.30``); missing
  minor/patch are 0 (``2.0`` == ``2.0.0`` == ``2``); a fourth numeric component
  orders after the patch (``2.0.0.1`` > ``2.0.0``).
* balenaOS revisions: ``+revN`` (or ``-revN``) is ordered by N:
  ``2.87.16+rev1 < 2.87.16+rev2 < 2.87.17``. A version *without* a revision
  stands for every revision of that release, so ``2.87.16`` equals both
  ``2.87.16+rev1`` and ``2.87.16+rev2`` (a threshold ``below = "2.98.4"`` is not
  met by ``2.98.4+rev3``, and ``at_most = "2.98.3"`` is met by ``2.98.3+rev5``).
  Other build metadata is ignored, as in SemVer.
* Pre-releases ``rc``/``alpha``/``beta``/``pre`` (``2.84rc2``, ``1.2.3-rc.1``)
  sort before the release, numerically (``rc.2 < rc.10``).
* Vendor suffixes are *not* pre-releases: ``-dev`` (balena-engine labels its
  releases ``-dev``), ``-balena``, kernel ``-v8``/``-ti-r72``, ``.dev`` are ignored,
  so ``20.10.17-balena == 20.10.17`` and ``19.03.13-dev == 19.03.13``.
* ESR ``2022.7.0`` and semver majors compare numerically (``2022.7.0 >
  2.113.18``); cross-scheme ordering is the author's responsibility.
* Anything without a version token (``dev``, ``""``, ``None``, a bool) is
  unknown: ``parse_version`` returns ``None`` and comparisons return ``None``;
  nothing here raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import semver


_TOKEN_RE = re.compile(
    r"(?<![\w.+-])[vV]?(?P<nums>\d+(?:\.\d+){0,3})(?![\d])(?P<suffix>[0-9A-Za-z.+_~-]*)"
)
_PRE_RE = re.compile(r"^(rc|alpha|beta|pre)(?![a-z])[.\-_]?([0-9A-Za-z.\-]*)$", re.IGNORECASE)
_REV_RE = re.compile(r"(?:^|[.\-+])rev\.?(\d+)(?![0-9])", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$")


@dataclass(frozen=True, slots=True)
class BalenaVersion:
    """A normalised version: ``semver.Version`` core + 4th component + balena revision."""

    raw: str
    core: semver.Version
    fourth: int
    rev: int | None

    def __str__(self) -> str:
        text = str(self.core)
        if self.fourth:
            text += f".{self.fourth}"
        return text + (f"+rev{self.rev}" if self.rev is not None else "")


def _split_alnum(ident: str) -> list[str]:
    """``rc2`` -> ``["rc", "2"]`` so identifiers compare numerically."""
    return [part for part in re.split(r"(\d+)", ident) if part]


def _prerelease(text: str) -> str | None:
    """The SemVer pre-release string for a true pre-release suffix, else None."""
    match = _PRE_RE.match(text)
    if not match:
        return None
    idents = [match.group(1).lower()]
    for part in re.split(r"[.\-_]", match.group(2)):
        if part:
            idents.extend(_split_alnum(part))
    return ".".join(idents)


def parse_version(value: Any) -> BalenaVersion | None:
    """Read the first version token in ``value``; ``None`` when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        return None
    text = value.strip().strip("\"'")
    match = _TOKEN_RE.search(text)
    if not match:
        return None
    try:
        nums = [int(n) for n in match.group("nums").split(".")]
        nums += [0] * (4 - len(nums))
        suffix = match.group("suffix")
        rev = None
        rev_match = _REV_RE.search(suffix)
        if rev_match:
            rev = int(rev_match.group(1))
        pre_part = suffix.split("+", 1)[0].lstrip(".-_~")
        prerelease = _prerelease(pre_part) if pre_part else None
        import semver  # here, not at import: the workbench unpickles findings without it

        core = semver.Version(nums[0], nums[1], nums[2], prerelease=prerelease)
    except (ValueError, TypeError):
        return None
    return BalenaVersion(raw=value, core=core, fourth=nums[3], rev=rev)


def compare_parsed(a: BalenaVersion, b: BalenaVersion) -> int:
    """-1, 0 or 1; revisions only count when both sides carry one."""
    result = a.core.compare(b.core)
    if result:
        return result
    if a.fourth != b.fourth:
        return -1 if a.fourth < b.fourth else 1
    if a.rev is not None and b.rev is not None and a.rev != b.rev:
        return -1 if a.rev < b.rev else 1
    return 0


def compare_versions(a: Any, b: Any) -> int | None:
    """Compare two version strings; ``None`` (unknown) when either cannot be read."""
    pa, pb = parse_version(a), parse_version(b)
    if pa is None or pb is None:
        return None
    return compare_parsed(pa, pb)


def as_number(value: Any) -> float | None:
    """``value`` as a plain number (int/float or a numeric string), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int too big for a float (a 400-digit threshold)
            return None
        return number if number == number else None
    if isinstance(value, str) and _NUMBER_RE.match(value):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def compare_values(a: Any, b: Any) -> int | None:
    """Numeric comparison when both sides are plain numbers, else version comparison.

    ``a`` is the observed value and ``b`` the author's threshold. ``None`` means
    unknown (either side unreadable).
    """
    na, nb = as_number(a), as_number(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    return compare_versions(a, b)


__all__ = [
    "BalenaVersion", "as_number", "compare_parsed", "compare_values", "compare_versions",
    "parse_version",
]
