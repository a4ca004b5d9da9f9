"""Unified diffs of a file's old and new bytes, in the form ``git apply`` and ``patch -p1`` take.

The diff is made of the files' bytes, split at ``\\n`` only (as git splits them): a CRLF file keeps
its ``\\r`` in the patch, a CR-only file is one line, a form feed or U+2028 inside a line stays
inside it, a BOM stays on the first line, a last line without a newline gets git's
``\\ No newline at end of file``. The text returned holds the bytes decoded as UTF-8 with
``surrogateescape``: ``encode("utf-8", "surrogateescape")`` gives the exact patch back, so a latin-1
file's patch applies too (``render.diff`` writes it so when piped; reports show U+FFFD for such
bytes). Paths are quoted as git quotes them (``"a/new\\nline.py"``) when they hold a control
character, a quote or a backslash.
"""

from __future__ import annotations

import difflib
import io
import tokenize

__all__ = ["decode", "quote_path", "unified"]

NO_NEWLINE = "\\ No newline at end of file\n"
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
            '"': '\\"', "\\": "\\\\"}


def decode(data: bytes) -> str:
    """A Python file's text by its coding cookie or BOM (the BOM dropped); undecodable bytes replaced."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    return data.decode(encoding, errors="replace").lstrip("\ufeff")


def quote_path(path: str) -> str:
    """``path`` as git writes it in a diff header: C-quoted when it holds a control character
    (newline, ESC...), ``"`` or ``\\``; as it is otherwise."""
    if not any(ord(c) < 0x20 or c in '"\\\x7f' or 0xDC80 <= ord(c) <= 0xDCFF for c in path):
        return path
    out = []
    for char in path:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or char == "\x7f" or 0xDC80 <= ord(char) <= 0xDCFF:
            out.append("".join(f"\\{b:03o}" for b in char.encode("utf-8", "surrogateescape")))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _lines(data: bytes) -> list[str]:
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return [line.decode("utf-8", "surrogateescape") for line in lines]


def unified(old: bytes, new: bytes, display: str) -> str:
    """The diff from ``old`` to ``new`` (labelled a/DISPLAY, b/DISPLAY, quoted as git quotes)."""
    label = quote_path(display)
    if label.startswith('"'):
        before, after = f'"a/{label[1:]}', f'"b/{label[1:]}'
    else:
        before, after = f"a/{label}", f"b/{label}"
    out = []
    for line in difflib.unified_diff(_lines(old), _lines(new), before, after, n=3, lineterm="\n"):
        out.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    return "".join(out)
