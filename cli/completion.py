"""``triage completion bash|zsh|fish``: print the shell completion script.

The script comes from ``argcomplete`` (a small, well-kept package): it asks
``triage`` itself for completions at each TAB, so verbs, options and choices never
go stale. Enable it with ``eval "$(triage completion bash)"`` in ``~/.bashrc``
(zsh: the same in ``~/.zshrc``; fish: ``triage completion fish | source`` in
``~/.config/fish/config.fish``); the README says the same.
"""

from __future__ import annotations

import argparse
import sys

SHELLS = ("bash", "zsh", "fish")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def script(shell: str) -> str:
    """The completion script of ``triage`` for ``shell``."""
    import argcomplete

    return argcomplete.shellcode(["triage"], shell=shell)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell))
    return 0
