"""Errors the API raises before doing anything; the CLI turns them into exit code 2.

    UsageError                 bad option, unknown provider, missing path, unreadable config
    UncommittedChanges         an in-place rewrite would touch files git reports as uncommitted
    GitCannotAnswer            an in-place rewrite would touch files in a repository git cannot answer for
    NameClash                  the import name ``adapters`` would not be qianyi's for the migrated code

and, not usage errors: ``RunInterrupted`` (a signal stopped a run; what it wrote is said) and
``Interrupted``, the ``BaseException`` the CLI turns SIGTERM and SIGHUP into (as Python turns
SIGINT into ``KeyboardInterrupt``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._results import RewriteRun

__all__ = ["GitCannotAnswer", "Interrupted", "NameClash", "RunInterrupted", "UncommittedChanges", "UsageError"]


class UsageError(Exception):
    """The run cannot start as asked; the message says what to change."""


class UncommittedChanges(UsageError):
    """Files the rewrite would write have uncommitted changes (commit them, or pass ``force``)."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        shown = ", ".join(str(p) for p in paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        super().__init__(f"refusing to rewrite files with uncommitted changes: {shown}. Commit or stash "
                         f"them first (so the rewrite can be reviewed and undone), or pass --force.")


class GitCannotAnswer(UsageError):
    """Files the rewrite would write are in a git repository, but git cannot say whether they have
    uncommitted changes (git missing, "dubious ownership", ``GIT_DIR`` elsewhere...)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"refusing to rewrite: cannot tell which files have uncommitted changes, because "
                         f"{reason}. Let git answer (for \"dubious ownership\": git config --global --add "
                         f"safe.directory PATH), or pass --force to rewrite anyway.")


class NameClash(UsageError):
    """The migrated code imports ``adapters``, and that name would not be qianyi's (``_clash``)."""

    def __init__(self, clashes: list[str]) -> None:
        self.clashes = clashes
        super().__init__("refusing: the import name `adapters` is taken: " + "; and ".join(clashes) + ".")


class Interrupted(BaseException):
    """A signal asked the run to stop (raised by the CLI's handler for SIGTERM and SIGHUP)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class RunInterrupted(Exception):
    """A run stopped by a signal (``signum``; SIGINT for Ctrl-C). ``run`` holds what it did: the files
    written before the signal are ``Changed(written=True)``; those it did not get to are ``Skipped``.
    No temporary file is left behind."""

    def __init__(self, signum: int, run: RewriteRun) -> None:
        super().__init__(signum)
        self.signum = signum
        self.run = run
