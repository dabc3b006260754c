"""The CI fuzz suite (issue #18): hostile input never raises, and stays bounded.

Property tests (hypothesis, a bounded number of examples each, ``database=None`` so
nothing is written) over the parser and fact extraction, the heuristic loader and
the ``when`` parser, plus every file of ``tests/fuzz-corpus/`` parsed and scanned
(the crashers found by hand and by ``bench/fuzz_long.py``). Assertions are about
what a user would notice: no exception, a lossless document, facts that serialise
as strict JSON (no NaN), fact lines inside the file, one-line lint messages, and a
bounded number of findings. Wall-clock speed is measured in bench/, not here.
"""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.format import Library, load_file
from triagebench.heuristics.guards import permalink_problem, regex_problem
from triagebench.heuristics.when import WhenError, parse_when
from triagebench.parser import FACT_NAMES, Document, parse_file, parse_text
from triagebench.parser.text import clipboard_safe, plain_text, printable

CORPUS = Path(__file__).resolve().parent / "fuzz-corpus"
FUZZ = settings(max_examples=150, deadline=timedelta(seconds=10), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

COMMANDS = ["uptime", "cat /etc/os-release", "cat /mnt/boot/config.json", "free", "free -h",
            "df -h", "cat /proc/meminfo", "dmesg -T", "uname -a", "timedatectl status",
            "balena --version", "balena logs b96a5987452b", "cat /proc/device-tree/model",
            "date", "CURL_CA_BUNDLE=/tmp/tmp.Xh2kq9aBcD curl https://api.balena-cloud.com/ping"]

digits = st.one_of(st.integers(0, 10**6).map(str), st.integers(1, 6000).map(lambda n: "9" * n),
                   st.sampled_from(["nan", "inf", "-inf", "1e999", "-1", "", "0x1F", "²", "٣"]))
junk = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
controls = st.sampled_from(["\x1b[8m", "\x1b]52;c;aGk=\x07", "\x1b[2J", "\r", "\x00", "\x08",
                            "\u202e", "\x85", "\x9b31m", "\x1b[38;5;1;8m", "\t"])
big = st.integers(1, 60_000).map(lambda n: " " * n)


@st.composite
def nested_json(draw) -> str:
    depth = draw(st.integers(0, 3000))
    opener = draw(st.sampled_from(['{"a":', "[", '{"developmentMode":']))
    closer = {'{"a":': "}", "[": "]", '{"developmentMode":': "}"}[opener]
    leaf = draw(st.sampled_from(["1", '"true"', "NaN", "1e999", "9" * 400, "true", '"x"']))
    return opener * depth + leaf + closer * depth


def fact_line(draw) -> str:
    kind = draw(st.integers(0, 12))
    d = draw(digits)
    if kind == 0:
        return f" 10:00:00 up {d} days, {draw(junk)} {draw(st.sampled_from(['2:29', 'min', '']))},  load average: 0.1"
    if kind == 1:
        return f'PRETTY_NAME="{draw(junk)}{draw(st.sampled_from(["", " 2.88.4+rev3", " (dev)"]))}"'
    if kind == 2:
        return f"MemTotal: {d} kB" if draw(st.booleans()) else f"MemAvailable: {d} kB"
    if kind == 3:
        return f"Mem: {d} 1 1 1 1 {draw(digits)}"
    if kind == 4:
        return f"/dev/mmcblk0p6 1G 1G 1G {d}% /mnt/data"
    if kind == 5:
        return f"Command exited with non-zero status {d}"
    if kind == 6:
        return f"Command terminated by signal {d}"
    if kind == 7:
        return f"real\t{d}h {draw(digits)}m {draw(digits)}s"
    if kind == 8:
        return draw(nested_json())
    if kind == 9:
        return f"[    0.000000] Machine model: {draw(junk)}{draw(big)}x"
    if kind == 10:
        return f"Supervisor v{d}.1.{draw(digits)} starting up"
    if kind == 11:
        return "--- " + draw(st.sampled_from(COMMANDS)) + " ---"
    return draw(junk) + draw(controls) + draw(junk)


@st.composite
def diagnostics(draw) -> str:
    """A diagnostics-shaped file: a listing, sections of fact-bearing and hostile lines."""
    commands = draw(st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=6))
    out = ["STDOUT:", "", "--- diagnose 4.22.11 ---", "", "--- COMMANDS ---", "", *commands]
    for command in commands:
        out += ["", f"--- {command} ---", "", "2022-05-02 16:03:40.941545526+00:00"]
        out += [fact_line(draw) for _ in range(draw(st.integers(0, 4)))]
        if draw(st.booleans()):
            out += ["real\t0m 0.01s", "user\t0m 0.00s", "sys\t0m 0.00s"]
    if draw(st.booleans()):
        out += ["STDERR:", "", f"--- {commands[0]} ---", "", draw(junk)]
    text = "\n".join(out)
    return text + "\n" if draw(st.booleans()) else text


