"""The Responses API (``client.responses.create``) translated onto chat completions, both ways.

Pure: dicts in, dicts out (shared/reference/responses.md §2). The exchange sends the chat request
through the backend as any chat call, and turns the chat answer back into a ``response`` object
(``response_events.py`` does the same for a stream):

    Responses request                             chat request
    input "text"                                  messages [{"role": "user", "content": "text"}]
    instructions                                  a leading system message
    {"role", "content": str | parts}              the same message (input_image -> image_url part)
    {"type": "function_call", call_id, ...}       an assistant message with tool_calls (merged)
    {"type": "function_call_output", call_id}     {"role": "tool", "tool_call_id", "content"}
    tools [{"type": "function", "name", ...}]     tools [{"type": "function", "function": {...}}]
    tools [{"type": "web_search"}]                web_search_options (the provider's web search)
    text.format json_schema / json_object         response_format
    max_output_tokens, reasoning.effort           max_tokens, reasoning_effort
    previous_response_id                          the stored conversation prepended (per client)
    {"type": "item_reference", "id"}              the referenced item, from this client's store

    chat answer                                   response.output
    reasoning_content                             {"type": "reasoning", "content": [reasoning_text]}
    message.content                               {"type": "message", "content": [output_text]}
    message.tool_calls[]                          {"type": "function_call", "call_id", "name", ...}
    finish_reason length / content_filter         status "incomplete" + incomplete_details

OpenAI-hosted tools (file search, code interpreter, computer use...), ``background=True``, stored
prompts and conversations have no provider equivalent: they are refused before any call.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .capabilities import Refused
from .native import Context

__all__ = ["PARAMETERS", "Translation", "has_images", "input_items", "new_id", "resolve_references", "output_items", "refuse_hosted", "response_from_chat",
           "response_object", "to_chat", "usage_from_chat"]

WEB_SEARCH = frozenset({"web_search", "web_search_preview", "web_search_2025_08_26",
                        "web_search_preview_2025_03_11"})
#: OpenAI-hosted tools no provider reached by translation has: tool type -> (what it is, what to do).
HOSTED_TOOLS = {
    "file_search": ("file search (OpenAI-hosted vector stores)",
                    "retrieve from your own store and pass the passages in the input, or keep an OpenAI client"),
    "code_interpreter": ("the code interpreter", "run code yourself through a function tool"),
    "computer_use_preview": ("computer use", "drive the computer yourself through function tools"),
    "computer_use": ("computer use", "drive the computer yourself through function tools"),
    "image_generation": ("the image generation tool", "call client.images.generate yourself from a function tool"),
    "mcp": ("remote MCP tools", "call the MCP server yourself and offer its tools as function tools"),
    "local_shell": ("the local shell tool", "offer a function tool that runs the command"),
    "shell": ("the shell tool", "offer a function tool that runs the command"),
    "apply_patch": ("the apply_patch tool", "offer a function tool that applies the patch"),
    "custom": ("custom (free-form) tools", "declare a function tool with a JSON schema instead"),
}
#: Responses API parameters (openai 3.x ``ResponseCreateParams``): any other body field came from
#: ``extra_body`` and goes on to the chat translation as an extra (sent, translated or warned about
#: there, as on a chat call). Of these, ``stream_options``, ``prompt_cache_retention``,
#: ``prompt_cache_options`` and ``service_tier`` only describe OpenAI-side storage or delivery: they
#: are ignored without effect.
PARAMETERS = frozenset({
    "access_programs", "background", "background_options", "context_management", "conversation", "image", "include",
    "input", "instructions", "max_output_tokens", "max_tool_calls", "metadata", "model", "moderation",
    "parallel_tool_calls", "previous_response_id", "prompt", "prompt_cache_key", "prompt_cache_options",
    "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier", "store", "stream", "stream_options",
    "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "user"})
#: Responses parameters the translation has no use for and does not ignore: the unsupported= policy
#: decides (each is named when given).
_NO_COUNTERPART = frozenset({"access_programs", "background_options", "image", "moderation"})
#: Request fields passed to the chat translation under the same name (its policy judges them).
_CHAT_FIELDS = ("temperature", "top_p", "parallel_tool_calls", "user", "metadata", "safety_identifier",
                "prompt_cache_key", "top_logprobs")


def new_id(prefix: str) -> str:
    return f"{prefix}_{os.urandom(16).hex()}"  # 32 random hex digits (uuid4 costs thrice as much)


@dataclass
class Translation:
    """One Responses request translated: the chat body, and what the answer must echo and remember."""

    chat: dict[str, Any]
    echo: dict[str, Any]
    #: The conversation so far as Responses input items (history + this input), for the store.
    items: list[Mapping[str, Any]]
    store: bool = True
    id: str = field(default_factory=lambda: new_id("resp"))
    created_at: int = field(default_factory=lambda: int(time.time()))


def to_chat(body: Mapping[str, Any], ctx: Context, history: Sequence[Mapping[str, Any]] = ()) -> Translation:
    """The chat request for a Responses request; ``history`` is the earlier conversation's items."""
    refuse_hosted(body, ctx)
    items = [*history, *input_items(body.get("input"))]
    messages = _messages(items, ctx)
    instructions = body.get("instructions")
    if isinstance(instructions, list):  # a list of input items (what Response.instructions may echo)
        messages = _messages(input_items(instructions), ctx) + messages
    elif instructions:
        messages.insert(0, {"role": "system", "content": str(instructions)})
    chat: dict[str, Any] = {name: value for name, value in body.items() if name not in PARAMETERS and value is not None}
    chat.update(model=body.get("model"), messages=messages)  # (extras first: never in place of these)
    for name in _CHAT_FIELDS:
        if body.get(name) is not None:
            chat[name] = body[name]
    if body.get("top_logprobs"):
        chat["logprobs"] = True
    if body.get("max_output_tokens") is not None:
        chat["max_tokens"] = body["max_output_tokens"]
    chat.update(_tools(body, ctx))
    chat.update(_text_format(body))
    effort = (body.get("reasoning") or {}).get("effort")
    if effort is not None:
        chat["reasoning_effort"] = effort
    if body.get("stream"):
        chat["stream"] = True
        chat["stream_options"] = {"include_usage": True}  # response.completed carries the usage
    _unsupported(body, ctx)
    echo = {name: body.get(name) for name in ("instructions", "max_output_tokens", "metadata",
                                               "previous_response_id", "reasoning", "temperature", "top_p",
                                               "truncation", "user", "text")}
    echo["tools"] = list(body.get("tools") or [])
    echo["tool_choice"] = body.get("tool_choice") or "auto"
    echo["parallel_tool_calls"] = body.get("parallel_tool_calls") is not False
    echo["store"] = body.get("store") is not False
    return Translation(chat, echo, items, store=body.get("store") is not False, created_at=ctx.created)


