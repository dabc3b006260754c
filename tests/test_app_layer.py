"""The application layer's promises: one pipeline, one library policy, clean stdout.

* ``x`` in the TUI and ``triage report`` give the same report for the same file and
  options, and scan / report / fleet / TUI run the same heuristics.
* No raw control character from the file (ESC, C1 ``\\x9b``, BEL) reaches stdout
  from any headless verb in any format.
* ``services`` and ``cli`` never import Textual (checked on ``sys.modules`` in a
  subprocess, so an indirect import counts too).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from triagebench.cli.main import VERBS, main
from triagebench.services import analysis
from triagebench.services.fleet import ScanOptions, library_for
from triagebench.services.library import LibraryOptions, heuristic_ids
from triagebench.services.library import load as load_library
from triagebench.tui.app import create_app

from tests.pilot import run_async
from tests.test_drafts_fixture import DMESG, SECTIONS, make_text

ROOT = Path(__file__).resolve().parent.parent

HEURISTIC = '''
id = "undervoltage-test"
title = "Under-voltage seen"
severity = "high"
permalink = "https://example.com/kb/undervoltage"
description = "The power supply sags."

[signals.uv]
in = ["dmesg -T"]
regex = 'Under-voltage detected|hostile'
'''

DRAFT = '''
id = "draft-vchi"
title = "VCHI service fails (draft)"
severity = "low"
permalink = "https://example.com/kb/vchi"
description = "A draft under review."

[signals.vchi]
in = ["dmesg -T"]
regex = 'failed to open VCHI service'
'''

HOSTILE = "[Fri Apr 29 13:36:00 2022] hostile error: \x1b[31mred\x1b[0m \x9b2J csi \x07 bell failed"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture()
def setup(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "work"
    folder.mkdir()
    sections = [(cmd, [*out, HOSTILE] if cmd == DMESG else out, err)
                for cmd, out, err in SECTIONS]
    path = folder / "dev\x1b]0;title\x07ice\x9b.txt"
    path.write_text(make_text(sections), encoding="utf-8")
    heuristics = tmp_path / "heuristics"
    heuristics.mkdir()
    (heuristics / "undervoltage-test.toml").write_text(HEURISTIC.lstrip(), encoding="utf-8")
    drafts = tmp_path / "drafts"  # $TRIAGE_DRAFTS (tests/conftest.py)
    drafts.mkdir()
    (drafts / "draft-vchi.toml").write_text(DRAFT.lstrip(), encoding="utf-8")
    return {"file": path, "heuristics": heuristics, "drafts": drafts, "folder": folder}


def run_verb(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- the same report and the same heuristics everywhere ------------------------------

@pytest.mark.parametrize("include_drafts", [True, False])
@run_async
async def test_x_in_the_tui_equals_triage_report(setup: dict[str, Path], include_drafts: bool,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = setup["file"]
    app = create_app(str(path), heuristic_dirs=(str(setup["heuristics"]),), builtin=False,
                     include_drafts=include_drafts, env={})
    async with app.run_test(size=(140, 45)) as pilot:
        for _ in range(100):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.findings is not None and app.templates is not None:
                break
        tui_ids = heuristic_ids(app.library)
        await pilot.press("x")
        await pilot.pause()
    written = next(setup["folder"].glob("*.triage.md")).read_text(encoding="utf-8")
    args = ["report", str(path), "--heuristics", str(setup["heuristics"]), "--no-builtin",
            "--include-drafts" if include_drafts else "--no-drafts"]
    code, out, _ = run_verb(capsys, *args)
    assert code == 0
    assert out == written
    assert ("VCHI service fails (draft)" in out) == include_drafts
    assert "Under-voltage seen" in out
    assert tui_ids == (["draft-vchi", "undervoltage-test"] if include_drafts
                       else ["undervoltage-test"])


def test_scan_report_fleet_and_tui_load_the_same_heuristics(
        setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    options = LibraryOptions((str(setup["heuristics"]),), builtin=False, include_drafts=True)
    expected = ["draft-vchi", "undervoltage-test"]
    assert heuristic_ids(load_library(options)) == expected
    fleet = library_for(ScanOptions(heuristic_dirs=options.heuristic_dirs, builtin=False,
                                    include_drafts=True))
    assert heuristic_ids(fleet) == expected
    common = [str(setup["file"]), "--heuristics", str(setup["heuristics"]), "--no-builtin",
              "--include-drafts"]
    _, out, _ = run_verb(capsys, "scan", *common, "--format", "json")
    assert sorted(m["id"] for m in json.loads(out)["matches"]) == expected
    _, out, _ = run_verb(capsys, "fleet", *common, "--format", "json", "-j", "1")
    fleet_ids = sorted(p["id"] for p in json.loads(out)["patterns"])
    assert fleet_ids == expected
    # without the flag the drafts stay out of every verb
    _, out, _ = run_verb(capsys, "scan", *common[:-1], "--format", "json")
    assert [m["id"] for m in json.loads(out)["matches"]] == ["undervoltage-test"]


def test_the_mining_cap_is_part_of_the_pipeline(setup: dict[str, Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    options = analysis.AnalysisOptions(LibraryOptions(builtin=False))
    full = analysis.analyse(str(setup["file"]), options)
    assert full.unexplained is not None and len(full.unexplained.lines) > 2
    monkeypatch.setattr(analysis, "MAX_MINED_LINES", 1)
    capped = analysis.analyse(str(setup["file"]), options)
    assert capped.unexplained is not None
    assert capped.unexplained.lines == full.unexplained.lines  # every line still listed
    assert sum(t.count for t in capped.templates) == 1  # but only one was mined


def test_the_analysis_default_timeout_is_the_evaluators() -> None:
    from triagebench.heuristics.evaluate import DEFAULT_TIMEOUT

    assert analysis.DEFAULT_TIMEOUT == DEFAULT_TIMEOUT


# -- no raw control character on stdout -----------------------------------------------

def _verb_runs(setup: dict[str, Path]) -> list[list[str]]:
    file = str(setup["file"])
    lib = ["--heuristics", str(setup["heuristics"]), "--include-drafts"]
    text = setup["file"].read_text(encoding="utf-8")
    hostile = text.splitlines().index(HOSTILE) + 1
    return [
        ["parse", file], ["parse", file, "--json"],
        *(["scan", file, *lib, "--format", f] for f in ("text", "json", "markdown")),
        *(["fleet", file, *lib, "-j", "1", "--format", f]
          for f in ("text", "json", "markdown", "csv")),
        ["report", file, *lib],
        ["draft", file, "--lines", f"{hostile}-{hostile}", "--print"],
        ["heuristics", "list", str(setup["heuristics"])],
        ["completion", "bash"],
        *(["timeline", file, *lib, "--format", f] for f in ("text", "json", "markdown")),
        *(["diff", file, file, *lib, "--format", f] for f in ("text", "json", "markdown")),
    ]


def test_no_raw_control_character_reaches_stdout_from_any_verb(
        setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    runs = _verb_runs(setup)
    covered = {run[0] for run in runs}
    # serve and the TUI draw through Textual, which never writes file text raw
    assert covered == set(VERBS) - {"serve"}
    for argv in runs:
        code, out, err = run_verb(capsys, *argv)
        assert code in (0, 1), (argv, err)
        assert out, argv
        assert not RAW_CONTROL.findall(out), (argv, RAW_CONTROL.findall(out))
        assert not RAW_CONTROL.findall(err), (argv, RAW_CONTROL.findall(err))


def test_json_outputs_keep_the_text_but_escape_it(setup: dict[str, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_verb(capsys, "parse", str(setup["file"]), "--json")
    assert "\\u009b" in out and "\\u001b" in out
    data = json.loads(out)
    assert data["file"] == str(setup["file"])  # escaped on the wire, exact when decoded
    assert any("hostile error" in line and "\x07" in line for s in data["sections"]
               if s["stdout"] for line in s["stdout"]["lines"])


# -- import rules -------------------------------------------------------------------

def _modules(package: str) -> list[str]:
    folder = ROOT / package
    return [f"triagebench.{package}.{p.stem}" for p in sorted(folder.glob("*.py"))
            if p.stem != "__init__"]


@pytest.mark.parametrize("package", ["services", "cli"])
def test_application_layer_and_cli_never_import_textual(package: str) -> None:
    modules = _modules(package)
    assert modules
    code = ("import importlib, json, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "from triagebench.cli.main import VERBS, build_verb_parser\n"
            "for verb in VERBS: build_verb_parser(verb)\n"
            "print(json.dumps(sorted(m for m in sys.modules\n"
            "      if m == 'textual' or m.startswith(('textual.', 'triagebench.tui')))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert json.loads(result.stdout) == []


def test_a_headless_verb_run_never_imports_textual(tmp_path: Path) -> None:
    sample = next((ROOT / "sample-diagnostics").glob("*.txt"))
    code = ("import json, sys, io, contextlib\n"
            "from triagebench.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['scan', {str(sample)!r}, '--format', 'json'])\n"
            f"    main(['report', {str(sample)!r}, '--no-bookmarks'])\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('textual'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=tmp_path)
    assert json.loads(result.stdout) == []