def check_document(doc: Document, text: str) -> None:
    assert doc.text() == text  # lossless whatever the input
    assert set(doc.facts) == set(FACT_NAMES)
    json.dumps(doc.facts, allow_nan=False)
    json.dumps([s.timing.as_dict() for s in doc.sections if s.timing], allow_nan=False)
    for name, line in doc.fact_lines.items():
        assert doc.facts[name] is not None and 1 <= line <= doc.line_count
    for value in doc.facts.values():
        assert not isinstance(value, str) or len(value) <= 4096


@lru_cache(maxsize=1)
def library() -> Library:
    return load_library()


def check_scan(doc: Document) -> None:
    findings = evaluate(doc, library())
    assert len(findings.matches) + len(findings.errors) <= 2 * len(library())
    for finding in findings.matches:
        assert len(finding.evidence) <= 10_000


@FUZZ
@given(diagnostics())
def test_parse_and_scan_diagnostics_shaped_text(text: str) -> None:
    doc = parse_text(text)
    check_document(doc, text)
    check_scan(doc)


@FUZZ
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000))
def test_parse_any_text(text: str) -> None:
    check_document(parse_text(text), text)


@FUZZ
@given(st.text(max_size=300))
def test_display_helpers_never_emit_controls(text: str) -> None:
    for shown in (printable(text, keep_tabs=False), clipboard_safe(text)):
        shown = shown.replace("\n", "")  # line breaks are kept on purpose
        assert not any(ord(c) < 0x20 and c != "\t" or 0x7F <= ord(c) < 0xA0 or c == "\u202e"
                       for c in shown)
    plain_text(text)


WHEN_TOKENS = st.sampled_from(["a", "b", "not", "and", "or", "(", ")", "any of", "all of",
                               "a*", "?", "x", "of", "", "!", "é"])


@FUZZ
@given(st.lists(WHEN_TOKENS, max_size=1200))
def test_when_parser_raises_only_when_error(tokens: list[str]) -> None:
    try:
        parse_when(" ".join(tokens), ["a", "b"])
    except WhenError as exc:
        assert "\n" not in str(exc)


TOML_PIECES = st.sampled_from([
    'id = "x"\n', 'title = "t"\n', 'severity = "high"\n', 'description = "d"\n',
    'permalink = "https://example.com/kb"\n', 'permalink = "https:///etc/passwd"\n',
    "[signals.s]\n", 'in = ["dmesg -T"]\n', "regex = 'Under-voltage'\n", "regex = '(a{1000}){1000}'\n",
    'fact = "uptime.seconds"\n', f"above = {'9' * 400}\n", "above = nan\n", 'below = "2.98.4"\n',
    'when = "not not s"\n', 'when = "' + "(" * 350 + "s" + ")" * 350 + '"\n',
    "tags = " + "[" * 200 + "]" * 200 + "\n", "[[examples]]\n", "matches = true\n",
    'sections = { "dmesg -T" = ["Under-voltage"] }\n', "[", "]", "=", '"', "\x00", "\n",
])


