"""The generaliser: selected lines -> regexes that match them, their siblings, and not much else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from triagebench.heuristics.generalise import (
    GeneraliseError,
    count_matches,
    propose,
    selection_lines,
)
from triagebench.heuristics.prefilter import nested_quantifier
from triagebench.parser import parse_text

from tests.test_drafts_fixture import (
    BALENAD,
    DMESG,
    SUPERVISOR_KEY,
    WARN,
    line_of,
    lines_of,
    make_document,
    make_text,
)


def _one(doc, needle: str, nth: int = 0):
    proposals = propose(selection_lines(doc, [line_of(doc, needle, nth)]), doc)
    assert len(proposals) == 1
    return proposals[0]


def _safe(regex: str) -> None:
    assert nested_quantifier(regex) is None, regex
    assert ".*" not in regex and ".+" not in regex, regex
    re.compile(regex)


def test_dmesg_under_voltage_generalises_to_the_other_codes_only() -> None:
    doc = make_document()
    proposal = _one(doc, "Under-voltage detected! (0x00050005)")
    _safe(proposal.regex)
    assert "Fri Apr" not in proposal.regex and "13:35" not in proposal.regex
    assert "00050005" not in proposal.regex
    # every Under-voltage line, whatever its code, and no "Voltage normalised" line
    assert proposal.matched_lines == lines_of(doc, "Under-voltage detected!")
    assert len(proposal.matched_lines) == 3
    assert proposal.section_keys == (DMESG,)
    assert proposal.file_matches == 3
    assert proposal.warnings == []
    assert proposal.template == "Under-voltage detected! (…)"


def test_journal_prefix_is_skipped_but_the_ident_kept() -> None:
    doc = make_document()
    proposal = _one(doc, "dnsmasq[1387]: failed to access")
    _safe(proposal.regex)
    assert proposal.regex.startswith("dnsmasq")
    assert "May 02" not in proposal.regex and "1387" not in proposal.regex
    # the same message at another time from another pid
    assert proposal.matched_lines == lines_of(doc, "failed to access /etc/resolv.dnsmasq")
    assert len(proposal.matched_lines) == 2


def test_supervisor_ansi_and_level_tag_are_not_part_of_the_regex() -> None:
    doc = make_document()
    proposal = _one(doc, "LogBackend: unexpected error")
    _safe(proposal.regex)
    assert "\x1b" not in proposal.regex and "error\\]" not in proposal.regex
    assert proposal.regex.startswith("LogBackend: unexpected error")
    assert proposal.section_keys == (SUPERVISOR_KEY,)
    assert proposal.matched_lines == lines_of(doc, "LogBackend: unexpected error")


def test_engine_logfmt_keeps_the_message_and_drops_the_time_field() -> None:
    doc = make_document()
    proposal = _one(doc, "Storage migration from aufs to overlay2 starting")
    _safe(proposal.regex)
    assert "time=" not in proposal.regex
    assert 'msg="Storage migration from aufs to overlay2 starting"' in proposal.regex
    assert proposal.section_keys == (BALENAD,)
    assert proposal.matched_lines == lines_of(doc, "Storage migration from aufs")
    assert len(proposal.matched_lines) == 2
    # not the other balenad messages
    assert not set(proposal.matched_lines) & set(lines_of(doc, "Starting up"))


def test_numbers_hex_and_ips_are_masked_but_words_stay_literal() -> None:
    doc = make_document()
    proposal = _one(doc, "mmcblk0: error -110 transferring data, sector 2048")
    _safe(proposal.regex)
    assert "transferring data, sector" in proposal.regex
    assert "2048" not in proposal.regex and "0x900" not in proposal.regex
    assert proposal.matched_lines == lines_of(doc, "transferring data")
    vpn = _one(doc, "TCP: connect to [AF_INET]")
    _safe(vpn.regex)
    assert "52.4" not in vpn.regex and "443" not in vpn.regex
    assert "Mon May" not in vpn.regex  # openvpn's own timestamp after the journal prefix
    assert re.search(vpn.regex, "TCP: connect to [AF_INET]10.0.0.7:1194 failed: Connection timed out")


def test_lines_sharing_a_template_give_one_regex_and_others_one_each() -> None:
    doc = make_document()
    selection = [*lines_of(doc, "Under-voltage detected!")[:2],
                 line_of(doc, "Voltage normalised"),
                 line_of(doc, "balena.service: start operation timed out")]
    proposals = propose(selection_lines(doc, selection), doc)
    assert len(proposals) == 3
    names = [p.name for p in proposals]
    assert len(set(names)) == 3
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)
    by_lines = {p.lines: p for p in proposals}
    under = by_lines[tuple(selection[:2])]
    assert under.template == "Under-voltage detected! (…)"
    for proposal in proposals:
        _safe(proposal.regex)
        for number in proposal.lines:  # matches every line it covers
            assert re.search(proposal.regex, doc.plain(number))
    assert by_lines[(selection[3],)].section_keys == (WARN,)


def test_differing_quoted_values_become_a_bounded_quoted_wildcard() -> None:
    lines = [
        (1, "[error]   Failed to download image 'foo/bar:1' due to 'no space left on device'", "s"),
        (2, "[error]   Failed to download image 'baz/qux:latest' due to 'no space left on device'",
         "s"),
    ]
    (proposal,) = propose(lines)
    assert "'[^']*'" in proposal.regex
    assert "no space left on device" in proposal.regex
    _safe(proposal.regex)


def test_a_numeric_only_line_is_not_generalised_into_a_wildcard() -> None:
    text = make_text([("cat /sys/class/thermal/thermal_zone0/temp", ["34324"], []),
                      ("cat /proc/loadavg", [str(100 + i) for i in range(60)], [])])
    doc = parse_text(text)
    (proposal,) = propose(selection_lines(doc, [line_of(doc, "34324")]), doc)
    assert proposal.regex != r"\d+"
    assert proposal.level == "exact"
    assert proposal.regex == "34324"
    assert any("too little literal text" in w for w in proposal.warnings)


def test_a_template_matching_most_of_the_file_falls_back_and_says_so() -> None:
    chatter = [f"[info]    Container {i:04d} health probe ok in {i % 7} ms" for i in range(300)]
    text = make_text([("balena logs b96a5987452b", chatter, [])])
    doc = parse_text(text)
    first = line_of(doc, "Container 0000 health probe")
    (proposal,) = propose(selection_lines(doc, [first]), doc)
    assert proposal.over_general or proposal.level != "masked"
    assert proposal.level == "exact"
    assert proposal.file_matches == 1
    assert any("over-general" in w for w in proposal.warnings)
    assert proposal.matched_lines == [first]


def test_blank_only_selection_is_refused() -> None:
    with pytest.raises(GeneraliseError, match="blank"):
        propose([(5, "   ", "dmesg -T"), (6, "", "dmesg -T")])
    with pytest.raises(GeneraliseError, match="no lines"):
        propose([])


def test_selection_outside_command_output_is_named() -> None:
    doc = make_document()
    header = line_of(doc, f"--- {DMESG} ---")
    with pytest.raises(GeneraliseError, match=f"line {header} is not command output"):
        selection_lines(doc, [header])
    with pytest.raises(GeneraliseError, match="line 1 is outside any section"):
        selection_lines(doc, [1])
    with pytest.raises(GeneraliseError, match="outside the file"):
        selection_lines(doc, [doc.line_count + 5])


def test_count_matches_with_a_timeout_stops_a_catastrophic_regex() -> None:
    text = make_text([("cat /tmp/x", ["a" * 3000 + "!"] * 3, [])])
    doc = parse_text(text)
    with pytest.raises(TimeoutError):
        count_matches(r"^(a|aa)*$", doc, ["cat /tmp/x"], timeout=0.2)


_WORD = st.one_of(
    st.sampled_from(["error", "failed", "Under-voltage", "detected!", "eth0", "mmcblk0p6",
                     "(0x00050005)", "'oom-kill'", '"quoted value"', "level=info",
                     "192.168.1.20:443", "3f2a9c1e7b44", "12.5ms", "2022-05-02T16:03:56Z",
                     "/var/lib/docker/tmp.AbC123xyz", "[AF_INET]", "{\"a\":1}", "a\\b",
                     "x*y+z?", "(unbalanced", "100%", "µs", "ünïcode"]),
    st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
    st.from_regex(r"[0-9]{1,6}", fullmatch=True),
)
_PREFIX = st.sampled_from(["", "[Fri Apr 29 13:35:04 2022] ", "May 02 16:03:56 dnsmasq[1387]: ",
                           "[\x1b[31merror\x1b[39m]   ", 'time="2022-05-02T16:03:56Z" level=info '])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_PREFIX, st.lists(_WORD, min_size=1, max_size=8),
                          st.sampled_from([" ", "  ", "\t"])), min_size=1, max_size=4))
def test_every_proposal_matches_every_selected_line_and_is_safe(spec) -> None:
    lines = [(i + 1, prefix + sep.join(words), "log") for i, (prefix, words, sep) in
             enumerate(spec)]
    proposals = propose(lines)
    covered = sorted(n for p in proposals for n in p.lines)
    assert covered == [n for n, text, _ in lines if text.strip()]
    by_number = dict((n, t) for n, t, _ in lines)
    from triagebench.parser import plain_text

    for proposal in proposals:
        _safe(proposal.regex)
        for number in proposal.lines:
            assert re.search(proposal.regex, plain_text(by_number[number])), (
                proposal.regex, by_number[number])
