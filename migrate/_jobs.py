"""One file to process, as the rewrite and the scan hand it to a worker, and the limits on reading it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import _fs
from ._errors import UsageError
from ._results import Failed, FileResult, Skipped

__all__ = ["FILES_PER_PROCESS", "MAX_FILE_SIZE", "Job", "check_max_file_size", "not_read", "nul_byte",
           "size_limit_for"]

#: Below this many files to parse per process, worker processes cost more than they save.
FILES_PER_PROCESS = 8
#: Files larger than this (bytes) are skipped unread by default: LibCST needs ~800x a file's size in
#: memory (a 5 MB generated module, 4 GB), and source written by people is far smaller.
MAX_FILE_SIZE = 1_000_000


@dataclass(frozen=True)
class Job:
    path: Path
    display: str
    data: bytes = field(repr=False)


def nul_byte(data: bytes) -> str | None:
    """Why a file with a NUL byte is not Python source (CPython refuses it; the parser's own message
    would point at a misleading place), or ``None``."""
    at = data.find(b"\0")
    if at == -1:
        return None
    line = data.count(b"\n", 0, at) + 1
    return (f"contains a NUL byte (line {line}): not Python source (a binary file, or UTF-16 text? "
            f"Python source is UTF-8 or declares an ASCII-compatible coding)")


def check_max_file_size(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise UsageError(f"--max-file-size must be 1 or more bytes, not {limit} (0 on the command line: no limit)")


def size_limit_for(path: Path, limit: int | None) -> int | None:
    """The size limit for ``path``: none for a notebook, whose size is mostly its outputs (images...)."""
    return None if path.suffix == ".ipynb" else limit


def not_read(path: Path, display: str, exc: Exception, limit: int | None) -> FileResult:
    """Why ``_fs.read`` did not read ``path``: ``Skipped`` (not a regular file, too large) or ``Failed``."""
    if isinstance(exc, _fs.NotRegular):
        return Skipped(path, display, "not a regular file (a FIFO, socket or device); not read")
    if isinstance(exc, _fs.TooLarge):
        return Skipped(path, display, f"{exc.size:,} bytes, above the size limit ({limit:,}); not read "
                                      f"(generated code? --max-file-size raises the limit)")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return Failed(path, display, f"cannot read: {reason}")