def refuse_hosted(body: Mapping[str, Any], ctx: Context, allowed: frozenset[str] = WEB_SEARCH) -> None:
    """Refuse what no translation can serve: background runs, OpenAI-side state, hosted tools (but the
    ``allowed`` tool types, which the provider has)."""
    if body.get("background"):
        raise Refused(f"{ctx.provider} answers Responses requests synchronously only: background=True is not "
                      f"supported; call responses.create without it (the answer comes back directly).",
                      param="background")
    if body.get("conversation"):
        raise Refused(f"OpenAI Conversations are not available on {ctx.provider}; pass previous_response_id "
                      f"or the whole conversation as input.", param="conversation")
    if body.get("prompt"):
        raise Refused(f"Stored prompts (prompt=) live in OpenAI's dashboard and are not available on "
                      f"{ctx.provider}; pass instructions and input instead.", param="prompt")
    for tool in body.get("tools") or []:
        kind = str(tool.get("type", "function"))
        if kind == "function" or kind in allowed:
            continue
        if kind in HOSTED_TOOLS:
            what, alternative = HOSTED_TOOLS[kind]
            raise Refused(f"{ctx.provider} has no equivalent of OpenAI's {what} ({kind!r} tool) for the "
                          f"Responses API; {alternative}.", param="tools")
        raise Refused(f"The {kind!r} tool is not available on {ctx.provider}; use function tools.", param="tools")


def _unsupported(body: Mapping[str, Any], ctx: Context) -> None:
    """Responses-only options with no chat counterpart: the client's unsupported= policy decides."""
    if body.get("truncation") == "auto":
        ctx.policy.unsupported("truncation", "value 'auto' (the input is sent whole; trim it yourself)")
    for include in body.get("include") or []:
        ctx.policy.unsupported("include", f"value {include!r}")
    if body.get("max_tool_calls") is not None:
        ctx.policy.unsupported("max_tool_calls")
    if body.get("context_management"):
        ctx.policy.unsupported("context_management")
    for name in _NO_COUNTERPART:
        if body.get(name) is not None:
            ctx.policy.unsupported(name)


