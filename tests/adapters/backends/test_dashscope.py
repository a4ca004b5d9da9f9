"""DashScope translation, pure: samples in, OpenAI shapes out (no server)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from adapters.backends import dashscope as ds
from adapters.capabilities import Policy, Refused, UnsupportedParameterWarning
from adapters.embeddings import EmbeddingSizeWarning
from adapters.exchange import Exchange, StreamTranslator, aggregate
from adapters.native import Context, NativeError, SSEEvent, StreamState
from adapters.sse import SSEDecoder
from tests.adapters.samples import sample, sse_lines


def ctx(model: str = "qwen-plus", requested: str = "gpt-4o", policy: str = "warn") -> Context:
    return Context("dashscope", model, requested, Policy("dashscope", policy), created=1700000000)  # type: ignore[arg-type]


def chat(**body: Any) -> dict[str, Any]:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], **body}


def events(name: str) -> list[SSEEvent]:
    decoder, out = SSEDecoder(), []
    for line in sse_lines("dashscope", name) + [""]:
        event = decoder.feed(line)
        if event:
            out.append(event)
    return out


# -- requests -------------------------------------------------------------------------------------


def test_plain_chat_request_matches_the_native_sample() -> None:
    expected = sample("dashscope", "chat_request.json")
    body = {"model": "gpt-4o", "messages": [
        {"role": m["role"], "content": m["content"]} for m in expected["input"]["messages"]]}
    for name, value in expected["parameters"].items():
        if name != "result_format":
            body[name] = value
    [native] = ds.to_native("chat.completions", body, ctx(expected["model"]))
    assert native.path == ds.TEXT_PATH
    assert native.json == expected
    assert not native.stream and native.headers == {}


def test_stream_sets_the_sse_header_and_incremental_output() -> None:
    [native] = ds.to_native("chat.completions", chat(stream=True), ctx())
    assert native.headers == {"X-DashScope-SSE": "enable"}
    assert native.json is not None and native.json["parameters"]["incremental_output"] is True
    assert native.stream and not native.aggregate


@pytest.mark.parametrize(("given", "sent"), [(2.0, 1.99), (0.0, 0.0), (1.3, 1.3), (-1, 0.0)])
def test_temperature_is_clamped_into_dashscopes_half_open_range(given: float, sent: float) -> None:
    [native] = ds.to_native("chat.completions", chat(temperature=given), ctx())
    assert native.json is not None and native.json["parameters"]["temperature"] == sent


def test_top_p_zero_is_raised_to_the_smallest_accepted_value() -> None:
    [native] = ds.to_native("chat.completions", chat(top_p=0), ctx())
    assert native.json is not None and 0 < native.json["parameters"]["top_p"] < 0.001


def test_max_completion_tokens_becomes_max_tokens() -> None:
    [native] = ds.to_native("chat.completions", chat(max_completion_tokens=77), ctx())
    assert native.json is not None and native.json["parameters"]["max_tokens"] == 77


def test_unsupported_parameter_warns_once_and_is_dropped() -> None:
    c = ctx()
    with pytest.warns(UnsupportedParameterWarning, match="dashscope has no 'frequency_penalty'"):
        [native] = ds.to_native("chat.completions", chat(frequency_penalty=0.5), c)
    assert native.json is not None and "frequency_penalty" not in native.json["parameters"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds.to_native("chat.completions", chat(frequency_penalty=0.5), c)  # second time: silent


def test_unsupported_parameter_under_error_policy_refuses() -> None:
    with pytest.raises(Refused, match="'logit_bias'") as refused:
        ds.to_native("chat.completions", chat(logit_bias={"1": 2}), ctx(policy="error"))
    assert refused.value.status == 400 and refused.value.param == "logit_bias"


def test_drop_policy_is_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        [native] = ds.to_native("chat.completions", chat(user="u-1"), ctx(policy="drop"))
    assert native.json is not None and "user" not in native.json["parameters"]


def test_tools_pass_with_parallel_calls_on_by_default() -> None:
    request = sample("dashscope", "chat_request_tools.json")
    tools = request["parameters"]["tools"]
    [native] = ds.to_native("chat.completions", chat(tools=tools, tool_choice="auto"), ctx())
    assert native.json is not None
    params = native.json["parameters"]
    assert params["tools"] == tools and params["tool_choice"] == "auto" and params["parallel_tool_calls"] is True


def test_tool_choice_required_follows_the_policy() -> None:
    tools = sample("dashscope", "chat_request_tools.json")["parameters"]["tools"]
    with pytest.warns(UnsupportedParameterWarning, match="tool_choice"):
        [native] = ds.to_native("chat.completions", chat(tools=tools, tool_choice="required"), ctx())
    assert native.json is not None and "tool_choice" not in native.json["parameters"]


def test_tool_round_trip_messages_keep_ids_and_names_and_flatten_list_content() -> None:
    messages = [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "text", "text": "checking"}], "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "sunny"}]},
    ]
    [native] = ds.to_native("chat.completions", chat(messages=messages), ctx())
    assert native.json is not None
    sent = native.json["input"]["messages"]
    assert sent[1]["content"] == "checking" and sent[1]["tool_calls"][0]["id"] == "call_1"
    assert sent[2] == {"role": "tool", "content": "sunny", "tool_call_id": "call_1", "name": "get_weather"}


def test_developer_role_and_consecutive_same_role_messages_are_repaired() -> None:
    messages = [{"role": "developer", "content": "be brief"}, {"role": "system", "content": "be kind"},
                {"role": "user", "content": "a"}, {"role": "user", "content": "b"}]
    [native] = ds.to_native("chat.completions", chat(messages=messages), ctx())
    assert native.json is not None
    assert native.json["input"]["messages"] == [{"role": "system", "content": "be brief\n\nbe kind"},
                                                {"role": "user", "content": "a\n\nb"}]


def test_images_go_to_the_multimodal_endpoint_as_native_parts() -> None:
    data_uri = "data:image/png;base64,iVBORw0KGgo="
    messages = [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": data_uri, "detail": "high"}},
        {"type": "text", "text": "what is it?"}]}]
    [native] = ds.to_native("chat.completions", chat(messages=messages), ctx("qwen-vl-max"))
    assert native.path == ds.MULTIMODAL_PATH
    assert native.json is not None
    assert native.json["input"]["messages"][0]["content"] == [{"image": data_uri}, {"text": "what is it?"}]


def test_images_to_a_text_only_model_are_refused_clearly() -> None:
    messages = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]
    with pytest.raises(Refused, match="does not take images"):
        ds.to_native("chat.completions", chat(messages=messages), ctx("qwen-plus"))


def test_n_is_served_by_one_native_call_per_choice_and_refused_for_streams() -> None:
    plan = ds.to_native("chat.completions", chat(n=3), ctx("qwen-turbo"))
    assert len(plan) == 3
    [native] = ds.to_native("chat.completions", chat(n=3), ctx("qwen-plus"))  # the catalogue: native n
    assert native.json is not None and native.json["parameters"]["n"] == 3
    with pytest.raises(Refused, match="cannot stream n=2"):
        ds.to_native("chat.completions", chat(n=2, stream=True), ctx())


def test_json_object_mode_adds_the_word_json_when_the_prompt_lacks_it() -> None:
    [native] = ds.to_native("chat.completions", chat(response_format={"type": "json_object"}), ctx())
    assert native.json is not None
    assert native.json["parameters"]["response_format"] == {"type": "json_object"}
    assert "json" in native.json["input"]["messages"][0]["content"].lower()


def test_json_schema_is_emulated_with_json_mode_and_the_schema_in_the_prompt() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    c = ctx("qwen-turbo")  # the catalogue does not say it serves json_schema natively
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema}}
    [native] = ds.to_native("chat.completions", chat(response_format=fmt), c)
    assert native.json is not None
    assert native.json["parameters"]["response_format"] == {"type": "json_object"}
    assert '"required": ["name"]' in native.json["input"]["messages"][0]["content"]
    reply = sample("dashscope", "chat_response.json")
    reply["output"]["choices"][0]["message"]["content"] = '{"age": 3}'
    with pytest.raises(NativeError, match="missing required property 'name'") as err:
        ds.from_native("chat.completions", [reply], c)
    assert err.value.info.status == 500 and err.value.info.retry is True
    reply["output"]["choices"][0]["message"]["content"] = '{"name": "Ada"}'
    assert ds.from_native("chat.completions", [reply], c)["choices"][0]["message"]["content"] == '{"name": "Ada"}'


def test_thinking_default_models_get_thinking_disabled_for_non_stream_calls() -> None:
    named = ctx("qwen3-235b-a22b", requested="qwen3-235b-a22b")
    [native] = ds.to_native("chat.completions", chat(), named)
    assert native.json is not None and native.json["parameters"]["enable_thinking"] is False
    [streamed] = ds.to_native("chat.completions", chat(stream=True), named)
    assert streamed.json is not None and "enable_thinking" not in streamed.json["parameters"]
    # mapped from gpt-4o, which did not think: not on a stream either (o3 would keep the default)
    [mapped] = ds.to_native("chat.completions", chat(stream=True), ctx("qwen3-235b-a22b"))
    assert mapped.json is not None and mapped.json["parameters"]["enable_thinking"] is False
    [reasoning] = ds.to_native("chat.completions", chat(stream=True), ctx("qwen3-235b-a22b", requested="o3"))
    assert reasoning.json is not None and "enable_thinking" not in reasoning.json["parameters"]


def test_stream_only_models_serve_non_stream_callers_by_aggregating_a_stream() -> None:
    [native] = ds.to_native("chat.completions", chat(), ctx("qwq-plus", "o1"))
    assert native.stream and native.aggregate and native.headers == {"X-DashScope-SSE": "enable"}


# -- replies --------------------------------------------------------------------------------------


def test_chat_reply_becomes_a_chat_completion() -> None:
    native = sample("dashscope", "chat_response.json")
    c = ctx()
    out = ds.from_native("chat.completions", [native], c)
    assert out["object"] == "chat.completion" and out["id"] == f"chatcmpl-{native['request_id']}"
    assert out["model"] == "qwen-plus" and out["created"] == 1700000000
    assert out["choices"][0]["message"] == {"role": "assistant",
                                            "content": native["output"]["choices"][0]["message"]["content"]}
    usage = native["usage"]
    assert out["usage"]["prompt_tokens"] == usage["input_tokens"]
    assert out["usage"]["completion_tokens"] == usage["output_tokens"]
    assert c.notes["request_id"] == native["request_id"]


def test_tool_call_reply_keeps_ids_and_json_string_arguments() -> None:
    out = ds.from_native("chat.completions", [sample("dashscope", "chat_response_tool_calls.json")], ctx())
    choice = out["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    call = choice["message"]["tool_calls"][0]
    assert call["id"].startswith("call_") and call["type"] == "function"
    assert isinstance(call["function"]["arguments"], str)


def test_multimodal_list_content_and_reasoning_are_flattened() -> None:
    out = ds.from_native("chat.completions", [sample("dashscope", "chat_response_multimodal.json")], ctx())
    assert out["choices"][0]["message"]["content"] == "It is a cat sitting on a windowsill."
    thinking = ds.from_native("chat.completions", [sample("dashscope", "chat_response_thinking.json")], ctx())
    assert thinking["choices"][0]["message"]["reasoning_content"]
    assert thinking["usage"]["completion_tokens_details"]["reasoning_tokens"] >= 0


def test_fanned_out_replies_merge_into_n_choices() -> None:
    native = sample("dashscope", "chat_response.json")
    out = ds.from_native("chat.completions", [native, native], ctx())
    assert [c["index"] for c in out["choices"]] == [0, 1]
    assert out["usage"]["prompt_tokens"] == native["usage"]["input_tokens"]
    assert out["usage"]["completion_tokens"] == 2 * native["usage"]["output_tokens"]


def _stream(name: str, include_usage: bool = False) -> list[dict[str, Any]]:
    state = StreamState(ctx())
    chunks: list[dict[str, Any]] = []
    for event in events(name):
        chunks += ds.from_native_event(event, state)
    assert state.finished
    return chunks


def test_incremental_stream_becomes_openai_deltas_with_one_role_and_one_finish() -> None:
    chunks = _stream("stream_incremental.sse")
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert sum("role" in c["choices"][0]["delta"] for c in chunks) == 1
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"][0]["finish_reason"]]
    assert finishes == ["stop"]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == "The three primary colors are red, yellow and blue."
    assert all(c["object"] == "chat.completion.chunk" and "usage" not in c for c in chunks)


def test_streamed_tool_call_fragments_open_once_then_append_arguments() -> None:
    chunks = _stream("stream_tool_calls.sse")
    calls = [tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls", [])]
    assert calls[0]["id"].startswith("call_") and calls[0]["function"]["name"] == "get_current_weather"
    assert all("id" not in tc for tc in calls[1:])
    assert "".join(tc["function"]["arguments"] for tc in calls) == '{"location": "Paris", "unit": "celsius"}'
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_thinking_stream_sends_reasoning_deltas_before_content() -> None:
    chunks = _stream("stream_thinking.sse")
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content", "") for c in chunks)
    assert reasoning.startswith("221 = 13")


def test_midstream_error_event_raises_the_mapped_error() -> None:
    state = StreamState(ctx())
    with pytest.raises(NativeError) as err:
        for event in events("stream_error_midstream.sse"):
            ds.from_native_event(event, state)
    assert err.value.info.status == 429 and err.value.info.code == "rate_limit_exceeded"


def test_stream_translator_emits_usage_chunk_and_done_only_when_asked() -> None:
    exchange = Exchange(ds, root_path="/api/v1", policy=Policy("dashscope"))  # type: ignore[arg-type]
    prepared = exchange.prepare("POST", "/api/v1/chat/completions",
                                b'{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,'
                                b'"stream_options":{"include_usage":true}}')
    assert not isinstance(prepared, type(None))
    translator = StreamTranslator(exchange, prepared)  # type: ignore[arg-type]
    frames = [f for line in sse_lines("dashscope", "stream_incremental.sse") if (f := translator.feed(line))]
    frames += list(translator.close())
    assert frames[-1] == b"data: [DONE]\n\n"
    assert b'"choices":[]' in frames[-2] and b'"usage"' in frames[-2]


def test_a_cut_stream_ends_with_an_error_instead_of_a_silent_partial_answer() -> None:
    exchange = Exchange(ds, root_path="/api/v1", policy=Policy("dashscope"))  # type: ignore[arg-type]
    prepared = exchange.prepare("POST", "/api/v1/chat/completions",
                                b'{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true}')
    translator = StreamTranslator(exchange, prepared)  # type: ignore[arg-type]
    lines = sse_lines("dashscope", "stream_incremental.sse")[:8]
    frames = [f for line in lines if (f := translator.feed(line))] + list(translator.close())
    assert b"stream_interrupted" in frames[-1] and b"[DONE]" not in frames[-1]


def test_aggregating_a_stream_gives_the_non_stream_answer() -> None:
    exchange = Exchange(ds, root_path="/api/v1", policy=Policy("dashscope"))  # type: ignore[arg-type]
    prepared = exchange.prepare("POST", "/api/v1/chat/completions",
                                b'{"model":"o1","messages":[{"role":"user","content":"hi"}]}')
    result = aggregate(StreamTranslator(exchange, prepared), iter(sse_lines("dashscope", "stream_thinking.sse")))  # type: ignore[arg-type]
    assert isinstance(result, dict)
    message = result["choices"][0]["message"]
    assert message["reasoning_content"].startswith("221 = 13") and message["content"]
    assert result["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0


# -- embeddings -----------------------------------------------------------------------------------


def test_embeddings_keep_the_openai_vector_size_and_batch_in_order() -> None:
    texts = [f"t{i}" for i in range(23)]
    c = ctx("text-embedding-v4", "text-embedding-3-small")
    plan = ds.to_native("embeddings", {"model": "text-embedding-3-small", "input": texts}, c)
    assert [len(p.json["input"]["texts"]) for p in plan if p.json] == [10, 10, 3]
    assert all(p.json and p.json["parameters"]["dimension"] == 1536 for p in plan)
    replies = []
    for p in plan:
        assert p.json is not None
        batch = p.json["input"]["texts"]
        rows = [{"text_index": i, "embedding": [float(t[1:]), 0.5]} for i, t in enumerate(batch)]
        replies.append({"output": {"embeddings": rows[::-1]}, "usage": {"total_tokens": len(batch)},
                        "request_id": "r"})
    out = ds.from_native("embeddings", replies, c)
    assert [row["embedding"][0] for row in out["data"]] == [float(i) for i in range(23)]
    assert [row["index"] for row in out["data"]] == list(range(23))
    assert out["usage"] == {"prompt_tokens": 23, "total_tokens": 23}


def test_embeddings_warn_loudly_when_the_vector_size_cannot_be_kept() -> None:
    c = ctx("text-embedding-v4", "text-embedding-3-large")
    with pytest.warns(EmbeddingSizeWarning, match="3072-dimensional.*re-embedded"):
        [native] = ds.to_native("embeddings", {"model": "text-embedding-3-large", "input": "x"}, c)
    assert native.json is not None and "dimension" not in native.json["parameters"]


def test_explicit_impossible_dimensions_are_refused() -> None:
    with pytest.raises(Refused, match="cannot produce 100-dimensional"):
        ds.to_native("embeddings", {"model": "text-embedding-3-small", "input": "x", "dimensions": 100},
                     ctx("text-embedding-v4", "text-embedding-3-small"))


def test_base64_encoding_is_done_by_the_adapter() -> None:
    import base64
    import struct

    c = ctx("text-embedding-v4", "text-embedding-3-small")
    ds.to_native("embeddings", {"model": "m", "input": ["a"], "encoding_format": "base64", "dimensions": 64}, c)
    reply = sample("dashscope", "embeddings_response.json")
    out = ds.from_native("embeddings", [reply], c)
    first = reply["output"]["embeddings"][0]["embedding"]
    decoded = struct.unpack(f"<{len(first)}f", base64.b64decode(out["data"][0]["embedding"]))
    assert decoded == pytest.approx(first, rel=1e-6)


def test_token_id_input_is_refused() -> None:
    with pytest.raises(Refused, match="text only"):
        ds.to_native("embeddings", {"model": "m", "input": [[1, 2, 3]]}, ctx("text-embedding-v4"))


# -- errors ---------------------------------------------------------------------------------------

ERROR_SAMPLES = [
    ("error_invalid_api_key_401.json", 401, 401, "invalid_api_key", None),
    ("error_access_denied_403.json", 403, 403, "permission_denied", None),
    ("error_arrearage_400.json", 400, 403, "insufficient_quota", False),
    ("error_data_inspection_failed_400.json", 400, 400, "content_filter", None),
    ("error_invalid_parameter_400.json", 400, 400, "invalid_parameter", None),
    ("error_model_not_exist_400.json", 400, 404, "model_not_found", None),
    ("error_model_not_found_404.json", 404, 404, "model_not_found", None),
    ("error_throttling_429.json", 429, 429, "rate_limit_exceeded", None),
    ("error_allocation_quota_429.json", 429, 429, "rate_limit_exceeded", None),
    ("error_internal_500.json", 500, 500, "server_error", None),
    ("error_model_unavailable_503.json", 503, 503, "server_error", None),
]


@pytest.mark.parametrize(("name", "http", "status", "code", "retry"), ERROR_SAMPLES, ids=[s[0] for s in ERROR_SAMPLES])
def test_native_errors_map_to_openai_statuses_and_codes(name: str, http: int, status: int, code: str,
                                                        retry: bool | None) -> None:
    payload = sample("dashscope", name)
    info = ds.error_of(http, payload, {})
    assert info is not None
    assert (info.status, info.code, info.retry) == (status, code, retry)
    assert info.request_id == payload["request_id"] and info.native_code == payload["code"]


def test_billing_429_is_not_retried_and_context_length_is_told_apart() -> None:
    info = ds.error_of(429, {"code": "PrepaidBillOverdue", "message": "overdue", "request_id": "r"}, {})
    assert info is not None and info.code == "insufficient_quota" and info.retry is False
    long = ds.error_of(400, {"code": "InvalidParameter", "message": "Range of input length should be [1, 30720]"}, {})
    assert long is not None and long.code == "context_length_exceeded"


def test_a_200_body_with_a_code_is_an_error_and_an_sse_framed_error_body_is_read() -> None:
    assert ds.error_of(200, {"code": "Throttling", "message": "slow down"}, {}) is not None
    assert ds.error_of(200, sample("dashscope", "chat_response.json"), {}) is None
    framed = 'id:1\nevent:error\n:HTTP_STATUS/401\ndata:{"code":"InvalidApiKey","message":"bad","request_id":"q"}\n'
    info = ds.error_of(401, framed, {})
    assert info is not None and info.code == "invalid_api_key" and info.request_id == "q"
