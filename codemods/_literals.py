"""String literals: read them, rewrite them in the same quote style, and redact secrets."""

from __future__ import annotations

import re

import libcst as cst

__all__ = ["REDACTED", "describe", "looks_secret", "make_string", "redact_url", "string_value",
           "with_value"]

REDACTED = "<redacted>"
_PREFIX = re.compile(r"^[rRuU]*")
_SECRETISH = re.compile(r"^(sk-|sess-|Bearer\s)|^[A-Za-z0-9_\-.:]{16,}$")


def string_value(expr: cst.BaseExpression | None) -> str | None:
    """The text of a plain (not f-, not bytes) string literal, implicit concatenations included."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left, right = string_value(expr.left), string_value(expr.right)
        return None if left is None or right is None else left + right
    return None


def with_value(node: cst.SimpleString, value: str) -> cst.SimpleString:
    """``node`` holding ``value`` instead, with the same prefix and quotes (``'x'`` stays single)."""
    prefix = _PREFIX.match(node.value)
    head = prefix.group(0) if prefix else ""
    quote = node.quote
    escaped = value.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0]) if "r" not in head.lower() \
        else value
    return node.with_changes(value=f"{head}{quote}{escaped}{quote}")


def make_string(value: str) -> cst.SimpleString:
    """A double-quoted literal (values we write are plain ASCII names and URLs)."""
    return cst.SimpleString('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')


def looks_secret(value: str) -> bool:
    """A string that may be a credential (a key, a token): never quote it in a TODO or report."""
    return bool(_SECRETISH.search(value.strip()))


def redact_url(url: str) -> str:
    """A URL safe to show: user info and query string (tokens live there) replaced."""
    url = re.sub(r"(?<=://)[^/@\s]+@", REDACTED + "@", url)
    return re.sub(r"\?.*$", "?" + REDACTED, url)


def describe(expr: cst.BaseExpression, module: cst.Module) -> str:
    """Source text of ``expr`` for a TODO, with every string literal that may be a secret redacted."""

    class _Redact(cst.CSTTransformer):
        def leave_SimpleString(self, original_node: cst.SimpleString,
                               updated_node: cst.SimpleString) -> cst.SimpleString:
            value = string_value(original_node)
            if value is not None and looks_secret(value) and "://" not in value:
                return make_string(REDACTED)
            if value is not None and "://" in value:
                return with_value(original_node, redact_url(value))
            return updated_node

    redacted = expr.visit(_Redact())
    assert isinstance(redacted, cst.CSTNode)
    text = module.code_for_node(redacted)
    text = " ".join(text.split())  # one line: it goes into a comment
    return text if len(text) <= 80 else text[:77] + "..."