# -- input items -> chat messages -----------------------------------------------------------------


def input_items(value: Any) -> list[dict[str, Any]]:
    """``input`` as a list of items (a string is one user message)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    return [dict(item) for item in value]


def has_images(items: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any message item carries an image part (the request then needs a vision model)."""
    return any(isinstance(part, Mapping) and part.get("type") == "input_image"
               for item in items if isinstance(item.get("content"), list) for part in item["content"])


def resolve_references(items: Sequence[Mapping[str, Any]], find: Callable[[str], Mapping[str, Any] | None],
                       *, strict: bool = True) -> list[dict[str, Any]]:
    """``item_reference`` items replaced by the items they name (``find``: the client's store). One
    not found is refused when ``strict``, else kept as it is (a provider's own endpoint may know it)."""
    out: list[dict[str, Any]] = []
    for item in items:
        if item.get("type") != "item_reference":
            out.append(dict(item))
            continue
        ident = str(item.get("id") or "")
        found = find(ident)
        if found is None and strict:
            raise Refused(f"Item with id {ident!r} not found: item_reference resolves only items of the "
                          f"responses this client made and still keeps (qianyi keeps them in memory; not those "
                          f"made with store=False). Pass the item itself instead.", status=404, code="not_found",
                          param="input")
        out.append(dict(found if found is not None else item))
    return out


