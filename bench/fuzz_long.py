"""The long fuzz run (issue #18): many hostile inputs, each in a watched worker process.

Run: .venv/bin/python bench/fuzz_long.py [--minutes 5] [--seed 1] [--hang 5]

Cases are built from a seeded random generator: diagnostics-shaped files with
absurd numbers, huge lines, deep JSON, controls, many headers and mutations of
the bundled samples; heuristic TOML files mutated from the bundled library and
hostile building blocks; ``when`` expressions. Each case is parsed and scanned
with the bundled library (or loaded, for heuristics) in a worker process.

Reported: cases tried, crashed (an exception escaped: the case is saved under
``bench/data/fuzz/crash-*``), hung (no answer within ``--hang`` seconds: the worker
is killed and restarted, the case saved as ``hang-*``), the slowest case, and the
peak RSS of the worker against the issue's bound (5x the input + 150 MB).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "data" / "fuzz"

COMMANDS = ["uptime", "cat /etc/os-release", "cat /mnt/boot/config.json", "free", "free -h",
            "df -h", "cat /proc/meminfo", "dmesg -T", "uname -a", "timedatectl status",
            "balena --version", "balena logs b96a5987452b", "cat /proc/device-tree/model", "date",
            "journalctl --no-pager --no-hostname -n500 -a",
            "CURL_CA_BUNDLE=/tmp/tmp.Xh2kq9aBcD curl https://api.balena-cloud.com/ping"]
CONTROLS = ["\x1b[8m", "\x1b]52;c;aGk=\x07", "\x1b]8;;http://evil.example\x07", "\x1b[2J", "\r",
            "\x00", "\x08", "\x07", "\u202e", "\u2066", "\x85", "\x9b31m", "\ufeff", "[/]",
            "[link=https://evil.example]x[/link]", "\x1b[38;5;1;8m", "\t"]


def number(rng: random.Random) -> str:
    return rng.choice([
        str(rng.randint(0, 10**6)), "9" * rng.randint(20, 6000), "nan", "inf", "-1", "1e999",
        "0x1F", "²", "", "1." + "5" * rng.randint(1, 500), str(rng.randint(0, 300)),
    ])


def junk(rng: random.Random, size: int = 40) -> str:
    alphabet = "abc xyz019:.,-=\"'{}[]()<>|\\/*+?%"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, size)))
    if rng.random() < 0.3:
        text += rng.choice(CONTROLS)
    if rng.random() < 0.1:
        text += chr(rng.choice([0x85, 0x200B, 0x202E, 0x2066, 0xFEFF, 0x2028, 0xE9, 0x4E2D, 0x1F600]))
    return text


def huge(rng: random.Random) -> str:
    unit = rng.choice([" ", "up ,", "1 day, ", "a ", "/a", "(", "[", "9", "Linux version x ",
                       "Supervisor v1.1.1 ", "real "])
    return unit * (rng.randint(10_000, 120_000) // len(unit))


def fact_line(rng: random.Random) -> str:
    n = number(rng)
    choices = [
        f" 10:00:00 up {n} days,  {rng.randint(0, 30)}:{rng.randint(0, 99):02d},  load average: 0.1",
        f" 10:00:00 up {junk(rng)}, load average: {n}",
        f'PRETTY_NAME="{junk(rng)} {n}.{number(rng)} ({junk(rng, 5)})"',
        f"VARIANT_ID={rng.choice(['dev', 'prod', junk(rng, 5)])}",
        f"MemTotal: {n} kB", f"MemAvailable: {n} kB", f"Mem: {n} 1 1 1 1 {number(rng)}",
        "              total        used        free      shared  buff/cache   available",
        f"/dev/mmcblk0p6 1G 1G 1G {n}% /mnt/data",
        f"Command exited with non-zero status {n}", f"Command terminated by signal {n}",
        f"real\t{n}h {number(rng)}m {number(rng)}s", f"OKreal\t0m {n}s",
        rng.choice(['{"a":', "[", '{"developmentMode":']) * rng.randint(0, 5000) + "1",
        '{"developmentMode": ' + rng.choice(['"true"', "true", '"1"', "NaN", n]) + "}",
        f"[    0.000000] Machine model: {junk(rng)}", f"Supervisor v{n}.1.{n} starting up",
        f'time="x" level=info msg="Docker daemon" version={junk(rng, 10)}',
        "--- " + rng.choice(COMMANDS) + " ---", "STDERR:", "--- COMMANDS ---",
        "2022-05-02 16:03:40.941545526+00:00", junk(rng), huge(rng),
    ]
    weights = [1] * (len(choices) - 1) + [0.15]
    return rng.choices(choices, weights)[0]


def diagnostics_case(rng: random.Random) -> str:
    if rng.random() < 0.02:  # an older-format file that is nothing but headers
        return "".join(f"--- c{i} ---\n\n" for i in range(rng.randint(10_000, 100_000)))
    commands = [rng.choice(COMMANDS) for _ in range(rng.randint(1, 8))]
    out = ["STDOUT:", "", "--- diagnose 4.22.11 ---", "", "--- COMMANDS ---", "", *commands]
    for command in commands:
        out += ["", f"--- {command} ---", "", "2022-05-02 16:03:40.941545526+00:00"]
        out += [fact_line(rng) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.7:
            out += ["real\t0m 0.01s", "user\t0m 0.00s", "sys\t0m 0.00s"]
    if rng.random() < 0.5:
        out += ["STDERR:"] + [f"--- {c} ---\n\n{junk(rng)}" for c in commands]
    if rng.random() < 0.03:
        out += [f"--- c{i} ---\n" for i in range(rng.randint(10_000, 100_000))]
    return "\n".join(out) + "\n"


def sample_mutation(rng: random.Random, samples: list[str]) -> str:
    lines = rng.choice(samples).split("\n")
    for _ in range(rng.randint(1, 20)):
        i = rng.randrange(len(lines))
        action = rng.random()
        if action < 0.4:
            lines[i] = fact_line(rng)
        elif action < 0.6:
            lines[i] = lines[i] + junk(rng)
        elif action < 0.8:
            del lines[i]
        else:
            lines.insert(i, lines[rng.randrange(len(lines))])
    return "\n".join(lines)


TOML_PIECES = [
    'when = "' + "(" * 350 + "s" + ")" * 350 + '"\n', 'when = "' + "not " * 40 + 's"\n',
    "regex = '(a{1000}){1000}'\n", "regex = '" + "|".join(f"w{i}" for i in range(3000)) + "'\n",
    f"above = {'9' * 400}\n", "above = nan\n", 'below = "' + "9" * 400 + '"\n',
    "tags = " + "[" * 500 + "]" * 500 + "\n", 'permalink = "https:///etc/passwd"\n',
    'permalink = "https://example.com/)<script>"\n', 'permalink = "https://a\u200bb.com/"\n',
    "[signals.z]\n", 'fact = "uptime.seconds"\n', "matches = '(?i)x'\n", "[[examples]]\n",
    "matches = true\n", 'sections = { "dmesg -T" = ["x"] }\n', "=", "[", '"', "\n",
]


def toml_case(rng: random.Random, library_files: list[str]) -> str:
    lines = rng.choice(library_files).split("\n")
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(lines) + 1)
        if rng.random() < 0.7:
            lines.insert(i, rng.choice(TOML_PIECES).rstrip("\n"))
        elif lines:
            del lines[min(i, len(lines) - 1)]
    return "\n".join(lines)


def when_case(rng: random.Random) -> str:
    tokens = ["s", "not", "and", "or", "(", ")", "any of", "all of", "s*", "x", "!"]
    return " ".join(rng.choice(tokens) for _ in range(rng.randint(0, 1500)))


def make_case(seed: int, samples: list[str], library_files: list[str]) -> tuple[str, str]:
    rng = random.Random(seed)
    roll = rng.random()
    if roll < 0.55:
        return "diagnostics", diagnostics_case(rng)
    if roll < 0.75:
        return "diagnostics", sample_mutation(rng, samples)
    if roll < 0.93:
        return "heuristic", toml_case(rng, library_files)
    return "when", when_case(rng)


def worker(inbox: mp.Queue, outbox: mp.Queue) -> None:
    import json
    import resource
    import tempfile

    from triagebench.heuristics import load_library
    from triagebench.heuristics.evaluate import evaluate
    from triagebench.heuristics.format import load_file
    from triagebench.heuristics.when import WhenError, parse_when
    from triagebench.parser import parse_text

    library = load_library()
    folder = Path(tempfile.mkdtemp(prefix="triage-fuzz-"))
    while True:
        item = inbox.get()
        if item is None:
            return
        kind, text = item
        started = time.perf_counter()
        error = None
        try:
            if kind == "diagnostics":
                doc = parse_text(text)
                json.dumps(doc.facts, allow_nan=False)
                evaluate(doc, library)
            elif kind == "heuristic":
                path = folder / "x.toml"
                path.write_text(text, encoding="utf-8")
                load_file(path)
            else:
                with contextlib.suppress(WhenError):
                    parse_when(text, ["s", "s2"])
        except Exception:  # noqa: BLE001 - every escape is a finding of this run
            error = traceback.format_exc(limit=4)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        outbox.put((error, time.perf_counter() - started, rss))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang", type=float, default=5.0, help="seconds before a case counts as hung")
    args = parser.parse_args()
    samples = [p.read_text(encoding="utf-8", errors="replace")
               for p in sorted((ROOT / "sample-diagnostics").glob("*.txt"))]
    library_files = [p.read_text(encoding="utf-8")
                     for p in sorted((ROOT / "heuristics" / "library").glob("*.toml"))]
    OUT.mkdir(parents=True, exist_ok=True)
    context = mp.get_context("spawn")

    def start() -> tuple[mp.Process, mp.Queue, mp.Queue]:
        inbox, outbox = context.Queue(), context.Queue()
        process = context.Process(target=worker, args=(inbox, outbox), daemon=True)
        process.start()
        return process, inbox, outbox

    process, inbox, outbox = start()
    tried = crashed = hung = 0
    kinds: dict[str, int] = {}
    slowest = (0.0, -1, "")
    peak_rss = 0.0
    worst_ratio = (0.0, -1, 0.0)  # a new peak RSS / (5 x input + 150 MB) of the case raising it
    deadline = time.monotonic() + args.minutes * 60
    seed = args.seed * 1_000_000
    first_answer = True
    while time.monotonic() < deadline:
        seed += 1
        kind, text = make_case(seed, samples, library_files)
        inbox.put((kind, text))
        try:
            # The first case also waits for the worker's imports and library load.
            error, elapsed, rss = outbox.get(timeout=args.hang + (30 if first_answer else 0))
        except Exception:  # noqa: BLE001 - queue.Empty: the case hung
            hung += 1
            (OUT / f"hang-{seed}.{kind}.txt").write_text(text, encoding="utf-8")
            process.kill()
            process.join()
            process, inbox, outbox = start()
            first_answer = True
            tried += 1
            continue
        first_answer = False
        tried += 1
        kinds[kind] = kinds.get(kind, 0) + 1
        if error:
            crashed += 1
            (OUT / f"crash-{seed}.{kind}.txt").write_text(text, encoding="utf-8")
            (OUT / f"crash-{seed}.traceback.txt").write_text(error, encoding="utf-8")
            print(f"crash seed={seed} {kind}: {error.strip().splitlines()[-1]}", file=sys.stderr)
        if elapsed > slowest[0]:
            slowest = (elapsed, seed, kind)
        if rss > peak_rss:
            # ru_maxrss is the worker's lifetime peak: a rise belongs to this case.
            peak_rss = rss
            size_mb = len(text.encode("utf-8", "replace")) / 2**20
            ratio = rss / (5 * size_mb + 150)
            if ratio > worst_ratio[0]:
                worst_ratio = (ratio, seed, round(size_mb, 2))
    inbox.put(None)
    process.join(timeout=10)
    print(f"minutes {args.minutes:g}, seed {args.seed}, hang limit {args.hang:g} s")
    print(f"tried {tried} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
          f"crashed {crashed}, hung {hung}")
    print(f"slowest case {slowest[0]:.2f} s (seed {slowest[1]}, {slowest[2]})")
    print(f"peak worker RSS {peak_rss:.0f} MB; worst RSS / (5 x input + 150 MB) = "
          f"{worst_ratio[0]:.2f} (seed {worst_ratio[1]}, input {worst_ratio[2]} MB)")
    if crashed or hung:
        print(f"cases saved in {OUT}")


if __name__ == "__main__":
    main()
