"""Drafts: building from lines, TOML the loader reads back, lint, atomic no-overwrite saves, preview."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from triagebench.heuristics import Library, load_file, load_library, run_examples
from triagebench.heuristics.drafts import (
    PLACEHOLDER_PERMALINK,
    Draft,
    DraftError,
    DraftExistsError,
    DraftSignal,
    build_draft,
    line_ranges,
    lint_draft,
    preview,
    render_toml,
    slugify,
    toml_string,
    usable_lines,
)
from triagebench.heuristics.evaluate import evaluate
from triagebench.services.drafts import default_drafts_dir, save_draft

from tests.test_drafts_fixture import (
    BALENAD,
    DMESG,
    SUPERVISOR_KEY,
    WARN,
    line_of,
    lines_of,
    make_document,
    make_text,
    write_file,
)


def _readonly_dir(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (root ignores mode bits: use /sys)."""
    if os.geteuid() == 0:
        candidate = Path("/sys/kernel")
        try:
            (candidate / ".triage-probe").touch()
        except OSError:
            return candidate
        pytest.skip("no read-only folder available as root")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def test_build_from_one_line_gives_a_draft_that_matches_its_siblings(tmp_path: Path) -> None:
    doc = make_document()
    n = line_of(doc, "Under-voltage detected! (0x00050005)")
    draft = build_draft(doc, [n])
    assert draft.id == "under-voltage-detected"
    assert draft.title == "Under-voltage detected!"
    assert draft.severity == "medium"
    assert draft.permalink == PLACEHOLDER_PERMALINK
    # the default scope: the kernel log wherever it appears; "this section" is a choice
    assert [s.scope for s in draft.signals] == ["log"]
    assert [s.scopes["section"] for s in draft.signals] == [[DMESG]]
    assert "dmesg*" in draft.signals[0].selectors
    assert draft.positive == {DMESG: [doc.plain(n)]}
    negatives = draft.negative[DMESG]
    assert negatives and not any("Under-voltage" in t for t in negatives)
    assert f"line(s) {n}" in draft.description and "device.txt" in draft.description
    path = save_draft(draft, tmp_path)
    heuristic, messages = load_file(path, draft=True)
    assert heuristic is not None, messages
    assert [m for m in messages if m.level == "error"] == []
    findings = evaluate(doc, [heuristic])
    assert [f.id for f in findings.matches] == ["under-voltage-detected"]
    assert [e.line for e in findings.matches[0].evidence] == lines_of(doc, "Under-voltage detected!")
    results = run_examples(Library(heuristics=[heuristic]))
    assert [r.passed for r in results] == [True, True]


def test_lines_from_two_sections_give_two_signals_and_both_examples(tmp_path: Path) -> None:
    doc = make_document()
    lines = [line_of(doc, "Storage migration from aufs"),
             line_of(doc, "balena.service: start operation timed out")]
    draft = build_draft(doc, lines, title="Engine killed during storage migration",
                        severity="critical")
    assert draft.id == "engine-killed-during-storage-migration"
    assert [s.scopes["section"] for s in draft.signals] == [[BALENAD], [WARN]]
    assert [s.selectors for s in draft.signals][1] == [WARN]  # systemd: no known family
    assert set(draft.positive) == {BALENAD, WARN}
    draft.version.enabled = True
    text = render_toml(draft)
    data = tomllib.loads(text)
    assert data["signals"]["affected_version"] == {"fact": "os.version", "at_most": "2.87.16+rev1"}
    assert data["examples"][0]["facts"] == {"os.version": "2.87.16+rev1"}
    assert [m for m in lint_draft(draft) if m.level == "error"] == []
    heuristic, _ = load_file(save_draft(draft, tmp_path), draft=True)
    assert heuristic.draft and heuristic.severity == "critical"
    assert evaluate(doc, [heuristic]).matches


def test_stderr_lines_go_to_the_stderr_example_table(tmp_path: Path) -> None:
    doc = make_document()
    n = line_of(doc, "DeprecationWarning: Buffer() is deprecated")
    draft = build_draft(doc, [n])
    assert draft.positive_stderr == {SUPERVISOR_KEY: [doc.plain(n)]}
    assert draft.positive == {}
    data = tomllib.loads(render_toml(draft))
    assert data["examples"][0]["stderr"] == {SUPERVISOR_KEY: [doc.plain(n)]}
    assert [m for m in lint_draft(draft) if m.level == "error"] == []


