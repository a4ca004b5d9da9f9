"""zhipu — OpenAI chat/embeddings <-> Zhipu AI's native v4 API (shared/reference/zhipu.md).

Everything here is pure: dicts in, dicts out. transport.py does the sending.

    OpenAI                                  Zhipu native (root .../api/paas/v4)
    POST chat/completions                   POST /chat/completions   (OpenAI-shaped, its own rules)
      temperature 0                         do_sample: false
      stop ["a", "b"]                       stop ["a"]               (one word only)
      tool_choice "none"                    no tools                 (only "auto" exists)
      user                                  user_id                  (6-128 characters)
      image_url "data:image/png;base64,X"   image_url "X"            (raw base64)
    POST embeddings                         POST /embeddings  {"model", "input", "dimensions"}

Replies have no ``object``; ``delta.role`` repeats on every frame; stream usage always comes on the
last chunk; ``finish_reason`` may be ``sensitive`` (-> content_filter), ``network_error`` (an error)
or ``model_context_window_exceeded`` (-> length). Errors: ``{"error": {"code": "1302", "message"}}``.

Authentication: the API key ``<id>.<secret>`` as the bearer token by default — what the official
SDKs send by default (``disable_token_cache=True``) and what the docs call the current scheme; no
clock is involved, so no skew can break it. ``zhipu_auth="jwt"`` sends the signed token instead
(HS256 with the secret, ``{"api_key", "exp", "timestamp"}`` in milliseconds), reused until near
expiry, for gateways or accounts that still want it.

Unconfirmed in the reference, chosen here (each pinned by a test in tests/adapters/backends):
the open temperature/top_p ranges of older models (we stay within [0.01, 0.99] as the SDKs do);
``json_schema`` (emulated with JSON mode); ``seed`` (dropped); the ``model_context_window_exceeded``
finish reason; the statuses of codes 1110-1121 and 1300; 64 texts per embeddings call; whether
unknown fields are refused (so only documented ones are sent, ``tools[].function.strict`` stripped).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from .. import audio, catalogue, chat, embeddings, extras, images, openai_wire, streaming
from ..auth import AuthFlow, BearerAuth, CredentialError, Setup, base_url_of, resolve_key
from ..capabilities import EMBEDDING_EMULATED, OPENAI_ONLY, Capabilities, Extra
from ..errors import lookup, nested_error
from ..native import Context, ErrorInfo, FileReply, NativeError, NativeRequest, Plan, SSEEvent, StreamState
from . import _zhipu_audio

NAME = "zhipu"
DEFAULT_BASE_URL = "https://open.bigmodel.cn/api/paas/v4"
KEY_VARS = ("ZHIPUAI_API_KEY",)
BASE_URL_VAR = "ZHIPUAI_BASE_URL"
COMPAT_BASE_URL = "https://open.bigmodel.cn/api/paas/v4"
COMPAT_BASE_URL_VAR = "ZHIPUAI_COMPAT_BASE_URL"
#: What a plain openai client gets at COMPAT_BASE_URL (the codemods' compat style judges calls by it):
#: chat, embeddings and images.generations take OpenAI-shaped bodies (zhipu.md Z4). Not served:
#: completions (absent from v4), responses (the adapter translates it onto chat), audio (the paths
#: exist but OpenAI's voices and formats are not accepted: the adapter translates them), models (not
#: in the reference: unconfirmed).
COMPAT_ENDPOINTS = frozenset({"chat.completions", "embeddings", "images.generations"})
REGIONS = {"cn": DEFAULT_BASE_URL, "intl": "https://api.z.ai/api/paas/v4"}

CHAT_PATH = "/chat/completions"
EMBEDDING_PATH = "/embeddings"
IMAGES_PATH = "/images/generations"
#: OpenAI image quality -> Zhipu's (dall-e: hd/standard; gpt-image: high/medium/low).
IMAGE_QUALITY = {"hd": "hd", "high": "hd", "standard": "standard", "medium": "standard", "low": "standard"}
EMBEDDING_BATCH = 64  # unconfirmed (64 reported); the catalogue gives per-model limits
USER_ID_LENGTH = (6, 128)
JWT_TTL = 210.0  # seconds a signed token is valid, as the SDKs sign it
JWT_REUSE = 180.0  # seconds one is reused (the SDKs' cache): never sent with under 30 s left



def _search_tool(value: Any) -> dict[str, Any]:
    """DashScope's ``enable_search``/``search_options`` or Qianfan's ``web_search`` as Zhipu's web-search tool
    (sources asked for unless told otherwise: they reach the user as ``web_search``)."""
    search = extras.search_of(value)
    if not search.get("enable", True):
        return {}
    settings: dict[str, Any] = {"enable": True, "search_result": bool(search.get("sources", True))}
    if "count" in search:
        settings["count"] = search["count"]
    return {"tools": [{"type": "web_search", "web_search": settings}]}


def _thinking(value: Any) -> dict[str, Any]:
    on = extras.thinking_of(value)
    return {} if on is None else {"thinking": {"type": "enabled" if on else "disabled"}}


_PASSES = ("thinking", "do_sample", "tool_stream", "request_id", "user_id", "meta", "sensitive_word_check",
           "watermark_enabled", "clear_thinking")
EXTRAS: dict[str, Extra] = {
    **{name: Extra("passes", name) for name in _PASSES},
    "enable_thinking": Extra("translated", "-> thinking {type: enabled | disabled}", _thinking),
    "thinking_budget": Extra("translated", "-> thinking {type: enabled} (Zhipu has no budget)",
                             lambda v: _thinking(bool(v))),
    "enable_search": Extra("translated", "-> tools [{type: web_search, web_search: {enable, search_result}}]",
                           _search_tool),
    "search_options": Extra("translated", "-> the web_search tool's settings", lambda v: _search_tool(
        {**v, "enable": True} if isinstance(v, Mapping) else v)),
    "web_search": Extra("translated", "-> tools [{type: web_search, ...}]", _search_tool),
    "repetition_penalty": Extra("ignored", "Zhipu has no repetition penalty"),
    "penalty_score": Extra("ignored", "Zhipu has no repetition penalty"),
}
#: Reply fields kept for the user under their own names: web-search sources.
REPLY_EXTRAS = ("web_search",)

CAPABILITIES = Capabilities(
    passed=frozenset({"messages", "model", "stream", "stop", "tools", "tool_choice", "response_format",
                      "max_tokens"}),
    renamed={"max_completion_tokens": "max_tokens", "user": "user_id", "functions": "tools",
             "function_call": "tool_choice"},
    # The docs say [0, 1], but older GLM models refuse the closed ends and the SDKs send at most 0.99
    # (unconfirmed which models): stay inside. Temperature 0 becomes do_sample=false (greedy).
    clamped={"temperature": (0.0, 0.99), "top_p": (0.01, 0.99)},
    emulated={
        "n": "one native call per choice, merged",
        "response_format.json_schema": "JSON mode + the schema in a system message; reply validated",
        "stream_options": "Zhipu always sends usage on its last chunk; the usage chunk is sent only when asked",
        "reasoning_effort": "thinking: 'none'/'minimal' -> disabled, other values -> enabled (reasoning models); "
                            "not given: disabled when the OpenAI model asked for does not reason (gpt-4o -> glm-4.6)",
    },
    unsupported=frozenset({"presence_penalty", "frequency_penalty", "seed", "logprobs", "top_logprobs",
                           "parallel_tool_calls", "metadata"}) | OPENAI_ONLY,
    embedding_passed=frozenset({"input", "model", "dimensions"}),
    embedding_emulated=EMBEDDING_EMULATED,
    embedding_unsupported=frozenset({"user"}),
    endpoints=frozenset({"chat.completions", "embeddings", "models", "completions", "responses", "images.generations",
                         "audio.transcriptions", "audio.speech"}),
    notes={
        "temperature": "0 -> do_sample=false",
        "max_tokens": "lowered to the model's maximum output",
        "stop": "one word only: the words after the first go through the unsupported= policy",
        "tool_choice": "'auto' only: 'none' leaves the tools out; 'required' and named functions go through "
                       "the unsupported= policy",
        "tools": "function.strict is not sent",
        "user": "shorter than 6 characters: 'user-' prefixed; longer than 128: SHA-256 hex",
        "seed": "not documented by Zhipu (unconfirmed whether it is honoured)",
        "embeddings.dimensions": "embedding-3: 256, 512, 1024 or 2048",
        "messages": "data: image URIs sent as raw base64 (vision models)",
    },
    features={
        "streaming": ("translated", "data: frames with [DONE]; the role repeated on every frame is sent once"),
        "stream_usage": ("emulated", "always on Zhipu's last chunk; passed on only with include_usage"),
        "tool_calls": ("native", "OpenAI shape, call_ ids"),
        "tool_call_streaming": ("native", "each call arrives whole in one delta"),
        "reasoning_content": ("native", "kept as an extra field on the message and the delta"),
        "finish_reason": ("translated", "sensitive -> content_filter, model_context_window_exceeded -> length, "
                                        "network_error -> a retryable 500 error"),
        "content_filter": ("translated", "error 1301 -> 400 content_filter; mid-answer: finish_reason "
                                         "content_filter"),
        "image_input": ("translated", "vision models: OpenAI parts, data: URIs as raw base64"),
        "usage_details": ("native", "cached_tokens, reasoning_tokens"),
        "errors": ("translated", "business codes (1002, 1113, 1302...) mapped before the HTTP status"),
        "search_sources": ("native", "the top-level web_search list kept on the completion and on a chunk"),
        "logprobs": ("unsupported", "Zhipu returns none"),
    },
    extras=EXTRAS,
    headers={},
    reply_headers={},
)

ERRORS: dict[str, tuple[int, str]] = {
    **{str(code): (401, "invalid_api_key") for code in (1000, 1001, 1002, 1004, 1005)},
    "1003": (401, "expired_token"),  # a signed token past its exp: the transport signs anew and retries once
    # 1110-1121: account inactive, locked, missing... (statuses unconfirmed); 1113 is arrears, sent as 429
    **{str(code): (403, "account_unavailable") for code in range(1110, 1122)},
    "1113": (429, "insufficient_quota"),
    **{str(code): (400, "invalid_parameter") for code in (1210, 1212, 1213, 1214, 1215)},
    "1211": (404, "model_not_found"),
    "1220": (403, "permission_denied"),
    "1221": (404, "not_found"),
    "1222": (404, "not_found"),
    "1261": (400, "context_length_exceeded"),
    "1300": (403, "permission_denied"),  # blocked by policy (status unconfirmed)
    "1301": (400, "content_filter"),
    "1302": (429, "rate_limit_exceeded"),  # concurrency
    "1303": (429, "rate_limit_exceeded"),  # frequency
    "1304": (429, "insufficient_quota"),  # the daily quota: it refills tomorrow, so a retry cannot help
    "1305": (429, "rate_limit_exceeded"),  # model overloaded
    **{str(code): (429, "insufficient_quota") for code in range(1308, 1322)},  # plan windows and caps
    **{str(code): (500, "server_error") for code in (500, 1200, 1230, 1234)},
    "434": (403, "permission_denied"),
    "435": (400, "invalid_parameter"),
}
FINISH_REASONS = {"sensitive": "content_filter", "model_context_window_exceeded": "length"}


# -- authentication -------------------------------------------------------------------------------


def setup(api_key: str | None, base_url: str | None, env: Mapping[str, str], options: Mapping[str, Any]) -> Setup:
    key = resolve_key(api_key, env, KEY_VARS, NAME)
    url = base_url_of(base_url, env, BASE_URL_VAR, DEFAULT_BASE_URL, REGIONS, options.get("region"))
    mode = options.get("zhipu_auth") or "key"
    if mode == "jwt":
        return Setup(url, JWTAuth(key))
    if mode != "key":
        raise ValueError(f"zhipu_auth must be 'key' (send the API key) or 'jwt' (send a signed token), "
                         f"not {mode!r}.")
    return Setup(url, BearerAuth(key))


def jwt_token(key: str, now: float, ttl: float = JWT_TTL) -> str:
    """The signed token the official SDKs build from ``<id>.<secret>`` (times in milliseconds)."""
    key_id, _, secret = key.partition(".")
    stamp = int(now * 1000)
    header = {"alg": "HS256", "sign_type": "SIGN", "typ": "JWT"}
    payload = {"api_key": key_id, "exp": stamp + int(ttl * 1000), "timestamp": stamp}
    signing = f"{_b64(header)}.{_b64(payload)}"
    signature = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _b64(part: Mapping[str, Any]) -> str:
    raw = json.dumps(part, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class JWTAuth:
    """``Authorization: Bearer <signed token>``, one token reused for ``JWT_REUSE`` seconds."""

    def __init__(self, key: str, clock: Callable[[], float] = time.time) -> None:
        key_id, _, secret = key.partition(".")
        if not key_id or not secret or "." in secret:
            raise CredentialError("A Zhipu key must look like '<id>.<secret>' to sign tokens (zhipu_auth='jwt'); "
                                  "check ZHIPUAI_API_KEY.")
        self._key, self._clock = key, clock
        self._token: str | None = None
        self._signed_at = 0.0

    def __repr__(self) -> str:
        return "JWTAuth(key='***')"

    def authorise(self, request: NativeRequest) -> AuthFlow:
        now = self._clock()
        if self._token is None or now - self._signed_at >= JWT_REUSE or now < self._signed_at:
            self._token, self._signed_at = jwt_token(self._key, now), now
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request
        yield  # pragma: no cover - a generator that never needs I/O

    def reset(self) -> None:
        self._token = None


# -- requests -------------------------------------------------------------------------------------


def to_native(endpoint: str, body: Mapping[str, Any], ctx: Context) -> Plan:
    if endpoint == "embeddings":
        return _embedding_requests(body, ctx)
    if endpoint == "images.generations":
        return _image_plan(body, ctx)
    if endpoint.startswith("audio."):
        return _zhipu_audio.to_native(endpoint, body, ctx)
    return _chat_requests(body, ctx)


def _image_plan(body: Mapping[str, Any], ctx: Context) -> Plan:
    """One call per image (the API makes one); ``quality`` mapped where the model has it."""
    req = images.read(body, ctx, quality=True, user=True)
    native: dict[str, Any] = {"model": ctx.model, "prompt": req.prompt, "size": req.size()}
    quality = IMAGE_QUALITY.get(str(req.quality))
    if quality in (req.info.get("quality") or ("hd", "standard")):
        native["quality"] = quality
    user_id = _user_id(req.user)
    if user_id:
        native["user_id"] = user_id
    return images.openai_like([NativeRequest("POST", IMAGES_PATH, native) for _ in range(req.n)], ctx)


def _chat_requests(body: Mapping[str, Any], ctx: Context) -> list[NativeRequest]:
    copies, req, info = chat.prepare(body, CAPABILITIES, ctx)
    vision = bool(info.get("vision")) or chat.has_images(req["messages"])
    # GLM's template drops list content outside the user turns of vision models: flatten the rest.
    parts = (lambda part: chat.content_part(part, ctx, image_url=raw_base64)) if vision else None
    native: dict[str, Any] = {"model": ctx.model, "messages": chat.flat_messages(req["messages"], parts=parts)}
    native.update(_parameters(req, ctx, info))
    stream = bool(req.get("stream"))
    given = extras.native(req["_extras"], CAPABILITIES, NAME)
    tools = [*native.get("tools", []), *given.pop("tools", [])]
    native.update(given)
    if tools:
        native["tools"] = _one_search_tool(tools)
        native.setdefault("tool_choice", "auto")
    if stream:
        native["stream"] = True
    return [NativeRequest("POST", CHAT_PATH, native, stream=stream) for _ in range(copies)]


def _parameters(req: Mapping[str, Any], ctx: Context, info: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {name: req[name] for name in ("temperature", "top_p", "max_tokens")
                              if req.get(name) is not None}
    if params.get("temperature") == 0:  # greedy decoding is how Zhipu says "temperature 0"
        del params["temperature"]
        params["do_sample"] = False
    if req.get("stop") is not None:
        words = chat.stop_words(req["stop"], ctx, most=1)
        if words:
            params["stop"] = words
    user_id = _user_id(req.get("user"))
    if user_id:
        params["user_id"] = user_id
    params.update(_tools(req, ctx))
    if (req.get("response_format") or {}).get("type") == "json_object":
        params["response_format"] = {"type": "json_object"}
    effort = req.get("reasoning_effort")
    if effort is not None and info and not info.get("reasoning"):
        ctx.policy.unsupported("reasoning_effort", f"(model {ctx.model!r} does not think)")
    elif effort is not None:
        params["thinking"] = {"type": "disabled" if extras.wants_off(effort) else "enabled"}
    elif catalogue.openai_reasons(ctx.requested_model) is False and (off := thinking_off(ctx.model)):
        # gpt-4o and kin do not think; GLM-4.5 and later do unless told not to: reasoning tokens, latency
        # and reasoning_content deltas the app never had. The OpenAI model's behaviour is kept;
        # extra_body thinking still wins.
        params.update(off)
    return params


def thinking_off(model: str) -> dict[str, Any] | None:
    """The request fields (``extra_body``) that keep ``model`` from thinking, for a model that thinks
    by default; ``None`` for one that does not. GLM-4.5 and later think unless told not to (seen on
    the models; the reference does not state the default); the catalogue says which those are. The
    runtime sends them for an OpenAI model that did not reason, and the rewrite writes them where it
    renames one (``codemods/_thinking.py``)."""
    return {"thinking": {"type": "disabled"}} if (catalogue.provider_model(NAME, model) or {}).get("reasoning") \
        else None


def _tools(req: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    tools, choice = req.get("tools"), req.get("tool_choice")
    if not tools or choice == "none":  # Zhipu has only "auto": not offering the tools is what "none" means
        return {}
    if choice not in (None, "auto"):
        name = ((choice or {}).get("function") or {}).get("name") if isinstance(choice, Mapping) else None
        what = choice if isinstance(choice, str) else f"function {name}"
        ctx.policy.unsupported("tool_choice", f"value {what!r} (only 'auto'; sent as 'auto')")
    return {"tools": chat.plain_tools(tools), "tool_choice": "auto"}


def _one_search_tool(tools: list[Any]) -> list[Any]:
    """The tools with at most one web-search tool (settings of several merged, the user's own last)."""
    searches = [t for t in tools if isinstance(t, Mapping) and t.get("type") == "web_search"]
    if len(searches) <= 1:
        return tools
    merged: dict[str, Any] = {}
    for tool in searches:
        merged.update(tool.get("web_search") or {})
    return [t for t in tools if t not in searches] + [{"type": "web_search", "web_search": merged}]


def _user_id(user: Any) -> str | None:
    """OpenAI's ``user`` as a ``user_id`` of the length Zhipu accepts (stable for the same user)."""
    if not isinstance(user, str) or not user:
        return None
    shortest, longest = USER_ID_LENGTH
    if len(user) > longest:
        return hashlib.sha256(user.encode()).hexdigest()
    return user if len(user) >= shortest else f"user-{user}"


def raw_base64(url: str) -> str:
    """A ``data:`` URI's payload alone (Zhipu wants raw base64); other URLs unchanged."""
    if url.startswith("data:") and ";base64," in url:
        return url.split(",", 1)[1]
    return url


def _embedding_requests(body: Mapping[str, Any], ctx: Context) -> list[NativeRequest]:
    batches, size = embeddings.plan(body, CAPABILITIES, ctx, EMBEDDING_BATCH)
    sizes = (catalogue.provider_model(NAME, ctx.model) or {}).get("dimensions") or ()
    extra = {"dimensions": size} if size is not None and len(sizes) != 1 else {}  # fixed-size models take none
    return [NativeRequest("POST", EMBEDDING_PATH, {"model": ctx.model, "input": batch, **extra})
            for batch in batches]


# -- replies --------------------------------------------------------------------------------------


def from_native(endpoint: str, replies: list[Any], ctx: Context) -> dict[str, Any] | FileReply:
    if endpoint == "embeddings":
        return embeddings.merge_openai_like(replies, ctx)
    if endpoint == "images.generations":
        return images.response(replies, ctx)
    if endpoint.startswith("audio."):
        return _zhipu_audio.from_native(endpoint, replies, ctx)
    for reply in replies:
        ctx.notes.setdefault("request_id", reply.get("request_id"))
    completions = [openai_wire.from_openai_like(r, model=ctx.model, created=ctx.created, finish=finish_reason,
                                                extras=REPLY_EXTRAS) for r in replies]
    return chat.check_schema(chat.merge_fanned(completions), ctx)


def finish_reason(choice: Mapping[str, Any]) -> str | None:
    """OpenAI's finish reason for a native choice; ``network_error`` (inference aborted) is an error."""
    reason = choice.get("finish_reason")
    if reason == "network_error":
        raise NativeError(ErrorInfo(500, "server_error", "zhipu stopped the answer midway (finish_reason "
                                    "'network_error'); the reply is incomplete and the request may be retried.",
                                    NAME, native_code="network_error"))
    return openai_wire.normalise_finish_reason(reason, FINISH_REASONS)


def from_native_event(event: SSEEvent, state: StreamState) -> list[dict[str, Any]]:
    """One ``data:`` frame -> OpenAI chunk dicts (usage kept for the usage chunk); audio events for audio."""
    if audio.STREAM_NOTE in state.ctx.notes:
        return _zhipu_audio.event(event, state, error_of)
    return streaming.openai_like_event(event, state, finish=finish_reason,
                                       error=lambda payload: error_of(200, payload, {}), extras=REPLY_EXTRAS)


# -- errors ---------------------------------------------------------------------------------------


def error_of(status: int, payload: Any, headers: Mapping[str, str]) -> ErrorInfo | None:
    """The mapped error in a native reply: ``{"error": {"code": "<business code>", "message"}}``."""
    found = nested_error(payload)
    if found is None:
        return None  # not Zhipu's shape: the exchange maps the HTTP status alone
    code, message = found
    return lookup(ERRORS, code, status, message, provider=NAME, request_id=headers.get("x-request-id"))