@FUZZ
@given(st.lists(TOML_PIECES, max_size=25))
def test_heuristic_loader_never_raises(pieces: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.toml"
        path.write_text("".join(pieces), encoding="utf-8")
        heuristic, messages = load_file(path)
    assert heuristic is not None or any(m.level == "error" for m in messages)
    assert all("\n" not in str(m) for m in messages)


@FUZZ
@given(st.text(max_size=400))
def test_guards_never_raise(text: str) -> None:
    regex_problem(text)
    permalink_problem(text)
    permalink_problem("https://" + text)


# -- the corpus: every crasher kept as a file, plus the big ones built here ----------

def big_cases() -> dict[str, str]:
    from tests.test_heuristics_support import diagnostics_text

    return {
        "uptime-100k-spaces": diagnostics_text({"uptime": [" up" + " " * 100_000 + "x"]}),
        "pretty-name-50k": diagnostics_text({"cat /etc/os-release": ['PRETTY_NAME="' + " " * 50_000 + 'x"']}),
        "machine-model-50k": diagnostics_text({"dmesg": ["Machine model: " + " " * 50_000 + "x"]}),
        "mktemp-header-100k": diagnostics_text({"/a" * 50_000: ["x"]}),
        "headers-100k": "".join(f"--- c{i} ---\n\n" for i in range(100_000)),
        "config-json-depth-100k": diagnostics_text({"cat /mnt/boot/config.json": ['{"a":' * 100_000 + "1" + "}" * 100_000]}),
    }


CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*.txt"))


def test_corpus_is_not_empty() -> None:
    assert len(CORPUS_FILES) >= 10 and len(list((CORPUS / "heuristics").glob("*.toml"))) >= 10


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_file_parses_and_scans(name: str) -> None:
    path = CORPUS / name
    doc = parse_file(str(path))
    check_document(doc, path.read_bytes().decode("utf-8", errors="replace"))
    check_scan(doc)


@pytest.mark.parametrize("name", sorted(big_cases()))
def test_big_case_parses_and_scans(name: str) -> None:
    text = big_cases()[name]
    doc = parse_text(text)
    check_document(doc, text)
    check_scan(doc)


def test_corpus_heuristics_are_rejected_not_raised() -> None:
    for path in sorted((CORPUS / "heuristics").glob("*.toml")):
        heuristic, messages = load_file(path)
        assert heuristic is None and messages, path.name


# -- sessions, settings, references and text output (#18, second round) ----------------

def test_corpus_parse_text_output_never_raises_or_links(capsys) -> None:
    """``triage parse`` text output of every corpus file: file data is never markup."""
    from triagebench.cli.parse import print_text

    for name in CORPUS_FILES:
        print_text(parse_file(str(CORPUS / name)))
        out = capsys.readouterr().out
        assert "\x1b]8;" not in out, name


def test_corpus_references_raise_only_ref_error() -> None:
    from triagebench.parser.refs import RefError, parse_ref, resolve_ref

    doc = parse_text(diagnostics_sample())
    for text in (CORPUS / "refs.list").read_text(encoding="utf-8").splitlines():
        try:
            resolve_ref(parse_ref(text), doc)
        except RefError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 400, text


@FUZZ
@given(st.text(st.sampled_from("L#0123456789²٣&=section%line occurrence"), max_size=60)
       | digits.map(lambda d: f"x#section=a&line={d}"))
def test_references_raise_only_ref_error(text: str) -> None:
    from triagebench.parser.refs import RefError, parse_ref, resolve_ref

    try:
        resolve_ref(parse_ref(text), parse_text(diagnostics_sample()))
    except RefError as exc:
        assert "\n" not in str(exc)


def diagnostics_sample() -> str:
    from tests.test_refs import diagnostics_text

    return diagnostics_text()


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "sessions").glob("*.json")))
def test_corpus_session_is_refused_or_imported(name: str, tmp_path: Path) -> None:
    from triagebench.services.sessions import SessionError, import_session

    diag = tmp_path / "diag.txt"
    diag.write_text(diagnostics_sample(), encoding="utf-8")
    doc = parse_file(str(diag))
    try:
        session, warnings = import_session(CORPUS / "sessions" / name, doc)
    except SessionError as exc:
        assert "\n" not in str(exc) and name in str(exc)
        return
    assert all(1 <= n <= doc.line_count for n in session.bookmarks)


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "settings").glob("*.json")))
def test_corpus_settings_give_defaults(name: str, monkeypatch, tmp_path: Path) -> None:
    from triagebench.services import settings as store

    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(tmp_path))
    (tmp_path / "settings.json").write_bytes((CORPUS / "settings" / name).read_bytes())
    loaded, notice = store.read_settings()
    assert loaded == store.Settings()
    if name.startswith("nested"):
        assert notice is not None and "default" in notice
