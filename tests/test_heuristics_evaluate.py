"""The evaluator: every operator, selectors, unknown handling, evidence, timeouts, prefilter."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import EVIDENCE_CAP, Block, evaluate
from triagebench.heuristics.prefilter import required_literals
from triagebench.parser import parse_text

from tests.test_heuristics_support import diagnostics_text, write_heuristic

JOURNAL = "journalctl --no-pager --no-hostname -pwarning -perr -a"
BALENAD = "journalctl --no-pager --no-hostname -n 1000 -at balenad"


def doc(**extra):
    sections = {
        "echo === OS ===": ["=== OS ==="],
        "cat /etc/os-release": ['ID="balena-os"', 'NAME="balenaOS"', 'VERSION="2.87.16+rev1"',
                                'VERSION_ID="2.87.16+rev1"', 'PRETTY_NAME="balenaOS 2.87.16+rev1"'],
        "echo === NETWORK ===": ["=== NETWORK ==="],
        "ping -c 1 -W 3 google.co.uk": ["PING google.co.uk (142.250.187.227): 56 data bytes",
                                        "--- google.co.uk ping statistics ---",
                                        "1 packets transmitted, 0 packets received, 100% packet loss"],
        BALENAD: ['May 02 16:02:26 balenad[1189]: level=info msg="Storage migration from aufs to overlay2 starting"',
                  'May 02 16:02:27 balenad[1189]: level=error msg="\x1b[31mfailed\x1b[0m to mount overlay: timeout"'],
        JOURNAL: ["May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating.",
                  "May 02 16:04:00 kernel: EXT4-fs error (device mmcblk0p6): bad block",
                  "May 02 16:04:01 kernel: EXT4-fs error (device mmcblk0p6): bad block",
                  "May 02 16:04:02 kernel: EXT4-fs error (device mmcblk0p6): bad block"],
        "balena --version": ["Docker version 19.03.30, build c41a2d5c1a102294994118434aefaa54a76e2814"],
        "df -h": ["Filesystem Size Used Avail Use% Mounted on", "/dev/mmcblk0p6 28G 27G 1G 96% /mnt/data"],
    }
    stderr = {"df -h": ["df: /mnt/weird: Permission denied"]}
    sections.update(extra)
    return parse_text(diagnostics_text(sections, stderr), path="dev.txt")


def ids(folder: Path, document=None, **kw) -> list[str]:
    library = load_library([folder], builtin=False)
    assert library.problems == []
    findings = evaluate(document or doc(), library, **kw)
    return sorted(f.id for f in findings.matches)


def one(folder: Path, hid: str, body: str, document=None):
    write_heuristic(folder, hid, body)
    library = load_library([folder], builtin=False)
    assert [str(p) for p in library.problems] == []
    findings = evaluate(document or doc(), [library.by_id(hid)])
    assert findings.errors == []
    return findings.matches[0] if findings.matches else None


def test_regex_exact_key_and_evidence(tmp_path: Path) -> None:
    found = one(tmp_path, "h", f"""
        [signals.t]
        in = ["{JOURNAL}"]
        regex = 'balena\\.service: start operation timed out'
    """)
    assert found is not None
    (ev,) = found.signals["t"].evidence
    document = doc()
    assert document.plain(ev.line).endswith("start operation timed out. Terminating.")
    assert ev.section == JOURNAL
    assert ev.text[ev.span[0]:ev.span[1]] == "balena.service: start operation timed out"


def test_regex_only_in_selected_sections(tmp_path: Path) -> None:
    assert one(tmp_path, "h", """
        [signals.t]
        in = ["dmesg -T"]
        regex = 'start operation timed out'
    """) is None


def test_glob_category_star_and_stream(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "glob", """
        [signals.s]
        in = ["journalctl * -at balenad"]
        regex = 'Storage migration'
    """)
    write_heuristic(tmp_path, "category", """
        [signals.s]
        in = ["category:network"]
        regex = '100% packet loss'
    """)
    write_heuristic(tmp_path, "category-miss", """
        [signals.s]
        in = ["category:OS"]
        regex = '100% packet loss'
    """)
    write_heuristic(tmp_path, "star", """
        [signals.s]
        in = ["*"]
        regex = 'Permission denied'
    """)
    write_heuristic(tmp_path, "stderr-only", """
        [signals.s]
        in = ["df -h"]
        stream = "stderr"
        regex = 'Permission denied'
    """)
    write_heuristic(tmp_path, "stdout-only", """
        [signals.s]
        in = ["df -h"]
        stream = "stdout"
        regex = 'Permission denied'
    """)
    assert ids(tmp_path) == ["category", "glob", "star", "stderr-only"]


def test_false_header_stays_output(tmp_path: Path) -> None:
    assert one(tmp_path, "h", """
        [signals.s]
        in = ["ping -c 1 -W 3 google.co.uk"]
        regex = 'ping statistics'
    """) is not None


def test_ansi_is_stripped_before_matching(tmp_path: Path) -> None:
    found = one(tmp_path, "h", f"""
        [signals.s]
        in = ["{BALENAD}"]
        regex = 'msg="failed to mount'
    """)
    assert found is not None
    assert "\x1b" not in found.signals["s"].evidence[0].text


def test_min_count(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "three", f"""
        [signals.s]
        in = ["{JOURNAL}"]
        regex = 'EXT4-fs error'
        min_count = 3
    """)
    write_heuristic(tmp_path, "four", f"""
        [signals.s]
        in = ["{JOURNAL}"]
        regex = 'EXT4-fs error'
        min_count = 4
    """)
    assert ids(tmp_path) == ["three"]


def test_absent_and_missing_section_is_unknown(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "no-oom", f"""
        [signals.s]
        in = ["{JOURNAL}"]
        regex = 'Out of memory'
        absent = true
    """)
    write_heuristic(tmp_path, "no-ext4", f"""
        [signals.s]
        in = ["{JOURNAL}"]
        regex = 'EXT4-fs error'
        absent = true
    """)
    # the section was not captured: absence proves nothing -> unknown -> no match
    write_heuristic(tmp_path, "not-captured", """
        [signals.s]
        in = ["dmesg -T"]
        regex = 'anything'
        absent = true
    """)
    assert ids(tmp_path) == ["no-oom"]


def test_fact_comparators(tmp_path: Path) -> None:
    for hid, op, value in [("below", "below", '"2.98.4"'), ("at-most", "at_most", '"2.87.16"'),
                           ("at-least", "at_least", '"2.87.16+rev1"'), ("above", "above", '"2.87.16+rev0"'),
                           ("equals", "equals", '"2.87.16+rev1"'), ("not-above", "above", '"2.87.16+rev1"'),
                           ("not-below", "below", '"2.87.16"'), ("matches", "matches", "'^2\\.87\\.'")]:
        write_heuristic(tmp_path, hid, f"""
            [signals.v]
            fact = "os.version"
            {op} = {value}
        """)
    assert ids(tmp_path) == ["above", "at-least", "at-most", "below", "equals", "matches"]


def test_range_and_unknown_fact(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "range", """
        [signals.v]
        fact = "os.version"
        at_least = "2.84.0"
        below = "2.98.4"
    """)
    write_heuristic(tmp_path, "unknown", """
        when = "not v"
        [signals.v]
        fact = "supervisor.version"
        below = "14.0.0"
    """)
    found = ids(tmp_path)
    assert found == ["range"]
    library = load_library([tmp_path], builtin=False)
    from triagebench.heuristics.evaluate import _Context, evaluate_signal

    result = evaluate_signal(_Context(doc()), library.by_id("unknown").signals["v"], 1e9)
    assert result.value is None and result.observed is None


def test_extract_numbers_and_versions(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "disk-full", """
        [signals.use]
        in = ["df -h"]
        extract = '(\\d+)% /mnt/data'
        above = 90
    """)
    write_heuristic(tmp_path, "disk-ok", """
        [signals.use]
        in = ["df -h"]
        extract = '(\\d+)% /mnt/data'
        below = "90"
    """)
    write_heuristic(tmp_path, "old-engine", """
        [signals.engine]
        in = ["balena --version"]
        extract = 'version (\\S+),'
        below = "20.10.0"
    """)
    write_heuristic(tmp_path, "nothing-extracted", """
        when = "not x"
        [signals.x]
        in = ["df -h"]
        extract = 'zzz(\\d+)'
        above = 1
    """)
    assert ids(tmp_path) == ["disk-full", "old-engine"]
    library = load_library([tmp_path], builtin=False)
    finding = evaluate(doc(), [library.by_id("old-engine")]).matches[0]
    assert finding.signals["engine"].observed == "19.03.30"
    assert finding.signals["engine"].evidence[0].section == "balena --version"


def test_when_with_unknown_and_or(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "or-unknown", f"""
        when = "t or sup"
        [signals.t]
        in = ["{JOURNAL}"]
        regex = 'start operation timed out'
        [signals.sup]
        fact = "supervisor.version"
        below = "99"
    """)
    write_heuristic(tmp_path, "and-unknown", f"""
        when = "t and sup"
        [signals.t]
        in = ["{JOURNAL}"]
        regex = 'start operation timed out'
        [signals.sup]
        fact = "supervisor.version"
        below = "99"
    """)
    write_heuristic(tmp_path, "and-false", f"""
        when = "t and not log"
        [signals.t]
        in = ["{JOURNAL}"]
        regex = 'start operation timed out'
        [signals.log]
        in = ["{JOURNAL}"]
        regex = 'EXT4-fs error'
    """)
    # issue #11 class 7: the unknown supervisor version does not silence a certain log signature;
    # the finding says which fact it could not read
    library = load_library([tmp_path], builtin=False)
    findings = {f.id: f for f in evaluate(doc(), library).matches}
    assert sorted(findings) == ["and-unknown", "or-unknown"]
    assert findings["and-unknown"].unknown_facts == ("supervisor.version",)
    assert findings["and-unknown"].as_dict()["unknown_facts"] == ["supervisor.version"]
    assert findings["or-unknown"].unknown_facts == ()


def test_plain_log_every_selector_matches(tmp_path: Path) -> None:
    document = parse_text("May 02 16:03:56 systemd[1]: balena.service: start operation timed out.\n"
                          "unrelated line\n", path="journal.log")
    assert document.format == "plain-log"
    write_heuristic(tmp_path, "h", f"""
        [signals.t]
        in = ["{JOURNAL}", "category:NETWORK"]
        stream = "stdout"
        regex = 'start operation timed out'
    """)
    assert ids(tmp_path, document) == ["h"]


def test_evidence_cap_counts_the_rest(tmp_path: Path) -> None:
    lines = [f"May 02 16:04:{i % 60:02d} kernel: I/O error, dev mmcblk0, sector {i}" for i in range(EVIDENCE_CAP + 25)]
    found = one(tmp_path, "h", """
        [signals.io]
        in = ["dmesg -T"]
        regex = 'I/O error, dev mmcblk0'
    """, document=doc(**{"dmesg -T": lines}))
    result = found.signals["io"]
    assert len(result.evidence) == EVIDENCE_CAP and result.truncated == 25


def test_catastrophic_regex_times_out_and_others_still_match(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "evil", """
        [signals.s]
        in = ["dmesg -T"]
        regex = '(a+)+$'
    """)
    write_heuristic(tmp_path, "good", """
        [signals.s]
        in = ["dmesg -T"]
        regex = 'Under-voltage detected'
    """)
    # inside the 4096-character matching cap, so the 'b' defeats the '$'
    document = doc(**{"dmesg -T": ["a" * 3000 + "b", "[t] Under-voltage detected! (0x5)"]})
    library = load_library([tmp_path], builtin=False)
    findings = evaluate(document, library, timeout=0.05)
    assert [e.heuristic for e in findings.errors] == ["evil"]
    assert "signal 's' timed out" in findings.errors[0].message
    assert [f.id for f in findings.matches] == ["good"]


def test_one_timeout_does_not_stop_other_heuristics(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "evil", """
        [signals.s]
        in = ["dmesg -T"]
        regex = '^(a|aa)*$'
    """)
    write_heuristic(tmp_path, "good", """
        [signals.s]
        in = ["dmesg -T"]
        regex = 'Under-voltage detected'
    """)
    document = doc(**{"dmesg -T": ["a" * 3000 + "b", "[t] Under-voltage detected! (0x5)"]})
    findings = evaluate(document, load_library([tmp_path], builtin=False), timeout=0.2)
    assert [e.heuristic for e in findings.errors] == ["evil"]
    assert [f.id for f in findings.matches] == ["good"]


def test_long_lines_are_matched_only_up_to_the_cap(tmp_path: Path) -> None:
    write_heuristic(tmp_path, "h", """
        [signals.s]
        in = ["dmesg -T"]
        regex = 'NEEDLE'
    """)
    assert ids(tmp_path, doc(**{"dmesg -T": ["x" * 10000 + "NEEDLE"]})) == []
    assert ids(tmp_path, doc(**{"dmesg -T": ["x" * 100 + "NEEDLE"]})) == ["h"]


PATTERNS = [r"Under-?voltage detected", r"(?i)ERROR: (disk|mmc)\d", r"foo(bar|baz)+qux",
            r"\bbalena(?:-engine)?\.service: [Ss]tart", r"(?i:kelvin) sign", r"ab?c.*def", r"x{2,}yz"]
ALPHABET = "abcdefxyzKkſıIiERORrmcdisk :0123456789-?.ŞsStart\u212abalena"


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.text(alphabet=ALPHABET, max_size=40), min_size=1, max_size=30))
def test_prefilter_never_loses_a_match(lines: list[str]) -> None:
    lines = lines + ["ERROR: mmc0", "foobazbazqux", "Kelvin sign", "balena.service: Start",
                     "\u212aelvin sign", "ſome ERROR: DIſk1"]
    document = parse_text("\n".join(lines) + "\n")
    section = document.sections[0]
    block = Block(document, section, "stdout")
    import regex

    for pattern in PATTERNS:
        compiled = regex.compile(pattern)
        truth = [i for i, t in enumerate(block.texts) if compiled.search(t)]
        candidates = set(block.candidates(required_literals(pattern)))
        assert set(truth) <= candidates, pattern


@pytest.mark.parametrize("pattern", [r"(foo|b)x", r"\p{L}+ error", r"x{e<=1}", r"[[:alpha:]]foo"])
def test_no_prefilter_when_it_cannot_be_proven(pattern: str) -> None:
    assert required_literals(pattern) is None


CONTROL_ALPHABET = "ab \x1b[]31m;\x07\\\x9bP_X\x00\r\t0\n"


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.text(alphabet=CONTROL_ALPHABET.replace("\n", ""), max_size=25), max_size=12))
def test_joined_plain_text_equals_per_line_plain_text(lines: list[str]) -> None:
    import sys

    from triagebench.parser import plain_text

    module = sys.modules["triagebench.heuristics.evaluate"]
    assert module._plain_joined("\n".join(lines)).split("\n") == [plain_text(x) for x in lines] or not lines


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.text(alphabet=ALPHABET, max_size=40), min_size=1, max_size=40),
       seed_lines=st.lists(st.sampled_from(["ERROR: mmc0", "foobazbazqux", "Kelvin sign", "ſome ERROR: DIſk1",
                                            "balena.service: Start", "xxyz Under-voltage detected"]),
                           min_size=1, max_size=8))
def test_anchor_pass_on_big_blocks_never_loses_a_match(lines: list[str], seed_lines: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import regex

    module = sys.modules["triagebench.heuristics.evaluate"]
    monkeypatch.setattr(module, "BIG_BLOCK", 0)  # force the shared anchor-character pass
    monkeypatch.setattr(module, "_ANCHOR_COST", 0.0)
    document = parse_text("\n".join(lines + seed_lines + lines) + "\n")
    block = Block(document, document.sections[0], "stdout")
    filters = [required_literals(p) for p in PATTERNS]
    for prefilter in filters:
        if prefilter:
            block.expect(prefilter)
    for pattern, prefilter in zip(PATTERNS, filters, strict=True):
        compiled = regex.compile(pattern)
        truth = {i for i, t in enumerate(block.texts) if compiled.search(t)}
        assert truth <= set(block.candidates(prefilter)), pattern


def test_a_fact_based_finding_cites_the_line_the_fact_was_read_from(tmp_path) -> None:
    """An agent must be able to jump to the number a fact-only finding rests on."""
    from triagebench.heuristics.format import Library, load_file
    from triagebench.parser import parse_file

    rule = tmp_path / "low-mem-test.toml"
    rule.write_text('id = "low-mem-test"\ntitle = "Low memory"\nseverity = "medium"\n'
                    'permalink = "https://example.com/x"\ndescription = "d"\n'
                    '[signals.low]\nfact = "memory.available_percent"\nbelow = "99"\n')
    heuristic, problems = load_file(rule)
    assert heuristic is not None and not problems
    sample = Path(__file__).resolve().parent.parent / "sample-diagnostics" / "healthy-rpi0-2w-2.87.16.txt"
    document = parse_file(str(sample))
    findings = evaluate(document, Library([heuristic]))
    (finding,) = findings.matches
    (evidence,) = finding.evidence
    assert evidence.line == document.fact_lines["memory.available_percent"]
    assert evidence.section in ("cat /proc/meminfo", "free -h")
    assert "MemAvailable" in evidence.text or "Mem:" in evidence.text


def test_evidence_comes_only_from_signals_that_explain_the_match(tmp_path) -> None:
    """A signal under `not` (a condition that would clear the finding) is never shown as
    evidence: SDIO lines of the Wi-Fi host are not SD-card evidence."""
    from triagebench.heuristics.format import Library, load_file

    rule = tmp_path / "sd-test.toml"
    rule.write_text('id = "sd-test"\ntitle = "SD"\nseverity = "high"\n'
                    'permalink = "https://example.com/x"\ndescription = "d"\n'
                    'when = "io or (t1 and not sdio)"\n'
                    '[signals.io]\nregex = "I/O error, dev mmcblk0"\n'
                    '[signals.t1]\nregex = "mmc1: timeout"\n'
                    '[signals.sdio]\nregex = "mmc1: new high speed SDIO card"\n')
    heuristic, problems = load_file(rule)
    assert heuristic is not None and not problems
    document = parse_text(diagnostics_text({"dmesg -T": [
        "[Tue Feb 16 20:53:31 2021] mmc1: new high speed SDIO card at address 0001",
        "[Wed Feb 17 11:10:07 2021] blk_update_request: I/O error, dev mmcblk0, sector 6536318",
    ]}))
    (finding,) = evaluate(document, Library([heuristic])).matches
    assert [e.text.split("] ", 1)[1] for e in finding.evidence] == [
        "blk_update_request: I/O error, dev mmcblk0, sector 6536318"]
