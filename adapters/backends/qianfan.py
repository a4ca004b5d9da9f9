"""qianfan — OpenAI chat/embeddings <-> Baidu Qianfan v2, and the legacy v1 (shared/reference/qianfan.md).

Everything here is pure: dicts in, dicts out. transport.py does the sending.

    OpenAI                     Qianfan v2 (root .../v2, bearer API key)     v1 (_qianfan_v1.py, AK/SK token)
    POST chat/completions      POST /chat/completions   (OpenAI-like)       POST .../wenxinworkshop/chat/<endpoint>
    POST embeddings            POST /embeddings         (<= 16 texts)       POST .../wenxinworkshop/embeddings/<endpoint>

v2 is used unless ``api_version="v1"`` is asked or only ``QIANFAN_AK``/``QIANFAN_SK`` are set
(``Setup.variant`` tells the functions below which). Both APIs enforce ERNIE's turn order (one
leading system, user/assistant alternating, a user or tool message last): histories are repaired
with a ``MessageOrderWarning`` or refused before sending (``chat.alternate``). v2 replies carry a
safety ``flag`` (>= 2: ``content_filter``; 3 and 4: the content must not be shown). v2 errors are
``{"error": {"code": "rpm_rate_limit_exceeded", "message", "type"}, "id"}`` with an HTTP status
that can mislead (an unknown model is a 401); v1 errors are HTTP 200 + ``{"error_code", "error_msg"}``.

Unconfirmed in the reference, chosen here: per-model sampling ranges on v2 (ERNIE's (0, 1] is applied
to every model); the v2 embeddings and vision field lists (OpenAI's shapes are sent); ERNIE 4.5/X1
wanting a *user* message last even after tool results (a tool message last is allowed, as for other
models); which models take ``response_format`` (passed as given); the codes only seen in a
third-party list (the ``*_unsafe``, ``*_rate_limit_exceeded`` and ``*_too_long`` families).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import chat, embeddings, extras, images, openai_wire, streaming
from ..auth import BearerAuth, CredentialError, Setup, base_url_of, refuse_openai_key, resolve_key
from ..capabilities import OPENAI_ONLY, Capabilities, Extra, Refused
from ..errors import lookup, nested_error
from ..keys import clean_key
from ..native import Context, ErrorInfo, NativeRequest, Plan, SSEEvent, StreamState
from . import _qianfan_v1 as v1

NAME = "qianfan"
DEFAULT_BASE_URL = "https://qianfan.baidubce.com/v2"
KEY_VARS = ("QIANFAN_API_KEY", "QIANFAN_BEARER_TOKEN")
BASE_URL_VAR = "QIANFAN_V2_BASE_URL"
V1_BASE_URL = "https://aip.baidubce.com"
V1_KEY_VARS = ("QIANFAN_AK", "QIANFAN_SK")
V1_BASE_URL_VAR = "QIANFAN_BASE_URL"
COMPAT_BASE_URL = "https://qianfan.baidubce.com/v2"
COMPAT_BASE_URL_VAR = "QIANFAN_COMPAT_BASE_URL"
#: What a plain openai client gets at COMPAT_BASE_URL (the codemods' compat style judges calls by it):
#: chat, embeddings (OpenAI-shaped; its field list unconfirmed) and images.generations (images.md I6)
#: are v2's own OpenAI-shaped endpoints. Not served: completions (absent from v2), responses and
#: audio (none documented), models (not in the reference: unconfirmed).
COMPAT_ENDPOINTS = frozenset({"chat.completions", "embeddings", "images.generations"})
#: The reference lists one Qianfan region, Beijing (``bj`` in Baidu's host names): v2 and v1 roots.
REGIONS = {"cn-beijing": DEFAULT_BASE_URL, "bj": DEFAULT_BASE_URL}
V1_REGIONS = {"cn-beijing": V1_BASE_URL, "bj": V1_BASE_URL}
HEADER_OPTIONS = {"appid": ("appid", "QIANFAN_APP_ID")}

CHAT_PATH = "/chat/completions"
EMBEDDING_PATH = "/embeddings"
IMAGES_PATH = "/images/generations"
EMBEDDING_BATCH = 16
STOP_WORDS, STOP_LENGTH = 4, 20



def _web_search(value: Any) -> dict[str, Any]:
    """DashScope's ``enable_search``/``search_options`` (or Zhipu's tool settings) as Qianfan's ``web_search``."""
    search = extras.search_of(value)
    native: dict[str, Any] = {"enable": search.get("enable", True)}
    if "forced" in search:
        native["search_mode"] = "required" if search["forced"] else "auto"
    for neutral, name in (("citation", "enable_citation"), ("count", "search_number")):
        if neutral in search:
            native[name] = search[neutral]
    return {"web_search": native}


