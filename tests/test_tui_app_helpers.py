"""Shared helpers for the app tests: a small diagnostics file in the real format and
a heuristics folder matching it. (No tests here; pytest collects nothing from it.)

The file is built by ``tests.realdata.build.diagnostics_text`` (the real diagnose.sh
frame: banners, the COMMANDS listing, sections with timestamp and busybox time lines, then
the STDERR part), so the real parser splits it into sections exactly as it does real captures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from tests.realdata import build

if TYPE_CHECKING:
    from triagebench.tui.widgets.command_tree import CommandTree

CAPTURED = dt.datetime(2022, 5, 2, 16, 3, 41, 105915, tzinfo=dt.UTC)

MIGRATION = 'level=info msg="Storage migration from aufs to overlay2 starting"'
TIMEOUT = "May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating."

SECTIONS: list[tuple[str, list[str]]] = [
    ("echo === BALENA ===", ["=== BALENA ==="]),
    ("balena --version", ["Docker version 19.03.30, build c41a2d5c1a"]),
    ("journalctl --no-pager --no-hostname -n 1000 -at balenad",
     [f"May 02 16:0{i % 10}:1{i % 10} balenad[1234]: level=info msg=\"heartbeat {i}\""
      for i in range(30)] + [f"May 02 16:03:40 balenad[1234]: {MIGRATION}"]
     + [f"May 02 16:04:0{i} balenad[1234]: level=info msg=\"after {i}\"" for i in range(5)]),
    ("echo === OS ===", ["=== OS ==="]),
    ("cat /etc/os-release", ['ID="balena-os"', 'NAME="balenaOS"', 'VERSION="2.87.16+rev1"',
                             'PRETTY_NAME="balenaOS 2.87.16+rev1"', 'VARIANT="production"',
                             'SLUG="raspberrypi4-64"', 'MACHINE="raspberrypi4-64"']),
    ("cat /proc/device-tree/model", ["Raspberry Pi 4 Model B Rev 1.4\x00"]),
    ("uname -a", ["Linux 3b1e2f4 5.10.83-v8 #1 SMP PREEMPT Tue Jan 4 2022 aarch64 GNU/Linux"]),
    ("journalctl --no-pager --no-hostname -pwarning -perr -a",
     ["May 02 16:03:50 kernel: usb 1-1.3: device descriptor read/64, error -71",
      TIMEOUT, "May 02 16:04:00 systemd[1]: balena.service: Failed with result 'timeout'."]),
    ("cat /var/log/provisioning-progress.log", []),
    ("echo === TIME ===", ["=== TIME ==="]),
    ("uptime", [" 16:05:00 up 2 days,  3:04,  load average: 0.10, 0.20, 0.30"]),
]
STDERR = {"cat /var/log/provisioning-progress.log":
          ["cat: /var/log/provisioning-progress.log: No such file or directory"]}
STATUS = {"cat /var/log/provisioning-progress.log": 1}


def diagnostics_text() -> str:
    """The sample file's text (diagnose 4.22.11 layout)."""
    return build.diagnostics_text(SECTIONS, stderr=STDERR, status=STATUS, captured=CAPTURED,
                                  step=dt.timedelta(0), real="0m 0.21s")


HEURISTICS = {
    "engine-storage-migration-timeout": '''
id = "engine-storage-migration-timeout"
title = "Engine storage migration timing out"
severity = "critical"
permalink = "https://example.com/kb/engine-storage-migration-timeout"
description = "The engine migrates aufs to overlay2 on first boot after a HUP and times out."
remedy = "Let the migration finish: extend the balena.service start timeout."
when = "migration and timeout"

[signals.migration]
in = ["journalctl --no-pager --no-hostname -n 1000 -at balenad"]
regex = 'Storage migration from aufs to overlay2 starting'

[signals.timeout]
in = ["journalctl *"]
regex = 'balena\\.service: (start operation timed out|Failed with result .timeout.)'
''',
    "usb-descriptor-errors": '''
id = "usb-descriptor-errors"
title = "USB device descriptor read errors"
severity = "medium"
permalink = "https://example.com/kb/usb-descriptor-errors"
description = "A USB device fails to enumerate (power or cable)."

[signals.usb]
in = ["journalctl *"]
regex = 'device descriptor read/64, error'
''',
}


def write_sample(folder: Path) -> Path:
    """Write the diagnostics file and its heuristics folder; returns the file path."""
    path = folder / "device-diag.txt"
    path.write_text(diagnostics_text(), encoding="utf-8")
    heuristics = folder / "heuristics"
    heuristics.mkdir(exist_ok=True)
    for name, text in HEURISTICS.items():
        (heuristics / f"{name}.toml").write_text(text.lstrip(), encoding="utf-8")
    return path


def tree_rows(tree: CommandTree) -> list[str]:
    """The command tree's rows as the user reads them (trailing blanks dropped)."""
    return [tree.render_line(y).text.rstrip() for y in range(tree.size.height)]


def cursor_text(tree: CommandTree) -> str | None:
    """The text of the label under the tree's cursor (no guides, no arrow), or None."""
    row = tree.cursor_row
    if row is None:
        return None
    text = tree.render_line(row - tree.scroll_offset.y).text.rstrip()
    return text[tree.rows[row].depth * 2:].removeprefix("▼ ").removeprefix("▶ ")
