"""Baidu Qianfan's legacy v1 API ("wenxinworkshop") as the emulator speaks it (reference §1.2, §7–9.2).

    POST /oauth/2.0/token?grant_type=client_credentials&client_id=AK&client_secret=SK  -> access_token
    POST /rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}?access_token=...         model = endpoint
    POST /rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/{endpoint}?access_token=...

Chat bodies have no ``model`` and no system message (``system`` is a top-level string); messages
are odd in number, user first and last, alternating (``function`` answers an assistant
``function_call``). Answers are flat: ``result``, ``is_end`` in streams (``data: `` lines, no
``[DONE]``), cumulative usage. Every error — a bad or expired token too — is HTTP 200 with
``{"error_code": <int>, "error_msg"}``. Tokens come from ``Context`` so ``emu.expire_tokens()``
can expire them; IAM-signed requests (``Authorization: bce-auth-v1/...``) pass unchecked.
"""

from __future__ import annotations

import json
from typing import Any

from .models import chat_model, embedding_model
from .qianfan import check_order, check_stop, embed, ernie_range
from .replies import ChatCall, Message, Tool, Turn, answer, pieces, request_key, tokens
from .wire import Answer, Context, RecordedRequest, Rejected, dumps, json_answer, obj, sse_answer

NAME = "qianfan-v1"
#: Fields of v2 and the other providers that v1 does not take (it has disable_search/enable_citation/
#: enable_trace and no thinking models): refused here, so a request sending them untranslated fails.
OTHER_APIS_FIELDS = ("web_search", "enable_search", "search_options", "enable_thinking", "thinking",
                     "thinking_budget", "repetition_penalty")
_PREFIX = "/rpc/2.0/ai_custom/v1/wenxinworkshop/"
_TOKEN = "/oauth/2.0/token"
CREATED = 1767225600

# endpoint -> model it serves (reference §2; the lower-case v2 ids where the catalogue has them)
CHAT_ENDPOINTS = {
    "completions_pro": "ernie-4.0-8k",
    "ernie-4.0-8k-latest": "ernie-4.0-8k-latest",
    "ernie-4.0-turbo-8k": "ernie-4.0-turbo-8k",
    "ernie-4.0-turbo-128k": "ernie-4.0-turbo-128k",
    "completions": "ernie-3.5-8k",
    "ernie-3.5-128k": "ernie-3.5-128k",
    "ernie_speed": "ernie-speed-8k",
    "ernie-speed-128k": "ernie-speed-128k",
    "ernie-lite-8k": "ernie-lite-8k",
    "eb-instant": "ernie-lite-8k-0922",
    "ernie-tiny-8k": "ernie-tiny-8k",
    "ernie_bot_8k": "ernie-bot-8k",
}
EMBEDDING_ENDPOINTS = {"embedding-v1": "embedding-v1", "bge_large_zh": "bge-large-zh",
                       "bge_large_en": "bge-large-en", "tao_8k": "tao-8k"}

ERRORS: dict[int, int] = {400: 336003, 401: 110, 403: 6, 404: 336005, 429: 18, 500: 336000, 503: 336100}
MESSAGES = {
    2: "Service temporarily unavailable", 4: "Open api request limit reached", 6: "No permission to access data",
    17: "Open api daily request limit reached", 18: "Open api qps request limit reached",
    19: "Open api total request limit reached", 110: "Access token invalid or no longer valid",
    111: "Access token expired", 336000: "Internal error", 336003: "Invalid parameter",
    336005: "API name not exist", 336100: "try again later", 336501: "Rpm limit reached, please try again later",
    336502: "Token limit reached, please try again later",
}


def endpoint(path: str) -> str | None:
    if path == _TOKEN:
        return "token"
    if not path.startswith(_PREFIX):
        return None
    kind, _, name = path[len(_PREFIX):].partition("/")
    return {"chat": "chat", "embeddings": "embeddings"}.get(kind, "other") if name else "other"


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    if request.endpoint == "token":
        return _token(request, ctx)
    try:
        _authenticate(request, ctx)
        name = request.path.rsplit("/", 1)[-1]
        if request.endpoint == "embeddings" and name in EMBEDDING_ENDPOINTS:
            return _embeddings(request, EMBEDDING_ENDPOINTS[name])
        if request.endpoint == "chat" and name in CHAT_ENDPOINTS:
            return _chat(request, ctx, CHAT_ENDPOINTS[name])
        raise Rejected(f"{MESSAGES[336005]}: {name}", code=336005)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> Answer:
    """Always HTTP 200: v1 reports every failure in the body."""
    return json_answer(_error_body(status, code, message, request))


def stream_error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> bytes:
    return f"data: {dumps(_error_body(status, code, message, request))}\n\n".encode()


