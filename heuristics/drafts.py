"""Heuristic drafts: selected lines -> a heuristic file an author can save, lint and test.

The model is lnav's "a format must carry samples that match": the lines the
author selected become the draft's matching example, and the rest of the same
section (lines the proposed regexes do not match) becomes its non-matching
example, so ``triage heuristics test`` checks the draft from its first save.

Decisions (where the design was silent):

* ``permalink`` starts as ``PLACEHOLDER_PERMALINK``
  (``https://example.invalid/write-up-needed``): the linter requires an http(s)
  URL, so an empty one would fail ``triage heuristics lint``, and a made-up
  GitHub URL could be mistaken for a real write-up. ``.invalid`` is reserved
  (RFC 2606) and never resolves; ``lint_draft`` warns while it is still there.
* A draft is marked as a draft by where it lives (the drafts folder is loaded
  with ``load_library(drafts=[...])``), not by a key in the file, so promoting
  it to the library is a plain file move.
* The optional version signal (``[signals.affected_version] fact = "os.version"
  at_most = "<this device's version>"``) is prefilled from the device facts but
  off by default: most patterns are not version-bound, and a wrong bound hides
  real matches.
* Files are written atomically (temp file in the same folder, then a hard link
  to the final name, which fails if the name exists) and never overwrite an
  existing draft: ``DraftExistsError`` suggests the next free id (``<id>-2``).

No Textual here: the headless ``triage draft`` and the TUI editor share it.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triagebench.heuristics.format import Library, LintMessage
from triagebench.heuristics.generalise import (
    GeneraliseError,
    Proposal,
    count_matches,
    message_text,
    propose,
    scope_selectors,
    selection_lines,
)
from triagebench.heuristics.model import SEVERITIES

if TYPE_CHECKING:  # pragma: no cover - typing only
    from triagebench.parser import Document

VERSION_COMPARATORS = ("below", "at_most", "at_least", "above", "equals")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SIGNAL_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_ID_CHARS = 48
PLACEHOLDER_PERMALINK = "https://example.invalid/write-up-needed"
NEGATIVE_EXAMPLE_LINES = 3
PREVIEW_TIMEOUT = 1.0  # seconds: per line search here, per heuristic per file (engine)


class DraftError(Exception):
    """A draft cannot be built or saved; the message is one line for the user."""


class DraftExistsError(DraftError):
    """A draft with that id exists in the folder; ``suggestion`` is a free id."""

    def __init__(self, path: Path, suggestion: str):
        self.path = path
        self.suggestion = suggestion
        super().__init__(f"{path} already exists; not overwritten (try id {suggestion!r})")


@dataclass(slots=True)
class DraftSignal:
    """One regex signal: its name, section selectors (``in``) and regex."""

    name: str
    selectors: list[str]
    regex: str
    scopes: dict[str, list[str]] = field(default_factory=dict)
    """The ``in`` for each choice of ``generalise.SCOPES`` (log / section / any)."""
    scope: str = "log"
    """Which of ``scopes`` ``selectors`` came from ("custom" once edited by hand)."""


@dataclass(slots=True)
class VersionSignal:
    """The optional version bound, prefilled from this device's facts."""

    value: str
    fact: str = "os.version"
    comparator: str = "at_most"
    name: str = "affected_version"
    enabled: bool = False


@dataclass(slots=True)
class Draft:
    """Everything a heuristic file holds, as the author edits it."""

    id: str
    title: str
    severity: str = "medium"
    permalink: str = PLACEHOLDER_PERMALINK
    description: str = ""
    remedy: str = ""
    tags: list[str] = field(default_factory=list)
    signals: list[DraftSignal] = field(default_factory=list)
    version: VersionSignal | None = None
    positive: dict[str, list[str]] = field(default_factory=dict)   # section key -> stdout lines
    negative: dict[str, list[str]] = field(default_factory=dict)
    positive_stderr: dict[str, list[str]] = field(default_factory=dict)  # key -> stderr lines
    negative_stderr: dict[str, list[str]] = field(default_factory=dict)
    source_lines: list[int] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)       # what the generaliser said

    @property
    def example_facts(self) -> dict[str, str]:
        """Facts the examples need so the (enabled) version signal holds in them."""
        if self.version is not None and self.version.enabled:
            return {self.version.fact: self.version.value}
        return {}


