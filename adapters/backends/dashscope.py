"""dashscope — OpenAI chat/embeddings <-> Alibaba Cloud DashScope's native API (shared/reference/dashscope.md).

Everything here is pure: dicts in, dicts out. transport.py does the sending.

    OpenAI                                  DashScope native (root .../api/v1)
    POST chat/completions                   POST /services/aigc/text-generation/generation
      (image parts, vision model)           POST /services/aigc/multimodal-generation/generation
      messages, temperature, ...            {"model", "input": {"messages"}, "parameters": {...}}
      stream=True                           header X-DashScope-SSE: enable + incremental_output
    POST embeddings                         POST /services/embeddings/text-embedding/text-embedding
    POST responses (qwen3-max, qwen3.5-plus) POST .../compatible-mode/v1/responses   (OpenAI's own shape)
    POST responses (other models)           translated onto chat (adapters/responses.py)
    POST images/generations                 an image task, polled (or wan2.6's sync call): _dashscope_images.py

Replies carry no id/created/model: the id is built from ``request_id``. Streams are framed
``id:/event:/:HTTP_STATUS/<n>/data:`` with no ``[DONE]``; an ``event:error`` frame carries the
real status in the ``:HTTP_STATUS`` comment.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from .. import audio, catalogue, chat, embeddings, extras, images, openai_wire, responses, streaming
from ..auth import Setup, bearer_setup
from ..capabilities import EMBEDDING_EMULATED, OPENAI_ONLY, Capabilities, Extra, Refused
from ..errors import lookup
from ..jsonwire import loads
from ..native import Context, ErrorInfo, FileReply, NativeError, NativeRequest, Plan, SSEEvent, StreamState
from . import _dashscope_audio, _dashscope_images, _qwen_thinking

NAME = "dashscope"
DEFAULT_BASE_URL = "https://dashscope.aliyuncs.com/api/v1"
KEY_VARS = ("DASHSCOPE_API_KEY",)
BASE_URL_VAR = "DASHSCOPE_HTTP_BASE_URL"
COMPAT_BASE_URL = "https://dashscope.aliyuncs.com/compatible-mode/v1"
COMPAT_BASE_URL_VAR = "DASHSCOPE_COMPAT_BASE_URL"
#: What a plain openai client gets at COMPAT_BASE_URL (the codemods' compat style judges calls by it).
#: chat and responses: confirmed (reference dashscope.md, responses.md R1); embeddings: the endpoint
#: exists, which models it takes is unconfirmed. Not served: completions (only the Qwen coder models,
#: Beijing only: responses.md section 3), images and audio (native task/multimodal APIs only), models
#: (not in the reference: unconfirmed; the emulator does not serve it).
COMPAT_ENDPOINTS = frozenset({"chat.completions", "embeddings", "responses"})
REGIONS = {
    "cn-beijing": DEFAULT_BASE_URL,
    "ap-southeast-1": "https://dashscope-intl.aliyuncs.com/api/v1",
    "intl": "https://dashscope-intl.aliyuncs.com/api/v1",
    "cn-hongkong": "https://cn-hongkong.dashscope.aliyuncs.com/api/v1",
}

TEXT_PATH = "/services/aigc/text-generation/generation"
MULTIMODAL_PATH = "/services/aigc/multimodal-generation/generation"
EMBEDDING_PATH = "/services/embeddings/text-embedding/text-embedding"
EMBEDDING_BATCH = 10  # v3/v4 limit; the catalogue gives per-model limits
#: Models DashScope serves at its OpenAI-compatible Responses endpoint (reference, Feb 2026); newer
#: Qwen plus/max models probably join them (unconfirmed): those are translated onto chat meanwhile.
RESPONSES_MODELS = frozenset({"qwen3.5-plus", "qwen3.5-plus-2026-02-15", "qwen3.5-397b-a17b", "qwen3-max",
                              "qwen3-max-2026-01-23"})
#: What that endpoint documents; a request asking for more (text.format, reasoning, include...) is
#: translated instead, since undocumented parameters are silently ignored there.
RESPONSES_FIELDS = frozenset({"model", "input", "instructions", "previous_response_id", "stream", "tools",
                              "tool_choice", "temperature", "top_p", "max_output_tokens", "store",
                              "parallel_tool_calls", "enable_thinking"})
RESPONSES_TOOLS = frozenset({"web_search", "code_interpreter"})
_NATIVE_ROOT, _COMPAT_ROOT = "/api/v1", "/compatible-mode/v1"


def _search(value: Any) -> dict[str, Any]:
    """Qianfan's ``web_search`` object (or Zhipu's tool settings) as ``enable_search`` + ``search_options``."""
    search = extras.search_of(value)
    options = {native: search[neutral] for neutral, native in (("forced", "forced_search"), ("sources", "enable_source"),
               ("citation", "enable_citation"), ("strategy", "search_strategy")) if neutral in search}
    return {"enable_search": search.get("enable", False), **({"search_options": options} if options else {})}


def _flag(name: str, convert: Callable[[Any], Any]) -> Callable[[Any], dict[str, Any]]:
    def native(value: Any) -> dict[str, Any]:
        converted = convert(value)
        return {} if converted is None else {name: converted}
    return native


_PASSES = ("enable_search", "search_options", "enable_thinking", "thinking_budget", "top_k", "repetition_penalty",
           "enable_code_interpreter", "vl_high_resolution_images", "vl_enable_image_hw_output", "max_input_tokens")
EXTRAS: dict[str, Extra] = {
    **{name: Extra("passes", f"parameters.{name}") for name in _PASSES},
    "thinking": Extra("translated", "-> parameters.enable_thinking", _flag("enable_thinking", extras.thinking_of)),
    "web_search": Extra("translated", "-> parameters.enable_search + search_options", _search),
    "penalty_score": Extra("translated", "-> parameters.repetition_penalty", _flag("repetition_penalty", float)),
    "do_sample": Extra("translated", "false -> parameters.top_k 1 (greedy)",
                       _flag("top_k", lambda v: None if v is not False else 1)),
    "result_format": Extra("ignored", "qianyi always asks for 'message' (the reply is translated from it)"),
    "incremental_output": Extra("ignored", "qianyi sets it for streams (the translation reads deltas)"),
}
#: Reply fields kept for the user under their own names: web-search sources (``output.search_info``).
REPLY_EXTRAS = ("search_info",)
HEADER_OPTIONS = {"workspace": ("X-DashScope-WorkSpace", "DASHSCOPE_WORKSPACE")}

CAPABILITIES = Capabilities(
    passed=frozenset({"messages", "model", "stream", "stop", "presence_penalty", "seed", "logprobs",
                      "top_logprobs", "tools", "parallel_tool_calls", "tool_choice", "response_format",
                      "stream_options", "functions", "function_call"}),
    renamed={"max_tokens": "parameters.max_tokens", "max_completion_tokens": "parameters.max_tokens"},
    # temperature is [0, 2) and top_p (0, 1] natively: clamp into the closed ranges just inside; older
    # models refuse top_p=1.0 (gateways send 0.999999: reference dashscope.md §3.2), so 1.0 is kept under.
    clamped={"temperature": (0.0, 1.99), "top_p": (0.0001, 0.999999)},
    emulated={
        "n": "one native call per choice, merged; parameters.n where the catalogue says the model serves it",
        "reasoning_effort": "parameters.enable_thinking (none/minimal: false) + thinking_budget (low 2048, medium "
                            "8192, high 32768 tokens; xhigh/max: the model's own); a non-stream call that thinks "
                            "is streamed and joined; models that cannot think: the unsupported= policy; not "
                            "given: false on a model that thinks by default when the OpenAI model asked for "
                            "does not reason (gpt-4o mapped to qwen3-32b)",
        "response_format.json_schema": "JSON mode + the schema in a system message, reply validated; sent as "
                                       "it is where the catalogue says the model serves it",
        "stream_options": "usage chunk built from the last event's cumulative usage",
    },
    unsupported=frozenset({"frequency_penalty", "user", "metadata"}) | OPENAI_ONLY,
    embedding_passed=frozenset({"input", "model", "dimensions"}),
    embedding_emulated={**EMBEDDING_EMULATED, "input": "split into batches of the model's limit (v3/v4: 10), "
                                                       "merged in order"},
    embedding_unsupported=frozenset({"user"}),
    endpoints=frozenset({"chat.completions", "embeddings", "models", "completions", "responses", "images.generations",
                         "audio.transcriptions", "audio.speech"}),
    features={
        "streaming": ("translated", "X-DashScope-SSE events with incremental_output; no [DONE] natively"),
        "stream_usage": ("emulated", "cumulative in every native event; one usage chunk only with include_usage"),
        "tool_calls": ("native", "OpenAI shape inside output.choices, call_ ids"),
        "tool_call_streaming": ("translated", "index-keyed fragments; id and name on the first only"),
        "reasoning_content": ("native", "kept as an extra field on the message and the delta"),
        "finish_reason": ("translated", "the string \"null\" means running; stop/length/tool_calls kept"),
        "content_filter": ("translated", "DataInspectionFailed -> 400 content_filter"),
        "image_input": ("translated", "vision models: multimodal endpoint, {image} parts, data: URIs kept"),
        "usage_details": ("translated", "input/output tokens renamed; cached and reasoning tokens kept"),
        "errors": ("translated", "code in the body (also with HTTP 200) mapped before the status"),
        "search_sources": ("native", "output.search_info (with search_options.enable_source) as search_info on "
                                     "the completion and on a chunk"),
        "logprobs": ("translated", "choices[].logprobs (OpenAI's shape) kept on the choice and the chunk"),
    },
    extras_at="inside parameters",
    extras=EXTRAS,
    headers={"X-DashScope-WorkSpace": "a sub-workspace's models (client option workspace=, DASHSCOPE_WORKSPACE)",
             "X-DashScope-DataInspection": "stricter content moderation, e.g. {\"input\":\"cip\",\"output\":\"cip\"}",
             "X-DashScope-OssResourceResolve": "resolve oss:// media URLs"},
    reply_headers={"X-Request-Id": "the request id (also the completion's id)"},
    notes={
        "frequency_penalty": "no equivalent (repetition_penalty has another scale)",
        "tool_choice": "'required' is not accepted by Qwen models: dropped per the policy",
        "parallel_tool_calls": "sent as true unless false is asked (DashScope defaults to false)",
        "user": "no end-user field",
    },
)

ERRORS: dict[str, tuple[int, str]] = {
    "InvalidParameter": (400, "invalid_parameter"),
    "DataInspectionFailed": (400, "content_filter"),
    "data_inspection_failed": (400, "content_filter"),
    "Arrearage": (403, "insufficient_quota"),
    "InvalidApiKey": (401, "invalid_api_key"),
    "invalid_api_key": (401, "invalid_api_key"),
    "NOT AUTHORIZED": (401, "invalid_api_key"),
    "AccessDenied": (403, "permission_denied"),
    "AccessDenied.Unpurchased": (403, "permission_denied"),
    "Model.AccessDenied": (403, "permission_denied"),
    "App.AccessDenied": (403, "permission_denied"),
    "Workspace.AccessDenied": (403, "permission_denied"),
    "AllocationQuota.FreeTierOnly": (403, "insufficient_quota"),
    "ModelNotFound": (404, "model_not_found"),
    "model_not_found": (404, "model_not_found"),
    "WorkSpaceNotFound": (404, "not_found"),
    "NotFound": (404, "not_found"),
    "Throttling": (429, "rate_limit_exceeded"),
    "Throttling.RateQuota": (429, "rate_limit_exceeded"),
    "limit_requests": (429, "rate_limit_exceeded"),
    "Throttling.BurstRate": (429, "rate_limit_exceeded"),
    "Throttling.AllocationQuota": (429, "rate_limit_exceeded"),
    "insufficient_quota": (429, "rate_limit_exceeded"),  # DashScope's TPM quota: it refills, so retry
    "CommodityNotPurchased": (429, "insufficient_quota"),
    "PrepaidBillOverdue": (429, "insufficient_quota"),
    "PostpaidBillOverdue": (429, "insufficient_quota"),
    "InternalError": (500, "server_error"),
    "InternalError.Algo": (500, "server_error"),
    "InternalError.Timeout": (500, "server_error"),
    "SystemError": (500, "server_error"),
    "ModelServiceFailed": (500, "server_error"),
    "RequestTimeOut": (500, "server_error"),
    "ModelServingError": (503, "server_error"),
    "ModelUnavailable": (503, "server_error"),
    "ServiceUnavailable": (503, "server_error"),
    "GatewayTimeout": (504, "server_error"),
}
_OK = ("HTTP_STATUS/200",)
_CONTEXT_LENGTH = re.compile(r"input length|too long|exceed.*(token|context|length)", re.IGNORECASE)


def setup(api_key: str | None, base_url: str | None, env: Mapping[str, str], options: Mapping[str, Any]) -> Setup:
    return bearer_setup(sys.modules[__name__], api_key, base_url, env, options)


# -- requests -------------------------------------------------------------------------------------


def to_native(endpoint: str, body: Mapping[str, Any], ctx: Context) -> Plan:
    if endpoint == "embeddings":
        return _embedding_requests(body, ctx)
    if endpoint == "responses":
        return _responses_requests(body, ctx)
    if endpoint == "images.generations":
        return _dashscope_images.plan(body, ctx, error_of)
    if endpoint.startswith("audio."):
        return _dashscope_audio.to_native(endpoint, body, ctx)
    return _chat_requests(body, ctx)


def serves_responses(body: Mapping[str, Any], ctx: Context) -> bool:
    """Whether DashScope's own Responses endpoint serves this request as it is (else: chat)."""
    root = str(ctx.notes.get("root_path", ""))
    asked = {name for name, value in body.items() if value is not None and value != []}
    return ctx.model in RESPONSES_MODELS and root.endswith(_NATIVE_ROOT) and asked <= RESPONSES_FIELDS


