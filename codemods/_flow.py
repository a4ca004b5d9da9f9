"""Where values that came from an openai 0.x call go, by name, one function at a time.

    resp = openai.ChatCompletion.create(...)        resp: a response
    for chunk in openai.ChatCompletion.create(...): chunk: a response
    delta = chunk["choices"][0]["delta"]            delta: a part of one (an object in openai>=1)
    text = delta.get("content")                     text: a leaf (a str, the same in both)
    parts = []; parts.append(delta)                 parts: a list of parts
    [d for d in parts], for d in list(parts):       d: a part
    everything appended to ``history``, which held dicts before:  "mixed" (objects and dicts)

``Tracking`` is a mixin of ``visit_*`` hooks shared by the rewrite (``legacy_responses``) and by
``survey``, a read-only walk run first that learns which module-level functions return or yield
response objects and which of their parameters receive them at every call in the module, so a
value handed to a helper defined in the same module is followed into it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from ._facts import Facts
from ._literals import string_value
from ._walk import Visitor
from .legacy_calls import legacy_call

__all__ = ["LEAF_KEYS", "Kind", "Survey", "Tracking", "survey"]

#: ``"obj"``: a response or a part of one; ``"mixed"``: a container holding such parts and other
#: values (dicts the code built); ``"leaf"``: a str, number or list of numbers, the same in 0.x and 1.x.
Kind = Literal["obj", "mixed", "leaf"]
#: Fields whose values are plain data in both versions.
LEAF_KEYS = frozenset({"content", "role", "text", "embedding", "index", "finish_reason", "total_tokens",
                       "prompt_tokens", "completion_tokens", "name", "arguments", "id", "model", "created",
                       "object", "refusal", "type", "token", "logprob", "system_fingerprint"})
#: Builtins that read a response without caring whether it is a dict.
SAFE_CALLS = frozenset({"print", "len", "list", "tuple", "reversed", "sorted", "enumerate", "iter", "next",
                        "isinstance", "type", "id", "repr", "str", "bool", "any", "all", "zip", "hasattr",
                        "getattr", "max", "min", "filter", "map"})
#: Methods that keep what they are given, for the rewrite to follow, or only log it.
CONTAINER_METHODS = frozenset({"append", "extend", "insert"})
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
_ITERATE = frozenset({"list", "tuple", "reversed", "sorted", "iter"})


@dataclass
class Survey:
    """What the module's own functions do with responses (module-level ``def``s, by name)."""

    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    #: Functions that return or yield a response object.
    producers: set[str] = field(default_factory=set)
    #: Function -> parameter -> what every call in the module passes it.
    params: dict[str, dict[str, Kind]] = field(default_factory=dict)
    called: set[str] = field(default_factory=set)


def _join(kinds: list[Kind | None]) -> Kind | None:
    if all(k == "obj" for k in kinds):
        return "obj"
    return "mixed" if any(k in ("obj", "mixed") for k in kinds) else None