def _thinking(value: Any) -> dict[str, Any]:
    on = extras.thinking_of(value)
    return {} if on is None else {"enable_thinking": on}


_PASSES = ("web_search", "penalty_score", "enable_thinking", "thinking_budget", "thinking_strategy")
EXTRAS: dict[str, Extra] = {
    **{name: Extra("passes", name) for name in _PASSES},
    "thinking": Extra("translated", "-> enable_thinking", _thinking),
    "enable_search": Extra("translated", "-> web_search {enable}", lambda v: _web_search(bool(v))),
    "search_options": Extra("translated", "-> web_search {search_mode, enable_citation, search_number}",
                            lambda v: _web_search({**v, "enable": True} if isinstance(v, Mapping) else v)),
    "repetition_penalty": v1.REPETITION_PENALTY,
    "do_sample": v1.DO_SAMPLE,
}
#: Reply fields kept for the user under their own names: web-search sources.
REPLY_EXTRAS = ("search_results",)

CAPABILITIES = Capabilities(
    passed=frozenset({"messages", "model", "stream", "stream_options", "stop", "max_tokens", "presence_penalty",
                      "frequency_penalty", "tools", "tool_choice", "parallel_tool_calls", "response_format", "user",
                      "metadata"}),
    renamed={"max_completion_tokens": "max_tokens", "functions": "tools", "function_call": "tool_choice"},
    # ERNIE's documented ranges (other hosted models have their own: unconfirmed, so ERNIE's for all);
    # seed is the open interval (0, 2147483647).
    clamped={"temperature": (0.01, 1.0), "top_p": (0.0, 1.0), "seed": (1, 2147483646)},
    emulated={"n": "one native call per choice, merged", "messages.assistant_first": chat.ASSISTANT_FIRST,
              "messages.assistant_last": chat.ASSISTANT_LAST,
              "reasoning_effort": "low/medium/high passed; xhigh/max -> high; none/minimal -> enable_thinking false; "
                                  "models that cannot think: the unsupported= policy"},
    unsupported=frozenset({"logprobs", "top_logprobs"}) | OPENAI_ONLY,
    embedding_emulated=v1.EMBEDDING_EMULATED,
    embedding_unsupported=frozenset({"user"}),
    endpoints=frozenset({"chat.completions", "embeddings", "models", "completions", "responses", "images.generations"}),
    notes={
        "messages": "turn order (one system first, user/assistant alternating, user or tool last) repaired "
                    "with a MessageOrderWarning or refused",
        "stop": "at most 4 words of at most 20 characters; others go through the unsupported= policy",
        "max_tokens": "lowered to the model's maximum output",
        "tools": "function.strict is not sent",
        "response_format": "json_schema passes (not for ERNIE X1 Turbo: unconfirmed which models)",
        "web_search_options": "Qianfan's web_search has another shape: not mapped",
    },
    features={
        "streaming": ("native", "data: frames with [DONE]"),
        "stream_usage": ("native", "stream_options.include_usage passed on"),
        "tool_calls": ("native", "OpenAI shape; ids without the call_ prefix"),
        "tool_call_streaming": ("native", "fragments keyed by index"),
        "reasoning_content": ("native", "kept as an extra field (ERNIE X1, DeepSeek R1)"),
        "finish_reason": ("translated", "normal -> stop; safety flag >= 2 -> content_filter"),
        "content_filter": ("translated", "flag >= 2 -> content_filter (3, 4: content blanked); *_unsafe errors -> "
                                         "400 content_filter"),
        "image_input": ("native", "VL models: OpenAI parts"),
        "usage_details": ("native", "cached_tokens; search_tokens kept beside it"),
        "errors": ("translated", "string codes mapped before the HTTP status (invalid_model: 401 -> 404)"),
        "search_sources": ("native", "the top-level search_results list kept on the completion and on a chunk"),
        "logprobs": ("unsupported", "Qianfan returns none"),
    },
    extras=EXTRAS,
    headers={"appid": "the v2 application billed (client option appid=, QIANFAN_APP_ID)"},
    reply_headers={"X-Ratelimit-Limit-Requests, X-Ratelimit-Remaining-Requests": "request quota (OpenAI's names)",
                   "X-Ratelimit-{Limit,Remaining}-{Input,Output}-Tokens": "token quotas, input and output apart"},
)
#: The legacy v1 API's own table (the compatibility table shows it as a column of its own).
VARIANT_CAPABILITIES = {"v1": v1.CAPABILITIES}
#: Models a variant serves in place of the catalogue's pick (v1 lacks some v2-only models).
VARIANT_SUBSTITUTES = {"v1": v1.SUBSTITUTES}

