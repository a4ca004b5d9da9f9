"""``migrate status``: the ``# TODO(migrate:CODE)`` markers still in a tree.

A file or folder that cannot be read may hold markers: it is reported as failed (exit code 3, the
count is incomplete); what discovery skips on purpose (a symbolic link out of the tree) is reported
as skipped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import _fs
from ._discover import discover
from ._paths import check_paths, display_path
from ._results import Failed, Skipped

__all__ = ["Marker", "StatusReport", "status"]

_MARKER = re.compile(rb"#\s*TODO\(migrate:([A-Z0-9_]+)\):?[ \t]*([^\r\n]*)")


@dataclass(frozen=True)
class Marker:
    display: str
    line: int
    code: str
    message: str
    cell: int | None = None  # in a notebook: the 1-based cell, and ``line`` the line in it

    @property
    def where(self) -> str:
        return f"cell {self.cell}:{self.line}" if self.cell is not None else str(self.line)


@dataclass(frozen=True)
class StatusReport:
    """Every marker found, in file and line order, the files and folders that could not be read, and
    what was skipped on purpose."""

    markers: tuple[Marker, ...]
    failed: tuple[Failed, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    def by_code(self) -> Counter[str]:
        return Counter(marker.code for marker in self.markers)

    def by_file(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {}
        for marker in self.markers:
            out.setdefault(marker.display, Counter())[marker.code] += 1
        return out


def status(paths: Sequence[Path | str], *, exclude: Sequence[str] = (), gitignore: bool = True) -> StatusReport:
    """The TODO markers in the Python files under ``paths`` (discovered as ``rewrite`` does)."""
    roots = [Path(p) for p in paths]
    check_paths(roots)
    markers: list[Marker] = []
    found = discover(roots, exclude, gitignore=gitignore)
    unreadable = set(found.unreadable)
    failed = [Failed(p, display_path(p), why) for p, why in found.skipped if p in unreadable]
    skipped = [Skipped(p, display_path(p), why) for p, why in found.skipped if p not in unreadable]
    for path, _root in found.files:
        try:
            data, _ = _fs.read(path)
        except _fs.NotRegular:
            continue  # a FIFO or device named *.py: never read, no markers
        except OSError as exc:
            failed.append(Failed(path, display_path(path), f"cannot read: {exc.strerror or exc}"))
            continue
        if b"TODO(migrate:" not in data:
            continue
        if path.suffix == ".ipynb":
            markers += _notebook_markers(data, display_path(path))
            continue
        for match in _MARKER.finditer(data):
            line = data.count(b"\n", 0, match.start()) + 1
            message = match.group(2).decode("utf-8", "replace").strip()
            markers.append(Marker(display_path(path), line, match.group(1).decode(), message))
    return StatusReport(tuple(markers), tuple(failed), tuple(skipped))


def _notebook_markers(data: bytes, display: str) -> list[Marker]:
    """The markers in a notebook's code cells, by cell and line (markdown cells that quote one do not count)."""
    try:
        cells = json.loads(data.decode("utf-8")).get("cells") or []
    except (ValueError, UnicodeDecodeError, AttributeError):
        return []  # `migrate rewrite` and `scan` report an invalid notebook
    markers = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source") or ""
        text = ("".join(source) if isinstance(source, list) else str(source)).encode("utf-8")
        for match in _MARKER.finditer(text):
            line = text.count(b"\n", 0, match.start()) + 1
            message = match.group(2).decode("utf-8", "replace").strip()
            markers.append(Marker(display, line, match.group(1).decode(), message, number))
    return markers

