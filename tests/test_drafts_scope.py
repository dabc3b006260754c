"""A draft's selector: "this log wherever it appears" by default, "this section" or
"any section" on request; ids and titles from the message, never from a timestamp.

The lines are real formats: the kernel's under-voltage message as ``dmesg -T`` and the
journal print it, the supervisor's LogBackend error as ``balena logs`` and the supervisor
journal print it (reference/balena-diagnostics.md §6).
"""

from __future__ import annotations

from triagebench.heuristics.drafts import build_draft, load_text, render_toml
from triagebench.heuristics.evaluate import evaluate
from triagebench.heuristics.generalise import SCOPES, message_text
from triagebench.heuristics.mining import template_regex
from triagebench.parser import parse_text
from triagebench.services.analysis import find_unexplained

from tests.test_drafts_fixture import DMESG, WARN, line_of, lines_of, make_text

KERNEL_JOURNAL = "journalctl --no-pager --no-hostname -n500 -a"
SUPERVISOR_JOURNAL = ("journalctl --no-pager --no-hostname -n 200 -a -u balena-supervisor "
                      "-u resin-supervisor")
SUPERVISOR_LOGS = "balena logs b96a5987452b"
UNDER = "Under-voltage detected! (0x00050005)"
BACKEND = "LogBackend: unexpected error: Error: getaddrinfo EAI_AGAIN api.balena-cloud.com"


def document():
    sections = [
        ("echo === OS ===", ["=== OS ==="], []),
        (DMESG, [f"[Fri Apr 29 13:35:04 2022] {UNDER}", "[Fri Apr 29 13:35:10 2022] ok",
                 f"[Fri Apr 29 13:50:04 2022] {UNDER}"], []),
        (KERNEL_JOURNAL, [f"Apr 29 13:35:04 kernel: {UNDER}",
                          "Apr 29 13:35:05 systemd[1]: Started foo.service.",
                          f"Apr 29 13:50:04 kernel: {UNDER}",
                          f"Apr 29 13:50:09 balena-supervisor[1123]: [error]   {BACKEND}"], []),
        (WARN, [f"Apr 29 13:50:04 kernel: {UNDER}"], []),
        (SUPERVISOR_LOGS, [f"[error]   {BACKEND}", "[info]    Reported current state to the cloud",
                           f"[error]   {BACKEND}"], []),
        (SUPERVISOR_JOURNAL, [f"Apr 29 13:50:09 balena-supervisor[1123]: [error]   {BACKEND}",
                              "Apr 29 13:50:10 balena-supervisor[1123]: [info]    Reported"], []),
    ]
    return parse_text(make_text(sections), path="device.txt")


def evidence(doc, draft) -> list[int]:
    heuristic, messages = load_text(render_toml(draft), draft.id)
    assert heuristic is not None, messages
    found = evaluate(doc, [heuristic])
    return sorted(e.line for f in found.matches for e in f.evidence)


def test_a_kernel_line_of_dmesg_finds_the_same_message_in_the_journal_by_default() -> None:
    doc = document()
    draft = build_draft(doc, [line_of(doc, UNDER)])
    assert draft.signals[0].scope == "log"
    assert evidence(doc, draft) == lines_of(doc, UNDER)  # all 5, not the 2 of dmesg -T
    only_here = build_draft(doc, [line_of(doc, UNDER)], scope="section")
    assert only_here.signals[0].selectors == [DMESG]
    assert evidence(doc, only_here) == lines_of(doc, f"2022] {UNDER}")


def test_a_supervisor_line_finds_the_supervisor_journal_and_any_section_is_a_choice() -> None:
    doc = document()
    draft = build_draft(doc, [line_of(doc, BACKEND, 1)])  # in balena logs {id}
    assert evidence(doc, draft) == lines_of(doc, BACKEND)
    anywhere = build_draft(doc, [line_of(doc, BACKEND, 1)], scope="any")
    assert anywhere.signals[0].selectors == ["*"]
    assert set(SCOPES) == {"log", "section", "any"}


def test_titles_and_ids_come_from_the_message_never_a_timestamp() -> None:
    doc = document()
    assert message_text(f"Apr 29 13:50:04 kernel: {UNDER}") == UNDER
    draft = build_draft(doc, [line_of(doc, UNDER)])
    assert draft.title.startswith("Under-voltage detected") and draft.id.startswith("under")
    # an Unexplained template promoted as such
    found = find_unexplained(doc, None)
    template = next(t for t in found.templates if "Under-voltage" in t.template)
    promoted = build_draft(doc, template.examples[:3], source_regex=template_regex(
        template.template))
    assert not promoted.title[:1].isdigit() and "2022" not in promoted.title
    assert not any(month in promoted.id for month in ("apr-29", "fri-apr"))
    assert promoted.id[:1].isalpha()