ERRORS: dict[str, tuple[int, str]] = {
    "invalid_iam_token": (401, "invalid_api_key"),
    "invalid_appid": (401, "invalid_api_key"),
    "no_parameter_permission": (401, "permission_denied"),
    "invalid_model": (404, "model_not_found"),  # sent as 401
    "malformed_json": (400, "invalid_json"),
    "invalid_messages": (400, "invalid_parameter"),
    "invalid_argument": (400, "invalid_parameter"),
    "invalid_image_url": (400, "invalid_parameter"),
    "invalid_plugin_argument": (400, "invalid_parameter"),
    "account_overdue": (403, "insufficient_quota"),  # arrears: never worth a retry
    "internal_error": (500, "server_error"),
    "dispatch_internal_error": (500, "server_error"),
}
#: Code families: system_unsafe, user_setting_unsafe, functions_unsafe (403 content safety),
#: {rpm,tpm,input_tpm,...}_rate_limit_exceeded, {characters,tokens}_too_long.
FAMILIES = (("_unsafe", (400, "content_filter")), ("rate_limit_exceeded", (429, "rate_limit_exceeded")),
            ("_too_long", (400, "context_length_exceeded")))
FINISH_REASONS = {"normal": "stop"}


# -- setup ----------------------------------------------------------------------------------------


def setup(api_key: str | None, base_url: str | None, env: Mapping[str, str], options: Mapping[str, Any]) -> Setup:
    """v2 with a bearer key, or v1 with AK/SK (``api_version="v1"``, or only AK/SK set)."""
    version = options.get("api_version")
    if version not in (None, "v1", "v2"):
        raise ValueError(f"api_version must be 'v2' (API key) or 'v1' (wenxinworkshop, AK/SK), not {version!r}.")
    has_v2_key = bool(clean_key(api_key or "")) or any(clean_key(env.get(name) or "") for name in KEY_VARS)
    if version == "v1" or (version is None and not has_v2_key and all(env.get(n) for n in V1_KEY_VARS)):
        ak = clean_key(api_key or env.get("QIANFAN_AK") or "")
        sk = clean_key(options.get("secret_key") or env.get("QIANFAN_SK") or "")
        if not ak or not sk:
            raise CredentialError("Qianfan v1 needs an API key and a secret key: set QIANFAN_AK and QIANFAN_SK "
                                  "(or pass api_key= and secret_key=), or use v2 with QIANFAN_API_KEY.")
        refuse_openai_key(ak, env, NAME, "QIANFAN_AK", None if api_key else "The value of QIANFAN_AK")
        refuse_openai_key(sk, env, NAME, "QIANFAN_SK", "The secret key given to the qianfan client"
                          if options.get("secret_key") else "The value of QIANFAN_SK")
        return Setup(base_url_of(base_url, env, V1_BASE_URL_VAR, V1_BASE_URL, V1_REGIONS, options.get("region")),
                     v1.TokenAuth(ak, sk), variant="v1")
    key = resolve_key(api_key, env, KEY_VARS, NAME)
    return Setup(base_url_of(base_url, env, BASE_URL_VAR, DEFAULT_BASE_URL, REGIONS, options.get("region")),
                 BearerAuth(key), variant="v2")


# -- requests -------------------------------------------------------------------------------------


def to_native(endpoint: str, body: Mapping[str, Any], ctx: Context) -> Plan:
    if ctx.variant == "v1":
        if endpoint not in v1.CAPABILITIES.endpoints:
            raise Refused(f"Qianfan's legacy v1 API has no '{endpoint}'; use v2 (QIANFAN_API_KEY) for it.",
                          code="unsupported_endpoint")
        return v1.to_native(endpoint, body, ctx)
    if endpoint == "images.generations":  # v2 /images/generations: OpenAI's shape, n up to 4 per call
        req = images.read(body, ctx, user=True)
        native: dict[str, Any] = {"model": ctx.model, "prompt": req.prompt, "size": req.size()}
        if req.user:
            native["user"] = req.user
        calls = [NativeRequest("POST", IMAGES_PATH, {**native, "n": min(req.per_call, req.n - done)})
                 for done in range(0, req.n, req.per_call)]
        return images.openai_like(calls, ctx)
    if endpoint == "embeddings":
        batches, _ = embeddings.plan(body, CAPABILITIES, ctx, EMBEDDING_BATCH)  # fixed sizes: nothing to send
        return [NativeRequest("POST", EMBEDDING_PATH, {"model": ctx.model, "input": batch}) for batch in batches]
    return _chat_requests(body, ctx)


