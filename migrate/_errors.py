"""Errors the API raises before doing anything; the CLI turns them into exit code 2.

    UsageError                 bad option, unknown provider, missing path, unreadable config
    UncommittedChanges         an in-place rewrite would touch files git reports as uncommitted
    GitCannotAnswer            an in-place rewrite would touch files in a repository git cannot answer for
    NameClash                  the import name ``adapters`` would not be qianyi's for the migrated code
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["GitCannotAnswer", "NameClash", "UncommittedChanges", "UsageError"]


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
