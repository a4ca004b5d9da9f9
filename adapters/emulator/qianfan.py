"""Baidu Qianfan API v2 as the emulator speaks it (shared/reference/qianfan.md §1–6, §8–9.1).

    POST /v2/chat/completions   OpenAI-like; Authorization: Bearer bce-v3/ALTAK-...
    POST /v2/embeddings         {"model", "input": [...]}  (at most 16 texts)

ERNIE's message order is enforced (v2 still checks it): an optional leading system, then user
first, user/assistant alternating, ``assistant(tool_calls) -> tool... -> assistant`` with tools, and a
user or tool message last. ``stop`` takes at most 4 words of at most 20 characters; ERNIE
temperatures lie in (0, 1]. Answers carry ``object``, ids ``as-...``, ``flag: 0`` on choices,
tool-call ids without ``call_``, and stream usage only with ``stream_options.include_usage``.
Errors: ``{"error": {"code", "message", "type"}, "id"}`` — an unknown model is a 401.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from . import openai_shape, sources
from .models import chat_model, embedding_model
from .replies import answer, embedding, tokens
from .wire import Answer, Context, RecordedRequest, Rejected, dumps, json_answer, obj, sse_answer

NAME = "qianfan"
_ROOT = "/v2"
CREATED = 1767225600

ERRORS: dict[int, tuple[str, str, str]] = {  # status -> (code, type, message)
    400: ("invalid_argument", "invalid_request_error", "Invalid argument"),
    401: ("invalid_iam_token", "invalid_request_error", "invalid_iam_token"),
    403: ("account_overdue", "access_denied", "Access denied due to overdue account"),
    404: ("not_found", "invalid_request_error", "Not found"),
    429: ("rpm_rate_limit_exceeded", "rate_limit_exceeded", "Rate limit reached for RPM"),
    500: ("internal_error", "internal_error", "Internal error"),
}
MESSAGES = {
    "tpm_rate_limit_exceeded": ("rate_limit_exceeded", "Rate limit reached for TPM"),
    "invalid_model": ("invalid_request_error", "The model does not exist or you do not have access to it."),
    "tokens_too_long": ("invalid_request_error", "Prompt tokens too long"),
    "dispatch_internal_error": ("internal_error", "Dispatch internal error"),
}
STYLE = openai_shape.Style(tool_id=lambda key: key, null_usage=True, choice_extra={"flag": 0})
#: Sent with every successful chat answer (values from samples/qianfan/v2_response_headers.json).
SEARCH_TOKENS = 1100
RATE_LIMIT_HEADERS = {
    "X-Ratelimit-Limit-Requests": "300", "X-Ratelimit-Remaining-Requests": "299",
    "X-Ratelimit-Limit-Input-Tokens": "300000", "X-Ratelimit-Remaining-Input-Tokens": "299980",
    "X-Ratelimit-Limit-Output-Tokens": "100000", "X-Ratelimit-Remaining-Output-Tokens": "99990",
}


def endpoint(path: str) -> str | None:
    if not path.startswith(_ROOT + "/"):
        return None
    return {f"{_ROOT}/chat/completions": "chat", f"{_ROOT}/embeddings": "embeddings"}.get(path, "other")


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    try:
        if not ctx.known_key(NAME, request.bearer or ""):
            raise Rejected("invalid_iam_token", 401)
        if request.endpoint == "other" or request.method != "POST":
            raise Rejected(f"Not found: {request.method} {request.path}", 404)
        if not isinstance(request.json, dict):
            raise Rejected("Request body is not valid JSON", 400, "malformed_json")
        if request.endpoint == "embeddings":
            return _embeddings(request)
        return _chat(request, ctx)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> Answer:
    body = _error_body(status, code, message, request)
    return json_answer(body, status)


def stream_error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> bytes:
    """A bare JSON error line, as the SDK tolerates in v2 streams (reference §5; unconfirmed how often)."""
    return (dumps(_error_body(status, code, message, request)) + "\n\n").encode()


def _error_body(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> dict[str, Any]:
    default_code, kind, default_message = ERRORS.get(status, ERRORS[500])
    code = str(code) if code is not None else default_code
    kind, known = MESSAGES.get(code, (kind, default_message if code == default_code else code))
    return {"error": {"code": code, "message": message or known, "type": kind}, "id": _ident(request)}


def _ident(request: RecordedRequest) -> str:
    return "as-" + request.key[:10]


def check_order(roles: Sequence[str], calls: Sequence[bool], *, tool_role: str = "tool") -> str | None:
    """Why an ERNIE history is out of order (``None`` when it is fine).

    ``roles`` exclude a leading system message; ``calls[i]`` says message i carries tool calls.
    """
    if not roles or roles[0] != "user":
        return "the first message must be from user"
    for i in range(1, len(roles)):
        before, now = roles[i - 1], roles[i]
        if now not in ("user", "assistant", tool_role):  # a system message only at the very start
            return f"a {now} message may only be the first message"
        if now == tool_role and not (before == tool_role or (before == "assistant" and calls[i - 1])):
            return f"a {tool_role} message must follow an assistant message with tool calls"
        if now in ("user", "assistant") and now == before:
            return "user and assistant messages must alternate"
        if now == "user" and before == tool_role:
            return f"a {tool_role} message must be followed by an assistant message"
        if before == "assistant" and calls[i - 1] and now != tool_role:
            return f"tool calls must be answered by {tool_role} messages"
    if roles[-1] not in ("user", tool_role):
        return f"the last message must be from user or {tool_role}"
    return None


def check_stop(stop: Any) -> str | None:
    words = [stop] if isinstance(stop, str) else stop
    if words is None:
        return None
    if not isinstance(words, list) or len(words) > 4 or any(not isinstance(w, str) or len(w) > 20 for w in words):
        return "stop must be a list of at most 4 strings of at most 20 characters"
    return None


def ernie_range(model: str, temperature: Any, top_p: Any) -> str | None:
    """ERNIE's sampling ranges: temperature in (0, 1], top_p in [0, 1]."""
    if model.lower().startswith("ernie") and temperature is not None and not 0 < temperature <= 1:
        return "temperature must be in (0, 1.0]"
    if top_p is not None and not 0 <= top_p <= 1:
        return "top_p must be in [0, 1.0]"
    return None


