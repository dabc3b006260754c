"""Output hygiene (#18): file text is never Rich markup, Markdown escapes what it copies
from files and heuristics, and the clipboard gets control characters made visible."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pilot import run_async
from tests.test_refs import diagnostics_text

OSC8 = "\x1b]8;"


def run_triage(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, FORCE_COLOR="1", TERM="xterm-256color", COLUMNS="200",
               **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "triagebench", *args], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.parametrize("model", [
    "Raspberry Pi [/] 3 Model B",
    "[link=https://evil.example]Raspberry Pi 3[/link]",
    "Raspberry Pi [bold red]3 :smile: [/bold red",
])
def test_parse_text_shows_a_device_model_with_markup_literally(tmp_path: Path, model: str) -> None:
    diag = tmp_path / "[link=http:evil.example]diag[bold].txt"
    diag.write_text(diagnostics_text(extra=[("cat /proc/device-tree/model", [model])]),
                    encoding="utf-8")
    result = run_triage("parse", str(diag))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert OSC8 not in result.stdout
    assert model in result.stdout  # literally, the emoji code too
    assert "[link=http:evil.example]diag[bold].txt" in result.stdout


def test_scan_markdown_escapes_file_names_titles_and_permalinks(tmp_path: Path) -> None:
    heuristics = tmp_path / "h"
    heuristics.mkdir()
    (heuristics / "evil-title.toml").write_text('''
id = "evil-title"
title = "Boom <img src=x onerror=alert(1)> [click](javascript:alert(1)) `code` | pipe"
severity = "high"
permalink = "https://example.com/a_(b)*c*](javascript:x)"
description = "d"
remedy = "r <b>bold</b>"
tags = ["device", "crash"]
when = "s"

[signals.s]
in = ["balena --version"]
regex = 'Docker version'
''', encoding="utf-8")
    diag = tmp_path / "d`x`\n<b>.txt"
    diag.write_text(diagnostics_text(), encoding="utf-8")
    result = run_triage("scan", str(diag), "--no-builtin", "--heuristics", str(heuristics),
                        "--format", "markdown")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    heading = out.splitlines()[0]
    assert heading.startswith("## ") and heading.endswith(".txt")  # the name stays on one line
    prose = re.sub(r"``.*?``", "", out)  # code spans show their text literally
    assert "<img" not in prose.replace("\\<img", "") and "<b>" not in prose.replace("\\<b>", "")
    assert "``" + str(diag).replace("\n", "\\n") + "``" in out
    assert "[click](" not in out and "\\[click\\]" in out
    assert "(https://example.com/a_%28b%29*c*%5D%28javascript:x%29)" in out
    assert "](javascript" not in out.replace("\\](", "")  # only escaped brackets


@run_async
async def test_copying_a_line_makes_its_control_characters_visible(tmp_path: Path,
                                                                   no_local_clipboard) -> None:
    from triagebench.tui.app import create_app

    evil = "ok\x07 then\x08\x08\rrm -rf ~ \x1b]0;title\x07 \u202eevil\x1b[31mred\x1b[0m"
    diag = tmp_path / "diag.txt"
    diag.write_text(diagnostics_text(extra=[("dmesg", [evil])]), encoding="utf-8")
    app = create_app(str(diag), builtin=False, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        document = app.document
        assert document is not None
        line = next(n for n in range(1, document.line_count + 1) if "rm -rf" in document.line(n))
        app.log_view.focus()
        app.log_view.goto_line(line)
        await pilot.press("y")
        await pilot.pause()
        copied = app.clipboard
        assert "rm -rf" in copied
        for raw in ("\r", "\x08", "\x07", "\x1b", "\u202e"):
            assert raw not in copied, repr(raw)
        assert "\\r" in copied and "\\x08" in copied and "\\u202e" in copied


def test_report_escapes_titles_and_neutralises_non_http_links(tmp_path: Path) -> None:
    heuristics = tmp_path / "h"
    heuristics.mkdir()
    (heuristics / "evil-title.toml").write_text('''
id = "evil-title"
title = "Boom [click](javascript:alert(1)) *loud*"
severity = "high"
permalink = "https://example.com/kb"
description = "See [the docs](https://example.com/docs) or [this](javascript:alert(2))."
remedy = """Run it.
[x]: javascript:alert(3)"""
tags = ["device", "crash"]
when = "s"

[signals.s]
in = ["balena --version"]
regex = 'Docker version'
''', encoding="utf-8")
    diag = tmp_path / "diag.txt"
    diag.write_text(diagnostics_text(), encoding="utf-8")
    result = run_triage("report", str(diag), "--no-builtin", "--heuristics", str(heuristics),
                        "--no-bookmarks")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    heading = next(line for line in out.splitlines() if line.startswith("### 1."))
    assert heading == "### 1. [HIGH] Boom \\[click\\](javascript:alert(1)) \\*loud\\*"
    assert "[the docs](https://example.com/docs)" in out  # author Markdown kept
    assert "[this\\](javascript:alert(2))" in out
    assert "\\[x]: javascript:alert(3)" in out
    assert not re.search(r"(?<!\\)\]\(javascript", out)
