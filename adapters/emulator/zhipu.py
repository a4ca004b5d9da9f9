"""Zhipu's GLM API v4 as the emulator speaks it (shared/reference/zhipu.md).

    POST /api/paas/v4/chat/completions   OpenAI-like body; user_id, do_sample, thinking, tool_stream
    POST /api/paas/v4/embeddings         {"model", "input", "dimensions"}

Keys: ``Authorization: Bearer <id>.<secret>`` or an HS256 JWT signed with the secret (header
``{"alg":"HS256","sign_type":"SIGN"}``, payload ``{"api_key","exp","timestamp"}`` in milliseconds).
The signature is checked when the secret is known (``emu.add_key("zhipu", "id.secret")``); an
unknown id's JWT must still be well formed and unexpired. Answers have no ``object`` field, repeat
``delta.role``, put usage on the last chunk and end with ``data: [DONE]``. Errors are
``{"error": {"code": "<number as string>", "message"}}``; a stream that fails ends with
``finish_reason: "network_error"`` (or ``"sensitive"`` for 1301).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from . import openai_shape, sources
from .models import chat_model, embedding_model
from .replies import answer, embedding, tokens
from .wire import Answer, Context, RecordedRequest, Rejected, json_answer, obj, sse_answer

NAME = "zhipu"
_ROOT = "/api/paas/v4"
CREATED = 1767225600

ERRORS: dict[int, tuple[str, str]] = {
    400: ("1210", "API 调用参数有误，请检查文档。"),
    401: ("1002", "Authorization Token非法，请确认Authorization Token正确传递。"),
    403: ("1220", "您无权访问该 API。"),
    404: ("1222", "API 不存在。"),
    429: ("1302", "您的账户已达到速率限制，请您控制请求频率"),
    500: ("500", "内部错误"),
    503: ("1234", "网络错误，请稍后重试。"),
}
MESSAGES = {
    "1001": "Header 中未收到 Authentication 参数，无法进行身份验证",
    "1003": "Authorization Token 已过期。",
    "1004": "Authorization Token 验证失败。",
    "1113": "您的账户已欠费，请充值后重试",
    "1211": "模型不存在，请检查模型代码。",
    "1261": "Prompt 超长",
    "1301": "系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。",
    "1305": "该模型当前访问量过大，请您稍后再试",
}
STYLE = openai_shape.Style(tool_id=lambda key: f"call_{key[:20]}", object_field=False, role_every_frame=True,
                           stream_usage="last", null_finish=False)


def endpoint(path: str) -> str | None:
    if not path.startswith(_ROOT + "/"):
        return None
    return {f"{_ROOT}/chat/completions": "chat", f"{_ROOT}/embeddings": "embeddings"}.get(path, "other")


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    try:
        _authenticate(request.bearer, ctx)
        if request.endpoint == "other" or request.method != "POST":
            raise Rejected(f"API 不存在: {request.method} {request.path}", 404, "1222")
        if not isinstance(request.json, dict):
            raise Rejected("请求体不是合法的 JSON。", 400, "1214")
        if request.endpoint == "embeddings":
            return _embeddings(request)
        return _chat(request, ctx)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> Answer:  # noqa: ARG001
    default_code, default_message = ERRORS.get(status, ERRORS[500])
    code = str(code) if code is not None else default_code
    return json_answer({"error": {"code": code, "message": message or MESSAGES.get(code) or default_message}}, status)


def stream_error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> bytes:  # noqa: ARG001
    """Zhipu ends a failing stream with a finish reason, not an error object (reference §5)."""
    reason = "sensitive" if str(code) in ("1301", "sensitive") else "network_error"
    top = openai_shape.head(STYLE, _ident(request), str(obj(request.json).get("model")), CREATED,
                            "chat.completion.chunk", {})
    return openai_shape.chunk(top, STYLE, {"role": "assistant", "content": ""}, reason) + openai_shape.DONE


def _ident(request: RecordedRequest) -> str:
    return "20260101000000" + request.key[:24]


# --- keys ---------------------------------------------------------------------------------------


def authenticate(token: str | None, ctx: Context) -> None:
    """Refuse a missing, unknown, malformed or expired key or token (as ``Rejected``)."""
    _authenticate(token, ctx)


def _authenticate(token: str | None, ctx: Context) -> None:
    if not token:
        raise Rejected(MESSAGES["1001"], 401, "1001")
    if token.count(".") != 2:
        if not ctx.known_key(NAME, token):
            raise Rejected(ERRORS[401][1], 401, "1002")
        return
    header, payload, signature = _jwt_parts(token)
    if header.get("alg") != "HS256" or header.get("sign_type") != "SIGN":
        raise Rejected(ERRORS[401][1], 401, "1002")
    key_id, expires = payload.get("api_key"), payload.get("exp")
    if not isinstance(key_id, str) or not isinstance(expires, int) or not isinstance(payload.get("timestamp"), int):
        raise Rejected(ERRORS[401][1], 401, "1002")
    if expires < time.time() * 1000:  # milliseconds: a token built in seconds is long expired
        raise Rejected(MESSAGES["1003"], 401, "1003")
    secret = ctx.zhipu_secret(key_id)
    if secret is None:
        if not ctx.known_key(NAME, key_id):  # strict (keys registered): unknown ids fail
            raise Rejected(MESSAGES["1004"], 401, "1004")
        return
    signed = token.rsplit(".", 1)[0].encode()
    if not hmac.compare_digest(hmac.new(secret.encode(), signed, hashlib.sha256).digest(), signature):
        raise Rejected(MESSAGES["1004"], 401, "1004")


def _jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    try:
        header, payload, signature = (base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in token.split("."))
        return obj(json.loads(header)), obj(json.loads(payload)), signature
    except (ValueError, binascii.Error):
        raise Rejected(ERRORS[401][1], 401, "1002") from None


# --- chat ---------------------------------------------------------------------------------------


def _chat(request: RecordedRequest, ctx: Context) -> Answer:
    body: dict[str, Any] = request.json
    info = chat_model(NAME, body.get("model"))
    if info is None:
        raise Rejected(MESSAGES["1211"], 400, "1211")
    _check(body, info)
    thinking = bool(info.get("reasoning")) and obj(body.get("thinking")).get("type") != "disabled"
    turn = answer(openai_shape.chat_call(body, thinking=thinking), ctx.next_reply(NAME))
    ident, model = _ident(request), str(body["model"])
    extra = {"request_id": str(body.get("request_id") or ident)}
    found = {"web_search": sources.zhipu_web_search()} if _search_sources(body) else {}
    if body.get("stream"):
        return sse_answer(openai_shape.chunks(turn, STYLE, ident=ident, model=model, created=CREATED, extra=extra,
                                              fragment_tools=bool(body.get("tool_stream")), first=found))
    return json_answer(openai_shape.completion(turn, STYLE, ident=ident, model=model, created=CREATED,
                                               extra={**extra, **found}))


def _search_sources(body: dict[str, Any]) -> bool:
    """Whether a ``web_search`` tool asks for its sources back (``search_result: true``)."""
    for tool in body.get("tools") or ():
        settings = obj(obj(tool).get("web_search"))
        if obj(tool).get("type") == "web_search" and settings.get("enable", True) and settings.get("search_result"):
            return True
    return False


def _check(body: dict[str, Any], info: dict[str, Any]) -> None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Rejected("messages 不能为空。", 400, "1214")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant", "tool"):
            raise Rejected(f"messages[{i}]:role类型错误", 400, "1214")
        content = message.get("content")
        if isinstance(content, list) and not (info.get("vision") and message["role"] == "user"):
            raise Rejected(f"messages[{i}]:content类型错误", 400, "1214")
        for part in content if isinstance(content, list) else ():
            url = obj(obj(part).get("image_url")).get("url", "")
            if isinstance(url, str) and url.startswith("data:"):
                raise Rejected("图片输入格式/解析错误: send raw base64 without the data: prefix.", 400, "1210")
    temperature, top_p = body.get("temperature"), body.get("top_p")
    if temperature is not None and not 0 <= temperature <= 1:
        raise Rejected("temperature 取值范围为 [0.0, 1.0]", 400, "1214")
    if top_p is not None and not 0.01 <= top_p <= 1:
        raise Rejected("top_p 取值范围为 [0.01, 1.0]", 400, "1214")
    stop = body.get("stop")
    if isinstance(stop, list) and len(stop) > 1:
        raise Rejected("stop 最多支持 1 个停止词", 400, "1214")
    if body.get("tool_choice", "auto") != "auto":
        raise Rejected("tool_choice 只支持 auto", 400, "1214")
    functions = [t for t in body.get("tools") or () if obj(t).get("type", "function") == "function"]
    if functions and not info.get("tools"):
        raise Rejected("当前模型不支持 tools", 400, "1214")
    if body.get("thinking") is not None and obj(body.get("thinking")).get("type") not in ("enabled", "disabled"):
        raise Rejected("thinking.type 只支持 enabled 或 disabled", 400, "1214")
    user_id = body.get("user_id")
    if user_id is not None and not (isinstance(user_id, str) and 6 <= len(user_id) <= 128):
        raise Rejected("user_id 长度需在 6 到 128 个字符之间", 400, "1214")
    fmt = obj(body.get("response_format")).get("type", "text")
    if fmt not in ("text", "json_object"):
        # json_schema is unconfirmed on Zhipu; the adapter degrades it to json_object + prompt.
        raise Rejected(f"response_format.type 不支持 {fmt}", 400, "1214")
    limit, most = body.get("max_tokens"), info.get("max_output")
    if limit is not None and (limit < 1 or (most and limit > most)):
        raise Rejected(f"max_tokens 取值范围为 [1, {most}]", 400, "1214")


# --- embeddings ---------------------------------------------------------------------------------


def _embeddings(request: RecordedRequest) -> Answer:
    body: dict[str, Any] = request.json
    info = embedding_model(NAME, body.get("model"))
    if info is None:
        raise Rejected(MESSAGES["1211"], 400, "1211")
    texts = body.get("input")
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise Rejected("input 必须是非空字符串或非空字符串数组", 400, "1214")
    if len(texts) > info["max_batch"]:
        raise Rejected(f"input 数组最多 {info['max_batch']} 条", 400, "1214")
    dimension = body.get("dimensions", info["default_dimension"])
    if dimension not in info["dimensions"]:
        raise Rejected(f"dimensions 只支持 {info['dimensions']}", 400, "1214")
    data = [{"embedding": embedding(t, dimension), "index": i, "object": "embedding"} for i, t in enumerate(texts)]
    used = sum(tokens(t) for t in texts)
    return json_answer({"model": body["model"], "object": "list", "data": data,
                        "usage": {"prompt_tokens": used, "completion_tokens": 0, "total_tokens": used}})