class Tracking:
    """Hooks that keep ``scopes`` (name -> ``Kind``, one dict per function) up to date."""

    facts: Facts
    survey: Survey
    scopes: list[dict[str, Kind]]
    empty: list[set[str]]  # names bound to ``[]`` in each scope (containers still to be filled)
    functions: list[str | None]

    def start_tracking(self, facts: Facts, found: Survey) -> None:
        self.facts, self.survey = facts, found
        self.scopes, self.empty, self.functions = [{}], [set()], [None]

    # -- what an expression holds -------------------------------------------------------------------

    def kind(self, expr: cst.BaseExpression) -> Kind | None:
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Name):
            return self.scopes[-1].get(expr.value)
        if isinstance(expr, cst.Subscript):
            key = subscript_key(expr)
            base = self.kind(expr.value)
            return _step(base, key) if key is not None else (base if base != "leaf" else None)
        if isinstance(expr, cst.Attribute):
            return _step(self.kind(expr.value), expr.attr.value)
        if isinstance(expr, cst.Call):
            return self._call_kind(expr)
        return None

    def _call_kind(self, call: cst.Call) -> Kind | None:
        func = call.func
        if legacy_call(call, self.facts) is not None:
            # instructor's patched create answers the response_model's own object, not a response
            return None if any(a.keyword is not None and a.keyword.value == "response_model" for a in call.args) \
                else "obj"
        if isinstance(func, cst.Name):
            if func.value in self.survey.producers and func.value not in self.scopes[-1]:
                return "obj"
            if func.value in _ITERATE and call.args and not call.args[0].star:
                found = self.kind(call.args[0].value)
                return found if found != "leaf" else None
            return None
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and call.args:
            key = string_value(call.args[0].value)
            return _step(self.kind(func.value), key) if key is not None else None
        return None

    def is_response(self, expr: cst.BaseExpression) -> bool:
        return self.kind(expr) in ("obj", "mixed")

    # -- bindings -----------------------------------------------------------------------------------

    def bind(self, target: cst.BaseExpression, kind: Kind | None) -> None:
        if not isinstance(target, cst.Name):
            return
        name = target.value
        self.empty[-1].discard(name)
        if kind in ("obj", "mixed"):
            self.scopes[-1][name] = kind
        else:
            self.scopes[-1].pop(name, None)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        top = len(self.functions) == 1
        name = node.name.value if top else None
        seeds = dict(self.survey.params.get(name, {})) if name is not None else {}
        self.scopes.append(seeds)
        self.empty.append(set())
        self.functions.append(name)

    def leave_FunctionDef(self, _original: cst.FunctionDef,
                          updated: cst.FunctionDef | None = None) -> cst.FunctionDef | None:
        self.scopes.pop()
        self.empty.pop()
        self.functions.pop()
        return updated

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign | None = None) -> cst.Assign | None:
        # Bound on the way out, so the value's own reads still see the name's previous binding.
        value = original.value
        kind = self.kind(value)
        for target in original.targets:
            self.bind(target.target, kind)
            if isinstance(target.target, cst.Name) and _is_empty_list(value):
                self.empty[-1].add(target.target.value)
        return updated

    def leave_AnnAssign(self, original: cst.AnnAssign,
                        updated: cst.AnnAssign | None = None) -> cst.AnnAssign | None:
        if original.value is not None:
            self.bind(original.target, self.kind(original.value))
            if isinstance(original.target, cst.Name) and _is_empty_list(original.value):
                self.empty[-1].add(original.target.value)
        return updated

    def loop(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and \
                iterable.func.value == "enumerate" and iterable.args and isinstance(target, cst.Tuple) and \
                len(target.elements) == 2:
            self.bind(target.elements[1].value, self.kind(iterable.args[0].value))
            return
        self.bind(target, self.kind(iterable))

    def visit_For(self, node: cst.For) -> None:
        self.loop(node.target, node.iter)

    def _comprehension(self, node: cst.BaseComp) -> None:
        # The element is visited before the `for` clause: bind its loop variables first.
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            self.loop(clause.target, clause.iter)
            clause = clause.inner_for_in

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    def fill(self, container: cst.Name, kind: Kind | None) -> None:
        """``container.append(<kind>)``: a list that held nothing else holds responses now."""
        name = container.value
        known = self.scopes[-1].get(name)
        if kind in ("obj", "mixed"):
            pure = name in self.empty[-1] or known == "obj"
            self.scopes[-1][name] = "obj" if pure and kind == "obj" else "mixed"
        elif known == "obj":
            self.scopes[-1][name] = "mixed"
        self.empty[-1].discard(name)

    def container_call(self, call: cst.Call) -> bool:
        """Follow ``name.append(x)`` / ``extend`` / ``insert``; True when ``call`` is one of them."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in CONTAINER_METHODS and
                isinstance(func.value, cst.Name) and call.args):
            return False
        value = call.args[-1].value
        kind = self.kind(value)
        if func.attr.value == "extend" and kind is None and isinstance(value, cst.List | cst.Tuple):
            kind = _join([self.kind(e.value) for e in value.elements]) if value.elements else None
        self.fill(func.value, kind)
        return True

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and isinstance(node.operator, cst.AddAssign) and \
                isinstance(node.value, cst.List) and node.value.elements:
            self.fill(node.target, _join([self.kind(e.value) for e in node.value.elements]))


def subscript_key(node: cst.Subscript) -> str | None:
    """The string key of ``x["key"]``; ``None`` for an index, a slice or a computed key."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return string_value(node.slice[0].slice.value)


def _step(base: Kind | None, key: str | None) -> Kind | None:
    if base is None or base == "leaf" or key is None:
        return None
    return "leaf" if key in LEAF_KEYS else base


def _is_empty_list(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.List):
        return not expr.elements
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "list" \
        and not expr.args


class _Surveyor(Tracking, Visitor):
    def __init__(self, facts: Facts, found: Survey) -> None:
        self.start_tracking(facts, found)
        self.producers: set[str] = set()
        self.passed: dict[str, dict[str, list[Kind | None]]] = defaultdict(lambda: defaultdict(list))
        self.blocked: set[str] = set()  # called with *args or **kwargs: parameters not followed

    def visit_Call(self, node: cst.Call) -> None:
        if self.container_call(node):
            return
        func = node.func
        if not isinstance(func, cst.Name) or func.value not in self.survey.functions:
            return
        name = func.value
        self.survey.called.add(name)
        params = self.survey.functions[name].params
        positional = [p.name.value for p in (*params.posonly_params, *params.params)]
        for index, arg in enumerate(node.args):
            if arg.star:
                self.blocked.add(name)
            elif arg.keyword is not None:
                self.passed[name][arg.keyword.value].append(self.kind(arg.value))
            elif index < len(positional):
                self.passed[name][positional[index]].append(self.kind(arg.value))

    def _returned(self, value: cst.BaseExpression | None) -> None:
        name = self.functions[-1]
        if name is not None and value is not None and self.kind(value) == "obj":
            self.producers.add(name)

    def visit_Return(self, node: cst.Return) -> None:
        self._returned(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self._returned(node.value)

    def result(self) -> tuple[set[str], dict[str, dict[str, Kind]]]:
        params: dict[str, dict[str, Kind]] = {}
        for name, passed in self.passed.items():
            if name in self.blocked:
                continue
            calls = self.facts.call_funcs[name]
            for param, kinds in passed.items():
                # A call that does not pass the parameter by name or position gives it its default.
                joined = _join([*kinds, *([None] * (calls - len(kinds)))])
                if joined is not None:
                    params.setdefault(name, {})[param] = joined
        return self.producers, params


def survey(module: cst.Module, facts: Facts) -> Survey:
    """Follow responses through the module's own functions (a few walks, until nothing new is learnt)."""
    # Functions only called by name (not rebound, not handed around as callbacks).
    found = Survey(functions={s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)
                              and not facts.stores[s.name.value]
                              and facts.loads[s.name.value] == facts.call_funcs[s.name.value] + 1})
    for _ in range(4):
        walker = _Surveyor(facts, found)
        walker.visit(module)
        producers, params = walker.result()
        if producers == found.producers and params == found.params:
            break
        found.producers, found.params = producers, params
    return found
