"""Jupyter notebooks through the same transforms: the code cells are rewritten as one module.

    rewrite_notebook(data, provider="zhipu")   # -> Rewrite: .data is the notebook's new bytes

The code cells are joined in order into one module (so a model constant in cell 2 used in cell 5 is
followed, and an import is added once), each cell behind a boundary comment. IPython syntax that is
not Python (``%pip``, ``!cmd``, ``x = !ls``, ``obj?``, a ``%%bash`` cell) is masked as a ``pass``
statement and restored untouched. After the rewrite the module is cut at the boundaries again and
only the cells whose source changed are replaced: markdown and raw cells, outputs, execution
counts, metadata and cell ids stay as they were. The JSON is written back in the file's own layout
(indent, key order, ASCII escaping, trailing newline), so a notebook with nothing to change is
byte-identical and a changed one differs only in the changed source lines. ``Todo.cell`` names the
cell of each TODO (1-based, counting every cell as Jupyter lists them) and ``Todo.line`` the line
in it. A file that is not nbformat 4 JSON, or whose layout could not be written back as it is,
is a ``SourceError``: reported and left alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from ._results import Rewrite, SourceError, Todo

__all__ = ["NotebookSource", "is_notebook", "name_cells", "read", "rewrite_notebook"]

BOUNDARY = "# qianyi:cell {}"
_BOUNDARY = re.compile(r"^# qianyi:cell (\d+)\n", re.M)
MASK = "pass  # qianyi:ipython {}"
_MASKED = re.compile(r"^([ \t]*)pass  # qianyi:ipython (\d+)$", re.M)
#: Lines that are IPython, not Python: magics, shell escapes, their assignments, help.
_IPYTHON = re.compile(r"^[ \t]*(?:[%!]|[A-Za-z_][\w.]*[ \t]*=[ \t]*[%!]|\?{1,2}[A-Za-z_]|[A-Za-z_][\w.]*\?{1,2}[ \t]*$)")
#: Cell magics whose body is Python (the rest — %%bash, %%writefile, %%html... — is masked whole).
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "pypy"})
LAYOUTS = tuple((indent, ascii_) for indent in (1, 2, 4, None) for ascii_ in (False, True))


def is_notebook(name: str) -> bool:
    return name.endswith(".ipynb")


@dataclass(frozen=True)
class NotebookSource:
    """A notebook's code cells as one maskable module, and how to put it back."""

    notebook: dict[str, Any]
    layout: tuple[int | None, bool, bool]  # indent, ensure_ascii, trailing newline
    module: str
    #: (cell index, first line in ``module``, number of lines) per code cell, in order.
    spans: tuple[tuple[int, int, int], ...]
    masked: tuple[str, ...]

    def locate(self, line: int) -> tuple[int | None, int]:
        """A module line -> (1-based cell number, line in that cell); (None, 0) outside any cell."""
        for index, first, count in self.spans:
            if first <= line < first + count:
                return index + 1, line - first + 1
        return None, 0


def _source_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _mask(text: str, masked: list[str]) -> str:
    lines = text.split("\n")
    first = lines[0].lstrip()
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0] if first[2:].strip() else ""
        whole = magic not in PYTHON_CELL_MAGICS
        span = len(lines) if whole else 1
        for i in range(span):
            masked.append(lines[i])
            lines[i] = MASK.format(len(masked) - 1)
        return "\n".join(lines)
    for i, line in enumerate(lines):
        if _IPYTHON.match(line):
            masked.append(line)
            indent = line[: len(line) - len(line.lstrip())]
            lines[i] = indent + MASK.format(len(masked) - 1)
    return "\n".join(lines)


def _layout(data: bytes, notebook: Any) -> tuple[int | None, bool, bool]:
    text = data.decode("utf-8")
    for indent, ascii_ in LAYOUTS:
        dumped = json.dumps(notebook, indent=indent, ensure_ascii=ascii_)
        if text in (dumped, dumped + "\n"):
            return indent, ascii_, text.endswith("\n")
    raise SourceError("the notebook's JSON is laid out in a way qianyi cannot write back unchanged "
                      "(not as Jupyter writes it); open and save it in Jupyter first")


