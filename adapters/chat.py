"""OpenAI chat requests normalised before a backend translates them, and replies checked after.

What every provider needs the same way lives here, so a backend says only what differs:

* the unsupported-parameter policy and declared clamps applied (``capabilities.py``);
* ``developer`` messages sent as ``system``; legacy ``functions``/``function_call`` as tools;
* consecutive messages of one role merged (providers reject or mis-read them);
* ``json_schema`` emulated by JSON mode + the schema in a system message, where declared;
* ``n > 1`` served by one native call per choice, where declared, and merged back;
* what a catalogued model cannot take (images, tools) refused clearly before any call;
* strict turn order (one leading system, user/assistant alternating, user or tool last) for the
  providers that demand it: repaired with a ``MessageOrderWarning``, or refused; an opening
  assistant turn (a chat UI's greeting) and a closing one (a prefill) are folded into the system
  message under the unsupported-parameter policy.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import catalogue, extras, json_schema, openai_wire
from ._warn import warn
from .capabilities import Capabilities, Refused
from .native import Context, ErrorInfo, NativeError

__all__ = ["MessageOrderWarning", "alternate", "check_model", "check_schema", "content_part", "fan_out",
           "flat_messages", "has_images", "normalise", "plain_tools", "prepare", "stop_words"]


#: What a strict-order backend declares for ``messages.assistant_first`` / ``messages.assistant_last``
#: (``alternate`` does both).
ASSISTANT_FIRST = ("an opening assistant message (a chat UI's greeting) is folded into the system message under "
                   "the unsupported= policy (refused under 'error')")
ASSISTANT_LAST = ("a closing assistant message (a prefill, a history saved after the answer) is folded into the "
                  "system message under the unsupported= policy (refused under 'error')")


class MessageOrderWarning(UserWarning):
    """Messages were joined or moved to meet a provider's turn-order rules (no text was dropped)."""


