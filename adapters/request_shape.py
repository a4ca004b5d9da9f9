"""The shape of an OpenAI request, checked before it is translated: OpenAI's 400s, not our crashes.

Plain openai sends ``content=42`` or ``response_format="json"`` and OpenAI answers
``400 invalid_request_error`` naming the parameter. A translation would instead fail somewhere
inside with a ``TypeError``; so the shapes the translations rely on are checked here first and a
bad one is refused with the same kind of error (``Refused`` -> ``openai.BadRequestError``, ``param``
set), before any network call. Only shapes are checked; values (ranges, model names) are the
provider's or the capability table's business.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .capabilities import Refused

__all__ = ["check"]

ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
NUMBERS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
INTEGERS = ("max_tokens", "max_completion_tokens", "n", "seed", "top_logprobs")
OBJECTS = ("stream_options", "logit_bias", "metadata", "extra_body")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _refuse(param: str, wanted: str, value: Any) -> Refused:
    return Refused(f"Invalid type for '{param}': expected {wanted}, but got {_kind(value)}.",
                   code="invalid_type", param=param)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _part(part: Any, param: str) -> None:
    if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
        raise _refuse(param, "a content part object with a 'type'", part)
    kind = part["type"]
    if kind == "text" and not isinstance(part.get("text"), str):
        raise _refuse(f"{param}.text", "a string", part.get("text"))
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        if not isinstance(url, str):
            raise _refuse(f"{param}.image_url", "an object with a 'url' string", image)


def _tool_calls(calls: Any, param: str) -> None:
    if not isinstance(calls, list):
        raise _refuse(param, "an array of tool calls", calls)
    for i, call in enumerate(calls):
        function = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise _refuse(f"{param}[{i}]", "a tool call object with a 'function' {name, arguments}", call)
        if not isinstance(function.get("arguments", ""), str):
            raise _refuse(f"{param}[{i}].function.arguments", "a JSON string", function.get("arguments"))


def _messages(messages: Any) -> None:
    if not isinstance(messages, list):
        raise _refuse("messages", "an array of message objects", messages)
    if not messages:
        raise Refused("'messages' must contain at least one message.", code="invalid_value", param="messages")
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, Mapping):
            raise _refuse(where, "a message object ({'role': ..., 'content': ...})", message)
        role = message.get("role")
        if role not in ROLES:
            raise Refused(f"Invalid value for '{where}.role': {role!r}; expected one of "
                          f"{', '.join(sorted(ROLES))}.", code="invalid_value", param=f"{where}.role")
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                _part(part, f"{where}.content[{j}]")
        elif content is not None and not isinstance(content, str):
            raise _refuse(f"{where}.content", "a string or an array of content parts", content)
        if message.get("tool_calls") is not None:
            _tool_calls(message["tool_calls"], f"{where}.tool_calls")


def _tools(tools: Any, param: str, *, wrapped: bool) -> None:
    if not isinstance(tools, list):
        raise _refuse(param, "an array of tool objects", tools)
    for i, tool in enumerate(tools):
        if not isinstance(tool, Mapping):
            raise _refuse(f"{param}[{i}]", "a tool object", tool)
        kind = tool.get("type", "function") if wrapped else "function"
        if not isinstance(kind, str):
            raise _refuse(f"{param}[{i}].type", "a string", kind)
        if kind != "function":  # a provider's own tool (web_search, retrieval): the backend judges it
            continue
        function = tool.get("function") if wrapped else tool
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise _refuse(f"{param}[{i}].function" if wrapped else f"{param}[{i}]",
                          "a function object with a 'name'", function)


def _stop(stop: Any) -> None:
    if isinstance(stop, str) or stop is None:
        return
    if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
        raise _refuse("stop", "a string or an array of strings", stop)


def _response_format(value: Any) -> None:
    if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
        raise _refuse("response_format", "an object such as {'type': 'json_object'}", value)
    if value["type"] == "json_schema" and not isinstance(value.get("json_schema"), Mapping):
        raise _refuse("response_format.json_schema", "an object with 'name' and 'schema'", value.get("json_schema"))


def _choice(value: Any, param: str) -> None:
    if not isinstance(value, str | Mapping):
        raise _refuse(param, "a string or an object", value)


def check_chat(body: Mapping[str, Any]) -> None:
    """Refuse a chat request whose fields have shapes OpenAI itself would refuse."""
    _messages(body.get("messages"))
    for name, value in body.items():  # the fields given, not every field there is: a request names few
        check = _FIELDS.get(name)
        if check is not None and value is not None:
            check(name, value)


def _number(name: str, value: Any) -> None:
    if not _is_number(value):
        raise _refuse(name, "a number", value)


def _integer(name: str, value: Any) -> None:
    if not _is_int(value):
        raise _refuse(name, "an integer", value)


def _object(name: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        raise _refuse(name, "an object", value)


#: A chat field's name -> the check of its value (``None`` values are not checked: "not given").
_FIELDS: Mapping[str, Callable[[str, Any], None]] = {
    **dict.fromkeys(NUMBERS, _number), **dict.fromkeys(INTEGERS, _integer), **dict.fromkeys(OBJECTS, _object),
    "stop": lambda _name, value: _stop(value),
    "response_format": lambda _name, value: _response_format(value),
    "tools": lambda name, value: _tools(value, name, wrapped=True),
    "functions": lambda name, value: _tools(value, name, wrapped=False),
    "tool_choice": lambda name, value: _choice(value, name), "function_call": lambda name, value: _choice(value, name),
}


def check_embeddings(body: Mapping[str, Any]) -> None:
    """Refuse an embeddings request whose ``input`` or ``dimensions`` OpenAI would refuse."""
    texts = body.get("input")
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts:
        raise _refuse("input", "a string or a non-empty array of strings", texts)
    if not all(isinstance(t, str) for t in texts) and not all(_is_int(t) or isinstance(t, list) for t in texts):
        raise _refuse("input", "a string or an array of strings", next(t for t in texts if not isinstance(t, str)))
    if body.get("dimensions") is not None and not _is_int(body["dimensions"]):
        raise _refuse("dimensions", "an integer", body["dimensions"])


CHECKS: Mapping[str, Callable[[Mapping[str, Any]], None]] = {
    "chat.completions": check_chat,
    "embeddings": check_embeddings,
}


def check(endpoint: str, body: Mapping[str, Any]) -> None:
    """Check ``body`` for ``endpoint`` (endpoints without a check pass)."""
    checker = CHECKS.get(endpoint)
    if checker is not None:
        checker(body)
