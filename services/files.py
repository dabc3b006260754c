"""The one way triagebench writes a file: atomic, fsynced, and never a silent overwrite.

Every writer (reports, exports, stored sessions, settings, drafts) goes through
``write_atomic``: the text goes to a temp file in the target's folder, is flushed
and fsynced, then

* ``overwrite=True``: renamed over the target (``os.replace``);
* ``overwrite=False``: hard-linked to the target name, which fails if the name
  exists, so there is no check-then-write race. Where hard links are not
  supported the name is reserved with ``O_CREAT | O_EXCL`` first and the temp
  file renamed onto the reservation (still no window for another writer).

Readers never see a half-written file. Failures raise ``FileExists`` or
``WriteError`` (both ``OSError``-free one-line messages) for the caller to word.

Temp files are named ``.<target>.<random>.triage-tmp`` so they are recognisably
ours. A writer killed mid-save (kill -9, power loss) leaves its temp file behind;
the first write into a folder in each process removes such files when they are
regular files owned by this user and older than ``STALE_SECONDS`` (``sweep_once``),
and the workbench sweeps its own folders when it starts.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from pathlib import Path

TEMP_SUFFIX = ".triage-tmp"
STALE_SECONDS = 300.0  # a live write renames its temp file in milliseconds

_NO_LINK = {errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK,
            getattr(errno, "EOPNOTSUPP", errno.ENOTSUP), errno.ENOSYS}


class WriteError(Exception):
    """A file could not be written; ``str()`` is one line naming the file."""


class FileExists(WriteError):
    """The target exists and ``overwrite`` was False; ``path`` is the target."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: already exists; not overwritten")
        self.path = path


def write_atomic(path: str | os.PathLike[str], text: str | bytes, *, overwrite: bool,
                 mode: int = 0o644, newline: str = "") -> Path:
    """Write ``text`` to ``path`` atomically (see the module docstring); returns the path.

    ``text`` is written as UTF-8, or as is when it is ``bytes`` (the library cache).
    ``mode``: the file's permissions (exports are readable by others, the session store
    is not). ``newline``: passed to ``open`` for text ("" writes ``text`` as is).
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    sweep_once(parent)
    try:
        fd, name = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    except FileNotFoundError as exc:
        raise WriteError(f"{target}: cannot write (folder {parent} does not exist)") from exc
    except OSError as exc:
        raise WriteError(f"{target}: cannot write (folder {parent} is not writable: "
                         f"{exc.strerror or exc})") from exc
    tmp = Path(name)
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(text)
                binary.flush()
                os.fsync(binary.fileno())
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, target)
        else:
            _link_new(tmp, target)
        _fsync_dir(parent)
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(f"{target}: cannot write ({exc.strerror or exc})") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def is_stale_temp(entry: os.DirEntry[str], now: float, max_age: float = STALE_SECONDS) -> bool:
    """One of our temp files (name ``.<target>.<random>.triage-tmp``), a regular file
    owned by this user and untouched for ``max_age`` seconds: a writer that was killed
    (a live writer renames its temp file within milliseconds)."""
    name = entry.name
    if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
        return False
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return now - info.st_mtime > max_age


def sweep_stale(folder: str | os.PathLike[str], max_age: float = STALE_SECONDS) -> int:
    """Remove stale temp files (``is_stale_temp``) from ``folder``; how many were removed.
    Never raises: cleaning up is best effort."""
    removed = 0
    now = time.time()
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if is_stale_temp(entry, now, max_age):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed += 1
    except OSError:
        return removed
    return removed


_swept: set[str] = set()


def sweep_once(folder: str | os.PathLike[str]) -> None:
    """``sweep_stale(folder)`` the first time this process writes into ``folder``."""
    key = os.path.abspath(folder)
    if key not in _swept:
        _swept.add(key)
        sweep_stale(key)


def sweep_own_folders(drafts: str | os.PathLike[str] | None = None) -> None:
    """Sweep triagebench's own folders (stored sessions, settings, drafts) once: what
    the workbench does when it starts, off the UI thread."""
    from triagebench.services import paths

    for folder in (paths.sessions_dir(), paths.config_dir(), paths.drafts_dir(drafts)):
        if folder.is_dir():
            sweep_once(folder)


def _link_new(tmp: Path, target: Path) -> None:
    try:
        os.link(tmp, target)
        return
    except FileExistsError:
        raise FileExists(target) from None
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
    try:
        reserve = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise FileExists(target) from None
    os.close(reserve)
    os.replace(tmp, target)


def _fsync_dir(folder: Path) -> None:
    """Make the new directory entry durable too (best effort: not every OS allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["STALE_SECONDS", "TEMP_SUFFIX", "FileExists", "WriteError", "sweep_once",
           "sweep_own_folders", "sweep_stale", "write_atomic"]
