"""The workbench takes inputs the way they arrive: a zip of several devices' files asks
which one to open; health checks given beside the file (--checks) are one more group,
"Health checks", in the tree and feed the same findings list."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from triagebench.tui.app import TriageApp, create_app
from triagebench.tui.screens.input_picker import InputPicker
from triagebench.tui.widgets.command_tree import CommandTree

from tests.pilot import run_async, settle_until
from tests.test_parser_checks import FAILED_COMBINED
from tests.test_tui_app_helpers import tree_rows

pytestmark = pytest.mark.usefixtures("no_local_clipboard")

ROOT = Path(__file__).resolve().parent.parent
HEALTHY = ROOT / "sample-diagnostics" / "healthy-rpi0-2w-2.87.16.txt"
OOM = ROOT / "sample-diagnostics" / "s14-s17-oom-disk-full-fincm3-2.94.4.txt"


async def settle(app: TriageApp, pilot: Any, until: Any) -> None:
    await settle_until(pilot, until)


@run_async
async def test_a_zip_of_several_files_asks_which_one(tmp_path: Path) -> None:
    bundle = tmp_path / "ticket.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(HEALTHY, "device-a.txt")
        archive.write(OOM, "device-b.txt")
    app = create_app(str(bundle), env={})
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot, lambda: isinstance(app.screen, InputPicker))
        assert app.document is None
        picker = app.screen
        assert isinstance(picker, InputPicker)
        assert picker.names == [f"{bundle}:device-a.txt", f"{bundle}:device-b.txt"]
        await pilot.press("down", "enter")
        await settle(app, pilot, lambda: app.findings is not None and app.templates is not None)
        assert app.document is not None
        assert app.document.path == f"{bundle}:device-b.txt"
        assert app.document.line_count == OOM.read_bytes().count(b"\n")
        assert app.findings is not None and app.findings.matches


@run_async
async def test_escape_on_the_picker_quits(tmp_path: Path) -> None:
    bundle = tmp_path / "ticket.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(HEALTHY, "a.txt")
        archive.write(OOM, "b.txt")
    app = create_app(str(bundle), env={})
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot, lambda: isinstance(app.screen, InputPicker))
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code in (0, None) and app.document is None


@run_async
async def test_health_checks_are_a_group_in_the_tree_and_feed_the_findings(
        tmp_path: Path) -> None:
    checks = tmp_path / "checks.json"
    checks.write_text(FAILED_COMBINED, encoding="utf-8")
    app = create_app(str(HEALTHY), env={}, checks=(str(checks),))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot, lambda: app.findings is not None and app.templates is not None)
        rows = tree_rows(app.query_one(CommandTree))
        groups = [row for row in rows if row[2:].startswith("▼ Health checks")]
        assert len(groups) == 1 and not any("CHECKS" in row for row in rows)
        # opened (its failed checks are hits), the checks listed under it
        assert any(row.startswith("  └ checks.sh: check_und") and row.endswith("… ▲2")
                   for row in rows)  # check_under_voltage, cut to the tree's width
        assert app.findings is not None
        ids = {f.id for f in app.findings.matches}
        assert any(i.startswith("health-check") for i in ids)
        assert app.document is not None and app.document.path == str(HEALTHY)


def test_the_cli_accepts_compressed_files_and_archives_before_the_app_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import lzma

    from triagebench.cli.main import main
    from triagebench.cli.open import precheck

    xz = tmp_path / "diag.txt.xz"
    xz.write_bytes(lzma.compress(HEALTHY.read_bytes()))
    bundle = tmp_path / "t.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(HEALTHY, "a.txt")
    precheck(str(xz))  # not "looks like a binary file"
    precheck(str(bundle))
    assert main([str(HEALTHY), "--checks", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"{tmp_path / 'missing.json'}: no such file"
