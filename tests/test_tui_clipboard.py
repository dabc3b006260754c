"""The clipboard helper: OSC 52 always, a local copy only outside SSH, clear notices."""

from __future__ import annotations

import asyncio
import time

import pytest
from textual.app import App
from triagebench.tui import clipboard
from triagebench.tui.clipboard import TMUX_HINT, Clipboard, describe, in_tmux, is_remote


@pytest.mark.parametrize("env, remote", [
    ({}, False),
    ({"SSH_CONNECTION": "10.0.0.1 5555 10.0.0.2 22"}, True),
    ({"SSH_TTY": "/dev/pts/3"}, True),
    ({"SSH_CLIENT": "10.0.0.1 5555 22"}, True),
    ({"SSH_CONNECTION": ""}, False),
])
def test_remote_sessions_are_detected_from_the_environment(env: dict, remote: bool) -> None:
    assert is_remote(env) is remote


def test_tmux_is_detected() -> None:
    assert in_tmux({"TMUX": "/tmp/tmux-1000/default,42,0"})
    assert not in_tmux({})


def test_notice_says_what_was_copied_with_an_escaped_preview() -> None:
    message = describe("diag.txt#L12  \x1b]52;c;ZXZpbA==\x07 evil", "diag.txt#L12")
    assert message.startswith("Copied diag.txt#L12 (1 line, ")
    assert "\x1b" not in message and "\\e]52" in message
    assert describe("a\nb\nc", "lines 1-3").startswith("Copied lines 1-3 (3 lines, 5 B)")
    long = describe("x" * 5000, "line")
    assert "4.9 KB" in long and long.endswith("…")


def test_local_copy_failure_is_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyperclip

    def broken(text: str) -> None:
        raise pyperclip.PyperclipException("no copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", broken)
    assert clipboard.local_copy("text") is False


class Host(App[None]):
    """A bare app whose headless flag can be turned off to exercise the local copy."""

    headless_override: bool | None = None

    @property
    def is_headless(self) -> bool:  # type: ignore[override]
        return super().is_headless if self.headless_override is None else self.headless_override


def run(env: dict, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str | None, list[str], list]:
    local: list[str] = []
    monkeypatch.setattr(clipboard, "local_copy", lambda text: local.append(text) or True)
    notices: list = []

    async def main() -> tuple[str, str | None]:
        app = Host()
        app.headless_override = False
        async with app.run_test():
            helper = Clipboard(app, env)
            app.notify = lambda message, **kw: notices.append(message)  # type: ignore[method-assign]
            first = helper.copy("diag.txt#L1  hello", "diag.txt#L1")
            helper.copy("second", "line 2")
            for _ in range(50):
                if len(local) >= 2 or env.get("SSH_CONNECTION"):
                    break
                time.sleep(0.01)
            return first, app.clipboard

    first, copied = asyncio.run(main())
    return first, copied, local, notices


def test_local_session_copies_with_osc52_and_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    first, copied, local, notices = run({}, monkeypatch)
    assert copied == "second"  # app.clipboard: what OSC 52 carried last
    assert sorted(local) == ["diag.txt#L1  hello", "second"]
    assert notices[0] == first and "Copied diag.txt#L1" in first
    assert TMUX_HINT not in first


def test_ssh_session_never_touches_the_local_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    _, copied, local, notices = run({"SSH_CONNECTION": "1 2 3 4"}, monkeypatch)
    assert copied == "second" and local == []
    assert len(notices) == 2


def test_tmux_hint_is_shown_once(monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, _, notices = run({"TMUX": "/tmp/tmux-0/default,1,0", "SSH_TTY": "/dev/pts/1"},
                           monkeypatch)
    assert TMUX_HINT in notices[0] and "set -g set-clipboard on" in notices[0]
    assert TMUX_HINT not in notices[1]
