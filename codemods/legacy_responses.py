"""Read openai>=1 response objects by attribute where 0.x code read dicts.

    resp = openai.ChatCompletion.create(...)
    resp["choices"][0]["message"]["content"]     ->  resp.choices[0].message.content
    for chunk in openai.ChatCompletion.create(..., stream=True):
        parts.append(chunk["choices"][0]["delta"])   ->  parts.append(chunk.choices[0].delta)
    "".join(d.get("content", "") for d in parts)     ->  "".join(d.content or "" for d in parts)
    if "content" in delta:                           ->  if delta.content is not None:
    resp.to_dict_recursive()                         ->  resp.model_dump()

Values are followed (``_flow``) from a 0.x call through names, ``await``, loops, comprehensions,
lists filled with ``append``/``extend`` and the module's own functions (their parameters and what
they return or yield). ``.get(key)`` becomes ``.key``; ``.get(key, default)`` ``(x.key or default)``.

Leaves alone: everything else. Marks with TODO(migrate:LEGACY_RESPONSE) where the flow is lost
or unsure: ``["choices"]`` read from a value it cannot follow (a parameter, a returned value); a
list holding responses beside the code's own dicts; a response handed to another library's
function, stored in an attribute or a dict, or returned where no caller in the module reads it;
``.keys()``/``.items()``/``.values()`` and keys that are not names on a response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ._facts import Facts
from ._flow import LOG_METHODS, SAFE_CALLS, Tracking, subscript_key, survey
from ._literals import string_value
from ._pass import FileState, Rule, Transform
from ._qualnames import dotted
from .legacy_calls import is_legacy, legacy_call

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteLegacyResponses: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteLegacyResponses"]

_CODE = "LEGACY_RESPONSE"
_DICT_VIEWS = frozenset({"keys", "items", "values"})
_TO_DICT = frozenset({"to_dict", "to_dict_recursive"})
_MIXED = "may hold openai>=1 objects (from a create call) beside dicts: read those by attribute"


class LegacyResponsesRule(Tracking, Rule):
    @classmethod
    def applies(cls, facts: Facts) -> bool:
        return is_legacy(facts)

    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        self.start_tracking(state.facts, survey(state.module, state.facts))
        self.bare: set[int] = set()  # expressions where `a or b` needs no parentheses

    # -- positions where `x.key or default` needs no parentheses --------------------------------------

    def visit_Arg(self, node: cst.Arg) -> None:
        if not node.star:
            self.bare.add(id(node.value))

    def visit_Assign(self, node: cst.Assign) -> None:
        self.bare.add(id(node.value))
        for target in node.targets:
            self._stored(node.value, target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.bare.add(id(node.value))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        super().visit_AugAssign(node)
        self.bare.add(id(node.value))

    def visit_Element(self, node: cst.Element) -> None:
        self.bare.add(id(node.value))

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self.bare.add(id(node.value))
        if self.kind(node.value) == "obj":
            self.state.todo(node, _CODE, "an openai>=1 object is stored in this dict (it was a dict in 0.x): "
                                         "code reading it as a dict must read attributes")

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self.bare.add(id(node.expression))

    def visit_ListComp(self, node: cst.ListComp) -> None:
        super().visit_ListComp(node)
        self.bare.add(id(node.elt))

    def visit_SetComp(self, node: cst.SetComp) -> None:
        super().visit_SetComp(node)
        self.bare.add(id(node.elt))

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        super().visit_GeneratorExp(node)
        self.bare.add(id(node.elt))

    # -- where the flow is lost ------------------------------------------------------------------------

    def _stored(self, value: cst.BaseExpression, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Attribute | cst.Subscript) and self.kind(value) == "obj":
            where = dotted(target) or "this attribute or item"
            self.state.todo(target, _CODE, f"{where} now holds an openai>=1 object (a dict in 0.x): code "
                                           f"reading it as a dict must read attributes")

    def _returned(self, node: cst.CSTNode, value: cst.BaseExpression | None) -> None:
        if value is None or self.kind(value) != "obj":
            return
        name = self.functions[-1]
        if name is not None and name in self.survey.called:
            return  # its callers here are followed
        self.state.todo(node, _CODE, "this returns an openai>=1 object (a dict in 0.x): callers that read "
                                     "it as a dict must read attributes")

    def visit_Return(self, node: cst.Return) -> None:
        self.bare.add(id(node.value))
        self._returned(node, node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self._returned(node, node.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if self.container_call(node) or legacy_call(node, self.facts) is not None:
            return
        if isinstance(func, cst.Name) and (func.value in SAFE_CALLS or func.value in self.survey.functions):
            return
        if isinstance(func, cst.Attribute) and func.attr.value in LOG_METHODS:
            return
        handed = [arg for arg in node.args if self.is_response(arg.value)]
        if not handed:
            return
        callee = dotted(func) or "this call"
        if isinstance(func, cst.Attribute) and func.attr.value in ("append", "extend", "insert"):
            self.state.todo(node, _CODE, f"{callee} stores an openai>=1 object (a dict in 0.x): code "
                                         f"reading it as a dict must read attributes")
            return
        hint = " (or pass .model_dump())" if self.facts.resolve(func) is not None or "." in callee else ""
        self.state.todo(node, _CODE, f"{callee}() receives an openai>=1 response object where 0.x passed a "
                                     f"dict: check that it reads attributes{hint}")

    # -- the rewrites ----------------------------------------------------------------------------------

    def leave_Subscript(self, original_node: cst.Subscript,
                        updated_node: cst.BaseExpression) -> cst.BaseExpression:
        key = subscript_key(original_node)
        if key is None:
            return updated_node
        kind = self.kind(original_node.value)
        if kind is None or kind == "leaf":
            if key == "choices":
                self.state.todo(original_node, _CODE,
                                "responses are objects in openai>=1: read them by attribute "
                                "(resp.choices[0].message.content) where this value comes from")
            return updated_node
        if kind == "mixed":
            self.state.todo(original_node, _CODE, f"{dotted(original_node.value) or 'this value'} {_MIXED}")
            return updated_node
        if not key.isidentifier():
            self.state.todo(original_node, _CODE, f"[{key!r}] on an openai>=1 object: read the field by "
                                                  f"attribute or through .model_dump()")
            return updated_node
        assert isinstance(updated_node, cst.Subscript)
        self.state.edited()
        return cst.Attribute(updated_node.value, cst.Name(key), lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_Comparison(self, original_node: cst.Comparison,
                         updated_node: cst.BaseExpression) -> cst.BaseExpression:
        """``"key" in part`` -> ``part.key is not None`` (``in`` on a pydantic object is always False)."""
        if len(original_node.comparisons) != 1:
            return updated_node
        target = original_node.comparisons[0]
        key = string_value(original_node.left)
        if key is None or not isinstance(target.operator, cst.In | cst.NotIn):
            return updated_node
        kind = self.kind(target.comparator)
        if kind == "mixed":
            self.state.todo(original_node, _CODE, f"{dotted(target.comparator) or 'this value'} {_MIXED}")
        if kind != "obj" or not key.isidentifier():
            return updated_node
        assert isinstance(updated_node, cst.Comparison)
        operator = cst.IsNot() if isinstance(target.operator, cst.In) else cst.Is()
        self.state.edited()
        field = cst.Attribute(updated_node.comparisons[0].comparator, cst.Name(key))
        return cst.Comparison(field, [cst.ComparisonTarget(operator, cst.Name("None"))],
                              lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.BaseExpression) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Attribute):
            return updated_node
        method = func.attr.value
        kind = self.kind(func.value)
        if kind == "mixed" and method == "get":
            self.state.todo(original_node, _CODE, f"{dotted(func.value) or 'this value'} {_MIXED}")
        if kind != "obj":
            return updated_node
        if method in _DICT_VIEWS and not original_node.args:
            self.state.todo(original_node, _CODE, f".{method}() on an openai>=1 object: use "
                                                  f".model_dump().{method}()")
        elif method in _TO_DICT and not original_node.args:
            assert isinstance(updated_node, cst.Call) and isinstance(updated_node.func, cst.Attribute)
            self.state.edited()
            return updated_node.with_changes(func=updated_node.func.with_changes(attr=cst.Name("model_dump")))
        elif method == "get":
            return self._get(original_node, updated_node)
        return updated_node

    def _get(self, original: cst.Call, updated: cst.BaseExpression) -> cst.BaseExpression:
        key = string_value(original.args[0].value) if original.args else None
        if key is None or len(original.args) > 2 or any(a.keyword or a.star for a in original.args):
            return updated
        if not key.isidentifier():
            self.state.todo(original, _CODE, f".get({key!r}) on an openai>=1 object: read the field by "
                                             f"attribute or through .model_dump()")
            return updated
        assert isinstance(updated, cst.Call) and isinstance(updated.func, cst.Attribute)
        self.state.edited()
        field = cst.Attribute(updated.func.value, cst.Name(key))
        default = updated.args[1].value if len(updated.args) == 2 else None
        if default is None or (isinstance(default, cst.Name) and default.value == "None"):
            return field.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        parens = not updated.lpar and id(original) not in self.bare
        return cst.BooleanOperation(field, cst.Or(), default,
                                    lpar=updated.lpar or ([cst.LeftParen()] if parens else []),
                                    rpar=updated.rpar or ([cst.RightParen()] if parens else []))


TRANSFORM = Transform(
    "RewriteLegacyResponses", (LegacyResponsesRule,),
    "Read openai>=1 responses by attribute where 0.x code read them as dicts.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