def test_source_regex_from_a_mined_template_is_used_as_is() -> None:
    doc = make_document()
    draft = build_draft(doc, [], source_regex=r"Reported\s+current\s+state\s+to\s+the\s+cloud")
    assert [s.regex for s in draft.signals] == [r"Reported\s+current\s+state\s+to\s+the\s+cloud"]
    assert draft.positive[SUPERVISOR_KEY] == [doc.plain(n) for n in
                                              lines_of(doc, "Reported current state")[:3]]
    assert [m for m in lint_draft(draft) if m.level == "error"] == []


def test_usable_lines_leaves_out_headers_timestamps_and_blanks() -> None:
    doc = make_document()
    header = line_of(doc, f"--- {DMESG} ---")
    first_output = line_of(doc, "vc_sm_cma_vchi_init")
    kept, skipped = usable_lines(doc, range(header, first_output + 1))
    assert kept == [first_output]
    assert header in skipped and len(skipped) == first_output - header


def test_bad_selections_are_one_clear_error() -> None:
    doc = make_document()
    with pytest.raises(DraftError, match="outside any section"):
        build_draft(doc, [1])
    blank = [n for n in range(1, doc.line_count + 1) if doc.lines[n - 1] == ""
             and doc.section_at(n) and doc.section_at(n).key == SUPERVISOR_KEY
             and doc.stream_of(n) == "stdout" and n in doc.section_at(n).stdout.line_numbers]
    with pytest.raises(DraftError, match="blank"):
        build_draft(doc, blank)
    with pytest.raises(DraftError, match="severity"):
        build_draft(doc, [line_of(doc, "Under-voltage")], severity="urgent")


@pytest.mark.parametrize("value", [
    "plain", "it's \"quoted\"", "back\\slash \\d+", "tab\there", "bell\x07 and esc\x1b[31m",
    "ünïcode — ✓", "'''triple'''", "trailing\\",
])
def test_toml_strings_round_trip(value: str) -> None:
    for literal in (True, False):
        assert tomllib.loads(f"v = {toml_string(value, literal)}")["v"] == value


def test_render_round_trips_every_field_and_keeps_top_level_keys_first() -> None:
    draft = Draft(id="odd-id", title='Title with "quotes" and \'apostrophes\'',
                  severity="high", permalink="https://github.com/o/r/issues/1",
                  description="line one\nline two", remedy="do \\this\\",
                  tags=["a", "b c"],
                  signals=[DraftSignal("sig", ["journalctl *", 'we"ird key'], r"it's \d+ \[x\]")],
                  positive={'we"ird key': ["it's 5 [x]"]}, negative={"journalctl -a": ["nope"]})
    text = render_toml(draft)
    data = tomllib.loads(text)
    assert data["title"] == draft.title and data["remedy"] == draft.remedy
    assert data["description"] == draft.description
    assert data["signals"]["sig"] == {"in": ["journalctl *", 'we"ird key'],
                                      "regex": r"it's \d+ \[x\]"}
    assert data["examples"][0] == {"matches": True, "sections": {'we"ird key': ["it's 5 [x]"]}}
    assert data["examples"][1]["matches"] is False
    first_table = text.index("\n[")
    assert "tags = " in text[:first_table] and "id = " in text[:first_table]


def test_regexes_are_written_as_literal_strings_when_possible() -> None:
    doc = make_document()
    draft = build_draft(doc, [line_of(doc, "Under-voltage")])
    assert "regex = 'Under-voltage detected! \\(0x[0-9a-fA-F]+\\)'" in render_toml(draft)


def test_save_is_atomic_and_never_overwrites(tmp_path: Path) -> None:
    doc = make_document()
    draft = build_draft(doc, [line_of(doc, "Under-voltage")])
    first = save_draft(draft, tmp_path)
    assert first == tmp_path / "under-voltage-detected.toml"
    original = first.read_text(encoding="utf-8")
    draft.title = "Changed"
    with pytest.raises(DraftExistsError) as info:
        save_draft(draft, tmp_path)
    assert info.value.suggestion == "under-voltage-detected-2"
    assert "not overwritten" in str(info.value)
    assert first.read_text(encoding="utf-8") == original
    draft.id = info.value.suggestion
    second = save_draft(draft, tmp_path)
    assert second.name == "under-voltage-detected-2.toml"
    draft.id = "under-voltage-detected"
    with pytest.raises(DraftExistsError) as again:
        save_draft(draft, tmp_path)
    assert again.value.suggestion == "under-voltage-detected-3"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "under-voltage-detected-2.toml", "under-voltage-detected.toml"]  # no temp files left
    # both load as drafts, with distinct ids
    library = load_library(builtin=False, drafts=[tmp_path])
    assert library.problems == [] and len(library.heuristics) == 2


