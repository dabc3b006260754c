"""Saving heuristic drafts: the drafts folder and the never-overwrite save.

The draft model (building, rendering TOML, linting, corpus preview) is in
``heuristics.drafts``; where drafts go and how they are written is application
policy, so it lives here: the folder is ``services.paths.drafts_dir`` (``--drafts
DIR``, else ``$TRIAGE_DRAFTS``, else ``<data dir>/drafts``) and the write is
``services.files.write_atomic(..., overwrite=False)``: a concurrent or earlier draft
with the same id is never clobbered (``DraftExistsError`` suggests a free id).
"""

from __future__ import annotations

import os
from pathlib import Path

from triagebench.heuristics.drafts import (
    ID_RE,
    Draft,
    DraftError,
    DraftExistsError,
    render_toml,
    suggest_id,
)
from triagebench.services import files, paths


def default_drafts_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--drafts DIR``, else ``$TRIAGE_DRAFTS``, else ``<data dir>/drafts``."""
    return paths.drafts_dir(explicit)


def _ensure_folder(folder: Path, create_parents: bool) -> None:
    if folder.is_dir():
        return
    if folder.exists():
        raise DraftError(f"cannot save draft: {folder} is not a folder")
    if not create_parents and not folder.parent.is_dir():
        raise DraftError(f"cannot save draft: folder {folder.parent} does not exist")
    try:
        folder.mkdir(parents=create_parents, exist_ok=True)
    except OSError as exc:
        raise DraftError(f"cannot save draft: cannot create {folder}: "
                         f"{exc.strerror or exc}") from exc


def save_text(text: str, folder: str | os.PathLike[str], stem: str,
              create_parents: bool = False) -> Path:
    """Write ``text`` to ``folder/<stem>.toml`` atomically, never replacing a file."""
    folder = Path(folder)
    if not ID_RE.match(stem):
        raise DraftError(f"cannot save draft: id {stem!r} must be lowercase letters, "
                         "digits and dashes")
    _ensure_folder(folder, create_parents)
    target = folder / f"{stem}.toml"
    try:
        return files.write_atomic(target, text, overwrite=False, newline="\n")
    except files.FileExists:
        raise DraftExistsError(target, suggest_id(folder, stem)) from None
    except files.WriteError as exc:
        raise DraftError(f"cannot save draft: {exc}") from exc


def save_draft(draft: Draft, folder: str | os.PathLike[str], create_parents: bool = False) -> Path:
    """Render and save ``draft`` as ``folder/<id>.toml`` (see ``save_text``)."""
    return save_text(render_toml(draft), folder, draft.id, create_parents)


__all__ = ["default_drafts_dir", "save_draft", "save_text"]
