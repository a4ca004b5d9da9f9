"""The one place that writes files: atomically, keeping the file's mode, owner and group.

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

__all__ = ["TEMP_SUFFIX", "NotRegular", "Snapshot", "TooLarge", "changed_since", "identity_problem", "read",
           "remove_temporaries", "write_atomic"]

TEMP_SUFFIX = ".migrate-tmp"
_TEMPS: set[str] = set()  # temporary files being written now (removed by an interrupted run)


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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def identity_problem(path: Path) -> str | None:
    """Why writing ``path`` in place needs ``--force``: it is read-only, or hard-linked (a new file
    would leave the other names with the old content); ``None`` when nothing stands in the way."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    if not info.st_mode & stat.S_IWUSR:
        return "read-only file; not rewritten (--force rewrites it, keeping its mode)"
    if info.st_nlink > 1:
        return (f"hard-linked file ({info.st_nlink} names); not rewritten (--force rewrites it in place, "
                f"so every name sees the change)")
    return None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` atomically: an existing file keeps its mode and, where
    this process may set them, its owner and group; a new file gets the umask's mode. A hard-linked
    file is written in place instead (so its other names see the change; not atomic)."""
    try:
        info: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and info.st_nlink > 1 and stat.S_ISREG(info.st_mode):
        _write_in_place(path, data)
        return
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    _TEMPS.add(temp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if info is None:
            os.chmod(temp, 0o666 & ~_umask())
        else:
            _keep_owner(temp, info)
            os.chmod(temp, stat.S_IMODE(info.st_mode))  # after chown, which may clear set-id bits
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    finally:
        _TEMPS.discard(temp)


def _keep_owner(temp: str, info: os.stat_result) -> None:
    if not hasattr(os, "chown"):
        return
    try:
        os.chown(temp, info.st_uid, info.st_gid)
    except PermissionError:
        with contextlib.suppress(OSError):
            os.chown(temp, -1, info.st_gid)  # a group this user belongs to, at least


def _write_in_place(path: Path, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def remove_temporaries() -> list[str]:
    """Remove the temporary files of writes still under way (an interrupted run); their names."""
    removed = []
    for temp in list(_TEMPS):
        with contextlib.suppress(OSError):
            os.unlink(temp)
            removed.append(temp)
        _TEMPS.discard(temp)
    return removed