def test_readonly_or_missing_folder_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    doc = make_document()
    draft = build_draft(doc, [line_of(doc, "Under-voltage")])
    readonly = _readonly_dir(tmp_path)
    with pytest.raises(DraftError, match="not writable"):
        save_draft(draft, readonly)
    assert not (readonly / "under-voltage-detected.toml").exists()
    with pytest.raises(DraftError, match="does not exist"):
        save_draft(draft, tmp_path / "missing" / "drafts")
    # the folder itself is created when its parent exists
    path = save_draft(draft, tmp_path / "new-drafts")
    assert path.exists()


def test_bad_id_is_refused_before_writing(tmp_path: Path) -> None:
    doc = make_document()
    draft = build_draft(doc, [line_of(doc, "Under-voltage")])
    draft.id = "../escape"
    with pytest.raises(DraftError, match="lowercase"):
        save_draft(draft, tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert any(m.key == "id" and m.level == "error" for m in lint_draft(draft))


def test_drafts_folder_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIAGE_DRAFTS", str(tmp_path / "env"))
    assert default_drafts_dir() == tmp_path / "env"
    assert default_drafts_dir(tmp_path / "explicit") == tmp_path / "explicit"
    monkeypatch.delenv("TRIAGE_DRAFTS")
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    assert default_drafts_dir() == tmp_path / "data" / "drafts"  # drafts follow the data dir
    monkeypatch.delenv("TRIAGE_DATA_DIR")
    assert default_drafts_dir().parts[-2:] == ("triagebench", "drafts")


def test_lint_reports_a_broken_regex_and_a_failing_example() -> None:
    doc = make_document()
    draft = build_draft(doc, [line_of(doc, "Under-voltage")])
    assert [m.key for m in lint_draft(draft)] == ["permalink"]  # only the placeholder warning
    draft.signals[0].regex = "Under-voltage (detected"
    errors = [m for m in lint_draft(draft) if m.level == "error"]
    assert errors and "compile" in errors[0].message
    draft.signals[0].regex = "Voltage normalised"
    errors = [m for m in lint_draft(draft) if m.level == "error"]
    assert any("expected match" in m.message for m in errors)


def test_preview_counts_lines_here_and_corpus_files(tmp_path: Path) -> None:
    doc = make_document()
    draft = build_draft(doc, [line_of(doc, "Under-voltage")])
    with_it = write_file(tmp_path, "a.txt")
    without = write_file(tmp_path, "b.txt", make_text([(DMESG, ["[Fri Apr 29 13:35:04 2022] ok"],
                                                       [])]))
    result = preview(draft, doc, [str(with_it), str(without)], max_lines=2)
    assert result.line_count == 3
    assert result.all_lines == lines_of(doc, "Under-voltage detected!")
    assert [n for n, _ in result.lines] == result.all_lines[:2]
    assert result.matches_here
    assert result.corpus_matched == [str(with_it)] and result.corpus_total == 2
    calls = []
    stopped = preview(draft, doc, [str(with_it), str(without)],
                      cancelled=lambda: calls.append(1) or len(calls) > 1)
    assert stopped.cancelled and len(stopped.corpus_matched) <= 1


def test_preview_reports_a_catastrophic_regex_instead_of_hanging() -> None:
    text = make_text([(DMESG, ["a" * 3000 + "!"], [])])
    from triagebench.parser import parse_text

    doc = parse_text(text)
    draft = Draft(id="slow", title="slow", signals=[DraftSignal("s", [DMESG], r"^(a|aa)*$")],
                  positive={DMESG: ["aa"]}, description="d")
    result = preview(draft, doc, [], timeout=0.2)
    assert any("too slow" in e or "timed out" in e for e in result.errors)


def test_helpers() -> None:
    assert slugify("Under-voltage detected! (…)") == "under-voltage-detected"
    assert slugify("!!!") == "draft"
    assert len(slugify("word " * 40)) <= 48
    assert line_ranges([3, 4, 5, 9, 11, 12]) == "3-5, 9, 11-12"