def _chat_requests(body: Mapping[str, Any], ctx: Context) -> list[NativeRequest]:
    copies, req, info = chat.prepare(body, CAPABILITIES, ctx)
    vision = bool(info.get("vision")) or chat.has_images(req["messages"])
    parts = (lambda part: chat.content_part(part, ctx)) if vision else None
    messages = chat.flat_messages(chat.alternate(req["messages"], ctx), parts=parts, named_results=True)
    native: dict[str, Any] = {"model": ctx.model, "messages": messages, **_parameters(req, ctx, info)}
    native.update(extras.native(req["_extras"], CAPABILITIES, NAME))
    stream = bool(req.get("stream"))
    if stream:
        native["stream"] = True
        if (req.get("stream_options") or {}).get("include_usage"):
            native["stream_options"] = {"include_usage": True}
    return [NativeRequest("POST", CHAT_PATH, native, stream=stream) for _ in range(copies)]


def _parameters(req: Mapping[str, Any], ctx: Context, info: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {name: req[name] for name in (
        "temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty", "seed", "user", "metadata",
        ) if req.get(name) is not None}
    effort = req.get("reasoning_effort")
    if effort is not None and info and not info.get("reasoning"):
        ctx.policy.unsupported("reasoning_effort", f"(model {ctx.model!r} does not think)")
    elif extras.wants_off(effort):
        params["enable_thinking"] = False
    elif effort is not None:
        params["reasoning_effort"] = effort if effort in ("low", "medium", "high") else "high"
    if req.get("stop") is not None:
        words = chat.stop_words(req["stop"], ctx, most=STOP_WORDS, longest=STOP_LENGTH)
        if words:
            params["stop"] = words
    if req.get("tools"):
        params["tools"] = chat.plain_tools(req["tools"])
        for name in ("tool_choice", "parallel_tool_calls"):
            if req.get(name) is not None:
                params[name] = req[name]
    response_format = req.get("response_format")
    if response_format and response_format.get("type") in ("json_object", "json_schema"):
        params["response_format"] = response_format
    return params


# -- replies --------------------------------------------------------------------------------------


def from_native(endpoint: str, replies: list[Any], ctx: Context) -> dict[str, Any]:
    if endpoint == "embeddings":  # v1 and v2 answer the same rows
        return embeddings.merge_openai_like(replies, ctx)
    if endpoint == "images.generations":
        return images.response(replies, ctx)
    if ctx.variant == "v1":
        completions = [v1.from_native_chat(r, ctx) for r in replies]
    else:
        for reply in replies:
            ctx.notes.setdefault("request_id", reply.get("id"))
        completions = [openai_wire.from_openai_like(_unshown(r), model=ctx.model, created=ctx.created,
                                                    finish=finish_reason, extras=REPLY_EXTRAS) for r in replies]
    return chat.check_schema(chat.merge_fanned(completions), ctx)


def finish_reason(choice: Mapping[str, Any]) -> str | None:
    """OpenAI's finish reason for a v2 choice: a safety flag of 2 or more is a content filter."""
    if int(choice.get("flag") or 0) >= 2:
        return "content_filter"
    return openai_wire.normalise_finish_reason(choice.get("finish_reason"), FINISH_REASONS)


def _unshown(reply: Mapping[str, Any]) -> Mapping[str, Any]:
    """Flags 3 and 4 mean the content must not be displayed: it is blanked."""
    choices = reply.get("choices") or []
    if not any(int(c.get("flag") or 0) >= 3 for c in choices):
        return reply
    blanked = [{**c, "message": {**(c.get("message") or {}), "content": ""}} if int(c.get("flag") or 0) >= 3 else c
               for c in choices]
    return {**reply, "choices": blanked}


def from_native_event(event: SSEEvent, state: StreamState) -> list[dict[str, Any]]:
    """One stream event -> OpenAI chunk dicts (a bare JSON error line in a v2 stream is an error)."""
    if state.ctx.variant == "v1":
        return v1.from_native_event(event, state)
    return streaming.openai_like_event(event, state, finish=finish_reason,
                                       error=lambda payload: error_of(200, payload, {}), extras=REPLY_EXTRAS)


# -- errors ---------------------------------------------------------------------------------------


def error_of(status: int, payload: Any, headers: Mapping[str, str]) -> ErrorInfo | None:
    """The mapped error in a native reply: v1's ``error_code`` (HTTP 200) or v2's ``{"error": {...}}``."""
    info = v1.error_of(payload)
    if info is not None:
        return info
    found = nested_error(payload)
    if found is None:
        return None  # not Qianfan's shape: the exchange maps the HTTP status alone
    code, message = found
    mapped = ERRORS.get(code) or next((m for suffix, m in FAMILIES if code.endswith(suffix)), None)
    request_id = payload.get("id") or headers.get("x-baidu-request-id") or headers.get("x-request-id")
    return lookup({code: mapped} if mapped else {}, code, status, message, provider=NAME, request_id=request_id)
