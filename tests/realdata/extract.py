"""Copy sections of a real diagnostics file into a corpus case (a contributor's tool).

``python -m tests.realdata.extract FILE 'df -h' 'df -ih' [--grep REGEX]`` prints a ``[sections]``
TOML block with each section's output lines exactly as parsed (plain text, no header, stamp or
time lines), optionally only the lines matching REGEX. Mask personal identifiers by hand after.
"""

from __future__ import annotations

import argparse
import json

import regex
from triagebench.parser import parse_file


def toml_string(text: str) -> str:
    """A TOML basic string (JSON escaping is valid TOML for basic strings)."""
    return json.dumps(text, ensure_ascii=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    parser.add_argument("keys", nargs="+")
    parser.add_argument("--grep")
    args = parser.parse_args()
    document = parse_file(args.file)
    pattern = regex.compile(args.grep) if args.grep else None
    print("[sections]")
    for key in args.keys:
        for section in document.sections_by_key(key):
            lines = [document.output_text(section, n) for n in section.stdout.line_numbers]
            if pattern is not None:
                lines = [line for line in lines if pattern.search(line)]
            print(f"{toml_string(key)} = [")
            for line in lines:
                print(f"  {toml_string(line)},")
            print("]")
            break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
