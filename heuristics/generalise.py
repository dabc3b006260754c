"""Selected lines -> proposed signal regexes ("promote lines to a heuristic draft").

A pattern author selects a few lines; this module proposes the regex(es) a draft
heuristic should search for. The approach follows Drain's preprocessing
(reference: heuristics-anchors.md §1): strip the per-source line prefix
(journal ``May 02 16:03:56 dnsmasq[1387]: ``, ``dmesg -T`` ``[Fri Apr 29 ...] ``,
supervisor ``[info]`` tags, logfmt ``time="..."``), mask what varies between
devices and runs (numbers, hex and container ids, UUIDs, IPs, timestamps,
durations, mktemp paths, quoted values that differ), and keep the rest as escaped
literal text. Lines with the same template give one regex; different templates
give one proposal each.

Every regex is built from a fixed set of safe fragments (``\\d+``, ``[0-9.]+``,
``[0-9a-f]+``, ``\\S+``, ``"[^"]*"``, ``\\s+``) between literals, so there are no
nested quantifiers and no ``.*``: matching is linear in the line length.

A proposal that is mostly wildcards, or that matches a large share of the file,
is over-general: the generaliser then falls back to masking only what differs
between the selected lines (for one line: its exact text) and says so in
``Proposal.warnings``. No Textual here (the core never imports it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex as regex_module
from triagebench.heuristics.prefilter import fold_text, required_literals
from triagebench.heuristics.selectors import resolve, selector_matches
from triagebench.parser import plain_text

if TYPE_CHECKING:  # pragma: no cover - typing only
    from triagebench.parser import Document

# -- thresholds (documented in the module docstring and the report) ----------
MIN_LITERAL_CHARS = 8        # a regex needs at least this many literal characters ...
MIN_LITERAL_LETTERS = 5      # ... of which this many letters
MIN_LITERAL_RATIO = 0.35     # literal share of the line text the regex covers
MAX_FILE_SHARE = 0.10        # matching more than this share of the file's lines ...
MAX_FILE_SHARE_MIN_LINES = 50  # ... (and at least this many lines) is over-general
MERGE_SIMILARITY = 0.5       # Drain's simSeq: share of equal word positions to merge
MAX_LINE_CHARS = 4096        # longer lines are cut before generalising (ReDoS hygiene)

# -- per-source prefixes (balena-diagnostics.md §2.4) -------------------------
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
JOURNAL_PREFIX_RE = re.compile(
    r"^(?:" + _MONTH + r" [ 0-3]?\d \d\d:\d\d:\d\d(?:\.\d+)?"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)"
    r" (?:(?P<host>[\w.-]+) )??(?P<ident>[^\s\[\]:]{1,64})(?:\[(?P<pid>\d+)\])?: ")
DMESG_PREFIX_RE = re.compile(
    r"^\[(?:" + _DAY + " " + _MONTH + r" [ 0-3]?\d \d\d:\d\d:\d\d \d{4}|\s*\d+\.\d+)\] ?")
BRACKET_TS_PREFIX_RE = re.compile(
    r"^\[\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]\s*")
SUPERVISOR_TAG_RE = re.compile(r"^\[(?:[a-z]{2,10})\]\s+")
LOGFMT_TIME_RE = re.compile(r'^time="[^"]{0,64}"\s+(?=level=)')
# Programs that add their own timestamp after the journal prefix (openvpn, chronyd).
OWN_TS_PREFIX_RE = re.compile(
    r"^(?:(?:" + _DAY + " )?" + _MONTH + r" +\d{1,2} \d\d:\d\d:\d\d \d{4}"
    r"|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) +")
HEX_IDENT_RE = re.compile(r"^[0-9a-f]{12,64}$")
# NetworkManager: "<warn>  [1651218296.1234] "
ANGLE_LEVEL_PREFIX_RE = re.compile(r"^<(?:trace|debug|info|warn|error)>\s+\[\d+(?:\.\d+)?\]\s+")

# -- typed variables, in priority order ---------------------------------------
_TYPED = [
    ("datetime", r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?",
     r"\d{4}-\d\d-\d\d[T ][0-9:.,]+(?:Z|[+-][0-9:]+)?"),
    ("sysdate", r"(?:" + _DAY + r" )?" + _MONTH + r" +\d{1,2} \d\d:\d\d:\d\d(?: \d{4})?",
     r"(?:[A-Z][a-z]{2} )?[A-Z][a-z]{2} +\d+ [0-9:]+(?: \d{4})?"),
    ("date", r"\d{4}-\d\d-\d\d", r"\d{4}-\d\d-\d\d"),
    ("time", r"\d\d:\d\d:\d\d(?:[.,]\d+)?", r"\d+:\d+:[0-9.,]+"),
    ("uuid", r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
     r"[0-9a-fA-F-]{36}"),
    ("mac", r"(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", r"[0-9a-fA-F:]{17}"),
    ("ipv4", r"(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.]*\d)",
     r"\d+\.\d+\.\d+\.\d+"),
    ("ipv6", r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){1,7}:?[0-9a-fA-F]{0,4}(?=[\s/\]),;]|$)",
     r"[0-9a-fA-F:]+"),
    ("hex0x", r"0x[0-9a-fA-F]+", r"0x[0-9a-fA-F]+"),
    ("hexid", r"(?<![\w])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{7,}(?![\w])",
     r"[0-9a-fA-F]+"),
    ("hexrun", r"(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{12,}", r"[0-9a-f]+"),
    ("mktemp", r"tmp\.[A-Za-z0-9]{6,}", r"tmp\.[A-Za-z0-9]+"),
    ("decimal", r"\d+(?:\.\d+)+", r"[0-9.]+"),
    ("int", r"\d+", r"\d+"),
]
_TYPED_RE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern, _ in _TYPED))
MASK_FRAGMENT = {name: fragment for name, _, fragment in _TYPED}
# IPv6 candidates must look like addresses (a "::" or at least 4 colons), not "Error:".
_IPV6_OK_RE = re.compile(r"::|(?:[^:]*:){4}")

# Words with digits that are names, not values: kept literal.
LITERAL_WORDS = frozenset({
    "sha1", "sha256", "sha512", "md5", "ipv4", "ipv6", "ip6tables", "overlay2", "x86_64",
    "aarch64", "armv7l", "armv6l", "armv7hf", "i386", "amd64", "arm64", "ext2", "ext3",
    "ext4", "utf-8", "utf8", "base64", "http2", "http/1.1", "http/2", "i2c", "k8s",
    "v1", "v2", "v3", "vfat", "fat32", "mp4", "h264", "x509", "tls1.2", "tls1.3",
    "dhcp4", "dhcp6", "nl80211", "cfg80211", "802.11", "balena0", "supervisor0",
    "resin0", "e2fsck", "bcm2835", "bcm2711", "vc4", "v3d", "s6",
})
_WORD_DIGITS_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\d[A-Za-z0-9_-]*(?:\.\d+)?")

_QUOTE_RE = re.compile(r'"(?:[^"\\\n]|\\.){0,512}"|(?<![\w\'])\'[^\'\n]{0,512}\'(?![\w])')
_WS_RE = re.compile(r"\s+")
# Spans that hold spaces but are one word: quoted strings and spaced timestamps.
_ONE_WORD_RE = re.compile(_QUOTE_RE.pattern + "|" + _TYPED[0][1] + "|" + _TYPED[1][1])
_NAME_STOPWORDS = frozenset({"level", "msg", "info", "debug", "warn", "time", "the", "to",
                             "of", "a", "an", "in", "on", "for", "is"})


class GeneraliseError(ValueError):
    """The selection cannot be generalised (blank-only, nothing selected)."""


# -- pieces ---------------------------------------------------------------------
# A piece is ("lit", text) | ("var", kind) | ("quote", quote_char, tuple_of_pieces)
# | ("any", "") (a whole word that differs between lines) | ("anyq", quote_char).
Piece = tuple


@dataclass(slots=True)
class _Line:
    """One selected line split into prefix, ident and a list of words (of pieces)."""

    number: int
    section: str
    text: str                 # plain text of the whole line
    core: str                 # message part the regex covers
    ident: str | None         # journal ident kept in front of the core ("dnsmasq")
    ident_masked: bool        # ident is a container id (masked)
    words: list[tuple[Piece, ...]]
    spaces: list[str]         # whitespace between words (len(words) - 1)


@dataclass(slots=True)
class Proposal:
    """One proposed signal: its regex, the sections it searches, what it matched."""

    name: str
    regex: str
    section_keys: tuple[str, ...]
    lines: tuple[int, ...]                   # the selected lines this proposal covers
    examples: dict[str, list[str]]           # section key -> plain text of those lines
    literal_ratio: float
    literal_chars: int
    matched_lines: list[int] = field(default_factory=list)  # in its sections, whole file
    file_matches: int | None = None          # lines matching anywhere in the file
    file_lines: int | None = None
    level: str = "masked"                    # "masked" | "differing" | "exact"
    template: str = ""                       # readable form: literals, "…" for wildcards
    warnings: list[str] = field(default_factory=list)

    @property
    def over_general(self) -> bool:
        return any(w.startswith("over-general") for w in self.warnings)


def _strip_prefix(text: str) -> tuple[str, str | None, bool]:
    """Split off the per-source prefix; returns (core, ident to keep, ident is an id)."""
    ident: str | None = None
    ident_masked = False
    core = text
    match = JOURNAL_PREFIX_RE.match(core)
    if match:
        ident = match.group("ident")
        if match.group("pid") is None and ident != "kernel":
            ident = None if match.group("host") else ident
        ident_masked = bool(HEX_IDENT_RE.match(ident or ""))
        core = core[match.end():]
    match = DMESG_PREFIX_RE.match(core)
    if match:
        core = core[match.end():]
    inner = False
    for prefix_re in (OWN_TS_PREFIX_RE, BRACKET_TS_PREFIX_RE, SUPERVISOR_TAG_RE, LOGFMT_TIME_RE,
                      ANGLE_LEVEL_PREFIX_RE):
        match = prefix_re.match(core)
        if match:
            core = core[match.end():]
            inner = True
    if inner:
        ident = None  # something was skipped between the ident and the message
    return core.strip(), ident, ident_masked


def _typed_pieces(text: str, mask: bool) -> list[Piece]:
    """Split ``text`` (no whitespace-sensitive structure) into literal and typed pieces."""
    pieces: list[Piece] = []
    literal: list[str] = []
    pos = 0
    protected: list[tuple[int, int]] = []
    for word in _WORD_DIGITS_RE.finditer(text):
        if word.group().lower().rstrip(".,:;") in LITERAL_WORDS:
            protected.append(word.span())
    for match in _TYPED_RE.finditer(text):
        kind = match.lastgroup or "int"
        start, end = match.span()
        if any(a <= start < b for a, b in protected):
            continue
        if kind == "ipv6" and not _IPV6_OK_RE.search(match.group()):
            continue
        if not mask:
            continue
        literal.append(text[pos:start])
        if "".join(literal):
            pieces.append(("lit", "".join(literal)))
        literal = []
        pieces.append(("var", kind))
        pos = end
    literal.append(text[pos:])
    if "".join(literal):
        pieces.append(("lit", "".join(literal)))
    return pieces


def _word_pieces(text: str, mask: bool) -> list[Piece]:
    """Pieces of one word, quoted strings recursed into (their content masked alike)."""
    pieces: list[Piece] = []
    pos = 0
    for match in _QUOTE_RE.finditer(text):
        if match.start() > pos:
            pieces.extend(_typed_pieces(text[pos:match.start()], mask))
        quoted = match.group()
        inner = _typed_pieces(quoted[1:-1], mask)
        pieces.append(("quote", quoted[0], tuple(inner)))
        pos = match.end()
    if pos < len(text):
        pieces.extend(_typed_pieces(text[pos:], mask))
    return pieces


def _split_words(core: str) -> tuple[list[str], list[str]]:
    """Split on whitespace, keeping quoted strings (which may hold spaces) whole."""
    spans: list[tuple[int, int]] = [m.span() for m in _ONE_WORD_RE.finditer(core)]
    words: list[str] = []
    spaces: list[str] = []
    start = 0
    pos = 0
    for ws in _WS_RE.finditer(core):
        if any(a < ws.start() < b for a, b in spans):
            continue
        words.append(core[start:ws.start()])
        spaces.append(ws.group())
        start = ws.end()
        pos = ws.end()
    del pos
    words.append(core[start:])
    if words and words[0] == "":
        words.pop(0)
        if spaces:
            spaces.pop(0)
    return words, spaces


def _analyse(number: int, text: str, section: str, mask: bool) -> _Line:
    text = plain_text(text)[:MAX_LINE_CHARS]
    core, ident, ident_masked = _strip_prefix(text)
    words, spaces = _split_words(core)
    return _Line(number, section, text, core, ident, ident_masked,
                 [tuple(_word_pieces(w, mask)) for w in words], spaces)


# -- merging lines into templates ----------------------------------------------
def _shape(line: _Line) -> tuple:
    ident = ("id",) if line.ident_masked else (line.ident,)
    return (ident, tuple(line.words))


def _merge_word(a: tuple[Piece, ...], b: tuple[Piece, ...]) -> tuple[Piece, ...] | None:
    """Merge two differing words: differing quoted pieces -> any-quoted, else any-word."""
    if a == b:
        return a
    if len(a) == len(b):
        merged: list[Piece] = []
        for pa, pb in zip(a, b, strict=True):
            if pa == pb:
                merged.append(pa)
            elif pa[0] in ("quote", "anyq") and pb[0] in ("quote", "anyq") and pa[1] == pb[1]:
                merged.append(("anyq", pa[1]))
            else:
                break
        else:
            return tuple(merged)
    if _word_has_space(a) or _word_has_space(b):
        return None
    return (("any", ""),)


def _word_has_space(word: tuple[Piece, ...]) -> bool:
    return any(p[0] == "quote" and any(q[0] == "lit" and " " in q[1] for q in p[2])
               for p in word) or any(p[0] == "anyq" for p in word)


@dataclass(slots=True)
class _Group:
    lines: list[_Line]
    ident: str | None
    ident_masked: bool
    words: list[tuple[Piece, ...]]
    multi_space: list[bool]


def _group_lines(lines: list[_Line]) -> list[_Group]:
    """Group lines by template; near-identical templates (Drain simSeq) merge."""
    groups: list[_Group] = []
    for line in lines:
        placed = False
        for group in groups:
            same_ident = (group.ident, group.ident_masked) == (line.ident, line.ident_masked)
            if not same_ident and not (group.ident_masked and line.ident_masked):
                continue
            if len(group.words) != len(line.words):
                continue
            same = sum(1 for a, b in zip(group.words, line.words, strict=True) if a == b)
            if len(line.words) and same / len(line.words) < MERGE_SIMILARITY:
                continue
            merged = [_merge_word(a, b) for a, b in zip(group.words, line.words, strict=True)]
            if any(m is None for m in merged):
                continue
            group.words = [m for m in merged if m is not None]
            group.multi_space = [
                flag or space != " "
                for flag, space in zip(group.multi_space, line.spaces, strict=False)]
            group.lines.append(line)
            placed = True
            break
        if not placed:
            groups.append(_Group([line], line.ident, line.ident_masked, list(line.words),
                                 [space != " " for space in line.spaces]))
    return groups


# -- emitting regexes -------------------------------------------------------------
def _escape(text: str) -> str:
    """``re.escape`` without escaping spaces (readable in TOML) and other harmless chars."""
    out = re.escape(text)
    for char in (" ", "/", "-", "=", ":", "'", '"', "<", ">", ",", "@", "%", "!", "_", ";"):
        out = out.replace("\\" + char, char)
    return out


def _emit_pieces(pieces: Iterable[Piece]) -> tuple[str, int]:
    """Regex text and literal character count of a word."""
    out: list[str] = []
    literal = 0
    for piece in pieces:
        kind = piece[0]
        if kind == "lit":
            out.append(_escape(piece[1]))
            literal += len(piece[1])
        elif kind == "var":
            out.append(MASK_FRAGMENT[piece[1]])
        elif kind == "quote":
            inner, count = _emit_pieces(piece[2])
            out.append(f"{piece[1]}{inner}{piece[1]}")
            literal += count + 2
        elif kind == "anyq":
            out.append(f"{piece[1]}[^{piece[1]}]*{piece[1]}")
            literal += 2
        else:  # any word
            out.append(r"\S+")
    return "".join(out), literal


def _emit(group: _Group) -> tuple[str, int]:
    parts: list[str] = []
    literal = 0
    if group.ident is not None:
        if group.ident_masked:
            parts.append(r"[0-9a-f]+")
        else:
            parts.append(_escape(group.ident))
            literal += len(group.ident)
        first = group.lines[0]
        if JOURNAL_PREFIX_RE.match(first.text) and JOURNAL_PREFIX_RE.match(first.text).group("pid"):
            parts.append(r"\[\d+\]")
        parts.append(": ")
        literal += 2
    for index, word in enumerate(group.words):
        if index:
            multi = index - 1 < len(group.multi_space) and group.multi_space[index - 1]
            parts.append(r"\s+" if multi else " ")
            literal += 0 if multi else 1
        text, count = _emit_pieces(word)
        parts.append(text)
        literal += count
    return "".join(parts), literal


def _human_pieces(pieces: Iterable[Piece]) -> str:
    out: list[str] = []
    for piece in pieces:
        if piece[0] == "lit":
            out.append(piece[1])
        elif piece[0] == "quote":
            out.append(piece[1] + _human_pieces(piece[2]) + piece[1])
        elif piece[0] == "anyq":
            out.append(piece[1] + "…" + piece[1])
        else:
            out.append("…")
    return "".join(out)


def _human(group: _Group) -> str:
    """The template as text a person reads: ``Under-voltage detected! (…)``."""
    return " ".join(_human_pieces(word) for word in group.words)


def _literal_letters(regex_literal_words: Sequence[tuple[Piece, ...]]) -> int:
    count = 0
    for word in regex_literal_words:
        for piece in word:
            if piece[0] == "lit":
                count += sum(ch.isalpha() for ch in piece[1])
            elif piece[0] == "quote":
                count += _literal_letters([piece[2]])
    return count


def _signal_name(group: _Group, taken: set[str]) -> str:
    """A short identifier from the first literal words: ``under_voltage_detected``."""
    words: list[str] = []
    for word in group.words:
        for piece in word:
            texts = [piece[1]] if piece[0] == "lit" else (
                [q[1] for q in piece[2] if q[0] == "lit"] if piece[0] == "quote" else [])
            for text in texts:
                words.extend(w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)
                             if w.lower() not in _NAME_STOPWORDS)
        if len(words) >= 3:
            break
    name = "_".join(words[:3])[:32].strip("_") or "line"
    if not name[0].isalpha():
        name = "line_" + name
    base, n = name, 2
    while name in taken:
        name = f"{base}_{n}"
        n += 1
    taken.add(name)
    return name


# -- matching against the document ------------------------------------------------
def _longest_literal(group: _Group) -> str:
    best = ""
    for word in group.words:
        for piece in word:
            texts = [piece[1]] if piece[0] == "lit" else (
                [q[1] for q in piece[2] if q[0] == "lit"] if piece[0] == "quote" else [])
            for text in texts:
                if len(text) > len(best):
                    best = text
    if group.ident and not group.ident_masked and len(group.ident) > len(best):
        best = group.ident
    return best


def count_matches(pattern: str, document: Document, section_keys: Sequence[str] | None = None,
                  literal: str = "", timeout: float | None = None,
                  cancelled: Callable[[], bool] | None = None) -> list[int]:
    """Line numbers matching ``pattern``: in the sections ``section_keys`` selects (exact
    keys or any selector, resolved like the evaluator does) or, with None, in every
    output line of the file.

    ``literal`` (a substring every match contains) is a prefilter. Regexes built
    here are linear by construction and run with ``re``. For a regex a person
    typed pass ``timeout``: each line's search then runs in the ``regex`` module
    with that limit (``TimeoutError`` names the line), lines without one of the
    pattern's required literals are skipped (the engine's prefilter), and
    ``cancelled()`` is polled every few thousand lines (``InterruptedError``).
    """
    literals: tuple[str, ...] = (literal,) if literal else ()
    fold = False
    if timeout is None:
        search = re.compile(pattern).search
    else:
        compiled = regex_module.compile(pattern)
        prefilter = required_literals(pattern)
        if prefilter is not None and not literals:
            literals, fold = prefilter.literals, prefilter.fold

        def search(text: str) -> object:
            return compiled.search(text, timeout=timeout)

    found: list[int] = []
    sections = (list(document.sections) if section_keys is None
                else resolve(list(section_keys), document))
    checked = 0
    for section in sections:
        for number in section.output_line_numbers():
            checked += 1
            if cancelled is not None and not checked & 4095 and cancelled():
                raise InterruptedError("cancelled")
            raw = document.lines[number - 1]
            if literals and "\x1b" not in raw and "\x00" not in raw:
                haystack = fold_text(raw) if fold else raw
                if not any(lit in haystack for lit in literals):
                    continue
            text = document.output_text(section, number)[:MAX_LINE_CHARS]
            try:
                hit = search(text)
            except TimeoutError:
                raise TimeoutError(f"line {number}: search took over {timeout:g} s") from None
            if hit:
                found.append(number)
    if section_keys is None and not document.sections:
        for number in range(1, document.line_count + 1):
            if search(document.plain(number)[:MAX_LINE_CHARS]):
                found.append(number)
    return sorted(set(found))


def _output_line_total(document: Document) -> int:
    total = sum(s.stdout.count + (s.stderr.count if s.stderr else 0) for s in document.sections)
    return total or document.line_count


# -- the API --------------------------------------------------------------------
def _build(lines: list[tuple[int, str, str]], mask: bool) -> list[tuple[_Group, str, int]]:
    analysed = [_analyse(n, text, key, mask) for n, text, key in lines]
    analysed = [a for a in analysed if a.words]
    out = []
    for group in _group_lines(analysed):
        regex, literal = _emit(group)
        out.append((group, regex, literal))
    return out


def propose(lines: Sequence[tuple[int, str, str]], document: Document | None = None,
            max_share: float = MAX_FILE_SHARE) -> list[Proposal]:
    """Propose one regex per template among ``lines`` ((line number, text, section key)).

    Each proposal matches every selected line it covers. With ``document``, the
    match count in its sections and in the whole file is filled in, and a proposal
    matching more than ``max_share`` of the file is replaced by a less general one
    (only differing parts masked, then the exact text) with a warning.
    Raises ``GeneraliseError`` for an empty or blank-only selection.
    """
    usable = [(n, t, k) for n, t, k in lines if plain_text(t).strip()]
    if not usable:
        raise GeneraliseError("the selection holds only blank lines" if lines
                              else "no lines selected")
    proposals: list[Proposal] = []
    taken: set[str] = set()
    for group, regex, literal in _build(list(usable), mask=True):
        proposals.append(_finalise(group, regex, literal, document, max_share, taken))
    return proposals


def _finalise(group: _Group, regex: str, literal: int, document: Document | None,
              max_share: float, taken: set[str]) -> Proposal:
    """Check a masked proposal; fall back to less general forms when it is too loose."""
    members = [(ln.number, ln.text, ln.section) for ln in group.lines]
    candidates: list[tuple[str, _Group, str, int]] = [("masked", group, regex, literal)]
    # Less general: only mask where the selected lines differ (one line: exact text).
    for sub_group, sub_regex, sub_literal in _build(members, mask=False):
        if len(sub_group.lines) == len(group.lines):
            level = "exact" if len(group.lines) == 1 or all(
                w[0][0] != "any" for w in sub_group.words) else "differing"
            candidates.append((level, sub_group, sub_regex, sub_literal))
        break
    name = _signal_name(group, taken)
    chosen: Proposal | None = None
    reasons: list[str] = []
    for level, grp, rx, lit in candidates:
        proposal = _make(name, grp, rx, lit, level, document)
        problems = _problems(proposal, grp, max_share)
        if not problems:
            chosen = proposal
            break
        reasons.extend(problems)
        chosen = chosen or proposal
        if level != "masked":
            chosen = proposal  # the least general form we have
    assert chosen is not None
    if chosen.level != "masked" and reasons:
        chosen.warnings.append(
            f"generalised form rejected ({reasons[0]}); using "
            f"{'the exact text' if chosen.level == 'exact' else 'only the differing parts masked'}")
    final_problems = _problems(chosen, None, max_share)
    chosen.warnings.extend(p for p in final_problems if p not in chosen.warnings)
    return chosen


def _make(name: str, group: _Group, regex: str, literal: int, level: str,
          document: Document | None) -> Proposal:
    keys = tuple(dict.fromkeys(ln.section for ln in group.lines))
    examples: dict[str, list[str]] = {}
    for ln in group.lines:
        examples.setdefault(ln.section, []).append(ln.text)
    covered = max(len(ln.core) for ln in group.lines) + (len(group.ident or "") + 2
                                                       if group.ident else 0)
    proposal = Proposal(name=name, regex=regex, section_keys=keys,
                        lines=tuple(ln.number for ln in group.lines), examples=examples,
                        literal_ratio=round(min(1.0, literal / max(1, covered)), 3),
                        literal_chars=literal, level=level, template=_human(group))
    compiled = re.compile(regex)
    missed = [ln.number for ln in group.lines if not compiled.search(ln.text)]
    if missed:  # cannot happen by construction; keep the promise checkable
        proposal.warnings.append(f"does not match selected line(s) {missed}")
    if document is not None:
        everywhere = count_matches(regex, document, None, _longest_literal(group))
        spans = [(s.first_line, s.last_line, s.stderr.span if s.stderr else (0, -1))
                 for s in resolve(list(keys), document)]
        proposal.matched_lines = [n for n in everywhere if any(
            a <= n <= b or ea <= n <= eb for a, b, (ea, eb) in spans)]
        proposal.file_matches = len(everywhere)
        proposal.file_lines = _output_line_total(document)
    return proposal


def _problems(proposal: Proposal, group: _Group | None, max_share: float) -> list[str]:
    problems: list[str] = []
    letters = sum(ch.isalpha() for ch in re.sub(r"\\[a-zA-Z]|\[[^\]]*\]", "", proposal.regex))
    if proposal.literal_chars < MIN_LITERAL_CHARS or letters < MIN_LITERAL_LETTERS:
        problems.append(f"too little literal text ({proposal.literal_chars} characters)")
    elif proposal.literal_ratio < MIN_LITERAL_RATIO and proposal.level == "masked":
        problems.append(f"mostly wildcards (literal ratio {proposal.literal_ratio:.2f})")
    if proposal.file_matches is not None and proposal.file_lines:
        share = proposal.file_matches / proposal.file_lines
        if share > max_share and proposal.file_matches >= MAX_FILE_SHARE_MIN_LINES:
            problems.append(f"over-general: matches {proposal.file_matches} of "
                            f"{proposal.file_lines} lines ({share:.0%})")
    del group
    return problems


def _is_output(section, number: int) -> bool:
    streams = (section.stdout, section.stderr)
    return any(s is not None and number in s.line_numbers for s in streams)


def selection_lines(document: Document, numbers: Iterable[int]) -> list[tuple[int, str, str]]:
    """(line, plain output text, section key) for selected line numbers inside sections.

    Raises ``GeneraliseError`` naming the first line outside any section's output
    (headers, timestamps, time lines and the preamble are not output)."""
    out: list[tuple[int, str, str]] = []
    for number in sorted(set(numbers)):
        if number < 1 or number > document.line_count:
            raise GeneraliseError(f"line {number} is outside the file "
                                  f"(1-{document.line_count})")
        section = document.section_at(number)
        if section is None or not _is_output(section, number):
            where = "outside any section" if section is None else (
                f"not command output (section {section.key!r})")
            raise GeneraliseError(f"line {number} is {where}")
        out.append((number, document.output_text(section, number), section.key))
    return out


# -- where a log lives: scopes of a signal -------------------------------------------
SCOPES: dict[str, str] = {
    "log": "this log wherever it appears",
    "section": "this section",
    "any": "any section",
}
"""The choices of a draft signal's ``in`` (the editor's selector menu); ``log`` is the default."""

LOG_FAMILIES: dict[str, tuple[str, ...]] = {
    # the kernel ring buffer: dmesg, the journal's kernel lines, syslog's copy
    "kernel": ("dmesg*", "journalctl*-a", "cat /var/log/messages"),
    # the supervisor: its container's log, its journal unit, its log file
    "supervisor": ("balena logs {id}", "journalctl* -u balena-supervisor*",
                   "tail * /var/log/supervisor-log/*", "journalctl*-a"),
    # the engine: its unit journal, its tagged journal, the whole journal
    "engine": ("journalctl* -u balena", "journalctl* -at balenad", "journalctl*-a"),
}
"""Section selectors (globs) that carry the same log in every capture of diagnose.sh."""

_SUPERVISOR_IDENTS = ("balena-supervisor", "resin-supervisor")
_ENGINE_IDENTS = ("balenad", "balena-engine", "dockerd", "balena-engine-daemon")


def message_text(text: str) -> str:
    """The message of a log line without its per-source prefix (journal time and ident,
    dmesg time, logfmt time): what an id or a title is made from, never a timestamp."""
    core, _ident, _masked = _strip_prefix(text)
    return re.sub(r'^(?:level=\w+ )?msg="(.*)"$', r"\1", core)


def log_family(key: str, text: str) -> str | None:
    """Which log (``LOG_FAMILIES``) the line ``text`` of section ``key`` belongs to."""
    if key.startswith("dmesg") or key == "cat /var/log/messages":
        return "kernel"
    if key.startswith("balena logs ") or "supervisor" in key:
        return "supervisor"
    if key.startswith("journalctl"):
        match = JOURNAL_PREFIX_RE.match(text)
        ident = match.group("ident") if match else ""
        if ident == "kernel":
            return "kernel"
        if ident in _SUPERVISOR_IDENTS:
            return "supervisor"
        if ident in _ENGINE_IDENTS or key.endswith(("-at balenad", "-u balena")):
            return "engine"
    return None


def scope_selectors(document: Document, selected: Sequence[tuple[int, str, str]],
                    regex: str, section_keys: Sequence[str]) -> dict[str, list[str]]:
    """The ``in`` of a signal for each scope (``SCOPES``):

    * ``section``: the sections the selected lines are in (``section_keys``);
    * ``log``: those, the sections of every capture that carry the same log
      (``LOG_FAMILIES``: a kernel line of ``dmesg -T`` is also in the kernel journal;
      a supervisor line of ``balena logs {id}`` also in the supervisor journal) and
      every section of this file where the regex matches too;
    * ``any``: every section (``*``).
    """
    keys = list(dict.fromkeys(section_keys))
    log: list[str] = list(keys)
    for _number, text, key in selected:
        family = log_family(key, text)
        if family is not None:
            log.extend(LOG_FAMILIES[family])
    try:
        hits = count_matches(regex, document, None, timeout=1.0)
    except (TimeoutError, re.error, regex_module.error, InterruptedError):
        hits = []
    for number in hits[:10_000]:
        section = document.section_at(number)
        if section is not None:
            log.append(section.key)
    log = list(dict.fromkeys(log))
    # a key a family glob already names is dropped (shorter ``in``, same sections)
    globs = [sel for sel in log if sel not in keys and any(c in sel for c in "*?[")]
    log = [sel for sel in log if sel in globs
           or not any(selector_matches(g, sel, None) for g in globs)]
    return {"log": log, "section": keys, "any": ["*"]}


__all__ = ["LOG_FAMILIES", "SCOPES", "GeneraliseError", "Proposal", "count_matches",
           "log_family", "message_text", "propose", "scope_selectors", "selection_lines"]
