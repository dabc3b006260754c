"""``triage serve``: a real server on a free loopback port, fetched over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
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
    with serving(tmp_path) as started:
        yield started


@contextlib.contextmanager
def serving(tmp_path: Path, *extra: str, name: str = "diag <b>.txt"):
    diag = tmp_path / name
    diag.write_text(diagnostics_text(), encoding="utf-8")
    port = free_port("127.0.0.1")
    env = dict(os.environ, TRIAGE_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1",
               FORCE_COLOR="1")
    log = (tmp_path / "serve.log").open("wb")  # a file, not a pipe: it can never fill up
    process = subprocess.Popen(
        [sys.executable, "-m", "triagebench", "serve", str(diag), "--port", str(port), *extra],
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


def printed_url(process) -> str:
    """The URL (with its token) ``triage serve`` printed, once the server answers."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        output = process.log_path.read_text(encoding="utf-8", errors="replace")
        if process.poll() is not None:
            pytest.fail(f"triage serve exited with {process.returncode}: {output}")
        match = re.search(r"at (http://\S+/\?token=[\w-]+)", output)
        if match:
            try:
                fetch(match.group(1).split("?")[0] + "static/css/xterm.css")
                return match.group(1)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.2)
    pytest.fail(f"triage serve did not answer within {STARTUP_TIMEOUT:.0f} s")


def test_serve_answers_on_loopback_with_the_app_page(served) -> None:
    port, process = served
    url = printed_url(process)
    assert url.startswith(f"http://127.0.0.1:{port}/?token=")
    status, page = fetch(url)
    assert status == 200
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


# -- access control: a foreign Origin or Host, or no token, gets nothing ---------------

CLIENT_TIMEOUT = 20.0


async def ws_attempt(url: str, headers: dict[str, str], cookies: dict[str, str] | None = None
                     ) -> tuple[int, bytes]:
    """Try to open the workbench websocket; (HTTP status, bytes received in 3 s)."""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout, cookies=cookies) as client:
        try:
            ws = await client.ws_connect(url, headers=headers)
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status, b""
        received = b""
        try:
            async with asyncio.timeout(3):
                async for message in ws:
                    if isinstance(message.data, bytes | str):
                        data = message.data
                        received += data if isinstance(data, bytes) else data.encode()
        except TimeoutError:
            pass
        await ws.close()
        return 101, received


async def http_get(url: str, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as client, \
            client.get(url, headers=headers, allow_redirects=False) as response:
        return response.status, await response.text(), {
            name: morsel.value for name, morsel in response.cookies.items()}


def test_a_foreign_origin_or_host_or_no_token_gets_nothing(served) -> None:
    port, process = served
    url = printed_url(process)
    token = url.split("token=", 1)[1]
    base = f"127.0.0.1:{port}"
    ws_url = f"ws://{base}/ws?width=80&height=24"
    cookie = {f"triage-serve-{port}": token}

    async def attempts() -> None:
        # The page itself: no token, a foreign Origin, a rebinding Host -> 403 and no page.
        for target, headers in ((f"http://{base}/", {}),
                                (url, {"Origin": "http://evil.example"}),
                                (url, {"Host": "evil.example"}),
                                (url, {"Origin": "null"})):
            status, body, cookies = await http_get(target, headers)
            assert status == 403, (target, headers)
            assert "xterm" not in body and token not in body and not cookies
        # The websocket with the right token but a foreign Origin / Host: refused, 0 bytes.
        for headers in ({"Origin": "http://evil.example"},
                        {"Origin": f"http://{base}.evil.example"},
                        {"Host": "evil.example:80", "Origin": "http://evil.example"}):
            assert await ws_attempt(ws_url, headers, cookie) == (403, b"")
        # The right Origin without the token: refused too.
        assert await ws_attempt(ws_url, {"Origin": f"http://{base}"}) == (403, b"")
        assert await ws_attempt(ws_url + "&token=wrong", {"Origin": f"http://{base}"}) == (403, b"")
        # The index with the token sets the cookie the page's websocket uses.
        status, page, cookies = await http_get(url, {})
        assert status == 200 and f"ws://{base}/ws" in page
        assert cookies == {f"triage-serve-{port}": token}

    asyncio.run(attempts())
    log = process.log_path.read_text(encoding="utf-8", errors="replace")
    assert "refused GET /ws" in log and "evil.example" in log


def test_the_own_origin_with_the_token_gets_a_session_up_to_the_cap(tmp_path: Path) -> None:
    with serving(tmp_path, "--max-sessions", "1") as (port, process):
        url = printed_url(process)
        token = url.split("token=", 1)[1]
        base = f"127.0.0.1:{port}"
        ws_url = f"ws://{base}/ws?width=80&height=24"

        async def sessions() -> None:
            import aiohttp

            timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT)
            jar = {f"triage-serve-{port}": token}
            async with aiohttp.ClientSession(timeout=timeout, cookies=jar) as client:
                first = await client.ws_connect(ws_url, headers={"Origin": f"http://{base}"})
                try:
                    # The workbench starts and streams its screen.
                    message = await first.receive(timeout=CLIENT_TIMEOUT)
                    assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT)
                    # A second one at the same time is over the cap.
                    assert await ws_attempt(ws_url, {"Origin": f"http://{base}"}, jar) == (503, b"")
                finally:
                    await first.close()

        asyncio.run(sessions())


def test_a_file_name_with_markup_is_printed_literally(tmp_path: Path) -> None:
    with serving(tmp_path, name="[link=http:evil.example]diag[bold].txt") as (port, process):
        printed_url(process)
        log = process.log_path.read_text(encoding="utf-8", errors="replace")
        assert "\x1b]8;" not in log
        assert "serving triage [link=http:evil.example]diag[bold].txt at" in log
