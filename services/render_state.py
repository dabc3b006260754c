"""The device state at capture (``services.state``) as text and Markdown, for scan and report.

* ``state_text(state)``: the compact block ``triage scan`` prints first::

      State at capture: FAILED (1 failed, 1 degraded, 12 ok, 1 unknown)
        Data partition read-only, under-voltage since boot, engine up, supervisor healthy, …
        failed    storage   data partition  /mnt/data mounted READ-ONLY (/dev/mmcblk0p6)  L4580
        degraded  hardware  throttling      under-voltage 16x since boot, …                 L5776
        unknown: registry

  Problems get a line each with their evidence line; ok items are in the sentence only.
* ``state_table(state, ref)``: a Markdown table of every item (state, value, evidence
  reference), the same rows in ``triage scan --format markdown`` and the report.

Item values and evidence are file text (the state module escapes controls already); the
Markdown goes through ``render_markdown`` like every other table.
"""

from __future__ import annotations

from collections.abc import Callable

from triagebench.services.render_markdown import cell, code_span
from triagebench.services.state import DeviceState, StateItem

STATE_WORDS = {"ok": "ok", "degraded": "DEGRADED", "failed": "FAILED", "unknown": "unknown"}
"""How a state is written in text (problems in capitals so they stand out in a terminal)."""


def counts_text(state: DeviceState) -> str:
    """``"1 failed, 1 degraded, 12 ok, 1 unknown"`` (zero counts left out)."""
    counts = state.counts
    return ", ".join(f"{counts[name]} {name}" for name in ("failed", "degraded", "ok", "unknown")
                     if counts[name])


def _line_ref(item: StateItem) -> str:
    return f"L{item.first_line}" if item.first_line is not None else ""


def state_text(state: DeviceState) -> list[str]:
    """The compact text block (see the module docstring); untrusted text inside, the caller
    prints it through ``printable``."""
    out = [f"State at capture: {STATE_WORDS[state.verdict]} ({counts_text(state)})",
           f"  {state.sentence}"]
    problems = [i for i in state.items if i.state in ("failed", "degraded")]
    problems.sort(key=lambda i: i.state != "failed")
    for item in problems:
        ref = _line_ref(item)
        out.append(f"  {STATE_WORDS[item.state]:<9} {item.group:<10} {item.label}: {item.value}"
                   + (f"  {ref}" if ref else ""))
    for item in state.items:
        if item.state not in ("failed", "degraded") and "disagrees:" in item.value:
            out.append(f"  {'DISAGREES':<9} {item.group:<10} {item.label}: {item.value}")
    unknown = [i.label for i in state.items if i.state == "unknown"]
    if unknown and len(unknown) < len(state.items):
        out.append(f"  unknown: {', '.join(unknown)}")
    return out


def state_table(state: DeviceState, ref: Callable[[int], str] | None = None) -> list[str]:
    """A Markdown table: one row per item, problems first (``ref(line)`` formats the
    evidence reference, e.g. ``FILE#L123``; default ``L123``)."""
    order = {"failed": 0, "degraded": 1, "ok": 2, "unknown": 3}
    rows = sorted(state.items, key=lambda i: order[i.state])
    out = [f"**{STATE_WORDS[state.verdict]}** ({counts_text(state)}): {cell(state.sentence)}", "",
           "| check | state | value | evidence |", "|---|---|---|---|"]
    for item in rows:
        line = item.first_line
        where = code_span(ref(line) if ref else f"L{line}") if line is not None else ""
        state_cell = f"**{item.state}**" if item.state in ("failed", "degraded") else item.state
        out.append(f"| {cell(item.label)} | {state_cell} | {cell(item.value)} | {where} |")
    return out


__all__ = ["STATE_WORDS", "counts_text", "state_table", "state_text"]