def _messages(items: Sequence[Mapping[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for item in items:
        kind = item.get("type", "message")
        if kind in ("message", None):
            messages.append({"role": item.get("role", "user"), "content": _content(item.get("content"), ctx)})
        elif kind == "function_call":
            call = {"id": item.get("call_id") or item.get("id") or "", "type": "function",
                    "function": {"name": item.get("name", ""), "arguments": item.get("arguments") or "{}"}}
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant" and not _answered(messages):
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output")
            text = output if isinstance(output, str) else _text(_content(output, ctx))
            messages.append({"role": "tool", "tool_call_id": item.get("call_id", ""), "content": text})
        elif kind == "reasoning":
            continue  # the providers take no reasoning back: it was shown, it is not resent
        elif kind == "item_reference":
            raise Refused(f"An item_reference input reached the {ctx.provider} translation unresolved; pass "
                          f"the item itself.", param="input")  # resolve_references runs first
        else:
            raise Refused(f"An input item of type {kind!r} cannot be sent to {ctx.provider}; the Responses "
                          f"translation takes messages, function calls and their outputs.", param="input")
    return messages


def _answered(messages: list[dict[str, Any]]) -> bool:
    """Whether the last assistant message's tool calls already have results (so a new call opens a turn)."""
    return bool(messages) and messages[-1]["role"] == "tool"


def _content(content: Any, ctx: Context) -> Any:
    """Responses content (a string or input/output parts) as chat content."""
    if content is None or isinstance(content, str):
        return content or ""
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text", "summary_text", "reasoning_text"):
            parts.append({"type": "text", "text": part.get("text", "")})
        elif kind == "refusal":
            parts.append({"type": "text", "text": part.get("refusal", "")})
        elif kind == "input_image":
            url = part.get("image_url")
            if not url:
                raise Refused(f"input_image parts by file_id need OpenAI's Files API, which {ctx.provider} "
                              f"lacks; pass image_url (an https or data: URL).", param="input")
            parts.append({"type": "image_url", "image_url": {"url": url}})
        else:
            raise Refused(f"{ctx.provider} takes text and image parts only; an {kind!r} part cannot be sent.",
                          param="input")
    if all(p["type"] == "text" for p in parts):
        return "".join(p["text"] for p in parts)
    return parts


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if p.get("type") == "text")


def _tools(body: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    tools = body.get("tools") or []
    out: dict[str, Any] = {}
    if not tools and body.get("tool_choice") is None:
        return out
    functions = [{"type": "function", "function": {k: t[k] for k in ("name", "description", "parameters", "strict")
                                                   if t.get(k) is not None}}
                 for t in tools if t.get("type", "function") == "function"]
    if functions:
        out["tools"] = functions
    search = next((t for t in tools if t.get("type") in WEB_SEARCH), None)
    if search is not None:
        options = {k: search[k] for k in ("search_context_size", "user_location") if search.get(k)}
        out["web_search_options"] = options
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping):
        if choice.get("type") == "function":
            out["tool_choice"] = {"type": "function", "function": {"name": choice.get("name", "")}}
        elif choice.get("type") in WEB_SEARCH:
            pass  # the search runs when the provider decides; there is nothing to force
        else:
            ctx.policy.unsupported("tool_choice", f"value {dict(choice)!r}")
    elif choice is not None and functions:
        out["tool_choice"] = choice
    return out


def _text_format(body: Mapping[str, Any]) -> dict[str, Any]:
    text = body.get("text") or {}
    out: dict[str, Any] = {}
    fmt = text.get("format") or {}
    if fmt.get("type") == "json_object":
        out["response_format"] = {"type": "json_object"}
    elif fmt.get("type") == "json_schema":
        spec = {k: fmt[k] for k in ("name", "schema", "strict", "description") if fmt.get(k) is not None}
        out["response_format"] = {"type": "json_schema", "json_schema": spec}
    if text.get("verbosity") is not None:
        out["verbosity"] = text["verbosity"]
    return out


# -- chat answer -> response ----------------------------------------------------------------------


def output_items(*, reasoning: str | None, content: str | None, tool_calls: Sequence[Mapping[str, Any]] | None,
                 status: str = "completed") -> list[dict[str, Any]]:
    """The ``output`` of a response: a reasoning item, the message, then one item per function call."""
    items: list[dict[str, Any]] = []
    if reasoning:
        items.append(reasoning_item(new_id("rs"), reasoning, status))
    if content or not tool_calls:
        items.append(message_item(new_id("msg"), content or "", status))
    for call in tool_calls or []:
        fn = call.get("function") or {}
        items.append(function_call_item(str(call.get("id") or new_id("call")), fn.get("name", ""),
                                        _arguments(fn.get("arguments")), status))
    return items


def reasoning_item(ident: str, text: str | None, status: str) -> dict[str, Any]:
    content = [{"type": "reasoning_text", "text": text}] if text is not None else []
    return {"id": ident, "type": "reasoning", "summary": [], "content": content, "status": status}


def message_item(ident: str, text: str | None, status: str) -> dict[str, Any]:
    content = [output_text(text)] if text is not None else []
    return {"id": ident, "type": "message", "role": "assistant", "status": status, "content": content}


def output_text(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def function_call_item(call_id: str, name: str, arguments: str, status: str) -> dict[str, Any]:
    return {"id": "fc_" + call_id.removeprefix("call_"), "type": "function_call", "call_id": call_id,
            "name": name, "arguments": arguments, "status": status}


def _arguments(arguments: Any) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments or {}, ensure_ascii=False)


def usage_from_chat(usage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Responses ``usage`` from chat ``usage`` (both detail objects are required by the SDK's type)."""
    if not usage:
        return None
    prompt, completion = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    return {
        "input_tokens": prompt,
        "output_tokens": completion,
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
        "input_tokens_details": {"cached_tokens": int((usage.get("prompt_tokens_details") or {})
                                                      .get("cached_tokens") or 0)},
        "output_tokens_details": {"reasoning_tokens": int((usage.get("completion_tokens_details") or {})
                                                          .get("reasoning_tokens") or 0)},
    }


#: chat finish reason -> Responses ``incomplete_details.reason``
INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def response_object(tr: Translation, *, model: str, status: str, output: list[dict[str, Any]],
                    usage: Mapping[str, Any] | None = None, finish_reason: str | None = None) -> dict[str, Any]:
    """A ``response`` object around ``output`` (``finish_reason`` decides an incomplete status)."""
    reason = INCOMPLETE.get(finish_reason or "")
    if reason is not None and status == "completed":
        status = "incomplete"
    out: dict[str, Any] = {"id": tr.id, "object": "response", "created_at": tr.created_at, "status": status,
                           "model": model, "output": output, "error": None,
                           "incomplete_details": {"reason": reason} if status == "incomplete" else None,
                           **tr.echo, "usage": dict(usage) if usage else None}
    if out.get("text") is None:
        out["text"] = {"format": {"type": "text"}}
    return out


def response_from_chat(completion: Mapping[str, Any], tr: Translation) -> dict[str, Any]:
    """The ``response`` for a translated request's chat completion."""
    choice = (completion.get("choices") or [{}])[0]
    msg = choice.get("message") or {}
    finish = choice.get("finish_reason")
    status = "incomplete" if finish in INCOMPLETE else "completed"
    output = output_items(reasoning=msg.get("reasoning_content"), content=msg.get("content"),
                          tool_calls=msg.get("tool_calls"), status=status)
    return response_object(tr, model=str(completion.get("model") or tr.chat.get("model") or ""), status=status,
                           output=output, usage=usage_from_chat(completion.get("usage")), finish_reason=finish)
