"""Option types several commands share, and the consoles they print to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .._jobs import MAX_FILE_SIZE
from .._paths import EMPTY_PATH

__all__ = ["Exclude", "MaxFileSize", "Paths", "Provider", "err", "out", "size_limit"]



def _path(value: str) -> Path:
    """A PATH argument; an empty one (an unset ``$SRC``) is refused rather than read as the current folder."""
    if isinstance(value, Path):
        return value
    if not value.strip():
        raise typer.BadParameter(EMPTY_PATH)
    return Path(value)


Paths = Annotated[list[Path], typer.Argument(metavar="PATH", help="Files or folders.", show_default=False,
                                             parser=_path)]
Provider = Annotated[str | None, typer.Option(
    "--provider", "-p", envvar="MIGRATE_PROVIDER", show_default=False,
    help="Target provider (see `migrate providers`); default: MIGRATE_PROVIDER, then [tool.migrate].")]
Exclude = Annotated[list[str] | None, typer.Option(
    "--exclude", metavar="GLOB", show_default=False,
    help="Skip files or folders matching GLOB, a .gitignore line (repeatable); adds to [tool.migrate] exclude.")]

MaxFileSize = Annotated[str | None, typer.Option(
    "--max-file-size", metavar="SIZE", show_default=False,
    help="Skip (and report) files larger than SIZE: bytes, or with K or M (default 1M; 0: no limit).")]
_UNITS = {"": 1, "B": 1, "K": 1000, "KB": 1000, "M": 1000_000, "MB": 1000_000, "KIB": 1024, "MIB": 1 << 20}


def size_limit(text: str | None) -> int | None:
    """``--max-file-size``'s value in bytes (``None``: no limit); the API's default when not given."""
    from .. import api

    if text is None:
        return MAX_FILE_SIZE
    number = text.strip().upper().rstrip()
    unit = number.lstrip("0123456789")
    digits = number[: len(number) - len(unit)]
    if not digits or unit.strip() not in _UNITS:
        raise api.UsageError(f"--max-file-size {text!r}: give a number of bytes, e.g. 500K or 2M (0: no limit)")
    size = int(digits) * _UNITS[unit.strip()]
    return size or None


def _console(stderr: bool) -> Console:
    # Piped or captured output gets room for wide tables instead of rich's 80 columns.
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 200
    return Console(stderr=stderr, highlight=False, width=width)


def out() -> Console:
    return _console(stderr=False)


def err() -> Console:
    return _console(stderr=True)
