"""What a run hands back, per file and as a whole: frozen dataclasses, nothing printed.

    FileResult = Changed | Unchanged | Skipped | Failed

``Changed`` keeps the (redacted) diff, the TODOs and the new bytes; ``Failed`` keeps why. Paths are
absolute; ``display`` is the path as reports show it (relative to the working folder when inside it).
``verdicts`` (filled only when the run was asked to judge, for ``--report``) are the sites the
rewrite touched or marked, judged for the run's provider as ``migrate scan`` judges them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from codemods import Finding, Todo

    from ._verdicts import ScannedSite

__all__ = ["Changed", "Failed", "FileResult", "RewriteRun", "Skipped", "Unchanged"]


@dataclass(frozen=True)
class Changed:
    """A file the run rewrites (``written`` once it is on disk). ``kind`` is ``dependencies`` for a
    requirements file or pyproject.toml that gained ``qianyi``."""

    path: Path
    display: str
    diff: str
    todos: tuple[Todo, ...] = ()
    findings: tuple[Finding, ...] = ()
    verdicts: tuple[ScannedSite, ...] = ()
    kind: Literal["source", "dependencies", "env"] = "source"
    written: bool = False
    data: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class Unchanged:
    """A file with nothing to change (TODOs from an earlier run are still reported)."""

    path: Path
    display: str
    todos: tuple[Todo, ...] = ()
    findings: tuple[Finding, ...] = ()
    verdicts: tuple[ScannedSite, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """A file left alone on purpose (a symbolic link, a file that changed during the run...)."""

    path: Path
    display: str
    reason: str


@dataclass(frozen=True)
class Failed:
    """A file that could not be read, decoded or parsed; the run went on without it."""

    path: Path
    display: str
    reason: str


FileResult = Changed | Unchanged | Skipped | Failed


@dataclass(frozen=True)
class RewriteRun:
    """One ``rewrite`` run: every file's result, in path order, and notes for the reader.
    ``judged``: whether the files' ``verdicts`` were computed (``rewrite(..., verdicts=True)``)."""

    provider: str
    style: str
    write: bool
    results: tuple[FileResult, ...]
    notes: tuple[str, ...] = ()
    judged: bool = False

    @property
    def changed(self) -> list[Changed]:
        return [result for result in self.results if isinstance(result, Changed)]

    @property
    def failed(self) -> list[Failed]:
        return [result for result in self.results if isinstance(result, Failed)]

    @property
    def todos(self) -> list[tuple[str, Todo]]:
        """``(display path, todo)`` for every TODO, changed and unchanged files alike."""
        return [(result.display, todo) for result in self.results
                if isinstance(result, Changed | Unchanged) for todo in result.todos]

    @property
    def verdicts(self) -> list[ScannedSite]:
        """Every judged site, file by file (empty unless ``judged``)."""
        return [site for result in self.results if isinstance(result, Changed | Unchanged)
                for site in result.verdicts]

    def verdict_counts(self) -> Counter[str]:
        """Judged sites per status on the run's provider, and ``reembed``: those whose stored vectors
        must be re-embedded."""
        verdicts = [site.verdicts[self.provider] for site in self.verdicts]
        counts: Counter[str] = Counter(verdict.status for verdict in verdicts)
        counts["reembed"] = sum(verdict.reembed for verdict in verdicts)
        return counts

    def counts(self) -> Counter[str]:
        """How many files ended as each kind (``Changed``, ``Unchanged``, ``Skipped``, ``Failed``)."""
        return Counter(type(result).__name__ for result in self.results)

    @property
    def diff(self) -> str:
        """All the diffs, one file after another."""
        return "".join(result.diff for result in self.changed)
