"""Keep API keys out of every diff and report.

Two layers. ``literal_keys(source, lines)`` finds the string literals the codemods flagged as keys
(``Finding(kind="literal_key")`` gives the statement's line; the literal itself may sit lines
below, so every key-like string of that statement counts), and ``redact(text, secrets)`` blanks them
wherever they appear. Independently, ``redact`` blanks anything shaped like a key: ``sk-...``,
Zhipu's ``<32 hex>.<secret>``, ``Bearer <token>``, ``AKIA...`` access keys.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable

__all__ = ["REDACTED", "literal_keys", "redact"]

REDACTED = "<redacted>"
_SHAPES = re.compile(
    r"\bsk-[A-Za-z0-9_\-]{8,}"                                    # OpenAI-style, DashScope
    r"|\b[0-9a-f]{32}\.[A-Za-z0-9]{8,}"                           # Zhipu id.secret
    r"|(?<=[Bb]earer )[A-Za-z0-9._~+/\-]{8,}=*"                   # bearer tokens
    r"|\bbce-v3/[A-Za-z0-9/_\-]{8,}"                              # Qianfan v2 keys
    r"|\bAKIA[0-9A-Z]{16}\b"
)
_TOKENISH = re.compile(r"[A-Za-z0-9_\-.:/+=]{8,}")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def redact(text: str, secrets: Collection[str] = ()) -> str:
    """``text`` with each of ``secrets`` and anything shaped like a key replaced by ``<redacted>``."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _SHAPES.sub(REDACTED, text)


def literal_keys(source: str, lines: Iterable[int]) -> frozenset[str]:
    """The key-like string literals of the statements starting or running through ``lines``."""
    wanted = set(lines)
    if not wanted:
        return frozenset()
    try:
        tree = ast.parse(source.lstrip("\ufeff"))
    except (SyntaxError, ValueError):
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        # A compound statement counts by its header only (its body holds statements of its own).
        end = body[0].lineno - 1 if isinstance(body, list) and body else (node.end_lineno or node.lineno)
        if not any(node.lineno <= line <= end for line in wanted):
            continue
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Constant) and isinstance(inner.value, str) and inner.lineno <= end
                    and _looks_like_key(inner.value)):
                found.add(inner.value)
    return frozenset(found)


def _looks_like_key(value: str) -> bool:
    return (_TOKENISH.fullmatch(value) is not None and "://" not in value
            and _ENV_NAME.fullmatch(value) is None)