# -- building -----------------------------------------------------------------------
def slugify(text: str, limit: int = MAX_ID_CHARS) -> str:
    """``Under-voltage detected! (…)`` -> ``under-voltage-detected``."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "draft"


def _title_from(proposal: Proposal) -> str:
    """A readable title from the template: words holding a wildcard dropped."""
    text = re.sub(r'^level=\w+ msg="(.*)"$', r"\1", proposal.template)
    words = ["…" if "…" in word else word for word in text.split()]
    kept: list[str] = []
    for word in words:
        if word == "…" and (not kept or kept[-1] == "…"):
            continue
        kept.append(word)
    while kept and kept[-1] == "…":
        kept.pop()
    title = " ".join(kept).strip(" :,.;-=")
    if len(title) > 72:
        title = title[:71].rsplit(" ", 1)[0] + "…"
    return title or "New heuristic draft"


def line_ranges(numbers: Iterable[int]) -> str:
    """``[3, 4, 5, 9]`` -> ``3-5, 9``."""
    out: list[str] = []
    ordered = sorted(set(numbers))
    start = prev = None
    for n in [*ordered, None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ", ".join(out)


def usable_lines(document: Document, numbers: Iterable[int]) -> tuple[list[int], list[int]]:
    """Split a selection into (non-blank command output lines, the rest): a view's
    selection often includes a header, timestamp or time lines around the output."""
    kept: list[int] = []
    skipped: list[int] = []
    for number in sorted(set(numbers)):
        try:
            (_, text, _), = selection_lines(document, [number])
        except GeneraliseError:
            skipped.append(number)
            continue
        (kept if text.strip() else skipped).append(number)
    return kept, skipped


def build_draft(document: Document, lines: Sequence[int], *, title: str | None = None,
                severity: str = "medium", selectors: Sequence[str] | None = None,
                source_regex: str | None = None, draft_id: str | None = None,
                scope: str = "log") -> Draft:
    """A draft from ``lines`` (1-based numbers of command output lines) of ``document``.

    ``selectors`` replaces the sections the signals search; by default ``scope``
    picks them (``generalise.SCOPES``): ``log`` (default) every section that carries
    the same log (the same kernel message in ``dmesg -T`` and the kernel journal),
    ``section`` the sections the lines are in, ``any`` every section. ``source_regex`` (a mined template's regex) is
    used as the one signal instead of the generaliser's proposals.
    Raises ``DraftError`` with one line for the user on a bad selection.
    """
    if severity not in SEVERITIES:
        raise DraftError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    try:
        if source_regex is not None:
            compiled = re.compile(source_regex)
            if not lines:
                lines = _first_matches(document, compiled, selectors)
            selected = selection_lines(document, lines)
            keys = list(dict.fromkeys(k for _, _, k in selected))
            examples: dict[str, list[str]] = {}
            for _, text, key in selected:
                examples.setdefault(key, []).append(text)
            proposals = [Proposal(name="template", regex=source_regex, section_keys=tuple(keys),
                                  lines=tuple(n for n, _, _ in selected), examples=examples,
                                  literal_ratio=1.0, literal_chars=len(source_regex),
                                  template=(message_text(selected[0][1]) if selected
                                            else source_regex))]
            missed = [n for n, text, _ in selected if not compiled.search(text)]
            if missed:
                proposals[0].warnings.append(
                    f"the template regex does not match selected line(s) {line_ranges(missed)}")
        else:
            selected = selection_lines(document, lines)
            proposals = propose(selected, document)
    except GeneraliseError as exc:
        raise DraftError(str(exc)) from exc
    except re.error as exc:
        raise DraftError(f"invalid template regex: {exc}") from exc
    if selectors:
        _check_selectors(document, selectors, selected)
    signals = []
    for p in proposals:
        mine = [item for item in selected if item[0] in p.lines] or selected
        scopes = scope_selectors(document, mine, p.regex, p.section_keys)
        if selectors:
            signals.append(DraftSignal(p.name, list(selectors), p.regex, scopes, "custom"))
        else:
            chosen = scope if scope in scopes else "log"
            signals.append(DraftSignal(p.name, list(scopes[chosen]), p.regex, scopes, chosen))
    the_title = title.strip() if title and title.strip() else _title_from(proposals[0])
    positive: dict[str, list[str]] = {}
    positive_stderr: dict[str, list[str]] = {}
    for number, text, key in selected:
        target = positive_stderr if document.stream_of(number) == "stderr" else positive
        target.setdefault(key, []).append(text)
    numbers = [n for n, _, _ in selected]
    where = ", ".join(f"`{k}`" for k in dict.fromkeys([*positive, *positive_stderr]))
    name = Path(document.path).name if document.path else "the file"
    description = (f"Draft promoted from {name} line(s) {line_ranges(numbers)} ({where}). "
                   "Say what this means for the device and how sure the match is.")
    version = document.facts.get("os.version")
    draft = Draft(
        id=draft_id or slugify(the_title), title=the_title, severity=severity,
        description=description, tags=["draft"], signals=signals,
        version=VersionSignal(str(version)) if version else None,
        positive=positive, positive_stderr=positive_stderr, source_lines=numbers,
        proposals=proposals)
    draft.negative, draft.negative_stderr = negative_example(document, draft)
    return draft


def _first_matches(document: Document, compiled: re.Pattern[str],
                   selectors: Sequence[str] | None, limit: int = 3) -> list[int]:
    found = count_matches(compiled.pattern, document, list(selectors) if selectors else None)
    return found[:limit]


def _check_selectors(document: Document, selectors: Sequence[str],
                     selected: Sequence[tuple[int, str, str]]) -> None:
    from triagebench.heuristics.selectors import resolve, selector_problem

    for selector in selectors:
        problem = selector_problem(selector)
        if problem:
            raise DraftError(f"--section: {problem}")
    keys = {s.key for s in resolve(list(selectors), document)}
    outside = [n for n, _, k in selected if k not in keys]
    if outside:
        raise DraftError(f"line(s) {line_ranges(outside)} are not in a section that "
                         f"{', '.join(repr(s) for s in selectors)} selects")


def negative_example(document: Document,
                     draft: Draft) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Lines the draft must not match, as (stdout, stderr) section tables: other
    lines of the same sections and streams (nearest to the selection first) that
    no signal regex matches; a line from elsewhere when they have nothing else."""
    regexes = [re.compile(s.regex) for s in draft.signals if _compiles(s.regex)]
    chosen_lines = set(draft.source_lines)
    anchor = min(chosen_lines) if chosen_lines else 0

    def benign(text: str) -> bool:
        return bool(text.strip()) and len(text) <= 400 and not any(r.search(text)
                                                                   for r in regexes)

    def pick(key: str, stream: str) -> list[str]:
        found: list[tuple[int, str]] = []
        for section in document.sections_by_key(key):
            block = section.stdout if stream == "stdout" else section.stderr
            if block is None:
                continue
            for number in _nearest_first(block.line_numbers, anchor):
                if number not in chosen_lines:
                    text = document.output_text(section, number)
                    if benign(text):
                        found.append((number, text))
                        if len(found) >= NEGATIVE_EXAMPLE_LINES:
                            break
        found.sort(key=lambda item: abs(item[0] - anchor))
        return [text for _, text in sorted(found[:NEGATIVE_EXAMPLE_LINES])]

    out = {key: pick(key, "stdout") for key in draft.positive}
    err = {key: pick(key, "stderr") for key in draft.positive_stderr}
    out = {k: v for k, v in out.items() if v}
    err = {k: v for k, v in err.items() if v}
    if out or err:
        return out, err
    first_key = next(iter([*draft.positive, *draft.positive_stderr]), "log")
    for section in document.sections:
        for number in section.output_line_numbers():
            text = document.output_text(section, number)
            if benign(text):
                return {first_key: [text]}, {}
    return {first_key: ["(no line of this kind)"]}, {}


def _nearest_first(numbers: range, anchor: int) -> Iterable[int]:
    """The numbers of ``numbers`` by distance from ``anchor`` (nearest first), lazily:
    a 250,000-line section is not scanned to find three lines next to the selection."""
    if not numbers:
        return
    start = min(max(anchor, numbers.start), numbers.stop - 1)
    below, above = start - 1, start
    while below >= numbers.start or above < numbers.stop:
        if above < numbers.stop:
            yield above
            above += 1
        if below >= numbers.start:
            yield below
            below -= 1


def _compiles(regex: str) -> bool:
    try:
        re.compile(regex)
    except re.error:
        return False
    return True


# -- TOML -----------------------------------------------------------------------------
_BARE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def toml_string(value: str, prefer_literal: bool = True) -> str:
    """A TOML string for ``value``: a literal ``'...'`` when it can be (regexes keep
    their backslashes verbatim), else a basic ``"..."`` string with escapes."""
    if prefer_literal and "'" not in value and not _CONTROL_RE.search(value):
        return f"'{value}'"
    out = ['"']
    for char in value:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code <= 0x9F:  # C1 too: a raw \x9b is a CSI
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _text(value: str) -> str:
    """Prose fields: basic strings (readable, escapes only where needed)."""
    return toml_string(value, prefer_literal=False)


def toml_key(key: str) -> str:
    return key if _BARE_KEY_RE.match(key) else toml_string(key, prefer_literal=False)


def _array(values: Sequence[str], literal: bool = True) -> str:
    items = [toml_string(v, prefer_literal=literal) for v in values]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= 88 and len(items) <= 1:
        return one_line
    return "[\n" + "".join(f"  {item},\n" for item in items) + "]"


def render_toml(draft: Draft) -> str:
    """The draft as a heuristic file (top-level keys before any table)."""
    lines = [
        f"id = {_text(draft.id)}",
        f"title = {_text(draft.title)}",
        f"severity = {_text(draft.severity)}",
        f"permalink = {_text(draft.permalink)}",
        f"description = {_text(draft.description)}",
    ]
    if draft.remedy:
        lines.append(f"remedy = {_text(draft.remedy)}")
    lines.append("tags = [" + ", ".join(_text(t) for t in draft.tags) + "]")
    for signal in draft.signals:
        lines += ["", f"[signals.{toml_key(signal.name)}]",
                  f"in = {_array(signal.selectors, literal=False)}",
                  f"regex = {toml_string(signal.regex)}"]
    version = draft.version
    if version is not None and version.enabled:
        lines += ["", f"[signals.{toml_key(version.name)}]",
                  f"fact = {_text(version.fact)}",
                  f"{version.comparator} = {_text(version.value)}"]
    for matches, sections, stderr in ((True, draft.positive, draft.positive_stderr),
                                      (False, draft.negative, draft.negative_stderr)):
        if not sections and not stderr:
            continue
        lines += ["", "[[examples]]", f"matches = {'true' if matches else 'false'}"]
        facts = draft.example_facts
        if facts:
            lines.append("facts = { " + ", ".join(
                f"{toml_key(k)} = {_text(v)}" for k, v in facts.items()) + " }")
        for table, content in (("sections", sections), ("stderr", stderr)):
            if content:
                lines.append(f"[examples.{table}]")
                for key, texts in content.items():
                    lines.append(f"{toml_key(key)} = {_array(texts)}")
    return "\n".join(lines) + "\n"


# -- saving -----------------------------------------------------------------------------
def suggest_id(folder: Path, draft_id: str) -> str:
    """The first of ``<id>-2``, ``<id>-3``, … with no file in ``folder``."""
    base = re.sub(r"-\d+$", "", draft_id) or draft_id
    n = 2
    while (folder / f"{base}-{n}.toml").exists():
        n += 1
    return f"{base}-{n}"


# -- validation ----------------------------------------------------------------------------
def _message(level: str, message: str, key: str = "") -> LintMessage:
    """A draft problem in the linter's one message type (the file is the draft)."""
    return LintMessage(file="<draft>", key=key, message=message, level=level)


def load_text(text: str, stem: str) -> tuple[Any, list[LintMessage]]:
    """Load heuristic TOML with the engine's loader/linter (``triage heuristics lint``).

    The loader reads files, so the text goes to ``<stem>.toml`` in a private temp
    folder (the id must equal the file stem). Returns (Heuristic or None, messages).
    """
    from triagebench.heuristics.format import load_file

    safe_stem = stem if ID_RE.match(stem or "") else "draft"
    with tempfile.TemporaryDirectory(prefix="triage-draft-") as folder:
        path = Path(folder) / f"{safe_stem}.toml"
        path.write_text(text, encoding="utf-8")
        heuristic, problems = load_file(path, draft=True)
    messages = list(problems)
    if heuristic is not None:
        heuristic.source = f"<draft {safe_stem}>"
    return heuristic, messages


def lint_text(text: str, stem: str) -> list[LintMessage]:
    """The linter's messages for heuristic TOML text."""
    return load_text(text, stem)[1]


def run_draft_examples(heuristic: Any) -> list[LintMessage]:
    """Run the draft's ``[[examples]]`` like ``triage heuristics test``; failures as errors."""
    from triagebench.heuristics import Library, run_examples

    messages: list[LintMessage] = []
    for result in run_examples(Library(heuristics=[heuristic])):
        if not result.passed:
            text = result.describe()
            prefix = f"{heuristic.source}: "
            text = text[len(prefix):] if text.startswith(prefix) else text
            key, _, message = text.partition(": ")
            messages.append(_message("error", message or text, key if message else ""))
    return messages


def _slow_checks(heuristic: Any) -> list[LintMessage]:
    """The linter's slower checks (ReDoS on pathological lines, unknown selectors)."""
    from triagebench.heuristics.lint import lint_heuristic, sample_keys

    return list(lint_heuristic(heuristic, sample_keys()))


def lint_draft(draft: Draft, slow: bool = True) -> list[LintMessage]:
    """Lint the rendered draft exactly as ``triage heuristics lint`` would (loader +
    ReDoS + selector checks), run its examples as ``triage heuristics test`` would,
    and add the draft-only check (placeholder permalink). ``slow=False`` skips the
    ReDoS/selector checks (which parse the bundled samples once) for a quick gate."""
    heuristic, messages = load_text(render_toml(draft), draft.id)
    if not ID_RE.match(draft.id):
        messages.insert(0, _message("error", "must be lowercase letters, digits and dashes",
                                    "id"))
    if heuristic is not None and slow:
        messages.extend(_slow_checks(heuristic))
        messages.extend(run_draft_examples(heuristic))
    if draft.permalink.strip() == PLACEHOLDER_PERMALINK:
        messages.append(_message(
            "warning", "still the placeholder: add the issue or write-up URL before publishing",
            "permalink"))
    return messages


# -- preview -------------------------------------------------------------------------------
@dataclass(slots=True)
class Preview:
    """What the draft would match: here (lines) and across the corpus (files)."""

    line_count: int = 0
    lines: list[tuple[int, str]] = field(default_factory=list)   # first N (number, text)
    all_lines: list[int] = field(default_factory=list)
    matches_here: bool = False
    corpus_matched: list[str] = field(default_factory=list)
    corpus_total: int = 0
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False


_CORPUS_CACHE: dict[tuple[str, int, int], Any] = {}
_CORPUS_LOCK = threading.Lock()


def _corpus_document(path: str) -> Any:
    """Parse a corpus file once per (path, mtime, size)."""
    from triagebench.parser import parse_file

    stat = os.stat(path)
    key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
    with _CORPUS_LOCK:
        doc = _CORPUS_CACHE.get(key)
    if doc is None:
        doc = parse_file(path)
        with _CORPUS_LOCK:
            if len(_CORPUS_CACHE) > 64:
                _CORPUS_CACHE.clear()
            _CORPUS_CACHE[key] = doc
    return doc


def default_corpus() -> list[str]:
    """The bundled sample diagnostics files."""
    from importlib import resources

    try:
        folder = resources.files("triagebench.samples")
        return sorted(str(p) for p in folder.iterdir() if str(p).endswith(".txt"))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return []


def corpus_paths(folder: str | os.PathLike[str] | None) -> list[str]:
    """``--corpus DIR``'s ``*.txt`` files, or the bundled samples."""
    if folder is None:
        return default_corpus()
    path = Path(folder)
    if not path.is_dir():
        raise DraftError(f"corpus folder {path} does not exist")
    return sorted(str(p) for p in path.glob("*.txt"))


def draft_library(draft: Draft) -> Library:
    """A one-heuristic library holding the draft (loaded by the same loader as the app);
    its ``problems`` hold the lint errors when the draft does not load."""
    heuristic, messages = load_text(render_toml(draft), draft.id)
    if heuristic is None:
        return Library(problems=[LintMessage(f"<draft {draft.id}>", m.key, m.message)
                                 for m in messages if m.level == "error"])
    return Library(heuristics=[heuristic])


def preview(draft: Draft, document: Document | None, corpus: Sequence[str] = (), *,
            max_lines: int = 20, cancelled: Callable[[], bool] = lambda: False,
            timeout: float = PREVIEW_TIMEOUT) -> Preview:
    """Match the draft here (every line its regex signals hit) and on each corpus file.

    Safe to run in a thread worker: ``cancelled()`` is checked between corpus
    files and the result says whether it stopped early. ``timeout`` bounds each
    signal's search here and the draft's evaluation per file (a typed regex may
    backtrack catastrophically).
    """
    from triagebench.heuristics.evaluate import evaluate

    result = Preview(corpus_total=len(corpus))
    try:
        library = draft_library(draft)
    except Exception as exc:  # noqa: BLE001 - a broken draft is shown, not raised
        result.errors.append(str(exc))
        return result
    if not getattr(library, "heuristics", None):
        result.errors.extend(str(p) for p in getattr(library, "problems", ()))
        return result
    if document is not None:
        hits: set[int] = set()
        for signal in draft.signals:
            try:
                hits.update(count_matches(signal.regex, document, signal.selectors,
                                          timeout=timeout, cancelled=cancelled))
            except InterruptedError:
                result.cancelled = True
                return result
            except TimeoutError as exc:
                result.errors.append(f"signals.{signal.name}: regex too slow on this file "
                                     f"({exc}): catastrophic backtracking?")
            except (re.error, ValueError) as exc:
                result.errors.append(f"signals.{signal.name}: {exc}")
        result.all_lines = sorted(hits)
        result.line_count = len(hits)
        result.lines = [(n, document.plain(n)) for n in result.all_lines[:max_lines]]
        findings = evaluate(document, library, timeout=timeout)
        result.matches_here = bool(findings.matches)
        result.errors.extend(e.message for e in findings.errors)
    for path in corpus:
        if cancelled():
            result.cancelled = True
            break
        try:
            findings = evaluate(_corpus_document(path), library, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - one bad corpus file must not stop the rest
            result.errors.append(f"{Path(path).name}: {exc}")
            continue
        if findings.matches:
            result.corpus_matched.append(path)
    return result


__all__ = [
    "Draft", "DraftError", "DraftExistsError", "DraftSignal", "LintMessage", "Preview",
    "VersionSignal", "build_draft", "corpus_paths", "default_corpus",
    "PLACEHOLDER_PERMALINK", "draft_library", "line_ranges", "lint_draft", "lint_text",
    "load_text", "negative_example", "preview", "usable_lines",
    "render_toml", "slugify", "suggest_id", "toml_string",
]
