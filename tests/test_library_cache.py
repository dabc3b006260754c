"""The on-disk library cache (issue #14) and the lazily compiled patterns it relies on.

What a user would notice: a launch with unchanged heuristic files gets the library from
the cache, and the cached library is the one the files describe, always: an edit (even
one that keeps size and mtime), a new draft, another working directory, a corrupt or
unwritable cache: each gives the freshly loaded library, never a traceback.
"""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from triagebench.heuristics import format as heuristic_format
from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.format import BUILTIN_DIR, Library, load_library, pattern_of
from triagebench.parser import parse_file
from triagebench.services import library_cache
from triagebench.services.library import LibraryOptions, load

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample-diagnostics").glob("*.txt"))
SDCARD = ROOT / "sample-diagnostics" / "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt"
BUNDLED = ("api-unreachable.toml", "btrfs-io-errors.toml", "cellular-connection-failing.toml")

VERSION_RULE = '''id = "os-version-two"
title = "OS version 2.x"
severity = "low"
permalink = "https://example.com/os-version-two"
description = "The OS version line reads 2.x."
tags = ["device", "degraded"]

[signals.version]
in = ["*"]
extract = 'version: (\\S+)'
matches = '^2\\.'
'''


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own (not the session's shared one)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture()
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real loads (reading the TOML files) behind the cache."""
    calls: list[int] = []
    real = heuristic_format.load_library

    def counting(*args, **kwargs) -> Library:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(heuristic_format, "load_library", counting)
    return calls


def rules(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(BUILTIN_DIR / name, folder / name)
    return folder


def summary(library: Library) -> tuple[list[tuple[str, str, str, bool]], list[str]]:
    """What a front-end shows of a library: ids, titles, sources, draft marks, problems."""
    return ([(h.id, h.title, h.source, h.draft) for h in library.heuristics],
            [str(m) for m in library.problems])


def findings_of(library: Library, path: Path) -> list[tuple]:
    document = parse_file(str(path))
    result = evaluate(document, library)
    return [(f.id, f.status, f.severity, f.count,
             sorted((name, s.value, tuple(e.line for e in s.evidence), s.observed)
                    for name, s in f.signals.items()))
            for f in result.matches] + [("error", e.heuristic, e.message) for e in result.errors]


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("library-*.pickle"))


# -- lazily compiled patterns -------------------------------------------------------------


def test_an_unpickled_library_compiles_nothing_until_a_search_needs_it(tmp_path: Path) -> None:
    (tmp_path / "os-version-two.toml").write_text(VERSION_RULE, encoding="utf-8")
    fresh = load_library([tmp_path])
    copy = pickle.loads(pickle.dumps(fresh))
    signal = copy.heuristics[-1].signals["version"]
    (comparator,) = signal.comparators
    assert signal.compiled is None and comparator.compiled is None
    assert all(s.compiled is None for h in copy for s in h.signals.values())
    original = fresh.heuristics[-1].signals["version"]
    for lazy, loaded in ((signal, original), (comparator, original.comparators[0])):
        pattern = pattern_of(lazy)
        assert pattern is not None and lazy.compiled is pattern  # kept for the next search
        assert (pattern.pattern, pattern.flags) == (loaded.compiled.pattern, loaded.compiled.flags)


def test_a_pickled_finding_carries_no_compiled_pattern() -> None:
    library = load_library()
    document = parse_file(str(SDCARD))
    finding = evaluate(document, library).matches[0]
    assert any(s.compiled is not None for s in finding.heuristic.signals.values())
    copy = pickle.loads(pickle.dumps(finding))
    assert copy.id == finding.id
    assert all(s.compiled is None for s in copy.heuristic.signals.values())


def test_the_pickled_library_finds_the_same_on_every_sample() -> None:
    fresh = load_library()
    copy = pickle.loads(pickle.dumps(fresh))
    assert len(SAMPLES) >= 10
    for sample in SAMPLES:
        assert findings_of(copy, sample) == findings_of(fresh, sample), sample.name


def test_the_matches_comparator_works_after_unpickling(tmp_path: Path) -> None:
    (tmp_path / "os-version-two.toml").write_text(VERSION_RULE, encoding="utf-8")
    diag = tmp_path / "diag.txt"
    diag.write_text("--- uname ---\nversion: 2.58.3\n", encoding="utf-8")
    fresh = load_library([tmp_path], builtin=False)
    copy = pickle.loads(pickle.dumps(fresh))
    assert [f[0] for f in findings_of(fresh, diag)] == ["os-version-two"]
    assert findings_of(copy, diag) == findings_of(fresh, diag)


# -- the cache ----------------------------------------------------------------------------


def test_the_second_load_comes_from_the_cache(cache: Path, loads: list[int]) -> None:
    first = library_cache.lookup(LibraryOptions())
    second = library_cache.lookup(LibraryOptions())
    assert (first.outcome, second.outcome) == ("miss", "hit")
    assert len(loads) == 1
    assert second.path == first.path and second.path in cache_files(cache)
    assert summary(second.library) == summary(first.library) == summary(load_library())
    assert len(second.library) >= 100
    assert stat.S_IMODE(second.path.stat().st_mode) == 0o600


def test_load_uses_the_cache(cache: Path, loads: list[int]) -> None:
    load(LibraryOptions())
    library = load(LibraryOptions())
    assert len(loads) == 1
    assert findings_of(library, SDCARD) == findings_of(load_library(), SDCARD)


def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path: Path, cache: Path,
                                                   loads: list[int]) -> None:
    folder = rules(tmp_path / "rules", *BUNDLED)
    options = LibraryOptions(heuristic_dirs=(str(folder),), builtin=False)
    assert library_cache.lookup(options).outcome == "miss"
    target = folder / "api-unreachable.toml"
    before = target.stat()
    text = target.read_text(encoding="utf-8")
    edited = text.replace('title = "balenaCloud API', 'title = "BALENACLOUD API', 1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    target.write_text(edited, encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns

    again = library_cache.lookup(options)
    assert again.outcome == "miss" and len(loads) == 2
    assert again.library.by_id("api-unreachable").title.startswith("BALENACLOUD API")
    assert summary(again.library) == summary(load_library([folder], builtin=False))


def test_a_corrupt_cache_file_falls_back_and_is_replaced(tmp_path: Path, cache: Path,
                                                         loads: list[int]) -> None:
    options = LibraryOptions(heuristic_dirs=(str(rules(tmp_path / "rules", *BUNDLED)),),
                             builtin=False)
    stored = library_cache.lookup(options).path
    assert stored is not None
    expected = summary(load_library(options.heuristic_dirs, builtin=False))
    for junk in (b"not a pickle at all", stored.read_bytes()[:200],
                 pickle.dumps({"heuristics": []}), pickle.dumps(("wrong key", Library()))):
        stored.write_bytes(junk)
        result = library_cache.lookup(options)
        assert result.outcome == "miss" and summary(result.library) == expected
        assert library_cache.lookup(options).outcome == "hit"  # rewritten


def test_a_cache_file_others_can_write_is_not_read(tmp_path: Path, cache: Path) -> None:
    options = LibraryOptions(heuristic_dirs=(str(rules(tmp_path / "rules", *BUNDLED)),),
                             builtin=False)
    stored = library_cache.lookup(options).path
    assert stored is not None
    stored.chmod(0o666)
    assert library_cache.lookup(options).outcome == "miss"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert library_cache.lookup(options).outcome == "hit"


def test_an_unwritable_cache_folder_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                loads: list[int]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(blocker / "cache"))
    results = [library_cache.lookup(LibraryOptions()) for _ in range(2)]
    assert [(r.outcome, r.path) for r in results] == [("miss", None), ("miss", None)]
    assert summary(results[1].library) == summary(load_library())
    assert len(loads) == 2


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_a_read_only_cache_folder_still_loads(tmp_path: Path, cache: Path) -> None:
    cache.mkdir(mode=0o500)
    try:
        result = library_cache.lookup(LibraryOptions())
    finally:
        cache.chmod(0o700)
    assert (result.outcome, result.path) == ("miss", None)
    assert summary(result.library) == summary(load_library())


def test_another_working_directory_gets_its_own_display_paths(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = rules(tmp_path / "rules", *BUNDLED)
    (folder / "broken.toml").write_text("id = \n", encoding="utf-8")
    options = LibraryOptions(heuristic_dirs=(str(folder),), builtin=False)
    seen = {}
    for cwd in (tmp_path, folder, tmp_path, folder):
        monkeypatch.chdir(cwd)
        result = library_cache.lookup(options)
        assert summary(result.library) == summary(load_library([folder], builtin=False))
        seen.setdefault(cwd, []).append(result.outcome)
        assert result.library.problems  # the broken file is reported, from the cache too
    assert seen == {tmp_path: ["miss", "hit"], folder: ["miss", "hit"]}
    monkeypatch.chdir(tmp_path)
    sources = [h.source for h in library_cache.lookup(options).library]
    assert sources == [f"rules/{name}" for name in BUNDLED]


def test_a_library_with_problems_comes_back_with_the_same_problems(tmp_path: Path,
                                                                   cache: Path) -> None:
    folder = rules(tmp_path / "rules", *BUNDLED)
    (folder / "broken.toml").write_text('id = "broken"\nseverity = "dire"\n', encoding="utf-8")
    (folder / "not-utf8.toml").write_bytes(b"id = \"\xff\"\n")
    options = LibraryOptions(heuristic_dirs=(str(folder), str(tmp_path / "missing")),
                             builtin=False)
    first, second = library_cache.lookup(options), library_cache.lookup(options)
    assert (first.outcome, second.outcome) == ("miss", "hit")
    assert len(second.library.problems) >= 3
    assert summary(second.library) == summary(first.library)


def test_draft_changes_are_seen(tmp_path: Path, cache: Path) -> None:
    drafts = tmp_path / "drafts"
    options = LibraryOptions(builtin=False, heuristic_dirs=(str(rules(tmp_path / "rules",
                                                                    BUNDLED[0])),),
                             drafts_dir=str(drafts), include_drafts=True)

    def state() -> tuple[str, list[tuple[str, bool]]]:
        result = library_cache.lookup(options)
        return result.outcome, [(h.id, h.draft) for h in result.library]

    assert state() == ("miss", [("api-unreachable", False)])
    assert state()[0] == "hit"
    rules(drafts, BUNDLED[1])
    assert state() == ("miss", [("api-unreachable", False), ("btrfs-io-errors", True)])
    assert state()[0] == "hit"
    rules(drafts, BUNDLED[2])
    assert [i for i, _ in state()[1]] == ["api-unreachable", "btrfs-io-errors",
                                          "cellular-connection-failing"]
    (drafts / BUNDLED[1]).unlink()
    assert state() == ("miss", [("api-unreachable", False), ("cellular-connection-failing", True)])


def test_triage_cache_off_reads_the_files_and_writes_nothing(
        cache: Path, loads: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_CACHE", "off")
    results = [library_cache.lookup(LibraryOptions()) for _ in range(2)]
    assert [r.outcome for r in results] == ["off", "off"] and len(loads) == 2
    assert not cache.exists()


def test_at_most_max_files_are_kept_the_most_recently_used(tmp_path: Path, cache: Path) -> None:
    folders = [rules(tmp_path / f"rules{n}", BUNDLED[n % 3]) for n in range(library_cache.MAX_FILES + 3)]
    first = LibraryOptions(heuristic_dirs=(str(folders[0]),), builtin=False)
    kept = library_cache.lookup(first).path
    for n, folder in enumerate(folders[1:]):
        library_cache.lookup(LibraryOptions(heuristic_dirs=(str(folder),), builtin=False))
        if n % 2 == 0:
            assert library_cache.lookup(first).outcome == "hit"  # used again: kept
    assert len(cache_files(cache)) == library_cache.MAX_FILES
    assert kept in cache_files(cache)


def test_triage_processes_use_the_cache_folder_they_are_given(tmp_path: Path, cache: Path) -> None:
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "triagebench", "scan", str(SDCARD)],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert done.returncode in (0, 1, 2), done.stderr
        assert "undervoltage" in done.stdout.lower() or "under-voltage" in done.stdout.lower()
    assert len(cache_files(cache)) == 1
