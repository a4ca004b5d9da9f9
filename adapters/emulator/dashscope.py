"""DashScope's native API as the emulator speaks it (shared/reference/dashscope.md).

    POST /api/v1/services/aigc/text-generation/generation         {"model", "input": {"messages"}, "parameters"}
    POST /api/v1/services/aigc/multimodal-generation/generation   content = [{"text": ..}, {"image": ..}]
    POST /api/v1/services/embeddings/text-embedding/text-embedding  {"input": {"texts": [...]}}

Streams are asked for with ``X-DashScope-SSE: enable`` (or ``Accept: text/event-stream``) and come
as ``id:``/``event:result``/``:HTTP_STATUS/200``/``data:{...}`` events, no ``[DONE]``, cumulative
usage in every event, deltas only with ``parameters.incremental_output: true``. Errors are
``{"code", "message", "request_id"}`` with the real HTTP status. The checks below are the ones
the live API makes (texts from the reference); where the reference is unsure the docstring of the
check says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import openai_shape, sources
from .models import chat_model, embedding_model
from .replies import Turn, answer, embedding, pieces, tokens
from .wire import Answer, Context, RecordedRequest, Rejected, dumps, json_answer, obj, sse_answer, uuid_like

NAME = "dashscope"

_TEXT = "/api/v1/services/aigc/text-generation/generation"
_MULTIMODAL = "/api/v1/services/aigc/multimodal-generation/generation"
_EMBEDDINGS = "/api/v1/services/embeddings/text-embedding/text-embedding"

ERRORS: dict[int, tuple[str, str]] = {
    400: ("InvalidParameter", "Invalid parameter."),
    401: ("InvalidApiKey", "Invalid API-key provided."),
    403: ("AccessDenied.Unpurchased", "Access to model denied. Please make sure you are eligible for using the model."),
    404: ("ModelNotFound", "Model can not be found."),
    429: ("Throttling.RateQuota", "Requests rate limit exceeded, please try again later."),
    500: ("InternalError", "An internal error has occured, please try again later or contact service support."),
    503: ("ModelUnavailable", "Model is unavailable, please try again later."),
    504: ("GatewayTimeout", "Gateway timeout, please try again later."),
}
MESSAGES = {
    "Throttling.AllocationQuota": "Allocated quota exceeded, please increase your quota limit.",
    "Arrearage": "Access denied, please make sure your account is in good standing.",
    "DataInspectionFailed": "Input data may contain inappropriate content.",
}
_PART_KEYS = {"text", "image", "audio", "video"}
_OLD_TOP_P = ("qwen-max", "qwen2", "qwen1")
_MODEL_MISSING = "Model not exist."


def endpoint(path: str) -> str | None:
    if not path.startswith("/api/v1/"):
        return None
    return {_TEXT: "chat", _MULTIMODAL: "chat", _EMBEDDINGS: "embeddings"}.get(path, "other")


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    """Every answer carries the request id in ``X-Request-Id`` too (reference extras.md §5)."""
    answer = _handle(request, ctx)
    return replace(answer, headers={**answer.headers, "X-Request-Id": uuid_like(request.key)})


def _handle(request: RecordedRequest, ctx: Context) -> Answer:
    try:
        if not ctx.known_key(NAME, request.bearer or ""):
            raise Rejected("Invalid API-key provided." if request.bearer else "No API-key provided.",
                           401, "InvalidApiKey")
        if request.endpoint == "other" or request.method != "POST":
            raise Rejected(f"Url not found: {request.method} {request.path}", 404, "NotFound")
        if not isinstance(request.json, dict):
            raise Rejected("Request body is not valid JSON.", 400, "BadRequest.IllegalInput")
        if request.endpoint == "embeddings":
            return _embeddings(request)
        return _chat(request, ctx)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> Answer:
    default_code, default_message = ERRORS.get(status, ERRORS[500])
    code = str(code) if code is not None else default_code
    text = message or MESSAGES.get(code) or default_message
    return json_answer({"code": code, "message": text, "request_id": uuid_like(request.key)}, status)


def stream_error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> bytes:
    body = error(status, code, message, request).body
    return f"id:99\nevent:error\n:HTTP_STATUS/{status}\ndata:{dumps(body)}\n\n".encode()


# --- chat ---------------------------------------------------------------------------------------


def _chat(request: RecordedRequest, ctx: Context) -> Answer:
    body: dict[str, Any] = request.json
    model = body.get("model")
    if not model:
        raise Rejected('Required parameter "model" missing from request.', 400, "BadRequest.EmptyModel")
    info = chat_model(NAME, model)
    if info is None:
        raise Rejected(_MODEL_MISSING)
    stray = sorted(set(body) - {"model", "input", "parameters"})
    if stray:
        # Unconfirmed whether the live API ignores these; refusing them catches OpenAI-shaped bodies.
        raise Rejected(f"Unexpected top-level field(s) {', '.join(stray)}: put messages under "
                       '"input" and options under "parameters".')
    multimodal = request.path == _MULTIMODAL
    if bool(info.get("multimodal")) != multimodal:
        raise Rejected("url error, please check url!")
    inputs = obj(body.get("input"))
    messages = inputs.get("messages")
    if messages is None and isinstance(inputs.get("prompt"), str):
        messages = [{"role": "user", "content": inputs["prompt"]}]
    if not isinstance(messages, list) or not messages:
        raise Rejected('Either "prompt" or "messages" must exist and cannot both be none')
    params = obj(body.get("parameters"))
    _check_messages(messages, multimodal)
    _check_parameters(params, info, messages, model)
    stream = _wants_stream(request)
    thinking = thinking_on(info, params.get("enable_thinking"))
    if info.get("stream_only") and not stream:
        raise Rejected("This model only support stream mode, please enable the stream parameter to access the model.")
    if thinking and not stream:
        raise Rejected("parameter.enable_thinking must be set to false for non-streaming calls")
    incremental = bool(params.get("incremental_output", False))
    if thinking and not incremental:
        # The reference says thinking needs incremental output; the exact text is unconfirmed.
        raise Rejected("The incremental_output parameter must be true when enable_thinking is true.")
    call = openai_shape.chat_call({"model": model, "messages": messages, **params}, thinking=thinking)
    turn = answer(call, ctx.next_reply(NAME))
    shape = _Shape(multimodal, params.get("result_format", "text") == "message", uuid_like(request.key))
    shape.logprobs = int(params.get("top_logprobs") or 0) if params.get("logprobs") else None
    shape.search = bool(params.get("enable_search")) and bool(obj(params.get("search_options")).get("enable_source"))
    if stream:
        return sse_answer(_events(turn, shape, incremental))
    body = shape.body(turn, turn.text, turn.reasoning, _tool_calls(turn) or None, turn.finish_reason,
                      turn.completion_tokens)
    for _ in range(int(params.get("n") or 1) - 1):  # each further choice answered on its own (scripts too)
        more = answer(call, ctx.next_reply(NAME))
        extra = shape.body(more, more.text, more.reasoning, _tool_calls(more) or None, more.finish_reason,
                           more.completion_tokens)
        body["output"]["choices"] += extra["output"]["choices"]
        for key in ("output_tokens", "total_tokens"):
            body["usage"][key] += more.completion_tokens
    return json_answer(body)


def _wants_stream(request: RecordedRequest) -> bool:
    return (request.headers.get("x-dashscope-sse", "").lower() == "enable"
            or "text/event-stream" in request.headers.get("accept", ""))


def thinking_on(info: Mapping[str, Any], flag: Any) -> bool:
    """Hybrid models think by ``enable_thinking`` (default per catalogue); pure reasoners always."""
    if "thinking_default" in info or not info.get("reasoning"):
        return bool(info.get("thinking_default", False) if flag is None else flag)
    return True


def _check_messages(messages: list[Any], multimodal: bool) -> None:
    previous: Mapping[str, Any] = {}
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant", "tool"):
            raise Rejected("Role must be in [system, user, assistant, tool]")
        content = message.get("content")
        if multimodal and isinstance(content, list):
            if any(not isinstance(p, dict) or len(_PART_KEYS & set(p)) != 1 or "type" in p for p in content):
                raise Rejected("The item of content should be a message of a certain modal.")
        elif not isinstance(content, str) and not (content is None and message.get("tool_calls")):
            raise Rejected("input content must be a string.")
        if message["role"] == "tool" and not (previous.get("tool_calls") or previous.get("role") == "tool"):
            raise Rejected('messages with role "tool" must be a response to a preceeding message with "tool_calls".')
        previous = message


def _check_parameters(params: Mapping[str, Any], info: Mapping[str, Any], messages: list[Any], model: str) -> None:
    temperature, top_p = params.get("temperature"), params.get("top_p")
    if temperature is not None and not 0 <= temperature < 2:
        raise Rejected("Temperature should be in [0.0, 2.0)")
    if top_p is not None and not 0 < top_p <= 1:
        raise Rejected("Range of top_p should be (0.0, 1.0]")
    limit, most = params.get("max_tokens"), info.get("max_output")
    if limit is not None and (limit < 1 or (most and limit > most)):
        raise Rejected(f"Range of max_tokens should be [1, {most or 8192}]")
    if params.get("n") is not None and not 1 <= params["n"] <= 4:
        raise Rejected("Range of n should be [1, 4]")
    if (params.get("n") or 1) > 1 and params.get("tools"):
        raise Rejected("n must be 1 when tools are given")
    if top_p == 1 and model.startswith(_OLD_TOP_P):
        # Older models refuse top_p=1.0 (reference dashscope.md §3.2; which models exactly is unconfirmed).
        raise Rejected("Range of top_p should be (0.0, 1.0)")
    if params.get("top_logprobs") is not None and not 0 <= params["top_logprobs"] <= 5:
        raise Rejected("Range of top_logprobs should be [0, 5]")
    choice = params.get("tool_choice")
    if isinstance(choice, str) and choice not in ("auto", "none"):
        raise Rejected('tool_choice is one of the strings that should be ["none", "auto"]')
    if params.get("tools") and not info.get("tools"):
        raise Rejected("The tool call is not supported.")
    if obj(params.get("response_format")).get("type") == "json_object":
        words = "".join(openai_shape.content_text(m.get("content")) for m in messages).lower()
        if "json" not in words:
            raise Rejected("'messages' must contain the word 'json' in some form, to use 'response_format' "
                           "of type 'json_object'.")


# --- chat rendering -----------------------------------------------------------------------------


class _Shape:
    """How one request's answers look: message or text result format, multimodal content lists."""

    def __init__(self, multimodal: bool, message_format: bool, request_id: str) -> None:
        self.multimodal, self.message_format, self.request_id = multimodal, message_format, request_id
        self.logprobs: int | None = None  # parameters.top_logprobs when logprobs are asked for
        self.search = False               # sources still to send (the first body carries them)

    def body(self, turn: Turn, text: str, reasoning: str | None, calls: list[dict[str, Any]] | None,
             finish: str, produced: int) -> dict[str, Any]:
        if self.message_format:
            message: dict[str, Any] = {"role": "assistant",
                                       "content": ([{"text": text}] if text else []) if self.multimodal else text}
            if reasoning is not None:
                message["reasoning_content"] = reasoning
            if calls:
                message["tool_calls"] = calls
            choice: dict[str, Any] = {"finish_reason": finish, "message": message}
            if self.logprobs is not None and text:
                choice["logprobs"] = sources.logprobs(text, self.logprobs)
            output: dict[str, Any] = {"choices": [choice]}
        else:
            output = {"text": text, "finish_reason": finish}
        if self.search:
            output["search_info"], self.search = sources.dashscope_search_info(), False
        usage: dict[str, Any] = {"input_tokens": turn.prompt_tokens, "output_tokens": produced,
                                 "total_tokens": turn.prompt_tokens + produced}
        if turn.reasoning_tokens:
            usage["output_tokens_details"] = {"reasoning_tokens": min(produced, turn.reasoning_tokens)}
        return {"output": output, "usage": usage, "request_id": self.request_id}


