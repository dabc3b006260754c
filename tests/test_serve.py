"""``triage serve``: a real server on a free loopback port, fetched over real HTTP."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from triagebench.cli.serve import free_port, is_loopback, served_command

from tests.test_refs import diagnostics_text

STARTUP_TIMEOUT = 30.0


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode("utf-8", "replace")


@pytest.fixture()
def served(tmp_path: Path):
    """Start ``triage serve`` on a free loopback port; yield (port, process); always stop it."""
    diag = tmp_path / "diag <b>.txt"
    diag.write_text(diagnostics_text(), encoding="utf-8")
    port = free_port("127.0.0.1")
    env = dict(os.environ, TRIAGE_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
    log = (tmp_path / "serve.log").open("wb")  # a file, not a pipe: it can never fill up
    process = subprocess.Popen(
        [sys.executable, "-m", "triagebench", "serve", str(diag), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    process.log_path = tmp_path / "serve.log"  # type: ignore[attr-defined]
    try:
        yield port, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def test_serve_answers_on_loopback_with_the_app_page(served) -> None:
    port, process = served
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    status, page = 0, ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.log_path.read_text(encoding="utf-8", errors="replace")
            pytest.fail(f"triage serve exited with {process.returncode}: {output}")
        try:
            status, page = fetch(url)
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    assert status == 200, f"no answer from {url} within {STARTUP_TIMEOUT:.0f} s"
    assert f"ws://127.0.0.1:{port}/ws" in page  # the terminal connects back here
    assert "<div>triage diag__b_.txt</div>" in page  # title from the file name, HTML-safe
    assert "<b>" not in page
    # SIGTERM stops it cleanly.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_serve_rejects_a_missing_file_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "triagebench", "serve", str(tmp_path / "nope.txt")],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nope.txt" in result.stderr


def test_loopback_detection_and_served_command(tmp_path: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    path = str(tmp_path / "it's here; rm -rf x.txt")
    assert shlex.split(served_command(path)) == [sys.executable, "-m", "triagebench", path]
