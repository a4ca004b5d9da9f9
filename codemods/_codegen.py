"""A rewritten module's code, generated only as far as it differs from the input.

    code, new_part = code_of(rewritten, original, text)   # text: original's code (what it was parsed from)

The composed pass shares every subtree it did not change with the input tree, so the top-level
statements after the last changed one (and the footer) are the input's own objects. Their code is
the end of ``text``: ``code_of`` generates the changed beginning and appends that tail, instead
of generating the whole module again. ``new_part`` is the generated beginning (complete top-level
statements): all that needs checking for syntax. Byte-identical to ``rewritten.code``.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState

__all__ = ["code_of"]


def _code_before_footer(module: cst.Module, body: Sequence[cst.BaseStatement]) -> str:
    """The code of ``module``'s header and of ``body`` (statements of ``module``), without the footer."""
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    for line in module.header:
        line._codegen(state)
    for statement in body:
        statement._codegen(state)
    return "".join(state.tokens)


def code_of(rewritten: cst.Module, original: cst.Module, text: str) -> tuple[str, str]:
    """``(rewritten.code, the part of it that was generated)``; ``original`` was parsed from ``text``."""
    same_frame = (rewritten.footer is original.footer and rewritten.default_indent == original.default_indent
                  and rewritten.default_newline == original.default_newline
                  and rewritten.has_trailing_newline == original.has_trailing_newline
                  and rewritten.encoding == original.encoding)
    kept = 0  # top-level statements at the end that are the input's own
    if same_frame:
        new, old = rewritten.body, original.body
        while kept < min(len(new), len(old)) and new[-1 - kept] is old[-1 - kept]:
            kept += 1
    if not kept:
        code = rewritten.code
        return code, code
    head = _code_before_footer(rewritten, rewritten.body[:-kept])
    tail = text[len(_code_before_footer(original, original.body[:-kept])):]
    return head + tail, head