def _tool_calls(turn: Turn, arguments: list[str] | None = None) -> list[dict[str, Any]]:
    return [
        {"index": i, "id": f"call_{c.key[:24]}", "type": "function",
         "function": {"name": c.name, "arguments": c.arguments if arguments is None else arguments[i]}}
        for i, c in enumerate(turn.tool_calls)
    ]


@dataclass(frozen=True)
class _Step:
    """One stream event's worth of new output: text, reasoning or a tool-call fragment."""

    text: str = ""
    reasoning: str = ""
    tool: int = -1          # the tool call a fragment belongs to
    arguments: str = ""
    opens: bool = False     # the fragment that carries the call's id, type and name


def _steps(turn: Turn) -> list[_Step]:
    """Reasoning first, then text, then each tool call (opened, then its arguments in pieces)."""
    steps = [_Step(reasoning=p) for p in pieces(turn.reasoning or "", turn.chunks)]
    steps += [_Step(text=p) for p in pieces(turn.text, turn.chunks)]
    for i, call in enumerate(turn.tool_calls):
        steps.append(_Step(tool=i, opens=True))
        steps += [_Step(tool=i, arguments=p) for p in pieces(call.arguments, turn.chunks or 2)]
    return steps


def _events(turn: Turn, shape: _Shape, incremental: bool) -> list[bytes]:
    """Deltas when ``incremental``, else snapshots of everything so far; usage grows each event."""
    thinking = turn.reasoning is not None
    text = reasoning = ""
    arguments = ["" for _ in turn.tool_calls]
    produced, bodies = 0, []
    for step in _steps(turn):
        text, reasoning = text + step.text, reasoning + step.reasoning
        if step.tool >= 0:
            arguments[step.tool] += step.arguments
        produced = min(turn.completion_tokens, produced + tokens(step.text + step.reasoning + step.arguments))
        if incremental:
            calls = [_fragment(turn, step)] if step.tool >= 0 else None
            bodies.append(shape.body(turn, step.text, step.reasoning if thinking else None, calls, "null", produced))
        else:
            calls = _tool_calls(turn, arguments)[: step.tool + 1] if step.tool >= 0 else None
            bodies.append(shape.body(turn, text, reasoning if thinking else None, calls, "null", produced))
    if incremental:
        last = shape.body(turn, "", "" if thinking else None, None, turn.finish_reason, turn.completion_tokens)
    else:
        last = shape.body(turn, text, reasoning if thinking else None, _tool_calls(turn) or None,
                          turn.finish_reason, turn.completion_tokens)
    return [event(n, body) for n, body in enumerate([*bodies, last], 1)]


