"""Zhipu translation, pure: samples in, OpenAI shapes out (no server); the auth flows driven by hand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import warnings
from pathlib import Path
from typing import Any

import jwt  # PyJWT, which the zhipuai SDK signs with: the oracle for our own signing
import pytest

from adapters import registry
from adapters.auth import AuthFlow, BearerAuth, CredentialError
from adapters.backends import zhipu as zp
from adapters.capabilities import Policy, Refused, UnsupportedParameterWarning
from adapters.embeddings import EmbeddingSizeWarning
from adapters.exchange import Exchange, Prepared, StreamTranslator
from adapters.native import Context, NativeError, NativeRequest, SSEEvent, StreamState
from adapters.sse import SSEDecoder
from tests.adapters.samples import SAMPLES, sample, sse_lines

KEY = "0123456789abcdef0123456789abcdef.s3cretPart"


def ctx(model: str = "glm-4.7", requested: str = "gpt-4.1", policy: str = "warn") -> Context:
    return Context("zhipu", model, requested, Policy("zhipu", policy), created=1700000000)  # type: ignore[arg-type]


def chat(**body: Any) -> dict[str, Any]:
    return {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}], **body}


def one(body: dict[str, Any], c: Context | None = None) -> dict[str, Any]:
    [native] = zp.to_native("chat.completions", body, c or ctx())
    assert native.json is not None and native.path == zp.CHAT_PATH
    return dict(native.json)


def events(name: str) -> list[SSEEvent]:
    decoder, out = SSEDecoder(), []
    for line in sse_lines("zhipu", name) + [""]:
        event = decoder.feed(line)
        if event:
            out.append(event)
    return out


def drive(flow: AuthFlow) -> NativeRequest:
    with pytest.raises(StopIteration) as done:
        next(flow)
    result: NativeRequest = done.value.value
    return result


# -- requests -------------------------------------------------------------------------------------


def test_plain_chat_request_matches_the_native_sample() -> None:
    expected = sample("zhipu", "chat_request.json")
    body = chat(messages=expected["messages"], temperature=0.6, top_p=0.95, max_tokens=1024, stop=["\n\n\n"],
                user="user-4821")
    native = one(body)
    # the sample also carries the SDK's own defaults (request_id, do_sample, stream): not sent; thinking is
    # disabled as in the sample, because gpt-4.1 (the requested model) does not think
    assert native == {k: v for k, v in expected.items() if k not in ("request_id", "do_sample", "stream")}


def test_stream_request_matches_the_native_sample() -> None:
    expected = sample("zhipu", "chat_request_stream.json")
    [native] = zp.to_native("chat.completions", chat(messages=expected["messages"], stream=True), ctx())
    assert native.stream and not native.aggregate
    assert native.json == expected  # thinking disabled as in the sample: gpt-4.1, asked for, does not think


@pytest.mark.parametrize(("given", "sent"), [(0.5, {"temperature": 0.5}), (1.0, {"temperature": 0.99}),
                                             (2.0, {"temperature": 0.99}), (0, {"do_sample": False}),
                                             (-1, {"do_sample": False})])
def test_temperature_stays_inside_the_open_range_and_zero_means_greedy(given: float, sent: dict[str, Any]) -> None:
    native = one(chat(temperature=given))
    assert {k: native[k] for k in ("temperature", "do_sample") if k in native} == sent


@pytest.mark.parametrize(("given", "sent"), [(0, 0.01), (1.0, 0.99), (0.5, 0.5)])
def test_top_p_is_clamped_to_the_sdks_range(given: float, sent: float) -> None:
    assert one(chat(top_p=given))["top_p"] == sent


def test_stop_takes_one_word_the_rest_follows_the_policy() -> None:
    assert one(chat(stop="END"))["stop"] == ["END"]
    with pytest.warns(UnsupportedParameterWarning, match="zhipu has no 'stop' beyond its first word; it was dropped"):
        assert one(chat(stop=["A", "B"]))["stop"] == ["A"]
    with pytest.raises(Refused, match="'stop'"):
        one(chat(stop=["A", "B"]), ctx(policy="error"))


def test_tool_request_matches_the_native_sample() -> None:
    expected = sample("zhipu", "chat_request_tools.json")
    # the GLM named directly: the sample leaves thinking to the model's default
    native = one(chat(messages=expected["messages"], tools=expected["tools"], tool_choice="auto"),
                 ctx(requested="glm-4.7"))
    assert native == {k: v for k, v in expected.items() if k != "stream"}


def test_tool_follow_up_messages_match_the_native_sample() -> None:
    expected = sample("zhipu", "chat_request_tools_followup.json")
    native = one(chat(messages=expected["messages"], tools=expected["tools"]))
    assert native["messages"] == expected["messages"] and native["tool_choice"] == "auto"


def test_tool_choice_none_leaves_the_tools_out_and_required_follows_the_policy() -> None:
    tools = sample("zhipu", "chat_request_tools.json")["tools"]
    native = one(chat(tools=tools, tool_choice="none"))
    assert "tools" not in native and "tool_choice" not in native
    with pytest.warns(UnsupportedParameterWarning, match="'tool_choice' value 'required'"):
        assert one(chat(tools=tools, tool_choice="required"))["tool_choice"] == "auto"
    named = {"type": "function", "function": {"name": "get_weather"}}
    with pytest.raises(Refused, match="function get_weather"):
        one(chat(tools=tools, tool_choice=named), ctx(policy="error"))


def test_legacy_functions_become_tools() -> None:
    fn = sample("zhipu", "chat_request_tools.json")["tools"][0]["function"]
    native = one(chat(functions=[fn], function_call="auto"))
    assert native["tools"] == [{"type": "function", "function": fn}] and native["tool_choice"] == "auto"


def test_tools_for_a_model_without_tool_calling_are_refused_before_sending() -> None:
    tools = sample("zhipu", "chat_request_tools.json")["tools"]
    with pytest.raises(Refused, match="'glm-z1-air' does not take tools"):
        one(chat(tools=tools), ctx("glm-z1-air"))


@pytest.mark.parametrize(("user", "sent"), [("u1", "user-u1"), ("abcdef", "abcdef"),
                                            ("x" * 200, hashlib.sha256(b"x" * 200).hexdigest())])
def test_user_becomes_a_user_id_of_the_accepted_length(user: str, sent: str) -> None:
    assert one(chat(user=user))["user_id"] == sent
    assert 6 <= len(sent) <= 128


def test_unsupported_parameters_warn_once_and_are_dropped() -> None:
    c = ctx()
    with pytest.warns(UnsupportedParameterWarning) as record:
        native = one(chat(presence_penalty=0.5, frequency_penalty=0.1, seed=7, parallel_tool_calls=False), c)
    assert sorted(str(w.message).split("'")[1] for w in record) == [
        "frequency_penalty", "parallel_tool_calls", "presence_penalty", "seed"]
    assert str(record[0].message).startswith("zhipu has no '") and "' ; " not in str(record[0].message)
    assert not {"presence_penalty", "frequency_penalty", "seed", "parallel_tool_calls"} & set(native)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one(chat(presence_penalty=0.5), c)


def test_max_completion_tokens_is_max_tokens_capped_at_the_models_output() -> None:
    assert one(chat(max_completion_tokens=77))["max_tokens"] == 77
    assert one(chat(max_tokens=10**6), ctx("glm-4-plus"))["max_tokens"] == 4096


def test_json_object_passes_and_json_schema_is_emulated() -> None:
    assert one(chat(response_format={"type": "json_object"}))["response_format"] == {"type": "json_object"}
    assert "response_format" not in one(chat(response_format={"type": "text"}))
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    c = ctx()
    native = one(chat(response_format={"type": "json_schema", "json_schema": {"name": "p", "schema": schema}}), c)
    assert native["response_format"] == {"type": "json_object"}
    assert native["messages"][0]["role"] == "system" and '"required": ["name"]' in native["messages"][0]["content"]
    reply = sample("zhipu", "chat_response.json")
    reply["choices"][0]["message"]["content"] = "{}"
    with pytest.raises(NativeError, match="missing required property 'name'"):
        zp.from_native("chat.completions", [reply], c)


def test_reasoning_effort_switches_thinking_on_reasoning_models_only() -> None:
    assert one(chat(reasoning_effort="minimal"))["thinking"] == {"type": "disabled"}
    assert one(chat(reasoning_effort="high"))["thinking"] == {"type": "enabled"}
    with pytest.warns(UnsupportedParameterWarning, match="glm-4-plus' does not think"):
        assert "thinking" not in one(chat(reasoning_effort="high"), ctx("glm-4-plus"))


def test_n_is_served_by_one_call_per_choice() -> None:
    assert len(zp.to_native("chat.completions", chat(n=3), ctx())) == 3


def test_images_are_sent_as_raw_base64_like_the_vision_sample() -> None:
    expected = sample("zhipu", "chat_request_vision.json")
    raw = expected["messages"][0]["content"][0]["image_url"]["url"]
    messages = [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{raw}", "detail": "high"}},
        {"type": "text", "text": "What color is this pixel?"}]}]
    native = one(chat(messages=messages), ctx("glm-4.5v"))
    assert native["messages"] == expected["messages"]
    https = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]
    assert one(chat(messages=https), ctx("glm-4.5v"))["messages"][0]["content"][0]["image_url"]["url"] == \
        "https://x/y.png"


def test_images_to_a_text_model_and_audio_parts_are_refused() -> None:
    messages = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]
    with pytest.raises(Refused, match="'glm-4.7' does not take images"):
        one(chat(messages=messages))
    audio = [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "AA==", "format": "wav"}}]}]
    with pytest.raises(Refused, match="text and image parts only"):
        one(chat(messages=audio), ctx("glm-4.5v"))


def test_list_content_is_flattened_outside_vision_user_turns() -> None:
    messages = [{"role": "system", "content": [{"type": "text", "text": "be brief"}]},
                {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]
    assert one(chat(messages=messages))["messages"] == [{"role": "system", "content": "be brief"},
                                                        {"role": "user", "content": "ab"}]


# -- replies --------------------------------------------------------------------------------------


def test_chat_reply_becomes_a_chat_completion() -> None:
    native = sample("zhipu", "chat_response.json")
    c = ctx()
    assert zp.from_native("chat.completions", [native], c) == {
        "id": native["id"], "object": "chat.completion", "created": native["created"], "model": "glm-4.7",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": native["choices"][0]["message"]["content"]},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 18, "completion_tokens": 13, "total_tokens": 31,
                  "prompt_tokens_details": {"cached_tokens": 0}},
    }
    assert c.notes["request_id"] == native["request_id"]


def test_thinking_and_tool_call_replies() -> None:
    thinking = zp.from_native("chat.completions", [sample("zhipu", "chat_response_thinking.json")], ctx())
    assert thinking["choices"][0]["message"]["reasoning_content"].startswith("221 = 13")
    assert thinking["usage"]["completion_tokens_details"] == {"reasoning_tokens": 20}
    tools = zp.from_native("chat.completions", [sample("zhipu", "chat_response_tool_calls.json")], ctx())
    choice = tools["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    assert choice["message"]["tool_calls"] == [{"id": "call_8f1c0b2e5a7d4c3b9e6f", "type": "function", "function": {
        "name": "get_weather", "arguments": '{"city": "Paris"}'}}]


@pytest.mark.parametrize(("native", "openai"), [("sensitive", "content_filter"), ("length", "length"),
                                                ("model_context_window_exceeded", "length"), ("stop", "stop")])
def test_finish_reasons_map(native: str, openai: str) -> None:
    reply = sample("zhipu", "chat_response.json")
    reply["choices"][0]["finish_reason"] = native
    assert zp.from_native("chat.completions", [reply], ctx())["choices"][0]["finish_reason"] == openai


def test_network_error_finish_is_a_retryable_server_error() -> None:
    reply = sample("zhipu", "chat_response.json")
    reply["choices"][0]["finish_reason"] = "network_error"
    with pytest.raises(NativeError) as err:
        zp.from_native("chat.completions", [reply], ctx())
    assert err.value.info.status == 500 and err.value.info.native_code == "network_error"


def _stream(name: str) -> tuple[list[dict[str, Any]], StreamState]:
    state = StreamState(ctx())
    chunks = [c for event in events(name) for c in zp.from_native_event(event, state)]
    assert state.finished
    return chunks, state


def test_stream_sends_the_role_once_and_keeps_usage_for_the_usage_chunk() -> None:
    chunks, state = _stream("stream.sse")
    assert sum("role" in c["choices"][0]["delta"] for c in chunks) == 1
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == \
        "The three primary colors are red, yellow and blue."
    assert [c["choices"][0]["finish_reason"] for c in chunks][-1] == "stop"
    assert all("usage" not in c and c["id"] == "20260115103005b2c3d4e5f60718293a4b5c6d" for c in chunks)
    assert state.usage == {"prompt_tokens": 8, "completion_tokens": 13, "total_tokens": 21,
                           "prompt_tokens_details": {"cached_tokens": 0}}


def test_sensitive_stream_ends_with_content_filter_and_thinking_streams_reasoning() -> None:
    chunks, _ = _stream("stream_sensitive.sse")
    assert chunks[-1]["choices"][0]["finish_reason"] == "content_filter"
    chunks, state = _stream("stream_thinking.sse")
    assert "".join(c["choices"][0]["delta"].get("reasoning_content", "") for c in chunks) == \
        "221 = 13 x 17, so it is composite."
    assert state.usage and state.usage["completion_tokens_details"] == {"reasoning_tokens": 20}


@pytest.mark.parametrize("name", ["stream_tool_calls.sse", "stream_tool_calls_tool_stream.sse"])
def test_streamed_tool_calls_open_once_and_append_arguments(name: str) -> None:
    chunks, _ = _stream(name)
    calls = [tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls", [])]
    assert calls[0]["id"] == "call_8f1c0b2e5a7d4c3b9e6f" and calls[0]["function"]["name"] == "get_weather"
    assert all("id" not in tc for tc in calls[1:])
    assert "".join(tc["function"]["arguments"] for tc in calls) == '{"city": "Paris"}'
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_network_error_and_error_objects_in_a_stream_raise() -> None:
    state = StreamState(ctx())
    frame = {"id": "1", "choices": [{"index": 0, "finish_reason": "network_error", "delta": {"content": ""}}]}
    with pytest.raises(NativeError, match="network_error"):
        zp.from_native_event(SSEEvent(json.dumps(frame)), state)
    with pytest.raises(NativeError) as err:
        zp.from_native_event(SSEEvent(json.dumps(sample("zhipu", "error_1302_rate_limit_429.json"))), state)
    assert err.value.info.status == 429 and err.value.info.code == "rate_limit_exceeded"


def _translator(include_usage: bool) -> StreamTranslator:
    exchange = Exchange(zp, root_path="/api/paas/v4", policy=Policy("zhipu"))  # type: ignore[arg-type]
    body = chat(stream=True, stream_options={"include_usage": True} if include_usage else None)
    prepared = exchange.prepare("POST", "/api/paas/v4/chat/completions", json.dumps(body).encode())
    assert isinstance(prepared, Prepared)
    assert prepared.plan[0].json is not None and "stream_options" not in prepared.plan[0].json
    return StreamTranslator(exchange, prepared)


@pytest.mark.parametrize("include_usage", [True, False])
def test_the_usage_chunk_is_sent_only_when_asked(include_usage: bool) -> None:
    translator = _translator(include_usage)
    frames = [f for line in sse_lines("zhipu", "stream.sse") if (f := translator.feed(line))]
    frames += list(translator.close())
    assert frames[-1] == b"data: [DONE]\n\n"
    assert (b'"choices":[]' in frames[-2]) is include_usage
    assert sum(b'"usage"' in f for f in frames) == int(include_usage)


# -- embeddings -----------------------------------------------------------------------------------


def test_embeddings_request_matches_the_native_sample() -> None:
    expected = sample("zhipu", "embeddings_request.json")
    [native] = zp.to_native("embeddings", {"model": "text-embedding-3-small", "input": expected["input"],
                                           "dimensions": 256}, ctx("embedding-3", "text-embedding-3-small"))
    assert native.path == zp.EMBEDDING_PATH and native.json == expected


def test_embeddings_warn_when_the_openai_size_cannot_be_kept() -> None:
    c = ctx("embedding-3", "text-embedding-3-small")
    with pytest.warns(EmbeddingSizeWarning, match="1536-dimensional"):
        [native] = zp.to_native("embeddings", {"model": "text-embedding-3-small", "input": "x"}, c)
    assert native.json == {"model": "embedding-3", "input": ["x"]}
    [fixed] = zp.to_native("embeddings", {"model": "embedding-2", "input": "x", "dimensions": 1024},
                           ctx("embedding-2", "embedding-2"))
    assert fixed.json == {"model": "embedding-2", "input": ["x"]}  # a fixed-size model takes no dimensions


def test_embeddings_batch_and_merge_in_order() -> None:
    c = ctx("embedding-3", "embedding-3")
    plan = zp.to_native("embeddings", {"model": "embedding-3", "input": [f"t{i}" for i in range(130)],
                                       "dimensions": 512}, c)
    assert [len(p.json["input"]) for p in plan if p.json] == [64, 64, 2]
    replies = [{"data": [{"index": i, "embedding": [float(t[1:])], "object": "embedding"}
                         for i, t in enumerate(p.json["input"])][::-1],
                "usage": {"prompt_tokens": 3, "completion_tokens": 0, "total_tokens": 3}} for p in plan if p.json]
    out = zp.from_native("embeddings", replies, c)
    assert [row["embedding"][0] for row in out["data"]] == [float(i) for i in range(130)]
    assert [row["index"] for row in out["data"]] == list(range(130))
    assert out["usage"] == {"prompt_tokens": 9, "total_tokens": 9}


def test_embeddings_reply_sample() -> None:
    native = sample("zhipu", "embeddings_response.json")
    c = ctx("embedding-3", "embedding-3")
    zp.to_native("embeddings", {"model": "embedding-3", "input": ["a", "b"], "dimensions": 256}, c)
    out = zp.from_native("embeddings", [native], c)
    assert out == {"object": "list", "model": "embedding-3", "usage": {"prompt_tokens": 14, "total_tokens": 14},
                   "data": [{"object": "embedding", "index": i, "embedding": row["embedding"]}
                            for i, row in enumerate(native["data"])]}


# -- errors ---------------------------------------------------------------------------------------

ERROR_SAMPLES = [  # file, HTTP status sent, OpenAI status, OpenAI code, retry override
    ("error_1001_missing_auth_401.json", 401, 401, "invalid_api_key", None),
    ("error_1002_invalid_token_401.json", 401, 401, "invalid_api_key", None),
    ("error_1113_arrears_429.json", 429, 429, "insufficient_quota", False),
    ("error_1210_invalid_param_400.json", 400, 400, "invalid_parameter", None),
    ("error_1211_model_not_found_400.json", 400, 404, "model_not_found", None),
    ("error_1214_invalid_field_400.json", 400, 400, "invalid_parameter", None),
    ("error_1261_prompt_too_long_400.json", 400, 400, "context_length_exceeded", None),
    ("error_1301_content_filter_400.json", 400, 400, "content_filter", None),
    ("error_1302_rate_limit_429.json", 429, 429, "rate_limit_exceeded", None),
    ("error_1305_overloaded_429.json", 429, 429, "rate_limit_exceeded", None),
    ("error_500_internal_500.json", 500, 500, "server_error", None),
]


def test_every_error_sample_is_covered() -> None:
    assert {s[0] for s in ERROR_SAMPLES} == {p.name for p in (SAMPLES / "zhipu").glob("error_*.json")}


@pytest.mark.parametrize(("name", "http", "status", "code", "retry"), ERROR_SAMPLES, ids=[s[0] for s in ERROR_SAMPLES])
def test_native_errors_map_to_openai_statuses_and_codes(name: str, http: int, status: int, code: str,
                                                        retry: bool | None) -> None:
    payload = sample("zhipu", name)
    info = zp.error_of(http, payload, {})
    assert info is not None
    assert (info.status, info.code, info.retry) == (status, code, retry)
    assert info.native_code == payload["error"]["code"] and info.message == payload["error"]["message"]


@pytest.mark.parametrize(("code", "status", "openai"), [("1003", 401, "expired_token"), ("1304", 429, "insufficient_quota"),
                                                        ("1310", 429, "insufficient_quota"), ("1220", 403, "permission_denied"),
                                                        ("1234", 500, "server_error"), ("1303", 429, "rate_limit_exceeded")])
def test_other_documented_codes(code: str, status: int, openai: str) -> None:
    info = zp.error_of(400, {"error": {"code": code, "message": "m"}}, {})
    assert info is not None and (info.status, info.code) == (status, openai)


def test_a_success_body_and_a_foreign_error_body_are_not_zhipu_errors() -> None:
    assert zp.error_of(200, sample("zhipu", "chat_response.json"), {}) is None
    assert zp.error_of(502, "<html>bad gateway</html>", {}) is None  # the exchange maps the status alone


# -- authentication -------------------------------------------------------------------------------


def test_the_plain_key_is_the_default_and_never_in_a_repr() -> None:
    setup = zp.setup(KEY, None, {}, {})
    assert isinstance(setup.auth, BearerAuth) and setup.base_url == zp.DEFAULT_BASE_URL
    assert drive(setup.auth.authorise(NativeRequest("POST", "/x"))).headers == {"Authorization": f"Bearer {KEY}"}
    assert "s3cret" not in repr(setup)
    assert zp.setup(None, None, {"ZHIPUAI_API_KEY": KEY, "ZHIPUAI_BASE_URL": "http://h/api/paas/v4/"},
                    {}).base_url == "http://h/api/paas/v4"
    assert zp.setup(KEY, None, {}, {"region": "intl"}).base_url == "https://api.z.ai/api/paas/v4"


def test_setup_refuses_a_missing_key_and_an_unknown_auth_mode() -> None:
    with pytest.raises(CredentialError, match="ZHIPUAI_API_KEY"):
        zp.setup(None, None, {}, {})
    with pytest.raises(ValueError, match="zhipu_auth must be 'key'.*or 'jwt'"):
        zp.setup(KEY, None, {}, {"zhipu_auth": "oauth"})
    with pytest.raises(CredentialError, match="<id>.<secret>"):
        zp.setup("no-secret-part", None, {}, {"zhipu_auth": "jwt"})


def test_signed_token_verifies_with_the_secret_and_has_the_sdks_fields() -> None:
    token = zp.jwt_token(KEY, now=1768444200.0)
    key_id, secret = KEY.split(".")
    expected = sample("zhipu", "jwt_parts.json")
    assert jwt.get_unverified_header(token) == expected["header"]
    claims = jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False})
    assert claims == {**expected["payload"], "api_key": key_id}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "wrong-secret", algorithms=["HS256"], options={"verify_exp": False})
    signing, _, signature = token.rpartition(".")
    mac = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(mac).rstrip(b"=").decode() == signature


def test_signed_token_is_reused_until_near_expiry_and_renewed_after_reset() -> None:
    now = [1000.0]
    auth = zp.JWTAuth(KEY, clock=lambda: now[0])
    assert "s3cret" not in repr(auth)

    def header() -> str:
        return drive(auth.authorise(NativeRequest("POST", "/x"))).headers["Authorization"]

    first = header()
    now[0] += zp.JWT_REUSE - 1
    assert header() == first
    now[0] += 2
    second = header()
    assert second != first
    claims = jwt.decode(second.removeprefix("Bearer "), KEY.split(".")[1], algorithms=["HS256"],
                        options={"verify_exp": False})
    assert claims["timestamp"] == int(now[0] * 1000) and claims["exp"] - claims["timestamp"] == 210_000
    now[0] += 1
    auth.reset()
    assert header() != second


def test_an_expired_signed_token_asks_the_transport_to_sign_anew() -> None:
    info = zp.error_of(401, {"error": {"code": "1003", "message": "Authorization Token 已过期。"}}, {})
    assert info is not None and info.code == "expired_token" and info.status == 401


def test_setup_with_jwt_signs_requests() -> None:
    setup = zp.setup(KEY, None, {}, {"zhipu_auth": "jwt"})
    token = drive(setup.auth.authorise(NativeRequest("POST", "/x"))).headers["Authorization"].removeprefix("Bearer ")
    assert token.count(".") == 2 and KEY not in token
    assert jwt.decode(token, KEY.split(".")[1], algorithms=["HS256"], options={"verify_exp": False})["api_key"] == \
        KEY.split(".")[0]


def test_the_module_is_a_complete_backend() -> None:
    assert registry.get("zhipu") is zp
    assert Path(zp.__file__).name == "zhipu.py"


def test_the_strict_flag_of_a_tool_is_not_sent() -> None:
    strict = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}, "strict": True}}]
    assert one(chat(tools=strict))["tools"] == [{"type": "function", "function": {"name": "f",
                                                                                  "parameters": {"type": "object"}}}]