def _responses_requests(body: Mapping[str, Any], ctx: Context) -> list[NativeRequest]:
    """The request for the compatible-mode ``/responses`` endpoint beside the native root."""
    web = frozenset({*responses.WEB_SEARCH, *RESPONSES_TOOLS})
    responses.refuse_hosted(body, ctx, allowed=web)
    native = {k: v for k, v in body.items() if v is not None and k not in ("instructions", "store")}
    native["model"] = ctx.model
    native["tools"] = [{**t, "type": "web_search"} if t.get("type") in responses.WEB_SEARCH else t
                       for t in body.get("tools") or []] or None
    if body.get("instructions"):  # listed as unsupported in the Chinese reference: a system item instead
        items = responses.input_items(body.get("input"))
        native["input"] = [{"role": "system", "content": body["instructions"]}, *items]
    root = str(ctx.notes["root_path"])[: -len(_NATIVE_ROOT)] + _COMPAT_ROOT
    return [NativeRequest("POST", "/responses", {k: v for k, v in native.items() if v is not None},
                          stream=bool(body.get("stream")), root=root)]


def _chat_requests(body: Mapping[str, Any], ctx: Context) -> list[NativeRequest]:
    info = catalogue.provider_model(NAME, ctx.model) or {}
    copies = chat.fan_out(body, CAPABILITIES, ctx, info)
    req = chat.normalise(body, CAPABILITIES, ctx, info)
    multimodal = bool(info.get("multimodal")) or chat.has_images(req["messages"])
    if multimodal and info and not info.get("vision"):
        raise Refused(f"dashscope model {ctx.model!r} does not take images; use a vision model such as "
                      f"'qwen-vl-max' (model_map= can map {ctx.requested_model!r} to it).", param="messages")
    if (req.get("response_format") or {}).get("type") == "json_object" and not _mentions_json(req["messages"]):
        # DashScope refuses JSON mode unless the prompt says "json"; OpenAI only recommends it.
        req["messages"].insert(0, {"role": "system", "content": "Reply in JSON."})
        req["messages"] = chat.merge_same_role(req["messages"])
    messages = to_native_messages(req["messages"], multimodal=multimodal)
    params = _parameters(req, ctx, info)
    stream = bool(req.get("stream"))
    thinks = _thinking(req, ctx, info, params)
    aggregate = not stream and (_qwen_thinking.stream_only(ctx.model, info) or thinks)
    if aggregate and "n" in params:  # n is served natively without thinking only: one call per choice
        copies = params.pop("n")
    headers = {"X-DashScope-SSE": "enable"} if stream or aggregate else {}
    if stream or aggregate:
        params["incremental_output"] = True
    native = {"model": ctx.model, "input": {"messages": messages}, "parameters": params}
    path = MULTIMODAL_PATH if multimodal else TEXT_PATH
    return [NativeRequest("POST", path, native, dict(headers), stream=stream or aggregate, aggregate=aggregate)
            for _ in range(copies)]


