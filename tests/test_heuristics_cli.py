"""``triage scan`` and ``triage heuristics``: exit codes, JSON shape, safe text output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from triagebench.cli.main import main

from tests.test_heuristics_support import diagnostics_text, write_heuristic

JOURNAL = "journalctl --no-pager --no-hostname -pwarning -perr -a"


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "rules"
    write_heuristic(rules, "engine-timeout", f"""
        when = "t and old"
        [signals.t]
        in = ["{JOURNAL}"]
        regex = 'balena\\.service: start operation timed out'
        [signals.old]
        fact = "os.version"
        below = "2.98.4"
        [signals.sup]
        fact = "supervisor.version"
        below = "14.0.0"
    """.replace('when = "t and old"', 'when = "t and old and (sup or not sup or t)"'), severity="high")
    write_heuristic(rules, "hostile", f"""
        [signals.h]
        in = ["{JOURNAL}"]
        regex = 'evil'
    """, severity="low")
    sample = tmp_path / "device.txt"
    sample.write_text(diagnostics_text({
        "cat /etc/os-release": ['VERSION_ID="2.87.16+rev1"', 'NAME="balenaOS"'],
        JOURNAL: ["May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating.",
                  "May 02 16:03:57 app[1]: evil \x1b]52;c;aGVsbG8=\x07 \x9b31m clipboard \x07 bell"],
    }), encoding="utf-8")
    return rules, sample


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output(setup, capsys) -> None:
    rules, sample = setup
    code, out, err = run(capsys, "scan", str(sample), "--heuristics", str(rules), "--no-builtin")
    assert code == 0, err
    assert "HIGH (1)" in out and "LOW (1)" in out
    assert out.index("State at capture:") < out.index("HIGH (1)")
    # capture 16:03:41; the line was stamped while diagnose.sh ran, 15 s later
    assert "    active, last seen at capture, 1 event" in out
    assert out.index("HIGH") < out.index("LOW")
    assert "https://example.com/kb/engine-timeout" in out
    assert "signals: t=true, old=true (2.87.16+rev1), sup=unknown" in out
    assert "remedy: Fix engine-timeout." in out
    line = next(x for x in out.splitlines() if "start operation timed out" in x).strip()
    number = line.split()[0]
    assert number.startswith("L") and sample.read_text().split("\n")[int(number[1:]) - 1].endswith(
        "Terminating.")
    assert f"{number}  {JOURNAL}  May 02" in line
    # untrusted text never reaches the terminal raw
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\x07" in out


def test_json_contract_one_file_is_an_object(setup, capsys) -> None:
    rules, sample = setup
    code, out, _ = run(capsys, "scan", str(sample), "--heuristics", str(rules), "--no-builtin",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"schema", "file", "inputs", "format", "facts", "state", "matches", "errors"}
    assert set(data["state"]) == {"verdict", "counts", "sentence", "items"}
    assert data["format"] == "balena-diagnostics" and data["facts"]["os.version"] == "2.87.16+rev1"
    first = data["matches"][0]
    assert set(first) == {"id", "title", "severity", "base_severity", "status", "first_seen", "last_seen",
                          "count", "unknown_facts", "permalink", "source", "signals"}
    assert first["id"] == "engine-timeout" and first["source"].endswith("engine-timeout.toml")
    old = first["signals"]["old"]
    assert {k: old[k] for k in ("value", "observed")} == {"value": True, "observed": "2.87.16+rev1"}
    (fact_line,) = old["evidence"]  # a fact signal cites the line its fact was read from
    assert fact_line["section"] == "cat /etc/os-release" and fact_line["text"] == 'VERSION_ID="2.87.16+rev1"'
    assert first["signals"]["sup"] == {"value": None}
    (evidence,) = first["signals"]["t"]["evidence"]
    assert set(evidence) == {"line", "section", "text", "time", "boot"} and evidence["section"] == JOURNAL
    assert evidence["time"] == "2022-05-02T16:03:56Z" and evidence["boot"] == 0
    assert first["status"] == "active" and first["base_severity"] == first["severity"]
    assert first["first_seen"] == first["last_seen"] == "2022-05-02T16:03:56Z" and first["count"] == 1
    assert data["errors"] == []
    assert "\x9b" not in out and "\x1b" not in out


def test_json_several_files_is_a_list(setup, capsys, tmp_path: Path) -> None:
    rules, sample = setup
    missing = tmp_path / "missing.txt"
    code, out, err = run(capsys, "scan", str(sample), str(missing), "--heuristics", str(rules),
                         "--no-builtin", "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 2
    assert data[0]["file"] == str(sample) and data[1]["file"] == str(missing) and "error" in data[1]
    assert len(err.strip().splitlines()) == 1 and "missing.txt" in err


def test_fail_on(setup, capsys) -> None:
    rules, sample = setup
    base = ["scan", str(sample), "--heuristics", str(rules), "--no-builtin"]
    assert run(capsys, *base, "--fail-on", "high")[0] == 1
    assert run(capsys, *base, "--fail-on", "low")[0] == 1
    assert run(capsys, *base, "--fail-on", "critical")[0] == 0


def test_bad_input_and_usage_exit_2(setup, capsys, tmp_path: Path) -> None:
    rules, sample = setup
    code, out, err = run(capsys, "scan", str(tmp_path / "nope.txt"), "--no-builtin")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "nope.txt" in err
    code, _, err = run(capsys, "scan", str(sample), "--heuristics", str(tmp_path / "no-dir"))
    assert code == 2 and "no-dir" in err and "Traceback" not in err
    code, _, err = run(capsys, "scan", str(sample), "--format", "yaml")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "scan", str(sample), "--fail-on", "urgent")
    assert code == 2


def test_broken_heuristic_is_skipped_with_one_line(setup, capsys) -> None:
    rules, sample = setup
    (rules / "broken.toml").write_text("id = 'broken'\n[signals.x\n", encoding="utf-8")
    code, out, err = run(capsys, "scan", str(sample), "--heuristics", str(rules), "--no-builtin")
    assert code == 0 and "engine-timeout" in out
    assert "broken.toml: toml: invalid TOML" in err


def test_markdown(setup, capsys) -> None:
    rules, sample = setup
    code, out, _ = run(capsys, "scan", str(sample), "--heuristics", str(rules), "--no-builtin",
                       "--format", "markdown")
    assert code == 0
    assert "| severity | heuristic | title | status | evidence |" in out
    assert out.index("### State at capture") < out.index("| severity | heuristic |")
    assert "| high | [engine-timeout](https://example.com/kb/engine-timeout) |" in out
    assert "\x1b" not in out


def test_drafts_flag(setup, capsys, tmp_path: Path) -> None:
    rules, sample = setup
    drafts = tmp_path / "drafts"
    write_heuristic(drafts, "draft-one", f"""
        [signals.t]
        in = ["{JOURNAL}"]
        regex = 'Terminating'
    """, severity="info")
    code, out, _ = run(capsys, "scan", str(sample), "--no-builtin", "--drafts", str(drafts))
    assert code == 0 and "draft-one [draft]" in out


def test_heuristics_lint_list_test(setup, capsys, tmp_path: Path) -> None:
    rules, _ = setup
    code, out, _ = run(capsys, "heuristics", "lint", str(rules))
    assert code == 0 and "0 error(s)" in out
    code, out, _ = run(capsys, "heuristics", "list", str(rules))
    assert code == 0
    assert any(x.split()[:2] == ["engine-timeout", "high"] for x in out.splitlines())
    (rules / "bad.toml").write_text('id = "bad"\nseverity = "urgent"\n', encoding="utf-8")
    code, out, _ = run(capsys, "heuristics", "lint", str(rules))
    assert code == 1 and "bad.toml: severity: 'urgent' is not one of" in out
    (rules / "bad.toml").unlink()
    write_heuristic(rules, "tested", """
        [signals.t]
        in = ["dmesg -T"]
        regex = 'oops'
        [[examples]]
        matches = true
        [examples.sections]
        "dmesg -T" = ['no such thing']
    """)
    code, out, _ = run(capsys, "heuristics", "test", str(rules))
    assert code == 1 and "tested.toml: examples[1]: expected match, but it did not match" in out
    assert "0/1 example(s) passed" in out


def test_bundled_library_is_clean(capsys) -> None:
    """The shipped library lints without errors and its examples pass (content changes; rules don't)."""
    code, out, _ = run(capsys, "heuristics", "lint")
    assert code == 0, out
    code, out, _ = run(capsys, "heuristics", "test")
    assert code == 0, out
