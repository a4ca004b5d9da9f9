"""One writing run at a time per project: an exclusive ``flock`` on the project's folder.

Two runs that write the same tree would interleave (half the files for one provider, half for
another). A writing run locks the top folder of each path it is given (the git repository's, else
the path's own folder) before it reads anything and keeps the lock until it has written; a second
run finds the lock held and stops with a ``UsageError``. Nothing is created in the tree: the lock is
taken on the folder itself, and the system drops it when the process ends, however it ends. Where
``fcntl`` does not exist (Windows), or the file system cannot lock (some network mounts), runs
are not locked.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from ._discover import git_root
from ._errors import UsageError

__all__ = ["held"]


def _top(path: Path) -> Path:
    folder = Path(os.path.abspath(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))))
    return git_root(folder) or folder


@contextlib.contextmanager
def held(paths: Sequence[Path]) -> Iterator[None]:
    """Hold the lock of every project ``paths`` are in; ``UsageError`` when another run holds one."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fds: list[int] = []
    try:
        for top in dict.fromkeys(Path(os.path.realpath(_top(p))) for p in paths):
            try:
                fd = os.open(top, os.O_RDONLY)
            except OSError:
                continue  # a folder this user cannot open: it cannot be locked (nor, mostly, written)
            fds.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UsageError(f"another migrate run is writing in {top}; wait for it to finish (two runs "
                                 f"on one tree would interleave their rewrites)") from None
            except OSError:
                continue  # a file system without flock (some network mounts): run unlocked
        yield
    finally:
        for fd in fds:
            os.close(fd)  # closing drops the lock