def _parameters(req: Mapping[str, Any], ctx: Context, info: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"result_format": "message"}
    for name in ("temperature", "top_p", "max_tokens", "stop", "presence_penalty", "seed", "logprobs",
                 "top_logprobs"):
        if req.get(name) is not None:
            params[name] = req[name]
    if ctx.notes.get("native_n"):
        params["n"] = ctx.notes["native_n"]
    if req.get("tools"):
        params["tools"] = req["tools"]
        params["parallel_tool_calls"] = req.get("parallel_tool_calls", True) is not False
        choice = req.get("tool_choice")
        if choice == "required":
            ctx.policy.unsupported("tool_choice", "value 'required'")
        elif choice is not None:
            params["tool_choice"] = choice
    response_format = req.get("response_format")
    if response_format and response_format.get("type") in ("json_object", "json_schema"):
        native_schema = response_format.get("type") == "json_schema" and info.get("json_schema")
        params["response_format"] = dict(response_format) if native_schema else {"type": "json_object"}
    params.update(extras.native(req["_extras"], CAPABILITIES, NAME))
    return params


def _thinking(req: Mapping[str, Any], ctx: Context, info: Mapping[str, Any], params: dict[str, Any]) -> bool:
    """Set ``enable_thinking``/``thinking_budget`` from ``reasoning_effort`` and the extras, by the
    model's family (``_qwen_thinking``); whether the model will think (then a non-stream call is
    streamed and joined: thinking is stream-only)."""
    mode = _qwen_thinking.thinking_mode(ctx.model, info)
    effort = req.get("reasoning_effort")
    if effort is not None:
        if mode == "never":
            ctx.policy.unsupported("reasoning_effort", f"(model {ctx.model!r} does not think)")
        elif mode != "always" or not extras.wants_off(effort):
            params.setdefault("enable_thinking", not extras.wants_off(effort))
            budget = extras.effort_budget(effort)
            if budget is not None and params["enable_thinking"]:
                params.setdefault("thinking_budget", min(budget, info.get("max_reasoning") or budget))
        else:
            ctx.policy.unsupported("reasoning_effort", f"value {effort!r} (model {ctx.model!r} always thinks)")
    if "response_format" in params and mode in ("optional", "default_on"):
        if params.get("enable_thinking"):  # JSON mode is refused while thinking: JSON wins, said aloud
            ctx.policy.unsupported("reasoning_effort", "together with response_format (JSON mode turns thinking off)")
        params["enable_thinking"] = False
    if mode == "default_on" and effort is None and catalogue.openai_reasons(ctx.requested_model) is False:
        params.setdefault("enable_thinking", False)  # gpt-4o did not think: a model_map onto qwen3-32b keeps that
    if mode == "default_on" and not req.get("stream"):
        # Thinking is stream-only: a non-stream call keeps the model's default only when asked to think.
        params.setdefault("enable_thinking", False)
    if mode == "always":
        return True
    if mode == "never":
        return False
    return bool(params.get("enable_thinking", mode == "default_on"))