# --- chat ---------------------------------------------------------------------------------------


def _chat(request: RecordedRequest, ctx: Context) -> Answer:
    body: dict[str, Any] = request.json
    model = str(body.get("model") or "")
    info = chat_model(NAME, model)
    if info is None:
        raise Rejected(MESSAGES["invalid_model"][1], 401, "invalid_model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Rejected("messages cannot be empty")
    if any(not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool") for m in messages):
        raise Rejected("message role must be one of system, user, assistant, tool", 400, "invalid_messages")
    rest = messages[1:] if messages[0]["role"] == "system" else messages
    problem = check_order([m["role"] for m in rest], [bool(m.get("tool_calls")) for m in rest])
    if problem:
        raise Rejected(problem, 400, "invalid_messages")
    if not openai_shape.content_text(messages[-1].get("content")).strip():
        raise Rejected("the last message content must not be blank", 400, "invalid_messages")
    problem = check_stop(body.get("stop")) or ernie_range(model, body.get("temperature"), body.get("top_p"))
    if problem:
        raise Rejected(problem)
    seed, limit, most = body.get("seed"), body.get("max_tokens"), info.get("max_output")
    if seed is not None and not 0 < seed < 2147483647:
        raise Rejected("seed must be in (0, 2147483647)")
    if limit is not None and (limit < 1 or (most and limit > most)):
        raise Rejected(f"max_tokens must be in [1, {most}]")
    if body.get("tools") and not info.get("tools"):
        raise Rejected(f"{model} does not support tools")
    problem = _check_extras(body)
    if problem:
        raise Rejected(problem)
    thinking = bool(info.get("reasoning")) and body.get("enable_thinking") is not False
    turn = answer(openai_shape.chat_call(body, thinking=thinking), ctx.next_reply(NAME))
    ident = _ident(request)
    found = {"search_results": sources.qianfan_search_results()} if obj(body.get("web_search")).get("enable") else {}
    if found:  # search tokens are counted apart (samples/qianfan/v2_chat_response_search_results.json)
        turn = replace(turn, prompt_tokens=turn.prompt_tokens + SEARCH_TOKENS)
    if body.get("stream"):
        include = bool(obj(body.get("stream_options")).get("include_usage"))
        return sse_answer(openai_shape.chunks(turn, STYLE, ident=ident, model=model, created=CREATED,
                                              include_usage=include, first=found), **RATE_LIMIT_HEADERS)
    reply = openai_shape.completion(turn, STYLE, ident=ident, model=model, created=CREATED, extra=found)
    if found:
        reply["usage"]["prompt_tokens_details"]["search_tokens"] = SEARCH_TOKENS
    return json_answer(reply, 200, **RATE_LIMIT_HEADERS)


def _check_extras(body: dict[str, Any]) -> str | None:
    """Qianfan's own fields (reference extras.md §1): ``penalty_score`` in [1, 2], ``reasoning_effort``
    low/medium/high, ``web_search`` an object, ``thinking_budget`` at least 100."""
    penalty, effort, budget = body.get("penalty_score"), body.get("reasoning_effort"), body.get("thinking_budget")
    if penalty is not None and not 1 <= penalty <= 2:
        return "penalty_score must be in [1.0, 2.0]"
    if effort is not None and effort not in ("low", "medium", "high"):
        return "reasoning_effort must be one of low, medium, high"
    if "web_search" in body and not isinstance(body["web_search"], dict):
        return "web_search must be an object"
    if budget is not None and not (isinstance(budget, int) and budget >= 100):
        return "thinking_budget must be an integer of at least 100"
    return None


# --- embeddings ---------------------------------------------------------------------------------


def embed(texts: Any, info: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Vectors and usage for a Qianfan embeddings call (v1 and v2 share the limits)."""
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise Rejected("input must be a non-empty list of non-empty strings")
    if len(texts) > info["max_batch"]:
        raise Rejected(f"input may hold at most {info['max_batch']} texts")
    dimension = info["default_dimension"]
    data = [{"object": "embedding", "embedding": embedding(t, dimension), "index": i} for i, t in enumerate(texts)]
    used = sum(tokens(t) for t in texts)
    return data, {"prompt_tokens": used, "total_tokens": used}


def _embeddings(request: RecordedRequest) -> Answer:
    body: dict[str, Any] = request.json
    info = embedding_model(NAME, body.get("model"))
    if info is None:
        raise Rejected(MESSAGES["invalid_model"][1], 401, "invalid_model")
    data, usage = embed(body.get("input"), info)
    return json_answer({"id": _ident(request), "object": "list", "created": CREATED, "model": body["model"],
                        "data": data, "usage": usage})
