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

__all__ = ["NotRegular", "Snapshot", "TooLarge", "changed_since", "read", "write_atomic"]


class NotRegular(Exception):
    """The path is not a regular file (a FIFO, a socket, a device...): never read."""


class TooLarge(Exception):
    """The file is larger than the size limit (``size`` bytes); not read."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


@dataclass(frozen=True)
class Snapshot:
    """What a file looked like when it was read (to notice an edit made during the run): an edit
    that keeps the size and restores the mtime still changes the ctime; a file replaced by another
    changes the inode."""

    size: int
    mtime_ns: int
    ctime_ns: int = 0
    inode: int = 0
    device: int = 0

    @classmethod
    def of(cls, info: os.stat_result) -> Snapshot:
        return cls(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def read(path: Path, limit: int | None = None) -> tuple[bytes, Snapshot]:
    """The file's bytes and its snapshot. ``NotRegular`` for anything but a regular file (opened
    without blocking, so a FIFO cannot hang the run), ``TooLarge`` above ``limit`` bytes, ``OSError``
    passes through."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # not even opened: opening a device can have effects
        raise NotRegular(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(path)
        if limit is not None and info.st_size > limit:
            raise TooLarge(info.st_size)
        data = handle.read()
    return data, Snapshot.of(info)


def changed_since(path: Path, snapshot: Snapshot) -> bool:
    """Whether ``path`` was modified (or removed) after ``snapshot`` was taken."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return True
    return Snapshot.of(info) != snapshot


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