def read(data: bytes) -> NotebookSource:
    """The notebook in ``data`` as one module; ``SourceError`` if it is not a notebook qianyi can write."""
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"not a valid notebook: not UTF-8 JSON ({type(exc).__name__})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list) or notebook.get("nbformat") != 4:
        raise SourceError("not a valid notebook: expected nbformat 4 JSON with a 'cells' list")
    layout = _layout(data, notebook)
    parts: list[str] = []
    spans: list[tuple[int, int, int]] = []
    masked: list[str] = []
    line = 1
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict):
            raise SourceError(f"not a valid notebook: cell {index + 1} is not an object")
        if cell.get("cell_type") != "code":
            continue
        text = _mask(_source_text(cell), masked)
        parts.append(BOUNDARY.format(index) + "\n")
        line += 1
        body = text + "\n"
        spans.append((index, line, body.count("\n")))
        parts.append(body)
        line += body.count("\n")
    return NotebookSource(notebook, layout, "".join(parts), tuple(spans), tuple(masked))


def _unmask(text: str, masked: tuple[str, ...]) -> str:
    return _MASKED.sub(lambda m: masked[int(m.group(2))], text)


def _cells_of(module: str) -> dict[int, str]:
    """Cell index -> its new source, cut at the boundaries (the text before the first belongs to it)."""
    pieces = _BOUNDARY.split(module)
    head, rest = pieces[0], pieces[1:]
    cells: dict[int, str] = {}
    for i in range(0, len(rest), 2):
        cells[int(rest[i])] = rest[i + 1]
    if cells and head:  # lines a transform put above the first boundary (an import) open the first cell
        first = min(cells)
        cells[first] = head + cells[first]
    return cells


def _as_source(text: str, original: Any) -> Any:
    """``text`` in the cell's own form: nbformat's list of lines, or a string."""
    if isinstance(original, str):
        return text
    return text.splitlines(keepends=True)


def write(source: NotebookSource, module: str) -> bytes | None:
    """The notebook with the code cells of ``module``; ``None`` when no cell changed."""
    cells = _cells_of(module)
    notebook = source.notebook
    changed = False
    new_cells = list(notebook["cells"])
    for index, text in cells.items():
        cell = new_cells[index]
        new = _unmask(text, source.masked)
        new = new[:-1] if new.endswith("\n") else new
        if new != _source_text(cell):
            new_cells[index] = {**cell, "source": _as_source(new, cell.get("source"))}
            changed = True
    if not changed:
        return None
    indent, ascii_, newline = source.layout
    text = json.dumps({**notebook, "cells": new_cells}, indent=indent, ensure_ascii=ascii_)
    return (text + ("\n" if newline else "")).encode("utf-8")


def _placed(source: NotebookSource, todo: Todo) -> Todo:
    cell, line = source.locate(todo.line)
    return replace(todo, cell=cell, line=line)


def rewrite_notebook(data: bytes, **kwargs: Any) -> Rewrite:
    """Every transform over the notebook's code cells (``kwargs`` as for ``rewrite_source``)."""
    from . import rewrite_source

    source = read(data)
    if not source.spans:
        return Rewrite(data.decode("utf-8"), False, (), (), data=data)
    result = rewrite_source(source.module, **kwargs)
    todos = tuple(_placed(source, todo) for todo in result.todos)
    findings = result.findings  # module lines: the caller matches them against ``source.module``
    new = write(source, result.code) if result.changed else None
    if new is None:
        return Rewrite(data.decode("utf-8"), False, todos, findings, data=data)
    return Rewrite(new.decode("utf-8"), True, todos, findings, data=new)


_HUNK = re.compile(r"^(@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@)(.*)$", re.M)


def name_cells(diff: str, new: str) -> str:
    """``diff`` (of a notebook's JSON) with each hunk header naming the cell it falls in:
    ``@@ -28,10 +28,10 @@ cell 3``. Patch tools ignore the text after ``@@``, so it still applies."""
    starts = [number for number, line in enumerate(new.splitlines(), 1) if line.lstrip().startswith('"cell_type"')]

    def named(match: re.Match[str]) -> str:
        line = int(match.group(2)) + 3  # the first changed line, after the hunk's leading context
        cell = sum(1 for start in starts if start <= line)
        return f"{match.group(1)} cell {cell}" if cell else match.group(0)

    return _HUNK.sub(named, diff)