def normalise(body: Mapping[str, Any], caps: Capabilities, ctx: Context,
              info: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The request with policy, clamps and the shared repairs applied (the input is not modified).

    ``extra_body`` fields (anything that is not an OpenAI parameter) are set apart under ``"_extras"``,
    untouched by the policy; ``json_schema`` is emulated unless the model's catalogue entry
    (``info``) says the provider serves it natively."""
    out, given = extras.split(ctx.policy.strip(body, caps))
    out["_extras"] = given
    for name in caps.clamped:
        if out.get(name) is not None:
            out[name] = caps.clamp(name, out[name])
    if out.get("max_completion_tokens") is not None and out.get("max_tokens") is None:
        out["max_tokens"] = out.pop("max_completion_tokens")
    out.pop("max_completion_tokens", None)
    if _legacy_functions(out):
        ctx.notes["legacy_functions"] = True
    messages = [_message(m) for m in out.get("messages") or []]
    schema = json_schema.requested_schema(out.get("response_format"))
    if schema is not None and "response_format.json_schema" in caps.emulated and not (info or {}).get("json_schema"):
        ctx.notes["json_schema"] = schema
        out["response_format"] = {"type": "json_object"}
        messages.insert(0, {"role": "system", "content": json_schema.instruction(schema)})
    out["messages"] = merge_same_role(messages)
    return out


def _message(message: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(message)
    role = out.get("role")
    if role in ("user", "system", "tool"):
        return out
    if role == "developer":
        out["role"] = "system"
    if role == "function":  # legacy function result -> tool result
        out["role"] = "tool"
        out.setdefault("tool_call_id", f"call_{out.get('name', 'function')}")
    if role == "assistant" and out.get("function_call"):
        call = out.pop("function_call")
        out["tool_calls"] = [{"id": f"call_{call.get('name', 'function')}", "type": "function", "function": call}]
    return out


def _legacy_functions(body: dict[str, Any]) -> bool:
    """``functions``/``function_call`` (OpenAI's older names) as ``tools``/``tool_choice``; True when
    the reply must come back in the older shape (``message.function_call``, see ``openai_wire``)."""
    functions = body.pop("functions", None)
    choice = body.pop("function_call", None)
    legacy = bool(functions) and not body.get("tools")
    if legacy:
        body["tools"] = [{"type": "function", "function": f} for f in functions]
    if choice is not None and body.get("tool_choice") is None:
        body["tool_choice"] = choice if isinstance(choice, str) else {"type": "function", "function": choice}
    return legacy


def merge_same_role(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive ``system`` or ``user`` messages joined into one (tool and assistant turns kept);
    the messages given are not modified (a joined one is a new message, the others are not copied)."""
    merged: list[dict[str, Any]] = []
    own = False  # merged[-1] is a message made here
    for message in messages:
        prev = merged[-1] if merged else None
        role = message.get("role")
        if prev is not None and role in ("system", "user") and prev.get("role") == role:
            if not own:
                prev = merged[-1] = dict(prev)
                own = True
            first, second = prev.get("content"), message.get("content")
            if has_images([prev, message]):  # keep the parts: one turn with all of them
                prev["content"] = _as_parts(first) + _as_parts(second)
            else:
                prev["content"] = "\n\n".join(t for t in (openai_wire.text_of(first),
                                                         openai_wire.text_of(second)) if t)
            continue
        merged.append(message)
        own = False
    return merged


def _as_parts(content: Any) -> list[Any]:
    if isinstance(content, list):
        return list(content)
    return [{"type": "text", "text": content}] if content else []


def fan_out(body: Mapping[str, Any], caps: Capabilities, ctx: Context, info: Mapping[str, Any] | None = None) -> int:
    """How many native calls serve ``n``: one when the model serves ``n`` itself (its catalogue entry's
    ``native_n``, not with tools: ``ctx.notes["native_n"]`` is then set); refuses what cannot be
    served faithfully."""
    n = int(body.get("n") or 1)
    if n <= 1:
        return 1
    most = (info or {}).get("native_n")
    if isinstance(most, int) and n <= most and not body.get("tools") and not body.get("stream"):
        ctx.notes["native_n"] = n
        return 1
    if "n" not in caps.emulated:
        ctx.policy.unsupported("n", f"(n={n}; only one choice would come back)")
        return 1
    if body.get("stream"):
        raise Refused(f"{ctx.provider} cannot stream n={n} choices; request n=1 or stream=False.", param="n")
    if n > 8:
        raise Refused(f"n={n} would make {n} calls to {ctx.provider}; qianyi serves n up to 8.", param="n")
    return n


def check_schema(completion: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Validate an emulated ``json_schema`` reply; a mismatch is answered as a retryable 500."""
    schema = ctx.notes.get("json_schema")
    if schema is None:
        return completion
    for choice in completion.get("choices", []):
        content = (choice.get("message") or {}).get("content")
        if choice.get("finish_reason") != "stop" or not isinstance(content, str):
            continue
        problems = json_schema.mismatches(content, schema)
        if problems:
            raise NativeError(ErrorInfo(
                500, "json_schema_mismatch",
                f"The model's reply does not match the requested JSON schema ({'; '.join(problems[:3])}); "
                f"json_schema is emulated on {ctx.provider}, and the request is retried.",
                ctx.provider, retry=True))
    return completion


def merge_fanned(completions: list[dict[str, Any]]) -> dict[str, Any]:
    return completions[0] if len(completions) == 1 else openai_wire.merge_choices(completions)


def tool_names(messages: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """tool_call id -> function name, from the assistant turns (providers want ``name`` on results)."""
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            if call.get("id"):
                names[call["id"]] = (call.get("function") or {}).get("name", "")
    return names


def as_json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def deep(body: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(body))


def prepare(body: Mapping[str, Any], caps: Capabilities,
            ctx: Context) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """What a chat translation starts with: how many native calls serve ``n``, the normalised request
    (checked against what the catalogued model can take, ``max_tokens`` capped) and the model's
    catalogue entry (empty for a model the catalogue does not know)."""
    info = catalogue.provider_model(ctx.provider, ctx.model) or {}
    copies = fan_out(body, caps, ctx, info)
    req = normalise(body, caps, ctx, info)
    check_model(req, ctx, info)
    cap_max_tokens(req, info)
    return copies, req, info


#: The content part types that need a model which sees (or hears).
_MEDIA = ("image_url", "input_audio")


def has_images(messages: Sequence[Any]) -> bool:
    """Whether any message carries an image or audio part (what is not a message object is passed over:
    ``request_shape`` refuses it). Called on every chat request: a plain loop."""
    for message in messages:
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, list):
            for part in content:
                if isinstance(part, Mapping) and part.get("type") in _MEDIA:
                    return True
    return False


def check_model(req: Mapping[str, Any], ctx: Context, info: Mapping[str, Any]) -> None:
    """Refuse what a catalogued model cannot take (images, tools) before any call, naming a way out."""
    if not info:
        return
    way_out = f"(model_map= can map {ctx.requested_model!r} to another model)"
    if not info.get("vision") and has_images(req["messages"]):
        raise Refused(f"{ctx.provider} model {ctx.model!r} does not take images; use a vision model {way_out}.",
                      param="messages")
    if req.get("tools") and info.get("tools") is False:
        raise Refused(f"{ctx.provider} model {ctx.model!r} does not take tools; use a model with tool calling "
                      f"{way_out}.", param="tools")


def cap_max_tokens(req: dict[str, Any], info: Mapping[str, Any]) -> None:
    """``max_tokens`` above what the model can produce is lowered to its maximum (providers refuse it)."""
    most = info.get("max_output")
    if isinstance(most, int) and isinstance(req.get("max_tokens"), int) and req["max_tokens"] > most:
        req["max_tokens"] = most


def plain_tools(tools: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Tools without OpenAI's ``strict`` flag (structured-output arguments), which the providers lack."""
    return [{**tool, "function": {k: v for k, v in tool["function"].items() if k != "strict"}}
            if isinstance(tool.get("function"), Mapping) else dict(tool) for tool in tools]


def stop_words(stop: Any, ctx: Context, *, most: int, longest: int | None = None) -> list[str] | None:
    """``stop`` as a list the provider takes: at most ``most`` words of at most ``longest`` characters;
    words beyond that go through the unsupported-parameter policy."""
    words = [stop] if isinstance(stop, str) else [w for w in stop or [] if isinstance(w, str)]
    kept = [w for w in words if longest is None or len(w) <= longest]
    if len(kept) < len(words):
        ctx.policy.unsupported("stop", f"words longer than {longest} characters")
    if len(kept) > most:
        ctx.policy.unsupported("stop", f"beyond its first {'word' if most == 1 else f'{most} words'}")
        kept = kept[:most]
    return kept or None


def alternate(messages: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    """Messages in strict turn order: one leading system message, then user and assistant turns
    alternating (tool results right after the assistant's tool calls), a user or tool message last.

    Repairs that keep every word (system messages joined into the leading one, consecutive user or
    assistant turns joined) warn with ``MessageOrderWarning``; a history that could only be fixed by
    inventing or dropping a turn is refused before sending. Messages kept as they are are not copied.
    """
    systems: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    joined: list[str] = []
    for message in messages:
        role = message.get("role")
        if role == "system":
            systems.append(message)
            continue
        prev = turns[-1] if turns else None
        if prev is not None and role in ("user", "assistant") and prev.get("role") == role \
                and not prev.get("tool_calls"):
            joined.append(f"consecutive {role} messages joined")
            turns[-1] = _joined(prev, message)
        else:
            turns.append(message)
    repairs = ["system messages joined into one leading system message"] \
        if len(systems) > 1 or (systems and messages[0].get("role") != "system") else []
    if len(turns) > 1 and turns[0].get("role") == "assistant" and not turns[0].get("tool_calls"):
        systems.append(_opening(turns.pop(0), ctx))
    if len(turns) > 1 and turns[-1].get("role") == "assistant" and not turns[-1].get("tool_calls"):
        systems.append(_closing(turns.pop(), ctx))
    problem = _order_problem(turns)
    if problem:
        raise Refused(f"{ctx.provider} requires messages in turn order (one system message first, then user and "
                      f"assistant alternating, tool results right after the tool calls, a user or tool message "
                      f"last): {problem}.", param="messages")
    if repairs or joined:
        warn(f"{ctx.provider} requires messages in turn order: {'; '.join(dict.fromkeys(repairs + joined))}.",
             MessageOrderWarning)
    if not systems:
        return turns
    system = "\n\n".join(t for t in (openai_wire.text_of(m.get("content")) for m in systems) if t)
    return ([{"role": "system", "content": system}] if system else []) + turns


def _opening(greeting: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """A leading assistant turn (a chat UI's "How can I help you?") folded into the system message,
    under the unsupported-parameter policy: the provider wants a user turn first."""
    ctx.policy.repair("messages", "requires the first message after the system message to be from the user, "
                      "and this history opens with an assistant message",
                      "the opening assistant message was folded into the system message", MessageOrderWarning)
    text = openai_wire.text_of(greeting.get("content")).strip()
    return {"role": "system", "content": f"The assistant opened this conversation by saying: {text}" if text else ""}


def _closing(last: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """A closing assistant turn (a prefill, or a history saved after the assistant's answer) folded into
    the system message, under the unsupported-parameter policy: the provider wants a user turn last."""
    ctx.policy.repair("messages", "requires the last message to be from the user (or a tool result), and this "
                      "history ends with an assistant message",
                      "the closing assistant message was folded into the system message", MessageOrderWarning)
    text = openai_wire.text_of(last.get("content")).strip()
    return {"role": "system", "content": f"The assistant's reply so far, which the next answer continues: {text}"
            if text else ""}


def _joined(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    out = {**first, **{k: v for k, v in second.items() if k != "content"}}
    a, b = first.get("content"), second.get("content")
    if isinstance(a, list) or isinstance(b, list):
        out["content"] = _parts(a) + _parts(b)
    else:
        out["content"] = "\n\n".join(t for t in (a or "", b or "") if t)
    return out


def _parts(content: Any) -> list[Any]:
    if isinstance(content, list):
        return list(content)
    return [{"type": "text", "text": content}] if content else []


def _order_problem(turns: Sequence[Mapping[str, Any]]) -> str | None:
    if not turns:
        return "there is no user message; add one"
    unknown = {str(t.get("role")) for t in turns} - {"user", "assistant", "tool"}
    if unknown:
        return f"unknown role {sorted(unknown)[0]!r}"
    if turns[0].get("role") != "user":
        return "the first message after the system message is not from the user; start with a user message"
    for prev, now in zip(turns, turns[1:], strict=False):
        role, calls = now.get("role"), prev.get("role") == "assistant" and bool(prev.get("tool_calls"))
        if role == "tool" and not (calls or prev.get("role") == "tool"):
            return "a tool message does not follow an assistant message with tool_calls"
        if calls and role != "tool":
            return "an assistant message with tool_calls is not followed by the tool results"
        if role == "user" and prev.get("role") == "tool":
            return "a user message follows tool results; add the assistant's answer to them in between"
    if turns[-1].get("role") not in ("user", "tool"):
        return "the last message is from the assistant and calls tools; add the tool results"
    if not openai_wire.text_of(turns[-1].get("content")).strip() and not _has_parts(turns[-1]):
        return "the last message is blank; give it some text"
    return None


def _has_parts(message: Mapping[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(isinstance(p, Mapping) and p.get("type") != "text" for p in content)


Part = Callable[[Mapping[str, Any]], dict[str, Any]]


def flat_messages(messages: Sequence[Mapping[str, Any]], *, parts: Part | None = None,
                  contents: Callable[[Any], Any] | None = None, named_results: bool = False) -> list[dict[str, Any]]:
    """Messages for an OpenAI-shaped native API: string content (list content flattened), except user
    turns with list content when ``parts`` converts each part (vision models), and every turn but tool
    results when ``contents`` converts whole contents (DashScope's multimodal models); assistant tool
    calls in OpenAI's shape; tool results with their ``tool_call_id`` (and the function ``name`` if asked)."""
    names = tool_names(messages) if named_results else {}
    out: list[dict[str, Any]] = []
    for message in messages:
        role, content = message.get("role"), message.get("content")
        native: dict[str, Any] = {"role": role}
        if contents is not None and role != "tool":
            native["content"] = contents(content)
        elif parts is not None and role == "user" and isinstance(content, list):
            native["content"] = [parts(part) for part in content]
        else:
            native["content"] = openai_wire.text_of(content)
        if role == "assistant" and message.get("tool_calls"):
            native["tool_calls"] = [openai_wire.tool_call(i, c) for i, c in enumerate(message["tool_calls"])]
        if role == "tool":
            native["tool_call_id"] = message.get("tool_call_id", "")
            if named_results:
                native["name"] = message.get("name") or names.get(message.get("tool_call_id", ""), "")
        out.append(native)
    return out


def content_part(part: Mapping[str, Any], ctx: Context, *, image_url: Callable[[str], str] = str) -> dict[str, Any]:
    """One OpenAI text or image part in OpenAI's shape (``image_url`` rewrites the URL; ``detail`` is
    dropped); other kinds (audio, files) are refused."""
    kind = part.get("type")
    if kind == "text":
        return {"type": "text", "text": part.get("text", "")}
    if kind == "image_url":
        image = part.get("image_url") or {}
        url = image.get("url", "") if isinstance(image, Mapping) else str(image)
        return {"type": "image_url", "image_url": {"url": image_url(url)}}
    raise Refused(f"{ctx.provider} takes text and image parts only; a {kind!r} part cannot be sent.",
                  param="messages")
