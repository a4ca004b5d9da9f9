"""Module clients of the compat style, built at their first use without a runtime of ours.

    @functools.cache
    def client() -> openai.OpenAI:
        '''Built at its first use, as openai's module-level client was: importing needs no key.'''
        return openai.OpenAI(api_key=os.environ["DASHSCOPE_API_KEY"], base_url=...)

    client().chat.completions.create(...)

openai's module-level client (and 0.x's module settings) needed no key until the first request; the
adapter style keeps that with ``adapters.LazyOpenAI``. The compat style adds no dependency, so its
clients are plain cached functions: a missing variable is a ``KeyError`` naming it at the first
request, never at import. (``os.environ.get`` would not do: a plain openai client given
``api_key=None`` reads ``OPENAI_API_KEY``, and would send OpenAI's key to the provider.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar, cast

import libcst as cst

if TYPE_CHECKING:
    from ._pass import FileState

__all__ = ["built_on_first_use", "reference", "set_apart"]

Statement = TypeVar("Statement", bound=cst.BaseStatement)


def reference(name: str, compat: bool) -> cst.BaseExpression:
    """Where such a client is used: ``client()`` (compat), ``client`` (adapter style)."""
    return cst.Call(cst.Name(name)) if compat else cst.Name(name)


def built_on_first_use(state: FileState, name: str, value: cst.BaseExpression, returns: str | None) -> cst.FunctionDef:
    """``@functools.cache def name() -> returns: return value`` (``import functools`` made sure of)."""
    state.need_modules.add("functools")
    annotation = f" -> {returns}" if returns else ""
    template = cst.parse_statement(
        f"@functools.cache\ndef {name}(){annotation}:\n"
        f'    """Built at its first use, as openai\'s module-level client was: importing needs no key."""\n'
        f"    return None\n", config=state.module.config_for_parsing)
    assert isinstance(template, cst.FunctionDef) and isinstance(template.body, cst.IndentedBlock)
    docstring, ret = template.body.body
    assert isinstance(ret, cst.SimpleStatementLine)
    body = template.body.with_changes(body=[docstring, ret.with_changes(body=[cst.Return(value)])])
    return template.with_changes(body=body)


def set_apart(function: cst.FunctionDef, body: list[Statement],
              position: int) -> tuple[cst.FunctionDef, list[Statement]]:
    """Two blank lines above and below a function put at ``position`` among module statements (PEP 8)."""
    def spaced(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
        blank = 0
        for line in lines:  # blank lines above the statement's first comment, or the statement
            if line.comment is not None:
                break
            blank += 1
        return [*([cst.EmptyLine()] * max(0, 2 - blank)), *lines] if position else list(lines)

    function = function.with_changes(leading_lines=spaced(function.leading_lines))
    if position < len(body):
        following = body[position]
        if isinstance(following, cst.SimpleStatementLine | cst.BaseCompoundStatement):
            spaced_out = cast(Statement, following.with_changes(leading_lines=spaced(following.leading_lines)))
            body = [*body[:position], spaced_out, *body[position + 1:]]
    return function, body
