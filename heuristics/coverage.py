"""The coverage map: which bundled heuristics cover which component x failure kind.

Built only from the heuristics' ``tags`` (library conventions: every bundled heuristic
carries at least one COMPONENT tag and one KIND tag), so the map cannot drift from the
library. ``render_markdown(library)`` is what ``docs/coverage.md`` holds and what
``triage heuristics list --coverage`` prints (wiring: ``print(coverage_markdown())``).
``tag_problems(library)`` is the lint check behind the tag convention.

Regenerate the committed document with::

    .venv/bin/python -m triagebench.heuristics.coverage --write docs/coverage.md
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .format import Heuristic, Library, load_library

COMPONENTS: tuple[str, ...] = (
    "kernel", "storage", "filesystem", "power", "thermal", "memory", "ethernet", "wifi",
    "cellular", "dns", "vpn", "time", "api", "engine", "supervisor", "hostos-update",
    "containers", "systemd", "config", "device",
)
KINDS: tuple[str, ...] = (
    "crash", "hang", "restart-loop", "resource-exhaustion", "io-error", "corruption", "timeout",
    "connectivity", "misconfiguration", "update-failure", "degraded", "end-of-life",
)
NONE_YET = "none yet"

# The failure families that must never fall back to "none yet" (issue #19). Each names what
# covers it as tag sets: a (component, kind) cell of the map, or a free tag; every listed tag set
# must be carried by >= 1 heuristic. ``board-noise`` marks heuristics whose must-not-match
# examples hold board-specific boot lines that look alarming but are normal on that board.
FAMILIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "kernel panics, oopses, BUG/WARNING traces, watchdog resets, hung tasks": (
        ("kernel", "crash"), ("kernel", "hang")),
    "systemd units dead, failed or in a restart loop": (
        ("systemd", "crash"), ("systemd", "restart-loop")),
    "No space left on device and inode exhaustion": (
        ("storage", "resource-exhaustion"), ("filesystem", "resource-exhaustion")),
    "host OS update failures (hooks, rollback, space, download, reboot)": (
        ("hostos-update", "update-failure"),),
    "engine start failures by storage driver, engine resource limits": (
        ("engine", "crash"), ("engine", "resource-exhaustion")),
    "supervisor start failures, stuck supervisor, state reports that never recover": (
        ("supervisor", "crash"), ("supervisor", "hang"), ("supervisor", "connectivity")),
    "cellular modems and Wi-Fi/SDIO drivers": (
        ("cellular", "connectivity"), ("wifi", "crash")),
    "board-specific benign noise (as must-not-match examples)": (
        ("board-noise",),),
}


@dataclass(slots=True)
class CoverageMap:
    """``cells[(component, kind)]`` -> sorted heuristic ids; ``unplaced`` lacks a component or kind."""

    cells: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)
    total: int = 0
    tags: dict[str, frozenset[str]] = field(default_factory=dict)  # id -> its tags

    def ids(self, component: str, kind: str) -> list[str]:
        return self.cells.get((component, kind), [])

    def carrying(self, tags: Sequence[str]) -> list[str]:
        """Ids of the heuristics that carry every tag of ``tags``."""
        wanted = set(tags)
        return sorted(hid for hid, have in self.tags.items() if wanted <= have)

    def empty_families(self) -> dict[str, list[tuple[str, ...]]]:
        """Family name -> its tag sets that no heuristic carries (empty when all are covered)."""
        out: dict[str, list[tuple[str, ...]]] = {}
        for family, needs in FAMILIES.items():
            missing = [need for need in needs if not self.carrying(need)]
            if missing:
                out[family] = missing
        return out


def build_map(heuristics: Iterable[Heuristic]) -> CoverageMap:
    """Place every heuristic in each (component, kind) cell its tags name."""
    coverage = CoverageMap()
    for heuristic in heuristics:
        coverage.total += 1
        tags = frozenset(heuristic.tags)
        coverage.tags[heuristic.id] = tags
        components = [c for c in COMPONENTS if c in tags]
        kinds = [k for k in KINDS if k in tags]
        if not components or not kinds:
            coverage.unplaced.append(heuristic.id)
            continue
        for component in components:
            for kind in kinds:
                coverage.cells.setdefault((component, kind), []).append(heuristic.id)
    for ids in coverage.cells.values():
        ids.sort()
    coverage.unplaced.sort()
    return coverage


def tag_problems(heuristics: Iterable[Heuristic], exceptions: Iterable[str] = ()) -> list[str]:
    """One line per bundled heuristic missing a component or a kind tag (``exceptions`` skipped)."""
    skip = set(exceptions)
    problems = []
    for heuristic in heuristics:
        if heuristic.id in skip:
            continue
        tags = set(heuristic.tags)
        missing = [what for what, names in (("component", COMPONENTS), ("kind", KINDS))
                   if not tags.intersection(names)]
        if missing:
            problems.append(f"{heuristic.source}: tags: no {' and no '.join(missing)} tag "
                            f"(components: {', '.join(COMPONENTS)}; kinds: {', '.join(KINDS)})")
    return problems


HEADER = """\
<!-- Generated by heuristics/coverage.py from the bundled library's tags: do not edit by hand.
     Regenerate: .venv/bin/python -m triagebench.heuristics.coverage --write docs/coverage.md
     (tests/test_coverage_map.py fails when this file is out of date). -->
"""


def render_markdown(coverage: CoverageMap) -> str:
    """The map as Markdown: the families checklist, then one table per component."""
    lines = [HEADER, "# Coverage map of the bundled heuristics", "",
             f"{coverage.total} bundled heuristics, placed by their component and kind tags "
             "(a heuristic with several tags appears in several cells).", "",
             "## Families that must be covered", "",
             "| family | cell | heuristics |", "|---|---|---|"]
    for family, needs in FAMILIES.items():
        for need in needs:
            names = coverage.carrying(need)
            shown = " x ".join(need) if len(need) > 1 else f"tag {need[0]}"
            lines.append(f"| {family} | {shown} | {', '.join(names) if names else NONE_YET} |")
    lines += ["", "## Components x kinds", "",
              "| component | " + " | ".join(KINDS) + " |",
              "|---|" + "---|" * len(KINDS)]
    for component in COMPONENTS:
        counts = [len(coverage.ids(component, kind)) for kind in KINDS]
        lines.append(f"| {component} | " + " | ".join(str(n) if n else "-" for n in counts) + " |")
    lines += ["", "Counts of heuristics per cell; the lists follow.", ""]
    for component in COMPONENTS:
        lines += [f"### {component}", ""]
        for kind in KINDS:
            ids = coverage.ids(component, kind)
            lines.append(f"- {kind}: {', '.join(ids) if ids else NONE_YET}")
        lines.append("")
    lines += ["## Not on the map", "",
              "Heuristics without a component or kind tag (written before the tag convention):", ""]
    lines.append(", ".join(coverage.unplaced) if coverage.unplaced else "none")
    lines.append("")
    return "\n".join(lines)


def coverage_markdown(library: Library | None = None) -> str:
    """The rendered map of ``library`` (the bundled one by default)."""
    library = library if library is not None else load_library()
    return render_markdown(build_map(library.heuristics))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print or write the heuristics coverage map.")
    parser.add_argument("--write", metavar="FILE", help="write the Markdown map to FILE")
    args = parser.parse_args(argv)
    text = coverage_markdown()
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["COMPONENTS", "FAMILIES", "KINDS", "NONE_YET", "CoverageMap", "build_map",
           "coverage_markdown", "render_markdown", "tag_problems"]