def _fragment(turn: Turn, step: _Step) -> dict[str, Any]:
    call = turn.tool_calls[step.tool]
    if step.opens:
        return {"index": step.tool, "id": f"call_{call.key[:24]}", "type": "function",
                "function": {"name": call.name, "arguments": ""}}
    return {"index": step.tool, "id": "", "type": "function", "function": {"arguments": step.arguments}}


def event(number: int, body: Mapping[str, Any]) -> bytes:
    """One frame of a native stream, as DashScope frames it."""
    return f"id:{number}\nevent:result\n:HTTP_STATUS/200\ndata:{dumps(body)}\n\n".encode()


# --- embeddings ---------------------------------------------------------------------------------


def _embeddings(request: RecordedRequest) -> Answer:
    body: dict[str, Any] = request.json
    info = embedding_model(NAME, body.get("model"))
    if info is None:
        raise Rejected(_MODEL_MISSING)
    texts = obj(body.get("input")).get("texts")
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise Rejected("Value error, input.texts should be a non-empty list of non-empty strings.")
    if len(texts) > info["max_batch"]:
        raise Rejected(f"Value error, batch size is invalid, it should not be larger than {info['max_batch']}.: "
                       "input.contents")
    params = obj(body.get("parameters"))
    dimension = params.get("dimension", info["default_dimension"])
    if dimension not in info["dimensions"]:
        # The live wording is unconfirmed; the allowed sizes are the catalogue's.
        raise Rejected(f"Value error, parameter.dimension should be one of {info['dimensions']}.")
    vectors = [{"embedding": embedding(t, dimension), "text_index": i} for i, t in enumerate(texts)]
    usage = {"total_tokens": sum(tokens(t) for t in texts)}
    return json_answer({"output": {"embeddings": vectors}, "usage": usage, "request_id": uuid_like(request.key)})
