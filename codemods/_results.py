"""What a rewrite hands back: the new source, the TODOs it marked and the sites it found."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding", "Rewrite", "SourceError", "Todo"]


class SourceError(Exception):
    """A file that cannot be decoded or parsed; ``reason`` says why (it never quotes the source)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Todo:
    """A place a person must look at: ``code`` is stable (see ``TODO_CODES``), ``line`` is 1-based
    in the input (in a 0.x file too: code a transform added counts at the input line it follows;
    0 when a site has no place), ``message`` is the comment's text after the code. In a notebook,
    ``cell`` is the 1-based cell and ``line`` the line in that cell."""

    code: str
    line: int
    message: str
    cell: int | None = None

    @property
    def where(self) -> str:
        """``12``, or ``cell 4:2`` in a notebook."""
        return f"cell {self.cell}:{self.line}" if self.cell is not None else str(self.line)


@dataclass(frozen=True)
class Finding:
    """A site the transforms recognised (``kind``: client, chat, embeddings, model, env_var,
    unsupported, literal_key, ...) at ``line`` (counted as ``Todo.line`` is). ``detail`` never holds
    a key written in the source."""

    kind: str
    line: int
    detail: str


@dataclass(frozen=True)
class Rewrite:
    """The result of one file: ``code`` (text) and, from ``rewrite_bytes``, ``data`` (bytes in the
    file's own encoding). ``changed`` is False exactly when the output equals the input."""

    code: str
    changed: bool
    todos: tuple[Todo, ...]
    findings: tuple[Finding, ...]
    data: bytes | None = None
