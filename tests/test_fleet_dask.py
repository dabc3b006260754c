"""Fleet on Dask: the same folder through the process pool and a 2-worker LocalCluster
gives identical JSON (the optional extra ``triagebench[dask]``; ``make test`` installs it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from triagebench.services.fleet import (
    PoolBackend,
    ScanOptions,
    expand_paths,
    library_for,
    run_fleet,
)
from triagebench.services.fleet_store import open_store
from triagebench.services.render_json import json_text

pytest.importorskip("distributed")

from triagebench.services.fleet_dask import DaskBackend, SchedulerError  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "sample-diagnostics"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five bundled samples (varied failures, one health-check JSON) and one bad file."""
    target = tmp_path_factory.mktemp("fleet")
    names = ["healthy-rpi0-2w-2.87.16.txt", "s01-storage-migration-timeout-rpi4-2.88.4.txt",
             "s10-s12-s13-undervoltage-sdcard-rpi3-2.58.3.txt",
             "s14-s17-oom-disk-full-fincm3-2.94.4.txt",
             "s18-s21-dns-ntp-vpn-clock-in-past-cm4-2.85.2.txt"]
    for name in names:
        shutil.copy(SAMPLES / name, target / name)
    (target / "broken.log").write_bytes(b"\x00\x01\x02\xff" * 200)
    return target


def _json(paths: list[str], db: Path, backend_for) -> str:
    options = ScanOptions()
    store = open_store(db)
    try:
        stats = run_fleet(paths, store, backend_for(options, library_for(options)), batch_size=2)
        return json_text(store.summary(stats).as_dict())
    finally:
        store.close()


def test_pool_and_local_cluster_give_identical_json(folder: Path, tmp_path: Path) -> None:
    paths = expand_paths([str(folder)])[0]
    pool = _json(paths, tmp_path / "pool.sqlite",
                 lambda options, library: PoolBackend(options, library, 2))
    dask = _json(paths, tmp_path / "dask.sqlite",
                 lambda options, library: DaskBackend(options, library, "local", jobs=2,
                                                      processes=False))
    assert dask == pool
    payload = json.loads(pool)
    assert payload["run"]["scanned"] == 6 and payload["run"]["errors"] == 1
    assert payload["devices"] == 5
    assert {p["id"] for p in payload["patterns"] if p["devices_active"]} >= {
        "rpi-under-voltage", "data-partition-full", "oom-killer"}


def test_an_unreachable_scheduler_is_one_line(folder: Path) -> None:
    options = ScanOptions(builtin=False)
    with pytest.raises(SchedulerError) as caught:
        DaskBackend(options, library_for(options), "tcp://127.0.0.1:1", connect_timeout=1)
    assert str(caught.value).startswith("cannot reach the Dask scheduler tcp://127.0.0.1:1")
    assert "\n" not in str(caught.value)


def test_cli_without_the_dask_extra_says_how_to_install_it(folder: Path) -> None:
    """``distributed`` made unimportable in a fresh interpreter, as on a plain install."""
    code = ("import sys; sys.modules['distributed'] = None; "
            "from triagebench.cli.main import main; "
            f"sys.exit(main(['fleet', {str(folder)!r}, '--scheduler', 'local', '--no-builtin']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == ("triage fleet: --scheduler local needs Dask: "
                                   "pip install 'triagebench[dask]'")
    # the default scheduler needs nothing extra
    code = code.replace("'--scheduler', 'local', ", "")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "6 input file(s), 6 scanned" in done.stdout
