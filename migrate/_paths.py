"""The paths and provider a command is given: checked, and shown as reports show them."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

from ._errors import UsageError

__all__ = ["EMPTY_PATH", "check_paths", "check_provider", "display_path"]


def check_provider(name: str) -> str:
    """``name`` if a backend answers to it; else a ``UsageError`` listing the installed ones."""
    from adapters import registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", registry.BackendLoadWarning)
        try:
            registry.get(name)
        except registry.UnknownProvider:
            raise UsageError(f"unknown provider {name!r}; installed: {', '.join(registry.names())} "
                             f"(pass --provider or set MIGRATE_PROVIDER)") from None
    return name


def display_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` relative to the working folder (``cwd``: it, known) when inside it, else absolute
    (posix slashes)."""
    try:
        return path.relative_to(cwd or Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


EMPTY_PATH = ("an empty path was given (an unset variable?): name the files or folders, or . for the "
              "current folder")


def check_paths(paths: Sequence[Path]) -> None:
    if not paths:
        raise UsageError("no path given: name the files or folders to rewrite")
    missing = []
    for path in paths:
        if os.path.islink(path) and not os.path.exists(path):
            raise UsageError(f"{path!s} is a symbolic link to {os.readlink(path)!r}, which does not exist")
        if not os.path.exists(path):
            missing.append(str(path))
    if missing:
        raise UsageError(f"path not found: {', '.join(missing)}")
