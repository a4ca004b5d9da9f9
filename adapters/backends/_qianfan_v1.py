"""Qianfan's legacy v1 API ("wenxinworkshop"), for accounts with an API key + secret key pair
(shared/reference/qianfan.md §1.2, §7-9.2). Used by ``qianfan.py`` when ``Setup.variant == "v1"``.

    POST /oauth/2.0/token?grant_type=client_credentials&client_id=AK&client_secret=SK  -> access_token
    POST /rpc/2.0/ai_custom/v1/wenxinworkshop/chat/<endpoint>?access_token=...        the model is the URL
    POST /rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/<endpoint>?access_token=...

Chat bodies have no ``model`` and no system message (a top-level ``system`` string); tools are
``functions``, a call comes back as one ``function_call`` (with ``thoughts``) and its result goes
back as a ``function`` message; ``max_tokens`` is ``max_output_tokens``. Replies are flat
(``result``); streams are ``data:`` lines with ``is_end`` and cumulative usage, no ``[DONE]``.
Every error is HTTP 200 + ``{"error_code", "error_msg"}``; 110/111 (token invalid/expired) make the
transport drop the token, fetch a new one and retry once.

Unconfirmed in the reference, chosen here: ``response_format`` as the string ``"json_object"``;
which endpoints an account still has (``SUBSTITUTES``); per-model ``max_output_tokens`` ranges (the
catalogue's); the OAuth error's HTTP status (any 4xx is taken as refused credentials).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from .. import capabilities, catalogue, chat, embeddings, extras, openai_wire, streaming
from .._warn import warn
from ..auth import AuthFlow, TokenReply
from ..capabilities import Capabilities, Extra, Refused
from ..errors import lookup, redact
from ..native import Context, ErrorInfo, NativeError, NativeRequest, SSEEvent, StreamState

NAME = "qianfan"
PREFIX = "/rpc/2.0/ai_custom/v1/wenxinworkshop"
TOKEN_PATH = "/oauth/2.0/token"
TOKEN_LIFETIME = 2592000.0  # 30 days, when the reply does not say
TOKEN_MARGIN = 3600.0  # renew this long before expiry (as one-api does), or at half-life if shorter
EMBEDDING_BATCH = 16
MIN_OUTPUT_TOKENS = 2  # max_output_tokens is [2, model max]

#: catalogue (v2) model id -> v1 endpoint (reference §2). ernie-4.0-turbo-128k: unconfirmed on v1.
CHAT_ENDPOINTS = {
    "ernie-4.0-8k": "completions_pro", "ernie-4.0-8k-latest": "ernie-4.0-8k-latest",
    "ernie-4.0-turbo-8k": "ernie-4.0-turbo-8k", "ernie-4.0-turbo-128k": "ernie-4.0-turbo-128k",
    "ernie-3.5-8k": "completions", "ernie-3.5-128k": "ernie-3.5-128k", "ernie-speed-8k": "ernie_speed",
    "ernie-speed-128k": "ernie-speed-128k", "ernie-lite-8k": "ernie-lite-8k", "ernie-lite-8k-0922": "eb-instant",
    "ernie-tiny-8k": "ernie-tiny-8k", "ernie-bot-8k": "ernie_bot_8k",
}
EMBEDDING_ENDPOINTS = {"embedding-v1": "embedding-v1", "bge-large-zh": "bge_large_zh",
                       "bge-large-en": "bge_large_en", "tao-8k": "tao_8k"}
#: v2-only models the catalogue maps OpenAI names to -> the closest model v1 serves (Baidu added
#: no new models to v1; which v1 endpoints an account has is unconfirmed).
SUBSTITUTES = {
    "ernie-4.5-turbo-128k": "ernie-4.0-turbo-128k", "ernie-4.5-turbo-32k": "ernie-4.0-turbo-8k",
    "ernie-x1-turbo-32k": "ernie-4.0-turbo-8k", "deepseek-r1": "ernie-4.0-turbo-128k",
    "deepseek-v3": "ernie-4.0-turbo-128k",
}

#: v1 and v2 embed alike: fixed vector sizes, at most 16 texts a call.
EMBEDDING_EMULATED = {**capabilities.EMBEDDING_EMULATED, "input": "split into batches of 16 (tao-8k: 1), merged in order",
                      "dimensions": "only the model's own size is accepted (nothing is sent)"}


def _search(value: Any) -> dict[str, Any]:
    """A web-search request in any provider's spelling (DashScope's ``enable_search`` /
    ``search_options``, v2's ``web_search``, Zhipu's tool settings) as v1's ``disable_search``,
    ``enable_citation`` and ``enable_trace`` (the sources); what v1 cannot ask for is warned about."""
    search = extras.search_of(value)
    native: dict[str, Any] = {"disable_search": not search.get("enable", True)}
    if "citation" in search:
        native["enable_citation"] = bool(search["citation"])
    trace = value.get("enable_trace") if isinstance(value, Mapping) else None
    if "sources" in search or trace is not None:
        native["enable_trace"] = bool(search.get("sources") or trace)
    lost = [name for neutral, name in (("forced", "forced search"), ("count", "a result count"),
                                       ("strategy", "a search strategy")) if search.get(neutral)]
    if lost:
        warn(f"extra_body web search: Qianfan v1 has no {', '.join(lost)}; only disable_search, enable_citation "
             f"and enable_trace were sent.", extras.ExtraBodyWarning)
    return native


#: Qianfan's fields for other providers' names, on both APIs (``qianfan.py`` builds v2's table on them).
REPETITION_PENALTY = Extra("translated", "-> penalty_score, within [1, 2]",
                           lambda v: {"penalty_score": min(max(float(v), 1.0), 2.0)})
DO_SAMPLE = Extra("ignored", "Qianfan has no do_sample (a low temperature is the way to greedy answers)")
_NO_THINKING = Extra("ignored", "v1 serves no reasoning models (use v2 for ERNIE X1 or DeepSeek R1)")
#: v1 request fields (reference qianfan.md §7): its own pass, the other providers' names are translated.
EXTRAS: dict[str, Extra] = {
    **{name: Extra("passes", name) for name in ("penalty_score", "disable_search", "enable_citation", "enable_trace")},
    "system": Extra("passes", "system, after the system messages' text"),
    "repetition_penalty": REPETITION_PENALTY,
    "do_sample": DO_SAMPLE,
    "enable_search": Extra("translated", "-> disable_search (negated)", lambda v: _search(bool(v))),
    "search_options": Extra("translated", "-> disable_search false, enable_citation, enable_trace (enable_source)",
                            lambda v: _search({**v, "enable": True} if isinstance(v, Mapping) else v)),
    "web_search": Extra("translated", "-> disable_search, enable_citation, enable_trace", _search),
    **{name: _NO_THINKING for name in ("enable_thinking", "thinking", "thinking_budget", "thinking_strategy")},
}

CAPABILITIES = Capabilities(
    passed=frozenset({"messages", "model", "stream", "stop", "tool_choice", "response_format", "functions"}),
    renamed={"max_tokens": "max_output_tokens", "max_completion_tokens": "max_output_tokens", "user": "user_id",
             "tools": "functions", "function_call": "tool_choice"},
    clamped={"temperature": (0.01, 1.0), "top_p": (0.0, 1.0)},
    emulated={
        "messages.assistant_first": chat.ASSISTANT_FIRST,
        "messages.assistant_last": chat.ASSISTANT_LAST,
        "n": "one native call per choice, merged",
        "response_format.json_schema": "JSON mode + the schema in the system text; reply validated",
        "stream_options": "usage chunk from the last line's cumulative usage",
    },
    unsupported=frozenset({"presence_penalty", "frequency_penalty", "seed", "logprobs", "top_logprobs",
                           "parallel_tool_calls", "metadata", "reasoning_effort"}) | capabilities.OPENAI_ONLY,
    embedding_emulated=EMBEDDING_EMULATED,
    embedding_unsupported=frozenset({"user"}),
    endpoints=frozenset({"chat.completions", "embeddings", "models", "completions", "responses"}),
    notes={
        "model": "selects the endpoint URL; v2-only models mapped from OpenAI names fall back to ERNIE 4.0",
        "messages": "system moved to the top-level 'system'; turn order repaired with a warning or refused",
        "temperature": "ERNIE's (0, 1]",
        "max_tokens": "at least 2, at most the model's maximum output",
        "stop": "at most 4 words of at most 20 characters; others go through the unsupported= policy",
        "tool_choice": "a named function only; 'none' leaves the functions out, 'required' goes through the "
                       "unsupported= policy",
        "tools": "one call per answer; parallel calls in a history are sent as consecutive turns",
        "response_format": "sent as the string 'json_object' (unconfirmed)",
        "frequency_penalty": "v1 has penalty_score [1, 2], another scale: not mapped",
    },
    features={
        "streaming": ("translated", "data: lines with incremental 'result', is_end on the last, no [DONE]"),
        "stream_usage": ("emulated", "cumulative on every line: the last line's is sent when asked"),
        "tool_calls": ("translated", "function_call {name, arguments, thoughts} -> one tool call (thoughts as "
                                     "reasoning_content)"),
        "tool_call_streaming": ("translated", "the function_call arrives whole"),
        "reasoning_content": ("unsupported", "no reasoning models on v1"),
        "finish_reason": ("translated", "normal -> stop, function_call -> tool_calls, need_clear_history -> "
                                        "content_filter"),
        "content_filter": ("translated", "need_clear_history -> finish_reason content_filter"),
        "image_input": ("unsupported", "refused: use v2 and a VL model"),
        "usage_details": ("unsupported", "prompt/completion/total tokens only"),
        "errors": ("translated", "HTTP 200 + error_code mapped to the status; 110/111 renew the token and "
                                 "retry once"),
        "search_sources": ("unsupported", "v1 search results are not translated (v2 keeps them)"),
        "logprobs": ("unsupported", "v1 returns none"),
    },
    extras=EXTRAS,
)

ERRORS: dict[str, tuple[int, str]] = {
    "1": (500, "server_error"),
    "2": (503, "server_error"),  # temporarily unavailable: retryable
    "3": (400, "invalid_request"),
    "4": (429, "rate_limit_exceeded"),
    "6": (403, "permission_denied"),
    "13": (401, "invalid_api_key"),
    "14": (401, "invalid_api_key"),
    "15": (404, "not_found"),
    "17": (429, "insufficient_quota"),  # daily limit, often the paid service not opened: a retry cannot help
    "18": (429, "rate_limit_exceeded"),
    "19": (429, "rate_limit_exceeded"),
    "100": (400, "invalid_parameter"),
    "110": (401, "expired_token"),  # token invalid: renewed and retried once by the transport
    "111": (401, "expired_token"),  # token expired: likewise
    "336000": (500, "server_error"),
    "336001": (400, "invalid_parameter"),
    "336002": (400, "invalid_json"),
    "336003": (400, "invalid_parameter"),
    "336004": (403, "permission_denied"),
    "336005": (404, "model_not_found"),
    "336100": (503, "server_error"),  # high load: retryable
    "336101": (400, "invalid_parameter"),
    "336104": (400, "invalid_parameter"),
    "336105": (400, "invalid_parameter"),
    "336501": (429, "rate_limit_exceeded"),
    "336502": (429, "rate_limit_exceeded"),
}
FINISH_REASONS = {"normal": "stop", "function_call": "tool_calls"}
_TOO_LONG = re.compile(r"too long|exceed.*(token|length|limit)|超长|超过", re.IGNORECASE)


# -- the access token -----------------------------------------------------------------------------


class TokenAuth:
    """``?access_token=`` from the OAuth endpoint, fetched with AK/SK, reused until near expiry.

    Two requests racing past an expired token may both fetch one: both tokens are valid, so no lock.
    """

    def __init__(self, ak: str, sk: str, clock: Callable[[], float] = time.time) -> None:
        self._ak, self._sk, self._clock = ak, sk, clock
        self._token: str | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return "TokenAuth(ak='***', sk='***')"

    def authorise(self, request: NativeRequest) -> AuthFlow:
        now = self._clock()
        if self._token is None or now >= self._renew_at:
            reply = yield NativeRequest("POST", TOKEN_PATH, None, params={
                "grant_type": "client_credentials", "client_id": self._ak, "client_secret": self._sk})
            self._token, self._renew_at = token_of(reply, now)
        request.params["access_token"] = self._token
        return request

    def reset(self) -> None:
        self._token = None


def token_of(reply: TokenReply, now: float) -> tuple[str, float]:
    """The access token in an OAuth reply and when to renew it; a refusal is a mapped error."""
    body = reply.json if isinstance(reply.json, Mapping) else {}
    token = body.get("access_token")
    if reply.status == 200 and isinstance(token, str) and token:
        lifetime = float(body.get("expires_in") or TOKEN_LIFETIME)
        return token, now + lifetime - min(TOKEN_MARGIN, lifetime / 2)
    reason = redact(str(body.get("error_description") or body.get("error") or f"HTTP {reply.status}"))
    refused = reply.status < 500
    raise NativeError(ErrorInfo(
        401 if refused else 502, "invalid_api_key" if refused else "server_error",
        f"Qianfan refused the access-token request ({reason}); check QIANFAN_AK and QIANFAN_SK." if refused
        else f"Qianfan's access-token endpoint failed ({reason}); the request may be retried.",
        NAME, native_code=str(body["error"]) if body.get("error") else None))


# -- requests -------------------------------------------------------------------------------------


def to_native(endpoint: str, body: Mapping[str, Any], ctx: Context) -> list[NativeRequest]:
    ctx.model = served_model(ctx)
    if endpoint == "embeddings":
        batches, _ = embeddings.plan(body, CAPABILITIES, ctx, EMBEDDING_BATCH)  # fixed sizes: nothing to send
        path = f"{PREFIX}/embeddings/{EMBEDDING_ENDPOINTS.get(ctx.model, ctx.model)}"
        return [NativeRequest("POST", path, {"input": batch}) for batch in batches]
    if chat.has_images(body.get("messages") or []):
        raise Refused(f"qianfan v1 serves no vision model; use api_version='v2' and a VL model ({ctx.model!r} "
                      f"was asked).", param="messages")
    copies, req, _ = chat.prepare(body, CAPABILITIES, ctx)
    turns = chat.alternate(req["messages"], ctx)
    system = turns.pop(0)["content"] if turns[0]["role"] == "system" else None
    native: dict[str, Any] = {"messages": to_native_messages(turns), **_parameters(req, ctx)}
    native.update(extras.native(req["_extras"], CAPABILITIES, NAME))
    system = "\n\n".join(t for t in (system, native.pop("system", None)) if isinstance(t, str) and t)
    if system:
        native["system"] = system
    stream = bool(req.get("stream"))
    if stream:
        native["stream"] = True
    path = f"{PREFIX}/chat/{CHAT_ENDPOINTS.get(ctx.model.lower(), ctx.model)}"
    return [NativeRequest("POST", path, native, stream=stream) for _ in range(copies)]


def served_model(ctx: Context) -> str:
    """The model v1 is asked for: a v2-only model the catalogue picked for an OpenAI name is swapped
    for the closest one v1 serves; a name the user chose is kept (a custom endpoint, perhaps)."""
    model = ctx.model
    if model != ctx.requested_model and model == catalogue.map_model(ctx.requested_model, NAME):
        return SUBSTITUTES.get(model, model)
    return model


def _parameters(req: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    params: dict[str, Any] = {name: req[name] for name in ("temperature", "top_p") if req.get(name) is not None}
    if isinstance(req.get("max_tokens"), int):
        params["max_output_tokens"] = max(MIN_OUTPUT_TOKENS, req["max_tokens"])
    if req.get("stop") is not None:
        words = chat.stop_words(req["stop"], ctx, most=4, longest=20)
        if words:
            params["stop"] = words
    if isinstance(req.get("user"), str) and req["user"]:
        params["user_id"] = req["user"]
    if (req.get("response_format") or {}).get("type") == "json_object":
        params["response_format"] = "json_object"
    params.update(_functions(req, ctx))
    return params


def _functions(req: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    tools, choice = req.get("tools"), req.get("tool_choice")
    if not tools or choice == "none":
        return {}
    functions = [t["function"] for t in chat.plain_tools(tools) if isinstance(t.get("function"), Mapping)]
    out: dict[str, Any] = {"functions": functions}
    if isinstance(choice, Mapping):
        out["tool_choice"] = {"type": "function", "function": {"name": (choice.get("function") or {}).get("name")}}
    elif choice not in (None, "auto"):
        ctx.policy.unsupported("tool_choice", f"value {choice!r} (v1 takes a named function only)")
    return out


def to_native_messages(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turns (already in order, system removed) as v1 messages: each tool call its own assistant turn
    with a ``function_call``, followed by its result as a ``function`` message."""
    out: list[dict[str, Any]] = []
    i = 0
    while i < len(turns):
        turn = turns[i]
        text = openai_wire.text_of(turn.get("content"))
        calls = turn.get("tool_calls") if turn.get("role") == "assistant" else None
        if not calls:
            out.append({"role": turn.get("role"), "content": text})
            i += 1
            continue
        results = []
        while i + 1 < len(turns) and turns[i + 1].get("role") == "tool":
            i += 1
            results.append(turns[i])
        by_id = {r.get("tool_call_id"): r for r in results}
        for n, call in enumerate(calls):
            function = openai_wire.tool_call(n, call)["function"]
            out.append({"role": "assistant", "content": text if n == 0 else "", "function_call": function})
            result = by_id.get(call.get("id")) or (results[n] if n < len(results) else None)
            if result is not None:
                out.append({"role": "function", "name": function["name"],
                            "content": openai_wire.text_of(result.get("content"))})
        i += 1
    return out


