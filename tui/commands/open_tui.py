"""``triage [FILE]``: open the workbench (no FILE: the bundled demo sample)."""

from __future__ import annotations

import argparse
from importlib import resources

from triagebench.tui.commands.common import InputError, fail, load_document

DEMO_SAMPLE = "healthy-rpi0-2w.txt"


def demo_path() -> str:
    """Path of the bundled demo sample (shipped as package data)."""
    samples = resources.files("triagebench.samples")
    preferred = samples / DEMO_SAMPLE
    if preferred.is_file():
        return str(preferred)
    candidates = sorted(p for p in samples.iterdir() if p.name.endswith(".txt"))
    return str(candidates[0]) if candidates else str(preferred)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", help="diagnostics file (default: the bundled demo)")


def run(args: argparse.Namespace) -> int:
    path = args.file or demo_path()
    try:
        load_document(path)
    except InputError as exc:
        return fail(str(exc))
    from triagebench.tui.commands import parse

    return parse.run(argparse.Namespace(file=path, json=False))
