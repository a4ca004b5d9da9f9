"""DashScope's OpenAI-compatible Responses endpoint (``POST /compatible-mode/v1/responses``).

    {"model": "qwen3-max", "input": "..." | [items], "tools": [...], "previous_response_id", "stream"}
      -> {"id": "resp_...", "object": "response", "status", "output": [message | function_call], "usage"}
      -> stream: event: response.created ... response.output_text.delta ... response.completed

Only the models the reference lists are served; ``background`` is refused; conversations are kept
server-side by response id (``previous_response_id``); undocumented parameters are ignored, as the
reference says DashScope does. Errors use the compatible-mode envelope (``dashscope_compat``).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from . import dashscope_compat
from .openai_shape import content_text
from .replies import ChatCall, Message, Tool, Turn, answer
from .wire import Answer, Context, RecordedRequest, Rejected, json_answer, obj, sse_answer, uuid_like

NAME = "dashscope"
PATH = "/compatible-mode/v1/responses"
MODELS = frozenset({"qwen3.5-plus", "qwen3.5-plus-2026-02-15", "qwen3.5-397b-a17b", "qwen3-max",
                    "qwen3-max-2026-01-23"})
CREATED = 1767225600
_KEPT: OrderedDict[str, list[Message]] = OrderedDict()  # response id -> the conversation, for previous_response_id
_LOCK = threading.Lock()

error = dashscope_compat.error
stream_error = dashscope_compat.stream_error


def endpoint(path: str) -> str | None:
    return "responses" if path == PATH else None


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    try:
        if not ctx.known_key(NAME, request.bearer or ""):
            raise Rejected("Incorrect API key provided. ", 401)
        if request.method != "POST" or not isinstance(request.json, dict):
            raise Rejected("Request body is not valid JSON.")
        return _respond(request, ctx)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def _respond(request: RecordedRequest, ctx: Context) -> Answer:
    body: dict[str, Any] = request.json
    model = str(body.get("model"))
    if model not in MODELS:
        raise Rejected(f"The model `{model}` is not supported by the Responses API.", 400)
    if body.get("background"):
        raise Rejected("background is not supported; only synchronous calls are.", 400)
    history: list[Message] = []
    previous = body.get("previous_response_id")
    if previous:
        with _LOCK:
            found = _KEPT.get(str(previous))
        if found is None:
            raise Rejected(f"Previous response with id '{previous}' not found.", 400)
        history = list(found)
    messages = history + _messages(body.get("instructions"), body.get("input"))
    tools = [Tool(str(t.get("name")), obj(t.get("parameters"))) for t in body.get("tools") or ()
             if isinstance(t, Mapping) and t.get("type") == "function"]
    choice = body.get("tool_choice", "auto")
    call = ChatCall(model=model, messages=messages, tools=tools,
                    tool_choice=str(obj(choice).get("name", "auto") if isinstance(choice, Mapping) else choice),
                    thinking=bool(body.get("enable_thinking")), max_tokens=body.get("max_output_tokens"))
    turn = answer(call, ctx.next_reply(NAME))
    ident = f"resp_{uuid_like(request.key).replace('-', '')}"
    output = _output(turn, ident)
    with _LOCK:
        _KEPT[ident] = messages + [Message("assistant", turn.text)]
        while len(_KEPT) > 1000:
            _KEPT.popitem(last=False)
    response = _response(ident, model, output, turn, previous)
    if body.get("stream"):
        return sse_answer(_events(response))
    return json_answer(response)


def _messages(instructions: Any, value: Any) -> list[Message]:
    out = [Message("system", str(instructions))] if instructions else []
    items = [{"role": "user", "content": value}] if isinstance(value, str) else list(value or [])
    for item in items:
        kind = item.get("type", "message")
        if kind == "function_call_output":
            output = item.get("output")
            out.append(Message("tool", output if isinstance(output, str) else content_text(output)))
        elif kind == "function_call":
            out.append(Message("assistant", ""))
        elif kind == "message":
            out.append(Message(str(item.get("role", "user")), content_text(item.get("content"))))
    if not out or all(m.role == "system" for m in out):
        raise Rejected("input must not be empty.")
    return out


def _output(turn: Turn, ident: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if turn.text or not turn.tool_calls:
        items.append({"id": f"msg_{ident[5:29]}", "type": "message", "status": "completed", "role": "assistant",
                      "content": [{"type": "output_text", "text": turn.text, "annotations": []}]})
    for call in turn.tool_calls:
        items.append({"id": f"fc_{call.key[:24]}", "type": "function_call", "status": "completed",
                      "call_id": f"call_{call.key[:24]}", "name": call.name, "arguments": call.arguments})
    return items


def _response(ident: str, model: str, output: list[dict[str, Any]], turn: Turn, previous: Any) -> dict[str, Any]:
    incomplete = turn.finish_reason == "length"
    return {"id": ident, "object": "response", "created_at": CREATED,
            "status": "incomplete" if incomplete else "completed", "model": model, "output": output,
            "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
            "usage": {"input_tokens": turn.prompt_tokens, "output_tokens": turn.completion_tokens,
                      "total_tokens": turn.total_tokens, "input_tokens_details": {"cached_tokens": 0},
                      "output_tokens_details": {"reasoning_tokens": turn.reasoning_tokens}},
            "previous_response_id": previous, "error": None,
            "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None}


def _events(response: dict[str, Any]) -> list[bytes]:
    """The stream of ``response`` as the reference sample frames it (one text delta per word)."""
    frames: list[dict[str, Any]] = []
    head = {**response, "status": "in_progress", "output": [], "usage": None}
    frames += [{"type": "response.created", "response": head}, {"type": "response.in_progress", "response": head}]
    for index, item in enumerate(response["output"]):
        where = {"item_id": item["id"], "output_index": index}
        if item["type"] == "message":
            text = item["content"][0]["text"]
            frames.append({"type": "response.output_item.added", "output_index": index,
                           "item": {**item, "status": "in_progress", "content": []}})
            frames.append({"type": "response.content_part.added", **where, "content_index": 0,
                           "part": {"type": "output_text", "text": "", "annotations": []}})
            frames += [{"type": "response.output_text.delta", **where, "content_index": 0, "delta": word,
                        "logprobs": []} for word in _words(text)]
            frames.append({"type": "response.output_text.done", **where, "content_index": 0, "text": text,
                           "logprobs": []})
            frames.append({"type": "response.content_part.done", **where, "content_index": 0,
                           "part": item["content"][0]})
        else:
            frames.append({"type": "response.output_item.added", "output_index": index,
                           "item": {**item, "status": "in_progress", "arguments": ""}})
            frames.append({"type": "response.function_call_arguments.delta", **where, "delta": item["arguments"]})
            frames.append({"type": "response.function_call_arguments.done", **where,
                           "arguments": item["arguments"]})
        frames.append({"type": "response.output_item.done", "output_index": index, "item": item})
    frames.append({"type": "response.completed", "response": response})
    return [f"event: {f['type']}\ndata: {json.dumps({**f, 'sequence_number': n}, ensure_ascii=False)}\n\n".encode()
            for n, f in enumerate(frames)]


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)] if text else []
