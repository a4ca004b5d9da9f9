"""The one place that writes files: atomically, keeping the file's mode.

``write_atomic`` writes a temporary file beside the target and ``os.replace``s it, so a reader (or
a crash) sees either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Snapshot", "changed_since", "read", "write_atomic"]


@dataclass(frozen=True)
class Snapshot:
    """What a file looked like when it was read (to notice an edit made during the run)."""

    size: int
    mtime_ns: int


def read(path: Path) -> tuple[bytes, Snapshot]:
    """The file's bytes and its snapshot (``OSError`` passes through)."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read()
    return data, Snapshot(info.st_size, info.st_mtime_ns)


def changed_since(path: Path, snapshot: Snapshot) -> bool:
    """Whether ``path`` was modified (or removed) after ``snapshot`` was taken."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return True
    return (info.st_size, info.st_mtime_ns) != (snapshot.size, snapshot.mtime_ns)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` atomically; an existing file keeps its mode."""
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".migrate-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
