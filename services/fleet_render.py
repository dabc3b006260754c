"""The fleet report as text, Markdown and CSV (JSON: ``FleetSummary.as_dict`` through
``services.render_json``). Text from captures is untrusted: text lines go through
``parser.printable`` at the caller, Markdown cells through ``render_markdown.cell``,
CSV through ``printable``."""

from __future__ import annotations

import csv
import io

from triagebench.parser import printable
from triagebench.services.fleet_store import FleetSummary, PatternLine
from triagebench.services.render_markdown import cell, code_span


def breakdown(counts: dict[str, int], limit: int = 4) -> str:
    items = list(counts.items())
    text = ", ".join(f"{name} {count}" for name, count in items[:limit])
    return text + (f", +{len(items) - limit} more" if len(items) > limit else "")


def trend(value: float | None) -> str:
    """Change in share of devices since the previous run, in percentage points."""
    if value is None:
        return "-"
    if abs(value) < 0.0005:
        return "="
    return f"{value * 100:+.1f} pp"


def _run_line(summary: FleetSummary) -> str:
    run = summary.run
    if not run:
        return ""
    text = (f"this run: {run['inputs']} input file(s), {run['scanned']} scanned, "
            f"{run['known']} already stored")
    if run["errors"]:
        text += f", {run['errors']} unreadable"
    if run["interrupted"]:
        text += " (interrupted: what finished is stored)"
    return text


def _pattern_rows(summary: FleetSummary) -> tuple[list[PatternLine], list[PatternLine]]:
    active = [p for p in summary.patterns if p.devices_active]
    past = [p for p in summary.patterns if not p.devices_active]
    return active, past


def render_text(summary: FleetSummary) -> list[str]:
    """Plain report lines (untrusted: the caller passes them through ``printable``)."""
    scope = f" captured since {summary.since}" if summary.since else ""
    out = [f"{summary.devices} device(s), {summary.captures} capture(s){scope}"
           + (f"; {summary.unidentified_devices} without a device UUID (each counted as one "
              "device)" if summary.unidentified_devices else "")]
    if summary.run:
        out.append(f"  {_run_line(summary)}")
    if summary.os_totals:
        out.append(f"  OS versions: {breakdown(summary.os_totals, 6)}")
    if summary.device_totals:
        out.append(f"  device types: {breakdown(summary.device_totals, 6)}")
    out += ["", "Known patterns, active now (% of devices, latest capture of each)"]
    active, past = _pattern_rows(summary)
    if not active:
        out.append("  none")
    for p in active:
        out.append(f"  {p.devices_active:>5}  {p.share:6.1%}  {trend(p.trend):>8}  "
                   f"{p.severity:<8}  {p.id}: {p.title}")
        if p.devices_past:
            out.append(f"                   + {p.devices_past} device(s) recovered/historical")
        out.append(f"                   by OS: {breakdown(p.by_os)}")
        out.append(f"                   by device: {breakdown(p.by_device)}")
        if p.examples:
            out.append(f"                   e.g. {', '.join(p.examples)}")
    if past:
        out += ["", "Seen only as recovered or historical (devices)"]
        out += [f"  {p.devices_past:>5}  {p.id}: {p.title}" for p in past]
    failing = [s for s in summary.device_state if s.failed or s.degraded]
    out += ["", "Device state at capture (devices failing each check)"]
    if not failing:
        out.append("  every check ok or unknown")
    for s in failing:
        out.append(f"  {s.failed:>5}  {s.share_failed:6.1%}  failed  "
                   f"{s.degraded:>5} degraded  of {s.devices}  {s.item}")
    out += ["", f"Unexplained templates (top {len(summary.templates)} of "
                f"{summary.template_total}, by number of files)"]
    if not summary.templates:
        out.append("  none")
    for t in summary.templates:
        out.append(f"  {t.files:>5} file(s) {t.lines:>7} line(s)  [{t.section or '-'}]")
        out.append(f"         {t.template}")
        if t.examples:
            out.append(f"         e.g. {', '.join(t.examples)}")
    if summary.errors:
        out += ["", f"Unreadable in this run: {summary.run.get('errors', len(summary.errors))}"]
        out.extend(f"  {error}" for _, error in summary.errors)
    for problem in summary.heuristic_errors[:20]:
        out.append(f"heuristic error: {problem}")
    return out


def render_markdown(summary: FleetSummary) -> str:
    scope = f" captured since {summary.since}" if summary.since else ""
    out = [f"# Fleet: {summary.devices} device(s), {summary.captures} capture(s){scope}", ""]
    if summary.run:
        out += [cell(_run_line(summary)), ""]
    out += ["## Known patterns", ""]
    if summary.patterns:
        out += ["| devices (active) | % of devices | trend | recovered/historical | severity "
                "| pattern | by OS version | by device type | examples |",
                "|---:|---:|---:|---:|---|---|---|---|---|"]
        for p in summary.patterns:
            out.append(f"| {p.devices_active} | {p.share:.1%} | {trend(p.trend)} "
                       f"| {p.devices_past} | {p.severity} | {code_span(p.id)} {cell(p.title)} "
                       f"| {cell(breakdown(p.by_os))} | {cell(breakdown(p.by_device))} "
                       f"| {cell(', '.join(p.examples))} |")
    else:
        out.append("No known pattern matched.")
    out += ["", "## Device state at capture", "",
            "| check | devices | failed | % failed | degraded |", "|---|---:|---:|---:|---:|"]
    for s in summary.device_state:
        out.append(f"| {cell(s.item)} | {s.devices} | {s.failed} | {s.share_failed:.1%} "
                   f"| {s.degraded} |")
    out += ["", "## Unexplained templates", ""]
    if summary.templates:
        out += ["| files | lines | section | template | examples |", "|---:|---:|---|---|---|"]
        for t in summary.templates:
            span = code_span(t.template).replace("|", "\\|")
            out.append(f"| {t.files} | {t.lines} | {cell(t.section or '')} | {span} "
                       f"| {cell(', '.join(t.examples))} |")
    else:
        out.append("None.")
    if summary.errors:
        out += ["", "## Unreadable files", ""]
        out += [f"- {cell(error)}" for _, error in summary.errors]
    return "\n".join(out) + "\n"


def render_csv(summary: FleetSummary) -> str:
    """One table: ``kind`` is ``pattern``, ``state``, ``template`` or ``error``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["kind", "id_or_template", "section", "severity", "devices", "share",
                     "trend", "devices_past", "files", "lines", "by_os", "by_device",
                     "examples"])
    for p in summary.patterns:
        writer.writerow(["pattern", p.id, "", p.severity, p.devices_active, f"{p.share:.4f}",
                         "" if p.trend is None else f"{p.trend:.4f}", p.devices_past, "", "",
                         breakdown(p.by_os, 50), breakdown(p.by_device, 50),
                         " ".join(p.examples)])
    for s in summary.device_state:
        writer.writerow(["state", s.item, "", "", s.failed, f"{s.share_failed:.4f}", "",
                         s.degraded, s.devices, "", "", "", ""])
    for t in summary.templates:
        writer.writerow(["template", t.template, t.section or "", "", "", "", "", "", t.files,
                         t.lines, "", "", " ".join(t.examples)])
    for path, error in summary.errors:
        writer.writerow(["error", error, "", "", "", "", "", "", "", "", "", "", path])
    return printable(buffer.getvalue())


__all__ = ["breakdown", "render_csv", "render_markdown", "render_text", "trend"]
