"""Option types several commands share, and the consoles they print to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["Exclude", "Paths", "Provider", "err", "out"]

Paths = Annotated[list[Path], typer.Argument(metavar="PATH", help="Files or folders.", show_default=False)]
Provider = Annotated[str | None, typer.Option(
    "--provider", "-p", envvar="MIGRATE_PROVIDER", show_default=False,
    help="Target provider (see `migrate providers`); default: MIGRATE_PROVIDER, then [tool.migrate].")]
Exclude = Annotated[list[str] | None, typer.Option(
    "--exclude", metavar="GLOB", show_default=False,
    help="Skip files or folders matching GLOB, a .gitignore line (repeatable); adds to [tool.migrate] exclude.")]


def _console(stderr: bool) -> Console:
    # Piped or captured output gets room for wide tables instead of rich's 80 columns.
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 200
    return Console(stderr=stderr, highlight=False, width=width)


def out() -> Console:
    return _console(stderr=False)


def err() -> Console:
    return _console(stderr=True)
