"""Unified diffs of a file's old and new text, in the form ``git apply`` and ``patch -p1`` take."""

from __future__ import annotations

import difflib
import io
import tokenize

__all__ = ["decode", "unified"]


def decode(data: bytes) -> str:
    """A Python file's text by its coding cookie or BOM (the BOM dropped); undecodable bytes replaced."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    return data.decode(encoding, errors="replace").lstrip("\ufeff")


def _lines(text: str) -> list[str]:
    # Line endings are shown as "\n": a CRLF file keeps its CRLF on disk, the diff stays readable.
    return [line.rstrip("\r\n") + "\n" for line in text.splitlines(keepends=True)]


def unified(old: str, new: str, display: str) -> str:
    """The diff from ``old`` to ``new`` (labelled a/DISPLAY, b/DISPLAY; every line ends in a newline)."""
    old_lines, new_lines = _lines(old), _lines(new)
    out = []
    for line in difflib.unified_diff(old_lines, new_lines, f"a/{display}", f"b/{display}", n=3):
        out.append(line if line.endswith("\n") else line + "\n")
    return "".join(out)
