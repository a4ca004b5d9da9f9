"""Read openai>=1 response objects by attribute where 0.x code read dicts.

    resp = openai.ChatCompletion.create(...)
    resp["choices"][0]["message"]["content"]     ->  resp.choices[0].message.content
    resp.choices[0]["text"]                      ->  resp.choices[0].text
    for chunk in openai.ChatCompletion.create(..., stream=True):
        chunk["choices"][0]["delta"].get("content")  ->  chunk.choices[0].delta.content

Followed only where the value comes from a 0.x create call in the same function (or module):
a name assigned from it (``await`` included), or the loop variable of a ``for`` over it.

Leaves alone: everything else. Marks with TODO(migrate:LEGACY_RESPONSE): ``["choices"]`` read from
a value it cannot follow (a parameter, a returned value), and ``.get(key, default)`` on a response
(``x.key`` is ``None`` when absent: write ``x.key or default``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ._facts import Facts
from ._literals import string_value
from ._pass import FileState, Rule, Transform
from .legacy_calls import is_legacy, legacy_call

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteLegacyResponses: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteLegacyResponses"]

_SCOPES = (cst.FunctionDef, cst.Lambda)


class LegacyResponsesRule(Rule):
    @classmethod
    def applies(cls, facts: Facts) -> bool:
        return is_legacy(facts)

    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        self.scopes: list[set[str]] = [set()]

    def visit_FunctionDef(self, _node: cst.FunctionDef) -> None:
        self.scopes.append(set())

    def leave_FunctionDef(self, _original: cst.FunctionDef,
                          updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.scopes.pop()
        return updated_node

    def _from_create(self, expr: cst.BaseExpression | None) -> bool:
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Name):
            return expr.value in self.scopes[-1]
        return isinstance(expr, cst.Call) and legacy_call(expr, self.facts) is not None

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._from_create(node.value) or self._rooted(node.value):
            self.scopes[-1].update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

    def _loop(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and (self._from_create(iterable) or self._rooted(iterable)):
            self.scopes[-1].add(target.value)

    def visit_For(self, node: cst.For) -> None:
        self._loop(node.target, node.iter)

    def _comprehension(self, node: cst.BaseComp) -> None:
        # The element is visited before the `for` clause: register its loop variables first.
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            self._loop(clause.target, clause.iter)
            clause = clause.inner_for_in

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    def _rooted(self, expr: cst.BaseExpression) -> bool:
        """Whether ``expr`` reads into a response: ``resp``, ``resp["a"][0]``, ``resp.a.get("b")``."""
        while True:
            if isinstance(expr, cst.Subscript | cst.Attribute):
                expr = expr.value
            elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
                    expr.func.attr.value == "get":
                expr = expr.func.value
            else:
                return isinstance(expr, cst.Name) and expr.value in self.scopes[-1]

    def leave_Subscript(self, original_node: cst.Subscript,
                        updated_node: cst.BaseExpression) -> cst.BaseExpression:
        key = _string_key(original_node)
        if key is None:
            return updated_node
        if not self._rooted(original_node.value):
            if key == "choices":
                self.state.todo(original_node, "LEGACY_RESPONSE",
                                "responses are objects in openai>=1: read them by attribute "
                                "(resp.choices[0].message.content) where this value comes from")
            return updated_node
        assert isinstance(updated_node, cst.Subscript)
        self.state.edited()
        return cst.Attribute(updated_node.value, cst.Name(key), lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.BaseExpression) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "get" or not self._rooted(func.value) \
                or not original_node.args or string_value(original_node.args[0].value) is None:
            return updated_node
        key = string_value(original_node.args[0].value) or ""
        if len(original_node.args) > 1 or not key.isidentifier():
            self.state.todo(original_node, "LEGACY_RESPONSE", f".get({key!r}, ...) on a response: write "
                                                              f"`.{key} or <default>` (absent fields are None)")
            return updated_node
        assert isinstance(updated_node, cst.Call) and isinstance(updated_node.func, cst.Attribute)
        self.state.edited()
        return cst.Attribute(updated_node.func.value, cst.Name(key), lpar=updated_node.lpar,
                             rpar=updated_node.rpar)


def _string_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    key = string_value(node.slice[0].slice.value)
    return key if key is not None and key.isidentifier() else None


TRANSFORM = Transform(
    "RewriteLegacyResponses", (LegacyResponsesRule,),
    "Read openai>=1 responses by attribute where 0.x code read them as dicts.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
