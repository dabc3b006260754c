"""The literal prefilter path gives exactly the findings of the plain reference evaluation.

``evaluate(..., prefilter=False)`` verifies every selected line with the regex
engine; the default path searches required literals over joined block text
(``str.find``, newline counting, ANSI stripped on the joined text, literals
derived from contained literals) and only verifies candidate lines. Both must
agree on every finding, value, evidence line/text/span and truncation count.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import EVIDENCE_CAP, evaluate
from triagebench.heuristics.prefilter import required_literals
from triagebench.parser import parse_text

from tests.test_heuristics_support import diagnostics_text, write_heuristic

BALENAD = "journalctl --no-pager --no-hostname -n 1000 -at balenad"
JOURNAL = "journalctl --no-pager --no-hostname -pwarning -perr -a"
LOGS = "balena logs b96a5987452b"
DMESG = "dmesg -T"

NOISE = {
    BALENAD: ['May 02 16:{m:02d}:{s:02d} balenad[1189]: level=info msg="ignoring event" container={h}',
              'May 02 16:{m:02d}:{s:02d} balenad[1189]: level=warning msg="Your kernel does not support swap"'],
    JOURNAL: ["May 02 16:{m:02d}:{s:02d} kernel: brcmfmac: power save enabled",
              "May 02 16:{m:02d}:{s:02d} chronyd[{n}]: Could not resolve address of time{n}.google.com",
              "May 02 16:{m:02d}:{s:02d} kernel: Ｕnicode ſtuff ı and K kelvin {h}"],
    LOGS: ["[\x1b[34minfo\x1b[39m]    Reported current state to the cloud",
           "[\x1b[31merror\x1b[39m]   LogBackend: unexpected error: getaddrinfo EAI_AGAIN api.balena-cloud.com",
           "[\x1b[47m\x1b[30mapi\x1b[39m\x1b[49m]     GET /v1/healthy 200 - {n}.123 ms"],
    DMESG: ["[Fri Apr 29 13:{m:02d}:{s:02d} 2022] br-{h}: port 1(veth{n}) entered forwarding state"],
}
SIGNATURES = {
    BALENAD: ['May 02 16:02:26 balenad[1189]: msg="Storage migration from aufs to overlay2 starting"',
              "May 02 16:02:27 balenad[1189]: panic: runtime error: slice bounds out of range"],
    JOURNAL: ["May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating.",
              "May 02 16:04:00 kernel: EXT4-fs error (device mmcblk0p6): bad block",
              "May 02 16:04:01 kernel: mmcblk0: error -110 sending status command, retrying",
              "May 02 16:04:02 kernel: NO SPACE LEFT ON DEVICE while writing",
              "May 02 16:04:03 kernel: EXT4-fs (mmcblk0p6): Remounting filesystem read-only"],
    LOGS: ["[\x1b[31merror\x1b[39m]   Failed to download image: \x1b[1mNo space left\x1b[0m on device",
           "[\x1b[31merr\x1b[0mor]   Delta failed with: network down",
           "[\x1b]8;;http://x\x07link\x1b]8;;\x07] KnexTimeoutError: Knex: Timeout acquiring a connection"],
    DMESG: ["[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)",
            "[Fri Apr 29 13:35:05 2022] Memory cgroup out of memory: Killed process 77 (node)"],
}

HEURISTICS = {
    "case-insensitive": """
        [signals.s]
        in = ["journalctl *", "balena logs *"]
        regex = '(?i)no space left on device'
    """,
    "alternation": f"""
        [signals.s]
        in = ["{DMESG}", "journalctl *"]
        regex = '\\bmmcblk\\d+: error -\\d+ (?:transferring data|sending (?:stop|status) command)'
    """,
    "literal-only": """
        [signals.s]
        in = ["journalctl *"]
        regex = 'EXT4-fs error \\(device '
    """,
    "contained-literals": f"""
        when = "a and b"
        [signals.a]
        in = ["{JOURNAL}", "{DMESG}"]
        regex = 'Remounting filesystem read-only'
        [signals.b]
        in = ["{JOURNAL}", "{DMESG}"]
        regex = '\\): Remounting filesystem read-only'
    """,
    "ansi": """
        [signals.s]
        in = ["balena logs *"]
        regex = 'error\\]\\s+Delta failed with'
    """,
    "ansi-osc": """
        [signals.s]
        in = ["balena logs *"]
        regex = 'link\\] KnexTimeoutError'
    """,
    "many-hits": """
        [signals.s]
        in = ["balena logs *"]
        regex = 'getaddrinfo EAI_AGAIN'
        min_count = 5
    """,
    "stderr": f"""
        [signals.s]
        in = ["{JOURNAL}"]
        stream = "stderr"
        regex = 'Permission denied: /mnt/(\\w+)'
    """,
    "absent": f"""
        when = "gone and present"
        [signals.gone]
        in = ["{BALENAD}"]
        regex = 'Out of memory: Kill'
        absent = true
        [signals.present]
        in = ["{BALENAD}"]
        regex = 'panic: runtime error: slice bounds out of range'
    """,
    "min-count-miss": f"""
        [signals.s]
        in = ["{BALENAD}"]
        regex = 'Storage migration from aufs'
        min_count = 3  # the signature is there twice
    """,
    "extract": f"""
        [signals.s]
        in = ["{DMESG}"]
        extract = 'Memory cgroup out of memory: Killed process (\\d+)'
        at_least = 10
    """,
    "no-prefilter": f"""
        [signals.s]
        in = ["{DMESG}"]
        regex = '\\d+-voltage|Under'
    """,
    "unicode-fold": f"""
        [signals.s]
        in = ["{JOURNAL}"]
        regex = '(?i)stuff ı and k kelvin'
    """,
}


def _document(lines_per_section: int, seed: int = 3):
    rng = random.Random(seed)
    sections: dict[str, list[str]] = {"cat /etc/os-release": ['VERSION_ID="2.87.16+rev1"']}
    for key, pool in NOISE.items():
        lines = [rng.choice(pool).format(m=rng.randrange(60), s=rng.randrange(60),
                                         n=rng.randrange(10_000, 99_999), h=f"{rng.getrandbits(48):012x}")
                 for _ in range(lines_per_section)]
        for signature in SIGNATURES[key]:
            for _ in range(2):
                lines.insert(rng.randrange(len(lines) + 1), signature)
        sections[key] = lines
    stderr = {JOURNAL: ["journalctl: Permission denied: /mnt/data", "plain stderr line\r"]}
    return parse_text(diagnostics_text(sections, stderr), path="prefilter.txt")


def _library(folder: Path):
    for hid, body in HEURISTICS.items():
        write_heuristic(folder, hid, body)
    library = load_library([folder], builtin=False)
    assert library.problems == []
    return library


def _summary(findings):
    out = {}
    for finding in findings.matches:
        out[finding.id] = {name: (r.value, r.observed, r.truncated,
                                  [(e.line, e.section, e.text, e.span) for e in r.evidence])
                           for name, r in finding.signals.items()}
    return out, [(e.heuristic, e.message) for e in findings.errors]


@pytest.mark.parametrize("lines", [40, 3000])
def test_prefilter_path_equals_reference(tmp_path: Path, lines: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    module = sys.modules["triagebench.heuristics.evaluate"]
    library = _library(tmp_path)
    document = _document(lines)
    reference = _summary(evaluate(document, library, prefilter=False))
    assert reference[1] == []
    expected = {"case-insensitive", "alternation", "literal-only", "contained-literals", "ansi", "ansi-osc",
                "many-hits", "stderr", "absent", "extract", "no-prefilter", "unicode-fold"}
    assert set(reference[0]) == expected
    assert _summary(evaluate(document, library)) == reference
    monkeypatch.setattr(module, "BIG_BLOCK", 0)  # the anchor-character pass on every block
    monkeypatch.setattr(module, "_ANCHOR_COST", 0.0)
    assert _summary(evaluate(parse_text(document.text(), path="prefilter.txt"), library)) == reference


def test_bundled_library_prefilter_equals_reference() -> None:
    library = load_library()
    document = _document(400, seed=11)
    assert _summary(evaluate(document, library)) == _summary(evaluate(document, library, prefilter=False))


def test_literal_choice_prefers_cheap_long_literals() -> None:
    found = required_literals(r"\bmmcblk\d+: error -\d+ (?:transferring data|sending (?:stop|status) command)")
    assert found is not None and found.literals == (": error -",)
    # a literal that contains another one of the set is dropped (its lines are a subset)
    found = required_literals(r"librsync-go\.\(?Patch|librsync-go.*Patch|concatReadSeekCloser")
    assert found is not None and set(found.literals) == {"librsync-go", "concatReadSeekCloser"}


CHUNKED = {
    "io-literal": f"""
        [signals.s]
        in = ["{DMESG}"]
        regex = 'I/O error, dev mmcblk0'
        min_count = 60
    """,
    "io-regex": f"""
        [signals.s]
        in = ["{DMESG}"]
        regex = 'I/O error, dev mmcblk\\d, sector (\\d+)'
    """,
    "io-fold": f"""
        [signals.s]
        in = ["{DMESG}"]
        regex = '(?i)i/o ERROR, dev MMCBLK0'
    """,
    "remount-min-count": f"""
        when = "a and b"
        [signals.a]
        in = ["{DMESG}"]
        regex = 'Remounting filesystem read-only'
        min_count = 3
        [signals.b]
        in = ["{DMESG}"]
        regex = '\\): Remounting filesystem read-only'
        min_count = 3
    """,
    "remount-min-count-miss": f"""
        [signals.s]
        in = ["{DMESG}"]
        regex = 'Remounting filesystem read-only'
        min_count = 4
    """,
    "absent": f"""
        when = "gone and io"
        [signals.gone]
        in = ["{DMESG}"]
        regex = 'Out of memory: Kill'
        absent = true
        [signals.io]
        in = ["{DMESG}"]
        regex = 'sector \\d+$'
    """,
    "absent-present": f"""
        [signals.gone]
        in = ["{DMESG}"]
        regex = 'Killed process'
        absent = true
    """,
    "extract": f"""
        [signals.pid]
        in = ["{DMESG}"]
        extract = 'Memory cgroup out of memory: Killed process (\\d+)'
        at_least = 50
    """,
}


def _chunked_document():
    lines = []
    for i in range(600):
        if i % 9 == 0:
            lines.append(f"[Fri Apr 29 13:{i // 60:02d}:{i % 60:02d} 2022] I/O error, dev mmcblk0, sector {i}")
        elif i in (100, 350, 590):
            lines.append(f"[Fri Apr 29 13:35:04 2022] Memory cgroup out of memory: Killed process {i} (node)")
        elif i in (40, 41, 301):
            # distinct seconds: the same masked message in the same second would be one event
            lines.append(f"[Fri Apr 29 13:{i // 60:02d}:{i % 60:02d} 2022] \x1b[31mEXT4-fs\x1b[0m (mmcblk0p6): "
                         "Remounting filesystem read-only")
        else:
            lines.append(f"[Fri Apr 29 13:{i % 60:02d}:00 2022] br-{i:012x}: port 1(veth{i}) entered forwarding state")
    return parse_text(diagnostics_text({"cat /etc/os-release": ['VERSION_ID="2.87.16+rev1"'], DMESG: lines}),
                      path="chunked.txt")


@pytest.mark.parametrize("chunk_chars", [1, 150, 1000, 7000])
@pytest.mark.parametrize("mode", ["plain", "anchor", "combined-regex"])
def test_chunked_scan_equals_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_chars: int,
                                       mode: str) -> None:
    """A block far larger than one chunk: hits on both sides of every chunk boundary,
    min_count and absent counted across chunks, extract takes the first match in file order,
    evidence is capped and the rest counted, whatever the chunk size and literal-search mode."""
    import sys

    module = sys.modules["triagebench.heuristics.evaluate"]
    for hid, body in CHUNKED.items():
        write_heuristic(tmp_path, hid, body)
    library = load_library([tmp_path], builtin=False)
    assert library.problems == []
    document = _chunked_document()
    reference = _summary(evaluate(document, library, prefilter=False))
    assert reference[1] == []
    found = reference[0]
    assert set(found) == {"io-literal", "io-regex", "io-fold", "remount-min-count", "absent", "extract"}
    assert found["extract"]["pid"][1] == "100"
    assert found["io-literal"]["s"][2] == 67 - EVIDENCE_CAP and len(found["io-literal"]["s"][3]) == EVIDENCE_CAP

    monkeypatch.setattr(module, "CHUNK_CHARS", chunk_chars)
    if mode != "plain":
        monkeypatch.setattr(module, "BIG_BLOCK", 0)
    if mode == "anchor":
        monkeypatch.setattr(module, "_ANCHOR_COST", 0.0)
    if mode == "combined-regex":
        monkeypatch.setattr(module, "_ANCHOR_COST", 1.0)  # no literal is "rare": all in the regex
        monkeypatch.setattr(module, "_REGEX_RATE", 1e30)
        monkeypatch.setattr(module, "_REGEX_HIT_COST", 0.0)
    section = next(s for s in document.sections if s.key == DMESG)
    chunks = list(module.Block(document, section, "stdout").chunks())
    if chunk_chars < 7000:
        assert len(chunks) > 5
    assert sum(c.count for c in chunks) == section.stdout.count
    assert _summary(evaluate(document, library)) == reference
    assert _summary(evaluate(document, library, prefilter=False)) == reference
