"""Add ``qianyi`` to a project's dependency list (the migrated code imports ``adapters``).

    requirements.txt                  openai>=1.40          ->  openai>=1.40
                                                                qianyi
    pyproject.toml  dependencies = ["openai>=1.40"]         ->  dependencies = ["openai>=1.40", "qianyi"]

Pure text functions: ``added(name, text)`` returns the new text, or ``None`` when the requirement is
already there. A pyproject.toml it cannot edit safely (no ``[project] dependencies`` array; an
array it cannot read) raises ``CannotEdit``; the report then says what to add. Every pyproject.toml
edit is checked by reading the result back with ``tomllib``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["REQUIREMENT", "CannotEdit", "added", "candidates_in"]

REQUIREMENT = "qianyi"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class CannotEdit(Exception):
    """The file's shape is not one this module edits; the reason says what to do instead."""


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements: list[Any]) -> set[str]:
    names = set()
    for item in requirements:
        match = _NAME.match(str(item))
        if match:
            names.add(_normal(match.group(1)))
    return names


def candidates_in(folder: Path) -> list[Path]:
    """The dependency files of ``folder`` that ``added`` may edit: ``pyproject.toml`` and
    ``requirements.txt`` (or, without one, ``requirements*.txt`` files that list ``openai``)."""
    found = [folder / "pyproject.toml"] if (folder / "pyproject.toml").is_file() else []
    if (folder / "requirements.txt").is_file():
        return [*found, folder / "requirements.txt"]
    for path in sorted(folder.glob("requirements*.txt")):
        try:
            if "openai" in _names(path.read_text(encoding="utf-8", errors="replace").splitlines()):
                found.append(path)
        except OSError:
            continue
    return found


def added(path: Path, text: str) -> str | None:
    """``text`` of the file at ``path`` with ``qianyi`` added; ``None`` if it is already listed."""
    if path.name == "pyproject.toml":
        return _added_to_pyproject(text)
    return _added_to_requirements(text)


def _added_to_requirements(text: str) -> str | None:
    if _normal(REQUIREMENT) in _names(text.splitlines()):
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith(("\n", "\r")):
        text += newline
    return f"{text}{REQUIREMENT}{newline}"


def _dependencies(text: str) -> list[Any] | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CannotEdit(f"pyproject.toml does not parse ({exc}); add {REQUIREMENT!r} by hand") from None
    project = data.get("project")
    deps = project.get("dependencies") if isinstance(project, dict) else None
    return deps if isinstance(deps, list) else None


def _closing_bracket(text: str, start: int) -> int:
    """Index of the ``]`` closing the array opened at ``start``, skipping strings and comments."""
    i, depth = start, 0
    while i < len(text):
        char = text[i]
        if char == "#":
            i = text.find("\n", i)
            if i == -1:
                break
        elif char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            i = text.find(quote, i + len(quote)) if char == "'" else _string_end(text, i + len(quote), quote)
            if i == -1:
                break
            i += len(quote) - 1
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise CannotEdit(f"cannot find the end of [project] dependencies; add {REQUIREMENT!r} by hand")


def _string_end(text: str, i: int, quote: str) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            return i
        i += 1
    return -1


def _added_on_own_line(text: str, opening: int, line_start: int) -> str:
    """Insert ``"qianyi",`` on a line of its own before the line holding the closing bracket."""
    newline = "\r\n" if "\r\n" in text else "\n"
    head = text[:line_start].rstrip()
    last_line = text[text.rfind("\n", 0, len(head)) + 1 : len(head)]
    code, _, comment = last_line.partition("#")
    if len(head) <= opening + 1:
        indent, comma = "    ", ""
    else:
        indent = re.match(r"[ \t]*", last_line).group(0)  # type: ignore[union-attr]
        if comment and not code.rstrip().endswith(","):
            raise CannotEdit(f"the last dependency carries a comment; add {REQUIREMENT!r} by hand")
        comma = "" if comment or head.endswith(",") else ","
    return f'{head}{comma}{newline}{indent}"{REQUIREMENT}",{newline}{text[line_start:]}'


def _added_to_pyproject(text: str) -> str | None:
    before = _dependencies(text)
    if before is None:
        raise CannotEdit(f"pyproject.toml has no [project] dependencies array; add {REQUIREMENT!r} "
                         f"to your dependencies by hand")
    if _normal(REQUIREMENT) in _names(before):
        return None
    table = re.search(r"^\[project\][ \t]*(#.*)?$", text, re.MULTILINE)
    key = re.compile(r"^dependencies[ \t]*=[ \t]*\[", re.MULTILINE)
    found = key.search(text, table.end()) if table else None
    next_table = re.compile(r"^\[", re.MULTILINE).search(text, table.end()) if table else None
    if table is None or found is None or (next_table is not None and next_table.start() < found.start()):
        raise CannotEdit(f"cannot find [project] dependencies in pyproject.toml; add {REQUIREMENT!r} by hand")
    opening = found.end() - 1
    closing = _closing_bracket(text, opening)
    line_start = text.rfind("\n", opening, closing) + 1
    if line_start == 0 or text[line_start:closing].strip():
        # "]" shares a line with the last item (or the whole array is one line): append inline.
        items = text[opening + 1 : closing].rstrip()
        separator = "" if items.endswith(("[", ",")) or not items.strip() else ","
        space = " " if items.strip() else ""
        result = f'{text[:opening + 1]}{items}{separator}{space}"{REQUIREMENT}"{text[closing:]}'
    else:
        result = _added_on_own_line(text, opening, line_start)
    after = _dependencies(result)
    if after != [*before, REQUIREMENT]:
        raise CannotEdit(f"could not add {REQUIREMENT!r} to pyproject.toml safely; add it by hand")
    return result
