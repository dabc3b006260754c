"""Suspicious lines: the error vocabulary, the known-benign list, unexplained lines."""

from __future__ import annotations

import re

import pytest
from triagebench.heuristics import load_library
from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.suspicious import (
    RulesError,
    is_suspicious,
    load_rules,
    rules_from_data,
    suspicious_lines,
    unexplained,
)
from triagebench.parser import parse_text

from tests.test_heuristics_support import diagnostics_text, write_heuristic


@pytest.mark.parametrize("line", [
    "[Fri Apr 29 13:35:04 2022] blk_update_request: I/O error, dev mmcblk0, sector 1234",
    "May 02 16:03:56 systemd[1]: balena.service: start operation timed out. Terminating.",
    "panic: runtime error: slice bounds out of range",
    "Out of memory: Killed process 1234 (node) total-vm:1024kB",
    "failed to register layer: Error processing tar file(exit status 1): no space left on device",
    "curl: (6) Could not resolve host: api.balena-cloud.com",
    "Error: connect ECONNREFUSED /var/run/balena-engine.sock",
    "EXT4-fs error (device mmcblk0p6): ext4_find_entry: reading directory lblock 0",
    "chronyd[612]: Can't synchronise: no selectable sources",
    "permission denied while trying to connect",
    "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full.",
    "Main process exited, code=killed, status=9/KILL",
    "Segmentation fault (core dumped)",
])
def test_error_lines_are_suspicious(line: str) -> None:
    assert is_suspicious(line)


@pytest.mark.parametrize("line", [
    "Supervisor v12.11.0 starting up...",
    "Reported current state to the cloud",
    "Initialization Sequence Completed",
    "    RX: bytes  packets  errors  dropped missed  mcast",
    "    RX errors 0  dropped 0  overruns 0  frame 0",
    "server 8.8.8.8#53: queries sent 120, retried or failed 0",
    "Terminal is a terror-free zone",  # "error" inside a word is not the word
])
def test_ordinary_lines_are_not(line: str) -> None:
    assert not is_suspicious(line)


@pytest.mark.parametrize("line", [
    "May 02 16:03:56 openvpn[811]: ERROR: Linux route add command failed: external program exited with error status: 2",
    "May 02 16:03:56 resin-supervisor[1]: [warn]    Invalid firewall mode: . Reverting to state: off",
    "[Fri Apr 29 13:35:04 2022] vc_sm_cma_vchi_init: failed to open VCHI service (-1)",
    "[Fri Apr 29 13:35:04 2022] bcm2835_mmal_vchiq: Failed to open VCHI service connection (status=-1)",
    "May 02 16:03:56 systemd-udevd[200]: /lib/udev/rules.d/50.rules:12 Unknown group 'render', ignoring",
    "May 02 16:03:56 balenad[700]: time=\"x\" level=warning msg=\"Your kernel does not support cgroup rt period\"",
    "Container 4f3e failed to exit within 10 seconds of signal 15 - using the force",
    "(node:1) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues.",
    "error: couldn't find modem",
    "ExecStartPre=/usr/bin/balena stop resin_supervisor (code=exited, status=1/FAILURE)",
    "[graphdriver] WARNING: the aufs storage-driver is deprecated, and will be removed",
])
def test_known_benign_lines_are_not_suspicious(line: str) -> None:
    assert not is_suspicious(line)


def test_benign_zero_counter_does_not_hide_a_real_failure() -> None:
    assert is_suspicious("probe of spi0.0 failed with error -2")


def _doc():
    sections = {
        "dmesg -T": ["[Fri Apr 29 13:35:04 2022] Under-voltage detected! (0x00050005)",
                     "[Fri Apr 29 13:35:05 2022] mmcblk0: error -110 transferring data",
                     "[Fri Apr 29 13:35:06 2022] vc_sm_cma_vchi_init: failed to open VCHI service (-1)",
                     "[Fri Apr 29 13:35:07 2022] usb 1-1: new high-speed USB device"],
        "curl --unix-socket /var/run/balena.sock http://./debug/pprof/goroutine?debug=2": [
            "goroutine 1 [chan receive]:", "github.com/pkg/errors.New(...)",
            "runtime.gopanic(0x1) panic.go:965"],
        "cat /var/log/provisioning-progress.log": [],
    }
    stderr = {"cat /var/log/provisioning-progress.log": [
        "cat: /var/log/provisioning-progress.log: cannot open: No such file or directory"]}
    return parse_text(diagnostics_text(sections, stderr), path="diag.txt")


def test_suspicious_lines_reads_output_only_and_skips_benign() -> None:
    doc = _doc()
    found = suspicious_lines(doc)
    texts = [doc.plain(n) for n in found]
    assert any("mmcblk0: error -110" in t for t in texts)
    assert any("cannot open" in t for t in texts)  # stderr counts too
    assert not any("VCHI" in t for t in texts)
    assert not any("goroutine" in t or "errors.New" in t or "gopanic" in t for t in texts)
    assert not any(t.startswith("---") for t in texts)  # headers are structure
    assert found == sorted(found)


def test_unexplained_leaves_out_evidence_of_findings(tmp_path) -> None:
    doc = _doc()
    write_heuristic(tmp_path, "sd-card-errors", """
        [signals.io]
        in = ["dmesg -T"]
        regex = 'mmcblk\\d+: error -110'
        """)
    library = load_library(dirs=[tmp_path], builtin=False)
    findings = evaluate(doc, library)
    assert [f.id for f in findings.matches] == ["sd-card-errors"]
    left = unexplained(doc, findings)
    texts = [doc.plain(n) for n in left]
    assert not any("mmcblk0" in t for t in texts)
    assert any("cannot open" in t for t in texts)
    assert set(left) < set(suspicious_lines(doc))


def test_rules_are_data(tmp_path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[[suspicious]]\nregex = 'kaboom'\n[[benign]]\nregex = 'kaboom test'\n",
                    encoding="utf-8")
    rules = load_rules(path)
    assert rules.is_suspicious("big KABOOM here")
    assert not rules.is_suspicious("kaboom test passed")
    assert not rules.is_suspicious("error")


@pytest.mark.parametrize(("data", "problem"), [
    ({"suspicious": [{"regex": "("}]}, "bad regex"),
    ({"suspicious": []}, "no [[suspicious]]"),
    ({"suspicious": [{"regex": "x"}], "benign": [{"note": "nothing"}]}, "needs 'regex'"),
    ({"suspicious": [{"regex": "x"}], "extra": 1}, "unknown key"),
])
def test_broken_rules_name_the_problem(data, problem) -> None:
    with pytest.raises(RulesError, match=re.escape(problem)):
        rules_from_data(data, "rules.toml")
