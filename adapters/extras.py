"""``extra_body`` fields and ``reasoning_effort``, in each provider's own spelling (pure).

The openai SDK merges ``extra_body`` into the request body, so an extra is any body field that is not
an OpenAI parameter. Extras are the user's explicit request to the provider: the unsupported-parameter
policy does not apply to them. Each backend declares the extras it knows (``Capabilities.extras``):
its own names pass as given, the other providers' names for the same thing are translated
(``{"thinking": {"type": "enabled"}}`` becomes DashScope's ``enable_thinking: true``), and a field the
backend owns or has no equivalent for is left out with an ``ExtraBodyWarning``. A field no table
knows passes as given: the provider judges it.

    >>> split({"model": "m", "messages": [], "top_k": 5})[1]
    {'top_k': 5}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._warn import warn
from .capabilities import CHAT_PARAMETERS, Capabilities

__all__ = ["ExtraBodyWarning", "effort_budget", "native", "search_of", "split", "thinking_of", "wants_off"]

_OPENAI = frozenset(CHAT_PARAMETERS)
#: ``reasoning_effort`` -> a thinking budget in tokens (an adapter choice; ``None``: the model's own
#: maximum). ``none`` and ``minimal`` turn thinking off.
BUDGETS: dict[str, int | None] = {"low": 2048, "medium": 8192, "high": 32768, "xhigh": None, "max": None}
OFF = frozenset({"none", "minimal"})


class ExtraBodyWarning(UserWarning):
    """An ``extra_body`` field was not sent: the adapter owns it, or the provider has no equivalent."""


def split(body: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(OpenAI parameters, extras) of a request body; ``None`` extras count as not given."""
    openai = {k: v for k, v in body.items() if k in _OPENAI}
    extras = {k: v for k, v in body.items() if k not in _OPENAI and v is not None}
    return openai, extras


def native(extras: Mapping[str, Any], caps: Capabilities, provider: str) -> dict[str, Any]:
    """The provider's fields for ``extras``: translations first, then the provider's own names (which
    win, objects merged key by key), and warnings for what is left out."""
    translated: dict[str, Any] = {}
    given: dict[str, Any] = {}
    for name, value in extras.items():
        rule = caps.extras.get(name)
        if rule is None or rule.verdict == "passes":
            given[name] = value
        elif rule.verdict == "translated" and rule.native is not None:
            _merge(translated, rule.native(value))
        else:
            warn(f"extra_body field {name!r} was not sent to {provider}: {rule.detail}.", ExtraBodyWarning)
    return _merge(translated, given)


def _merge(into: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in fields.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), Mapping):
            into[key] = {**into[key], **value}
        elif key == "tools" and isinstance(value, list) and isinstance(into.get(key), list):
            into[key] = [*into[key], *value]
        else:
            into[key] = value
    return into


def thinking_of(value: Any) -> bool | None:
    """Zhipu's ``thinking: {"type": "enabled" | "disabled"}`` (or a plain bool) as on/off."""
    if isinstance(value, bool):
        return value
    kind = value.get("type") if isinstance(value, Mapping) else value
    return {"enabled": True, "disabled": False}.get(str(kind)) if kind is not None else None


def wants_off(effort: Any) -> bool:
    return effort in OFF


def effort_budget(effort: Any) -> int | None:
    """The thinking budget for a ``reasoning_effort`` (``None``: none given, the model's maximum)."""
    return BUDGETS.get(str(effort))


def search_of(value: Any) -> dict[str, Any]:
    """A web-search request in neutral terms, from DashScope's ``search_options``, Qianfan's
    ``web_search`` or Zhipu's ``web_search`` tool object: ``enable``, ``forced``, ``sources``,
    ``citation``, ``count``, ``strategy`` (only the keys the request says something about)."""
    if isinstance(value, bool):
        return {"enable": value}
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, Any] = {"enable": bool(value.get("enable", True))}
    mode = value.get("search_mode")
    if value.get("forced_search") is not None or mode is not None:
        out["forced"] = bool(value.get("forced_search")) or mode == "required"
        if mode == "disabled":
            out["enable"] = False
    for neutral, names in (("sources", ("enable_source", "search_result")), ("citation", ("enable_citation",)),
                           ("count", ("search_number", "count")), ("strategy", ("search_strategy",))):
        found = next((value[n] for n in names if value.get(n) is not None), None)
        if found is not None:
            out[neutral] = found
    return out
