"""Source text in and out: PEP 263 coding cookies, BOMs, and parse errors that say where.

Decoding uses ``tokenize.detect_encoding`` (the interpreter's own rules); the output is encoded
the same way, so a latin-1 file stays latin-1 and a BOM stays. Error reasons give line and column,
never the offending source text (it may hold a key).
"""

from __future__ import annotations

import io
import tokenize

import libcst as cst

from ._results import SourceError

__all__ = ["decode", "encode", "parse"]


def decode(data: bytes) -> tuple[str, str]:
    """``(text, encoding)``; ``utf-8-sig`` means the file starts with a BOM."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except SyntaxError as exc:  # a bad or unknown coding cookie
        raise SourceError(f"cannot decode: {exc.msg}") from None
    except (UnicodeDecodeError, LookupError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        raise SourceError(f"cannot decode as its declared encoding: {reason}") from None


def encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise SourceError(f"the rewrite cannot be written in the file's encoding {encoding}: "
                          f"{exc.reason}; file left unchanged") from None


def parse(text: str, path: str | None = None) -> cst.Module:
    """``text`` parsed by LibCST; a ``SourceError`` saying where when it cannot be."""
    where = f"{path}: " if path else ""
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SourceError(f"{where}syntax error at line {exc.raw_line}, column {exc.raw_column + 1}") from None
    except RecursionError:
        raise SourceError(f"{where}too deeply nested for the parser") from None
    except Exception as exc:  # LibCST rejects a few valid files; report, never crash the run
        raise SourceError(f"{where}cannot parse ({type(exc).__name__})") from None