def thinking_off(model: str) -> dict[str, Any] | None:
    """The request fields (``extra_body``) that keep ``model`` from thinking, for a model that thinks
    by default (open-weight Qwen3: ``_qwen_thinking``); ``None`` for one that does not, or always does.
    The runtime sends them for an OpenAI model that did not reason; the rewrite writes them where it
    renames one (``codemods/_thinking.py``)."""
    mode = _qwen_thinking.thinking_mode(model, catalogue.provider_model(NAME, model) or {})
    return {"enable_thinking": False} if mode == "default_on" else None


def _mentions_json(messages: list[Mapping[str, Any]]) -> bool:
    return any("json" in openai_wire.text_of(m.get("content")).lower() for m in messages)


def to_native_messages(messages: list[Mapping[str, Any]], *, multimodal: bool) -> list[dict[str, Any]]:
    """OpenAI messages as DashScope wants them: string content for text models, parts for VL ones
    (tool results stay text), tool results named after their function."""
    return chat.flat_messages(messages, contents=_parts if multimodal else None, named_results=True)


def _parts(content: Any) -> list[dict[str, Any]]:
    """OpenAI content parts -> DashScope's one-key parts (``{"text"}``, ``{"image"}``, ``{"audio"}``)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}]
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type")
        if kind == "text":
            parts.append({"text": part.get("text", "")})
        elif kind == "image_url":
            image = part.get("image_url") or {}
            parts.append({"image": image.get("url", "") if isinstance(image, Mapping) else str(image)})
        elif kind == "input_audio":
            sound = part.get("input_audio") or {}
            parts.append({"audio": f"data:audio/{sound.get('format', 'wav')};base64,{sound.get('data', '')}"})
    return parts


def _embedding_requests(body: Mapping[str, Any], ctx: Context) -> list[NativeRequest]:
    ctx.policy.strip(body, CAPABILITIES, embeddings=True)
    texts = embeddings.inputs(body, ctx)
    size = embeddings.dimension(body, ctx)
    ctx.notes["encoding_format"] = body.get("encoding_format") or "float"
    params: dict[str, Any] = {"text_type": "document"}
    if size is not None and ctx.model not in ("text-embedding-v1", "text-embedding-v2"):
        params["dimension"] = size
    limit = embeddings.batch_limit(ctx, EMBEDDING_BATCH)
    return [NativeRequest("POST", EMBEDDING_PATH, {"model": ctx.model, "input": {"texts": batch},
                                                   "parameters": params})
            for batch in embeddings.batches(texts, limit)]


# -- replies --------------------------------------------------------------------------------------


def from_native(endpoint: str, replies: list[Any], ctx: Context) -> dict[str, Any] | FileReply:
    if endpoint == "embeddings":
        return _embeddings_reply(replies, ctx)
    if endpoint == "responses":  # OpenAI's shape already; the fields the SDK requires are made sure of
        reply = dict(replies[0])
        ctx.notes.setdefault("request_id", reply.get("request_id"))
        for name, default in (("parallel_tool_calls", True), ("tool_choice", "auto"), ("tools", [])):
            reply.setdefault(name, default)
        return reply
    if endpoint == "images.generations":
        return images.response(replies, ctx)
    if endpoint.startswith("audio."):
        return _dashscope_audio.from_native(endpoint, replies, ctx)
    completions = [r if r.get("object") == "chat.completion" else from_native_chat(r, ctx) for r in replies]
    return chat.check_schema(chat.merge_fanned(completions), ctx)


def from_native_chat(native: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """One native chat reply -> an OpenAI ``chat.completion``."""
    request_id = native.get("request_id", "")
    ctx.notes.setdefault("request_id", request_id)
    choices = []
    for i, c in enumerate((native.get("output") or {}).get("choices") or []):
        msg = c.get("message") or {}
        message = openai_wire.message(_text(msg.get("content")), tool_calls=msg.get("tool_calls"),
                                      reasoning=msg.get("reasoning_content"))
        choices.append(openai_wire.choice(c.get("index", i), message,
                                          openai_wire.normalise_finish_reason(c.get("finish_reason")) or "stop",
                                          c.get("logprobs")))
    out = openai_wire.chat_completion(id=f"chatcmpl-{request_id}", model=ctx.model, created=ctx.created,
                                      choices=choices, usage=_usage(native.get("usage")))
    streaming.hold_into(out, native.get("output") or {}, REPLY_EXTRAS)
    return out


def _text(content: Any) -> str:
    """Text models answer a string; the multimodal endpoint a list of ``{"text": ...}`` parts."""
    return openai_wire.text_of(content)


def _usage(usage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not usage:
        return None
    return openai_wire.usage(
        usage.get("input_tokens"), usage.get("output_tokens"), usage.get("total_tokens"),
        cached=(usage.get("prompt_tokens_details") or {}).get("cached_tokens"),
        reasoning=(usage.get("output_tokens_details") or {}).get("reasoning_tokens"))


def from_native_event(event: SSEEvent, state: StreamState) -> list[dict[str, Any]]:
    """One native SSE event -> OpenAI chunk dicts (incremental output is always requested)."""
    status = _status(event)
    payload = _json(event.data)
    if event.event == "error" or status >= 400 or (isinstance(payload, Mapping) and payload.get("code")):
        info = error_of(status if status >= 400 else 500, payload, {})
        raise NativeError(info or lookup(ERRORS, None, status, event.data, provider=NAME))
    if not isinstance(payload, Mapping):
        return []
    if audio.STREAM_NOTE in state.ctx.notes:
        return _dashscope_audio.event(payload, state)
    state.id = state.id or f"chatcmpl-{payload.get('request_id', '')}"
    output = payload.get("output") or {}
    streaming.hold(state, output, REPLY_EXTRAS)
    out: list[dict[str, Any]] = []
    for i, c in enumerate(output.get("choices") or []):
        msg = c.get("message") or {}
        finish = openai_wire.normalise_finish_reason(c.get("finish_reason"))
        if finish is not None:  # usage is cumulative in every event: the last one's is final
            state.usage = _usage(payload.get("usage")) or state.usage
        out += streaming.deltas(state, content=_text(msg.get("content")), reasoning=msg.get("reasoning_content"),
                                tool_calls=msg.get("tool_calls"), finish_reason=finish, index=int(c.get("index", i)),
                                logprobs=c.get("logprobs"))
    return out


def _status(event: SSEEvent) -> int:
    if event.comments == _OK:
        return 200
    for comment in event.comments:
        if comment.startswith("HTTP_STATUS/"):
            try:
                return int(comment.split("/", 1)[1])
            except ValueError:
                return 500
    return 200


def _json(text: str) -> Any:
    try:
        return loads(text)
    except ValueError:
        return None


def _embeddings_reply(replies: list[Any], ctx: Context) -> dict[str, Any]:
    vectors: list[list[float]] = []
    tokens = 0
    for reply in replies:
        ctx.notes.setdefault("request_id", reply.get("request_id"))
        rows = sorted((reply.get("output") or {}).get("embeddings") or [], key=lambda r: r.get("text_index", 0))
        vectors += [r["embedding"] for r in rows]
        tokens += int((reply.get("usage") or {}).get("total_tokens", 0))
    return openai_wire.embedding_response(vectors, model=ctx.model, prompt_tokens=tokens,
                                          encoding_format=ctx.notes.get("encoding_format"))


# -- errors ---------------------------------------------------------------------------------------


def error_of(status: int, payload: Any, headers: Mapping[str, str]) -> ErrorInfo | None:
    """The mapped error in a native reply: any body with a top-level ``code`` is one, even with 200."""
    if isinstance(payload, str):  # an error sent as an SSE frame despite a JSON content type
        payload = next((_json(line[5:]) for line in payload.splitlines() if line.startswith("data:")), None)
    if not isinstance(payload, Mapping) or not payload.get("code"):
        return None if status < 400 else lookup(ERRORS, None, status, f"HTTP {status}", provider=NAME,
                                                request_id=headers.get("x-request-id"))
    code, message = str(payload["code"]), str(payload.get("message", ""))
    info = lookup(ERRORS, code, status if status >= 400 else 400, message, provider=NAME,
                  request_id=payload.get("request_id") or headers.get("x-request-id"))
    if code == "InvalidParameter" and message.strip().rstrip(".").lower() == "model not exist":
        return _replace(info, status=404, code="model_not_found")
    if code == "InvalidParameter" and _CONTEXT_LENGTH.search(message):
        return _replace(info, code="context_length_exceeded")
    return info


def _replace(info: ErrorInfo, **changes: Any) -> ErrorInfo:
    return dataclasses.replace(info, **changes)