# -- replies --------------------------------------------------------------------------------------


def from_native_chat(native: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """A flat v1 reply -> an OpenAI ``chat.completion``."""
    ctx.notes.setdefault("request_id", native.get("id"))
    calls, thoughts = _calls(native)
    message = openai_wire.message(str(native.get("result") or ""), tool_calls=calls, reasoning=thoughts)
    return openai_wire.chat_completion(
        id=str(native.get("id") or ""), model=ctx.model, created=int(native.get("created") or ctx.created),
        choices=[openai_wire.choice(0, message, finish_reason(native) or "stop")],
        usage=openai_wire.usage_of(native.get("usage")))


def _calls(native: Mapping[str, Any]) -> tuple[list[dict[str, Any]] | None, str | None]:
    call = native.get("function_call")
    if not isinstance(call, Mapping):
        return None, None
    function = {"name": call.get("name", ""), "arguments": call.get("arguments", "")}
    return [{"index": 0, "id": f"call_{native.get('id') or 'v1'}", "type": "function", "function": function}], \
        call.get("thoughts") or None


def finish_reason(native: Mapping[str, Any]) -> str | None:
    if native.get("need_clear_history"):  # a safety block: the history must be cleared
        return "content_filter"
    return openai_wire.normalise_finish_reason(native.get("finish_reason"), FINISH_REASONS)


def from_native_event(event: SSEEvent, state: StreamState) -> list[dict[str, Any]]:
    """One ``data:`` line: incremental ``result``, cumulative usage; the answer ends at ``is_end``."""
    payload = streaming.payload_of(event, state, error_of)
    if payload is None:
        return []
    calls, thoughts = _calls(payload)
    ended = bool(payload.get("is_end")) or bool(payload.get("need_clear_history"))
    return streaming.deltas(state, content=str(payload.get("result") or ""), reasoning=thoughts, tool_calls=calls,
                            finish_reason=finish_reason(payload) if ended else None)


# -- errors ---------------------------------------------------------------------------------------


def error_of(payload: Any) -> ErrorInfo | None:
    """The mapped error in a v1 body (HTTP 200 + ``error_code``), else ``None``."""
    if not isinstance(payload, Mapping) or payload.get("error_code") in (None, 0):
        return None
    code, message = str(payload["error_code"]), str(payload.get("error_msg") or "")
    info = lookup(ERRORS, code, 200, message, provider=NAME, request_id=payload.get("id"))
    if code == "336003" and _TOO_LONG.search(message):
        return ErrorInfo(400, "context_length_exceeded", message, NAME, native_code=code,
                         request_id=info.request_id)
    return info