def _error_body(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> dict[str, Any]:
    number = int(code) if code is not None and str(code).isdigit() else ERRORS.get(status, 336000)
    return {"id": _ident(request), "error_code": number, "error_msg": message or MESSAGES.get(number, "error")}


def _ident(request: RecordedRequest) -> str:
    return "as-" + request.key[:10]


# --- access tokens --------------------------------------------------------------------------------


def _token(request: RecordedRequest, ctx: Context) -> Answer:
    query = request.query
    if query.get("grant_type") != "client_credentials":
        return json_answer({"error": "unsupported_grant_type", "error_description": "The authorization grant type "
                            "is not supported"}, 400)
    ak, sk = query.get("client_id", ""), query.get("client_secret", "")
    if not ctx.known_key(NAME, ak):
        return json_answer({"error": "invalid_client", "error_description": "unknown client id"}, 401)
    if not sk or sk == "invalid":
        return json_answer({"error": "invalid_client", "error_description": "Client authentication failed"}, 401)
    token = ctx.issue_token(ak, sk)
    key = request_key(token)
    return json_answer({
        "refresh_token": "25." + token[3:], "expires_in": 2592000, "session_key": key,
        "access_token": token, "scope": "public brain_all_scope wenxinworkshop_mgr", "session_secret": key[:32],
    })


def _authenticate(request: RecordedRequest, ctx: Context) -> None:
    if request.headers.get("authorization", "").startswith("bce-auth-v1/"):
        return  # IAM request signing: accepted, not verified
    status = ctx.token_status(request.query.get("access_token", ""))
    if status == "expired":
        raise Rejected(MESSAGES[111], code=111)
    if status != "valid":
        raise Rejected(MESSAGES[110], code=110)


# --- chat -----------------------------------------------------------------------------------------


def _chat(request: RecordedRequest, ctx: Context, model: str) -> Answer:
    body = obj(request.json)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise Rejected("messages cannot be empty", code=336003)
    roles = [m.get("role") for m in messages]
    if "system" in roles:
        raise Rejected("system is not a message role in v1; send it as the top-level \"system\" field", code=336003)
    if len(messages) % 2 == 0:
        raise Rejected("the length of messages must be an odd number", code=336003)
    problem = check_order([str(r) for r in roles], [bool(m.get("function_call")) for m in messages],
                          tool_role="function")
    problem = problem or check_stop(body.get("stop")) or ernie_range(model, body.get("temperature"), body.get("top_p"))
    if problem:
        raise Rejected(problem, code=336003)
    limit, penalty = body.get("max_output_tokens"), body.get("penalty_score")
    most = (chat_model("qianfan", model) or {}).get("max_output", 2048)
    if limit is not None and not 2 <= limit <= most:
        raise Rejected(f"max_output_tokens must be in [2, {most}]", code=336003)
    if penalty is not None and not 1 <= penalty <= 2:
        raise Rejected("penalty_score must be in [1.0, 2.0]", code=336003)
    flags = [f for f in ("disable_search", "enable_citation", "enable_trace") if f in body]
    if any(not isinstance(body[f], bool) for f in flags):  # the reference's sample: booleans
        raise Rejected(f"{', '.join(flags)} must be booleans", code=336003)
    if any(f in body for f in OTHER_APIS_FIELDS):  # unconfirmed: v1 may ignore them; refused so tests can tell
        raise Rejected(f"unknown field {next(f for f in OTHER_APIS_FIELDS if f in body)!r} in a v1 request",
                       code=336003)
    turn = answer(_call(body, model, messages), ctx.next_reply(NAME))
    if body.get("stream"):
        return sse_answer(_events(turn, _ident(request)))
    return json_answer(_result(turn, _ident(request), turn.text, turn.finish_reason, turn.completion_tokens))


def _call(body: dict[str, Any], model: str, messages: list[dict[str, Any]]) -> ChatCall:
    functions = [f for f in body.get("functions") or () if isinstance(f, dict)]
    choice = obj(obj(body.get("tool_choice")).get("function")).get("name", "auto")
    system = [Message("system", body["system"])] if isinstance(body.get("system"), str) else []
    fmt = body.get("response_format")
    return ChatCall(
        model=model,
        messages=[*system, *(Message(str(m.get("role")), str(m.get("content") or "")) for m in messages)],
        tools=[Tool(str(f.get("name")), obj(f.get("parameters"))) for f in functions],
        tool_choice=str(choice),
        json_mode="json_object" if fmt == "json_object" else None,
        max_tokens=body.get("max_output_tokens"),
    )


def _result(turn: Turn, ident: str, text: str, finish: str, produced: int, **stream: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ident, "object": "chat.completion", "created": CREATED, **stream, "result": text,
                           "is_truncated": finish == "length", "need_clear_history": False,
                           "finish_reason": {"stop": "normal", "tool_calls": "function_call"}.get(finish, finish),
                           "usage": {"prompt_tokens": turn.prompt_tokens, "completion_tokens": produced,
                                     "total_tokens": turn.prompt_tokens + produced}}
    if turn.tool_calls and finish == "tool_calls":
        call = turn.tool_calls[0]
        out["function_call"] = {"name": call.name, "arguments": call.arguments,
                                "thoughts": f"I should call {call.name}."}
    return out


def _events(turn: Turn, ident: str) -> list[bytes]:
    """``data: `` lines with incremental ``result``, cumulative usage, ``is_end`` on the last."""
    parts = pieces(turn.text, turn.chunks)
    events, produced = [], 0
    for n, piece in enumerate(parts):
        produced = min(turn.completion_tokens, produced + tokens(piece))
        body = _result(turn, ident, piece, "normal", produced, sentence_id=n, is_end=False)
        events.append(f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode())
    last = _result(turn, ident, "", turn.finish_reason, turn.completion_tokens, sentence_id=len(parts), is_end=True)
    events.append(f"data: {json.dumps(last, ensure_ascii=False)}\n\n".encode())
    return events


# --- embeddings -----------------------------------------------------------------------------------


def _embeddings(request: RecordedRequest, model: str) -> Answer:
    info = embedding_model("qianfan", model)
    assert info is not None, model  # every endpoint in EMBEDDING_ENDPOINTS is in the catalogue
    try:
        data, usage = embed(obj(request.json).get("input"), info)
    except Rejected as exc:
        raise Rejected(exc.message, code=336003) from None
    return json_answer({"id": _ident(request), "object": "embedding_list", "created": CREATED, "data": data,
                        "usage": usage})
