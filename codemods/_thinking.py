"""Keep a call whose OpenAI model did not reason from thinking once the model is renamed.

    client.chat.completions.create(model="gpt-4o", messages=m, stream=True)        (--provider zhipu)
      -> client.chat.completions.create(model="glm-4.6", messages=m, stream=True,
                                        extra_body={"thinking": {"type": "disabled"}})

GLM-4.5 and later (and open-weight Qwen3) think unless told not to; gpt-4o did not. While the code
names gpt-4o, the runtime keeps thinking off itself (the backends' ``thinking_off``); once the rewrite
has renamed it, only the call can say so: the provider's own switch goes into its ``extra_body``
(merged into a dict written there), which the adapter and the provider's OpenAI-compatible endpoint
both take. A reasoning OpenAI model (o3, gpt-5) keeps thinking: nothing is added for it.

Where the switch cannot be written for every call a literal reaches (the model may be another at run
time: an environment variable, a parameter, a command-line option, a settings field; the call's
``extra_body`` is not a dict written there; ``**kwargs`` may carry one; the literal also reaches a call
of another endpoint or a call that may get a model that thinks), the adapter style leaves the OpenAI
name for the runtime, which maps it and keeps thinking off whatever name arrives at run time. The
compat style has no runtime: it writes the switch where it can (the report says when the model may be
another at run time) and marks the rest ``TODO(migrate:THINKING)``. A call that passes
``reasoning_effort=`` or a thinking field of its own decides for itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from adapters import catalogue

from ._api_calls import keyword, keyword_arg, with_keyword
from ._facts import Facts
from ._literals import string_value
from ._model_flow import Reach, keyed
from ._target import ProviderFacts, Style

__all__ = ["Plan", "plan", "switch", "with_switch"]

#: Fields by which a call already says whether to think (OpenAI's, or a provider's in ``extra_body``).
_DECIDING = frozenset({"thinking", "enable_thinking", "thinking_budget", "reasoning_effort"})
_READS = frozenset({"os.environ.get", "os.getenv"})


def switch(name: str, target: str, thinking_off: Callable[[str], Mapping[str, Any] | None]) -> Mapping[str, Any] | None:
    """The request fields that keep ``target`` from thinking where OpenAI's ``name`` did not reason
    (``thinking_off``: the backend's, ``ProviderFacts.thinking_off``); ``None`` when there is nothing to
    keep (``name`` reasons, or ``target`` does not think by default)."""
    if name == target or catalogue.openai_reasons(name) is not False:
        return None
    return thinking_off(target)


def code_of(value: Any) -> str:
    """``value`` (str/bool/int keys and values, dicts) as Python source, in double quotes."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(k)}: {code_of(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return repr(value)
    return json.dumps(value)


def _extra_body(call: cst.Call) -> cst.BaseExpression | None:
    arg = keyword(call, "extra_body")
    return arg.value if arg is not None else None


def decides(call: cst.Call) -> bool:
    """Whether ``call`` says itself whether to think (``reasoning_effort=``, a thinking field in a dict
    written as its ``extra_body``)."""
    if keyword(call, "reasoning_effort") is not None:
        return True
    body = _extra_body(call)
    return isinstance(body, cst.Dict) and any(
        isinstance(e, cst.DictElement) and string_value(e.key) in _DECIDING for e in body.elements)


def blocked(call: cst.Call) -> str | None:
    """Why the switch cannot be written into ``call`` (``None``: it can)."""
    body = _extra_body(call)
    if body is not None and not isinstance(body, cst.Dict):
        return "its extra_body is not a dict written in the call"
    if body is None and any(arg.star == "**" for arg in call.args):
        return "its **kwargs may carry an extra_body of their own"
    return None


def with_switch(call: cst.Call, fields: Mapping[str, Any]) -> cst.Call:
    """``call`` with ``fields`` in its ``extra_body`` (added, or merged into the dict written there)."""
    body = _extra_body(call)
    if not isinstance(body, cst.Dict):
        return _with_keyword(call, "extra_body", cst.parse_expression(code_of(fields)))
    elements = list(body.elements)
    added = [cst.DictElement(cst.parse_expression(json.dumps(k)), cst.parse_expression(code_of(v)))
             for k, v in fields.items()]
    if elements:  # separated as the dict's elements are (one per line stays one per line)
        trailing = elements[-1].comma
        before = elements[-2].comma if len(elements) > 1 else None
        comma = before if isinstance(before, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        elements[-1] = elements[-1].with_changes(comma=comma)
        added = [element.with_changes(comma=trailing if i == len(added) - 1 else comma)
                 for i, element in enumerate(added)]
    new_body = body.with_changes(elements=[*elements, *added])
    return call.with_changes(args=[arg.with_changes(value=new_body) if arg.keyword is not None and
                                   arg.keyword.value == "extra_body" else arg for arg in call.args])


def _with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``with_keyword``, but in a call whose arguments continue on new lines after its first (hanging
    under the parenthesis), the new argument goes on a line of its own too."""
    args = list(call.args)
    breaks = [arg.comma for arg in args[:-1] if isinstance(arg.comma, cst.Comma) and
              isinstance(arg.comma.whitespace_after, cst.ParenthesizedWhitespace)]
    if not breaks or isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return with_keyword(call, name, value)
    last = args[-1]
    args[-1] = last.with_changes(comma=breaks[-1], whitespace_after_arg=cst.SimpleWhitespace(""))
    added = keyword_arg(name, value).with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    return call.with_changes(args=[*args, added])


def fixed(expr: cst.BaseExpression, facts: Facts, seen: frozenset[tuple[str, ...]] = frozenset()) -> bool:
    """Whether the value of ``expr`` is one of the literals this file gives it, whatever happens at run
    time (no environment read, parameter, command-line option or settings field on its way)."""
    if isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
        return True
    if isinstance(expr, cst.IfExp):
        return fixed(expr.body, facts, seen) and fixed(expr.orelse, facts, seen)
    symbol: tuple[str, ...] | None = None
    if isinstance(expr, cst.Name):
        symbol = ("name", expr.value)
    elif isinstance(expr, cst.Attribute):
        symbol = ("attr", expr.attr.value)
    elif isinstance(expr, cst.Subscript):
        found = keyed(expr)
        symbol = ("item", *found) if found else None
    elif isinstance(expr, cst.Call) and facts.resolve(expr.func) not in _READS:
        found = keyed(expr)  # d.get("k") (its default, if any, comes on top: fixed only if d["k"] always is)
        symbol = ("item", *found) if found and len(expr.args) == 1 else None
    if symbol is None or symbol in facts.flow.settable:
        return False
    if symbol in seen:
        return True
    defs = facts.flow.defs.get(symbol) or []
    return bool(defs) and all(fixed(value, facts, seen | {symbol}) for value in defs)


@dataclass
class Plan:
    """What the rewrite does about thinking in one file (node ids)."""

    #: literals left for the runtime (adapter style) -> the finding that says why
    kept: dict[int, str] = field(default_factory=dict)
    #: calls -> the fields their extra_body gets, and the finding that says why
    switches: dict[int, tuple[Mapping[str, Any], str]] = field(default_factory=dict)
    #: (call, TODO message) where the switch cannot be written (compat style)
    todos: list[tuple[cst.Call, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Quiet:
    reach: Reach
    name: str
    target: str
    fields: Mapping[str, Any]


def plan(facts: Facts, provider: ProviderFacts, style: Style,
         renamed: Callable[[Reach], tuple[str, str] | None]) -> Plan:
    """Where the switch goes, and which literals keep their OpenAI name. ``renamed(reach)``: the
    ``(OpenAI name, provider model)`` this run would rename ``reach``'s literal to, or ``None``."""
    flow = facts.model_flow
    quiet: dict[int, _Quiet] = {}
    for reach in flow.literals.values():
        names = renamed(reach)
        fields = switch(*names, provider.thinking_off) if names else None
        if names and fields:
            quiet[id(reach.node)] = _Quiet(reach, names[0], names[1], fields)
    result = Plan()
    if not quiet:
        return result
    calls = {id(call): call for q in quiet.values() for call in q.reach.calls}
    obstacles = {key: _obstacle(call, flow.by_call[key], quiet, facts) for key, call in calls.items()}
    for q in quiet.values():
        found = [obstacle for call in q.reach.calls if (obstacle := obstacles[id(call)]) is not None]
        if style == "adapter" and found:
            result.kept[id(q.reach.node)] = (
                f"{q.name} left for the runtime, which maps it to {q.target} with thinking off ({q.target} thinks "
                f"by default, {q.name} did not; {found[0][1]}, so the call cannot say so itself)")
            continue
        for call in q.reach.calls:
            obstacle = obstacles[id(call)]
            kind, why = obstacle if obstacle is not None else ("", "")
            if decides(call) or kind == "endpoint":
                continue  # (compat style: another endpoint's call is marked by its own transform)
            if kind in ("blocked", "mixed"):
                result.todos.append((call, f"{q.target} thinks by default and {q.name} did not, but {why}: pass "
                                           f"extra_body={code_of(q.fields)} where the model is {q.target}"))
                continue
            detail = f"extra_body {code_of(q.fields)} added: {q.target} thinks by default, {q.name} did not"
            if kind == "open":
                detail += f" ({why}: thinking stays off for any model it names)"
            result.switches[id(call)] = (q.fields, detail)
    return result


def _obstacle(call: cst.Call, reaches: list[Reach], quiet: Mapping[int, _Quiet],
              facts: Facts) -> tuple[str, str] | None:
    """``(kind, why)`` when ``call`` cannot simply take the switch for the quiet literals reaching it
    (kinds: endpoint, mixed, blocked, open); ``None`` when it can, or decides for itself."""
    if decides(call):
        return None
    api = facts.api_call(call)
    if api is None or api.endpoint != "chat.completions":
        return "endpoint", f"it also reaches a {api.endpoint if api else 'non-OpenAI'} call, which takes no thinking switch"
    others = [r for r in reaches if id(r.node) not in quiet]
    if others:
        names = ", ".join(sorted({repr(string_value(r.node)) for r in others}))
        return "mixed", f"the call may also get {names}, which may think"
    why = blocked(call)
    if why is not None:
        return "blocked", why
    model = keyword(call, "model")
    if model is None or not fixed(model.value, facts):
        return "open", "its model may be another at run time (an environment variable, a parameter, a setting)"
    return None
