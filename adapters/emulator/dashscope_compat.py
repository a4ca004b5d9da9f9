"""DashScope's OpenAI-compatible mode (``/compatible-mode/v1``), used by the codemods' ``compat`` style.

    POST /compatible-mode/v1/chat/completions   OpenAI body; extras such as ``enable_thinking`` at top level
    POST /compatible-mode/v1/embeddings         {"model", "input", "dimensions"}

Answers are plain OpenAI shapes (``chatcmpl-`` ids, usage in a stream only with
``stream_options.include_usage``); errors are ``{"error": {"code", "message", "param", "type"},
"request_id"}``. Model rules (stream-only, thinking) are the native API's.
"""

from __future__ import annotations

from typing import Any

from . import openai_shape
from .dashscope import thinking_on
from .models import chat_model, embedding_model
from .replies import answer, embedding, tokens
from .wire import Answer, Context, RecordedRequest, Rejected, json_answer, sse_answer, uuid_like

NAME = "dashscope"
_ROOT = "/compatible-mode/v1"
CREATED = 1767225600

ERRORS: dict[int, tuple[str, str, str]] = {  # status -> (code, type, message)
    400: ("invalid_parameter_error", "invalid_request_error", "Invalid parameter."),
    401: ("invalid_api_key", "invalid_request_error", "Incorrect API key provided. "),
    403: ("access_denied", "invalid_request_error", "Access denied."),
    404: ("model_not_found", "invalid_request_error", "The model does not exist or you do not have access to it."),
    429: ("limit_requests", "requests", "Requests rate limit exceeded, please try again later."),
    500: ("internal_error", "internal_error", "An internal error has occured, please try again later."),
    503: ("ServiceUnavailable", "service_unavailable", "Model is unavailable, please try again later."),
}
STYLE = openai_shape.Style(tool_id=lambda key: f"call_{key[:24]}")


def endpoint(path: str) -> str | None:
    if not path.startswith(_ROOT + "/"):
        return None
    return {f"{_ROOT}/chat/completions": "chat", f"{_ROOT}/embeddings": "embeddings"}.get(path, "other")


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    try:
        if not ctx.known_key(NAME, request.bearer or ""):
            raise Rejected("Incorrect API key provided. ", 401)
        if request.endpoint == "other" or request.method != "POST":
            raise Rejected(f"Url not found: {request.method} {request.path}", 404, "not_found")
        if not isinstance(request.json, dict):
            raise Rejected("Request body is not valid JSON.")
        if request.endpoint == "embeddings":
            return _embeddings(request)
        return _chat(request, ctx)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> Answer:
    default_code, kind, default_message = ERRORS.get(status, ERRORS[500])
    body = {"code": str(code or default_code), "message": message or default_message, "param": None, "type": kind}
    return json_answer({"error": body, "request_id": uuid_like(request.key)}, status)


def stream_error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> bytes:
    return openai_shape.sse_frame(error(status, code, message, request).body)


def _chat(request: RecordedRequest, ctx: Context) -> Answer:
    body: dict[str, Any] = request.json
    info = chat_model(NAME, body.get("model"))
    if info is None:
        raise Rejected(f"The model `{body.get('model')}` does not exist or you do not have access to it.", 404)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Rejected("messages must be a non-empty list.")
    temperature, top_p = body.get("temperature"), body.get("top_p")
    if temperature is not None and not 0 <= temperature < 2:
        raise Rejected("Temperature should be in [0.0, 2.0)")
    if top_p is not None and not 0 < top_p <= 1:
        raise Rejected("Range of top_p should be (0.0, 1.0]")
    stream = bool(body.get("stream"))
    thinking = thinking_on(info, body.get("enable_thinking"))
    if info.get("stream_only") and not stream:
        raise Rejected("This model only support stream mode, please enable the stream parameter to access the model.")
    if thinking and not stream:
        raise Rejected("parameter.enable_thinking must be set to false for non-streaming calls")
    turn = answer(openai_shape.chat_call(body, thinking=thinking), ctx.next_reply(NAME))
    ident, model = f"chatcmpl-{uuid_like(request.key)}", str(body["model"])
    if stream:
        include = bool((body.get("stream_options") or {}).get("include_usage"))
        return sse_answer(openai_shape.chunks(turn, STYLE, ident=ident, model=model, created=CREATED,
                                              include_usage=include))
    return json_answer(openai_shape.completion(turn, STYLE, ident=ident, model=model, created=CREATED))


def _embeddings(request: RecordedRequest) -> Answer:
    body: dict[str, Any] = request.json
    info = embedding_model(NAME, body.get("model"))
    if info is None:
        raise Rejected(f"The model `{body.get('model')}` does not exist or you do not have access to it.", 404)
    texts = body.get("input")
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise Rejected("input should be a non-empty string or a list of non-empty strings.")
    if len(texts) > info["max_batch"]:
        raise Rejected(f"batch size is invalid, it should not be larger than {info['max_batch']}.")
    dimension = body.get("dimensions", info["default_dimension"])
    if dimension not in info["dimensions"]:
        raise Rejected(f"dimensions should be one of {info['dimensions']}.")
    data = [{"object": "embedding", "index": i, "embedding": embedding(t, dimension)} for i, t in enumerate(texts)]
    used = sum(tokens(t) for t in texts)
    return json_answer({"object": "list", "data": data, "model": body["model"],
                        "usage": {"prompt_tokens": used, "total_tokens": used}, "id": uuid_like(request.key)})
