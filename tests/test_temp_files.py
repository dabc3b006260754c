"""Temp files of the atomic writer (#18): recognisably named, and the ones a killed
writer left behind are removed the next time a folder is written to or the app starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from triagebench.services import files, paths

from tests.pilot import run_async
from tests.test_refs import diagnostics_text

OLD = time.time() - 3600


def leave_temp(folder: Path, name: str, age: float = OLD) -> Path:
    path = folder / name
    path.write_text("half a file")
    os.utime(path, (age, age))
    return path


def test_a_write_killed_mid_save_leaves_a_recognisable_temp_file(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(Path.cwd())!r})
        from triagebench.services import files
        real_fsync = os.fsync
        def hang(fd):
            print("writing", flush=True)
            import time; time.sleep(60)
        os.fsync = hang
        files.write_atomic({str(tmp_path / "store.json")!r}, "x" * 1000, overwrite=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "writing\n"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".store.json.")
    assert left[0].endswith(files.TEMP_SUFFIX)


def test_stale_temp_files_are_removed_on_the_next_write_to_the_folder(tmp_path: Path) -> None:
    stale = [leave_temp(tmp_path, f".report.md.abc{i}{files.TEMP_SUFFIX}") for i in range(14)]
    fresh = leave_temp(tmp_path, f".report.md.live{files.TEMP_SUFFIX}", age=time.time())
    mine = leave_temp(tmp_path, ".notes.abcdefgh.tmp")  # not ours: never touched
    plain = leave_temp(tmp_path, f"kept{files.TEMP_SUFFIX}")  # not a dot file
    files.write_atomic(tmp_path / "report.md", "# report\n", overwrite=False)
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and mine.exists() and plain.exists()
    assert (tmp_path / "report.md").read_text() == "# report\n"


def test_the_workbench_start_sweeps_its_own_folders(tmp_path: Path) -> None:
    sessions = paths.sessions_dir()
    config = paths.config_dir()
    for folder in (sessions, config):
        folder.mkdir(parents=True, exist_ok=True)
    stale = [leave_temp(sessions, f".{'a' * 64}.json.x1{files.TEMP_SUFFIX}"),
             leave_temp(config, f".settings.json.x2{files.TEMP_SUFFIX}")]
    files.sweep_own_folders()
    assert not any(p.exists() for p in stale)


@run_async
async def test_opening_the_workbench_removes_stale_session_temp_files(tmp_path: Path) -> None:
    from triagebench.tui.app import create_app

    sessions = paths.sessions_dir()
    sessions.mkdir(parents=True, exist_ok=True)
    stale = leave_temp(sessions, f".{'b' * 64}.json.k9{files.TEMP_SUFFIX}")
    diag = tmp_path / "diag.txt"
    diag.write_text(diagnostics_text(), encoding="utf-8")
    app = create_app(str(diag), builtin=False, env={})
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.findings is not None:
                break
    assert not stale.exists()
