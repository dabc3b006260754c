"""Every JSON output names its contract (``"schema"``) and matches the JSON Schema shipped
for it; a heuristic's ``source`` does not depend on the working directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from triagebench.cli.main import main
from triagebench.services.render_json import (
    FLEET_SCHEMA,
    PARSE_SCHEMA,
    SCAN_SCHEMA,
    load_schema,
    schema_file,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample-diagnostics" / "s14-s17-oom-disk-full-fincm3-2.94.4.txt"
SHIPPED = (SCAN_SCHEMA, PARSE_SCHEMA, FLEET_SCHEMA)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    main(list(argv))
    out, _ = capsys.readouterr()
    return json.loads(out)


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_schema_is_a_valid_json_schema(name: str) -> None:
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert (ROOT / "services" / "schemas" / schema_file(name)).is_file()


@pytest.mark.parametrize(("argv", "name"), [
    (["parse", str(SAMPLE), "--json"], PARSE_SCHEMA),
    (["scan", str(SAMPLE), "--format", "json"], SCAN_SCHEMA),
    (["fleet", str(SAMPLE), "-j", "1", "--format", "json"], FLEET_SCHEMA),
])
def test_every_json_output_names_and_matches_its_schema(
        capsys: pytest.CaptureFixture[str], argv: list[str], name: str) -> None:
    payload = run_json(capsys, *argv)
    assert isinstance(payload, dict) and payload["schema"] == name
    jsonschema.validate(payload, load_schema(name))


def test_the_schema_catches_a_broken_output(capsys: pytest.CaptureFixture[str]) -> None:
    payload = run_json(capsys, "scan", str(SAMPLE), "--format", "json")
    assert isinstance(payload, dict) and payload["matches"]
    payload["matches"][0]["severity"] = "catastrophic"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, load_schema(SCAN_SCHEMA))
    del payload["inputs"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, load_schema(SCAN_SCHEMA))


def test_a_list_of_scans_with_an_unreadable_file_matches(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = run_json(capsys, "scan", str(SAMPLE), str(tmp_path / "missing.txt"),
                       "--format", "json")
    assert isinstance(payload, list) and len(payload) == 2
    assert payload[1]["error"].endswith("no such file")
    jsonschema.validate(payload, load_schema(SCAN_SCHEMA))


def test_source_is_builtin_or_absolute_from_any_directory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "mine"
    extra.mkdir()
    bundled = next(ROOT.glob("heuristics/library/oom-killer.toml"))
    shutil.copy(bundled, extra / "my-oom.toml")
    text = (extra / "my-oom.toml").read_text(encoding="utf-8")
    (extra / "my-oom.toml").write_text(text.replace('id = "oom-killer"', 'id = "my-oom"'),
                                       encoding="utf-8")
    sources = []
    for cwd in (ROOT, tmp_path, ROOT / "heuristics" / "library"):
        monkeypatch.chdir(cwd)
        payload = run_json(capsys, "scan", str(SAMPLE), "--format", "json",
                           "--heuristics", "mine" if cwd == tmp_path else str(extra))
        assert isinstance(payload, dict)
        sources.append({m["id"]: m["source"] for m in payload["matches"]})
    assert sources[0] == sources[1] == sources[2]
    assert sources[0]["oom-killer"] == "builtin:oom-killer.toml"
    assert sources[0]["my-oom"] == str((extra / "my-oom.toml").resolve())
