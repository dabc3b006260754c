"""The one clipboard helper: OSC 52 always, a local tool only when not over SSH.

``App.copy_to_clipboard`` writes an OSC 52 sequence to the terminal; the user's
*local* terminal emulator sets its clipboard, so copy works over SSH (the
support agent's normal setup). A local copy through pyperclip is added only for
local sessions (no ``SSH_CONNECTION``/``SSH_TTY``/``SSH_CLIENT``): on a remote box
it would fill a clipboard nobody sees, or fail. The local copy runs in a daemon
thread and swallows every failure, so a missing ``xclip`` never hurts.

Every copy is made safe to paste first (``parser.text.clipboard_safe``) and is announced with a notification saying what was copied. Inside tmux,
OSC 52 from applications is ignored unless ``set -g set-clipboard on`` (or DCS
passthrough with ``allow-passthrough on``), so the first copy there carries that
hint.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

from textual.app import App
from triagebench.parser import printable
from triagebench.parser.text import clipboard_safe

SSH_VARIABLES = ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")
TMUX_HINT = ("In tmux, add `set -g set-clipboard on` (or `set -g allow-passthrough on`) "
             "to ~/.tmux.conf if paste comes up empty.")
PREVIEW_CHARS = 60


def is_remote(env: Mapping[str, str] | None = None) -> bool:
    """True when the session runs over SSH (the local clipboard would be the wrong one)."""
    env = os.environ if env is None else env
    return any(env.get(name) for name in SSH_VARIABLES)


def in_tmux(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("TMUX"))


def local_copy(text: str) -> bool:
    """Best-effort copy with pyperclip on this machine; False on any failure."""
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # noqa: BLE001 - any backend failure is non-fatal by design
        return False
    return True


def describe(text: str, what: str) -> str:
    """The notification text: what was copied plus a short, escaped preview."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1) if text else 0
    size = len(text.encode("utf-8"))
    size_text = f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"
    first = text.split("\n", 1)[0]
    preview = printable(first)
    if len(preview) > PREVIEW_CHARS:
        preview = preview[: PREVIEW_CHARS - 1] + "…"
    plural = "s" if lines != 1 else ""
    return f"Copied {what} ({lines} line{plural}, {size_text}): {preview}"


class Clipboard:
    """Copies text for one app and remembers whether the tmux hint was shown."""

    def __init__(self, app: App, env: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.env = os.environ if env is None else env
        self.tmux_hint_shown = False

    def copy(self, text: str, what: str) -> str:
        """Copy ``text`` (OSC 52 + optional local tool) and notify; returns the message.

        Every copy goes through ``clipboard_safe``: colour removed, CR/BS/BEL/ESC/C1 and
        bidi controls written escaped, so a pasted line cannot run a command early or
        hide part of itself in the user's shell."""
        text = clipboard_safe(text)
        self.app.copy_to_clipboard(text)
        if not is_remote(self.env) and not self.app.is_headless:
            threading.Thread(target=local_copy, args=(text,), daemon=True,
                             name="triage-local-copy").start()
        message = describe(text, what)
        if in_tmux(self.env) and not self.tmux_hint_shown:
            self.tmux_hint_shown = True
            message = f"{message}\n{TMUX_HINT}"
        self.app.notify(message, title="Clipboard", markup=False)
        return message


__all__ = ["Clipboard", "TMUX_HINT", "describe", "in_tmux", "is_remote", "local_copy"]
