"""Qianfan translation, pure: v2 and v1 samples in, OpenAI shapes out (no server); the v1 token flow by hand."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

from adapters import registry
from adapters.auth import AuthFlow, BearerAuth, CredentialError, TokenReply
from adapters.backends import _qianfan_v1 as v1
from adapters.backends import qianfan as qf
from adapters.capabilities import Policy, Refused, UnsupportedParameterWarning
from adapters.chat import MessageOrderWarning
from adapters.embeddings import EmbeddingSizeWarning
from adapters.errors import error_body
from adapters.exchange import Exchange, Prepared, StreamTranslator
from adapters.native import Context, NativeError, NativeRequest, SSEEvent, StreamState
from adapters.sse import SSEDecoder
from tests.adapters.samples import SAMPLES, sample, sse_lines

AK, SK = "ak-0123456789", "sk-secret-0123456789abcdef"


def ctx(model: str = "ernie-4.5-turbo-128k", requested: str = "gpt-4o", policy: str = "warn",
        variant: str = "v2") -> Context:
    return Context("qianfan", model, requested, Policy("qianfan", policy), variant, created=1700000000)  # type: ignore[arg-type]


def v1ctx(model: str = "ernie-4.0-8k", requested: str = "ernie-4.0-8k", policy: str = "warn") -> Context:
    return ctx(model, requested, policy, variant="v1")


def chat(messages: list[dict[str, Any]] | None = None, **body: Any) -> dict[str, Any]:
    return {"model": "gpt-4o", "messages": messages or [{"role": "user", "content": "hi"}], **body}


def one(body: dict[str, Any], c: Context | None = None) -> NativeRequest:
    [native] = qf.to_native("chat.completions", body, c or ctx())
    assert native.json is not None
    return native


def events(name: str, extra: list[str] | None = None) -> list[SSEEvent]:
    decoder, out = SSEDecoder(), []
    for line in sse_lines("qianfan", name) + (extra or []) + [""]:
        event = decoder.feed(line)
        if event:
            out.append(event)
    return out


def stream(name: str, c: Context | None = None) -> tuple[list[dict[str, Any]], StreamState]:
    state = StreamState(c or ctx())
    chunks = [chunk for event in events(name) for chunk in qf.from_native_event(event, state)]
    assert state.finished
    return chunks, state


def text(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])


def run(flow: AuthFlow, replies: list[TokenReply]) -> tuple[list[NativeRequest], NativeRequest]:
    """Drive an auth flow by hand: each request it yields gets the next reply."""
    asked: list[NativeRequest] = []
    try:
        request = next(flow)
        while True:
            asked.append(request)
            request = flow.send(replies.pop(0))
    except StopIteration as stop:
        return asked, stop.value


# -- setup ----------------------------------------------------------------------------------------


def test_v2_is_the_default_with_either_key_variable() -> None:
    for var in qf.KEY_VARS:
        setup = qf.setup(None, None, {var: "bce-v3/ALTAK-x/y"}, {})
        assert (setup.variant, setup.base_url) == ("v2", qf.DEFAULT_BASE_URL) and isinstance(setup.auth, BearerAuth)
    assert qf.setup("k", None, {"QIANFAN_V2_BASE_URL": "http://h/v2/"}, {}).base_url == "http://h/v2"


def test_v1_when_asked_or_when_only_ak_and_sk_are_set() -> None:
    env = {"QIANFAN_AK": AK, "QIANFAN_SK": SK}
    setup = qf.setup(None, None, env, {})
    assert (setup.variant, setup.base_url) == ("v1", qf.V1_BASE_URL) and isinstance(setup.auth, v1.TokenAuth)
    assert qf.setup(None, None, {**env, "QIANFAN_API_KEY": "k"}, {}).variant == "v2"
    explicit = qf.setup(AK, "http://127.0.0.1:9/", {}, {"api_version": "v1", "secret_key": SK})
    assert (explicit.variant, explicit.base_url) == ("v1", "http://127.0.0.1:9")
    assert qf.setup(None, None, {**env, "QIANFAN_BASE_URL": "http://h"}, {"api_version": "v1"}).base_url == "http://h"
    assert AK not in repr(setup) and SK not in repr(setup)


def test_setup_errors_name_what_to_set() -> None:
    with pytest.raises(CredentialError, match="QIANFAN_API_KEY"):
        qf.setup(None, None, {}, {})
    with pytest.raises(CredentialError, match="QIANFAN_AK and QIANFAN_SK"):
        qf.setup(None, None, {"QIANFAN_AK": AK}, {"api_version": "v1"})
    with pytest.raises(ValueError, match="api_version must be 'v2'.*or 'v1'"):
        qf.setup("k", None, {}, {"api_version": "v3"})
    with pytest.raises(CredentialError, match="OPENAI_API_KEY"):
        qf.setup(None, None, {"QIANFAN_AK": AK, "QIANFAN_SK": "sk-openai", "OPENAI_API_KEY": "sk-openai"}, {})


# -- v2 requests ----------------------------------------------------------------------------------


def test_v2_chat_request_matches_the_native_sample() -> None:
    expected = sample("qianfan", "v2_chat_request.json")
    native = one(chat(expected["messages"], temperature=0.8, top_p=0.8, max_tokens=256, stop=["\n\n\n"],
                      user="user-4821"))
    assert native.path == qf.CHAT_PATH and not native.stream
    assert native.json == {k: v for k, v in expected.items() if k != "penalty_score"}  # ERNIE-only, no OpenAI name


def test_v2_stream_request_matches_the_native_sample() -> None:
    expected = sample("qianfan", "v2_chat_request_stream.json")
    native = one(chat(expected["messages"], stream=True, stream_options={"include_usage": True}))
    assert native.stream and native.json == expected
    assert "stream_options" not in (one(chat(stream=True)).json or {})


def test_v2_tool_requests_match_the_native_samples() -> None:
    for name in ("v2_chat_request_tools.json", "v2_chat_request_tools_followup.json"):
        expected = sample("qianfan", name)
        c = ctx(expected["model"], expected["model"])
        sent = [{k: v for k, v in m.items() if k != "name"} for m in expected["messages"]]  # OpenAI has no name
        native = one(chat(sent, tools=expected["tools"], tool_choice="auto"), c)
        assert native.json == {k: v for k, v in expected.items() if k != "stream"}


@pytest.mark.parametrize(("param", "given", "sent"), [("temperature", 0, 0.01), ("temperature", 1.5, 1.0),
                                                      ("top_p", 1.2, 1.0), ("seed", 0, 1), ("seed", 2**31, 2147483646)])
def test_ernie_ranges_are_clamped(param: str, given: float, sent: float) -> None:
    assert (one(chat(**{param: given})).json or {})[param] == sent


def test_stop_words_beyond_four_or_longer_than_twenty_follow_the_policy() -> None:
    with pytest.warns(UnsupportedParameterWarning) as record:
        native = one(chat(stop=["a", "b", "c", "d", "e", "x" * 21]))
    assert (native.json or {})["stop"] == ["a", "b", "c", "d"]
    assert "longer than 20 characters" in str(record[0].message)
    with pytest.raises(Refused, match="'stop'"):
        one(chat(stop=["a"] * 5), ctx(policy="error"))


def test_max_tokens_is_lowered_to_the_models_maximum() -> None:
    assert (one(chat(max_completion_tokens=10**6), ctx("ernie-3.5-8k")).json or {})["max_tokens"] == 2048


def test_unsupported_parameters_follow_the_policy() -> None:
    with pytest.warns(UnsupportedParameterWarning, match="qianfan has no 'logprobs'"):
        native = one(chat(logprobs=True))
    assert "logprobs" not in (native.json or {})
    with pytest.raises(Refused, match="'logit_bias'"):
        one(chat(logit_bias={"1": 1}), ctx(policy="error"))


def test_json_modes_pass_on_v2() -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "p", "schema": {"type": "object"}}}
    assert (one(chat(response_format=fmt)).json or {})["response_format"] == fmt


def test_images_go_to_vision_models_as_openai_parts_and_are_refused_for_text_models() -> None:
    messages = [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}},
        {"type": "text", "text": "what is it?"}]}]
    native = one(chat(messages), ctx("ernie-4.5-turbo-vl-32k"))
    assert (native.json or {})["messages"][0]["content"] == [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {"type": "text", "text": "what is it?"}]
    with pytest.raises(Refused, match="does not take images"):
        one(chat(messages))


# -- message order --------------------------------------------------------------------------------


def test_order_repairs_join_text_and_warn() -> None:
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b"}, {"role": "system", "content": "be kind"},
                {"role": "assistant", "content": "c"}, {"role": "user", "content": "d"}]
    with pytest.warns(MessageOrderWarning, match="system messages joined.*consecutive assistant messages joined"):
        native = one(chat(messages))
    assert (native.json or {})["messages"] == [
        {"role": "system", "content": "be brief\n\nbe kind"}, {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b\n\nc"}, {"role": "user", "content": "d"}]


def test_an_ordered_history_is_sent_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one(chat(sample("qianfan", "v1_chat_request.json")["messages"]))


GREETED = [{"role": "system", "content": "be brief"}, {"role": "assistant", "content": "How can I help you?"},
           {"role": "user", "content": "a"}]


def test_an_opening_assistant_greeting_is_folded_into_the_system_message() -> None:
    c = ctx()
    with pytest.warns(MessageOrderWarning, match="opens with an assistant message.*folded into the system") as seen:
        native = one(chat(GREETED), c)
        assert one(chat(GREETED[1:]), c).json["messages"][0] == {  # type: ignore[index]
            "role": "system", "content": "The assistant opened this conversation by saying: How can I help you?"}
    assert len(seen) == 1  # one warning per client
    assert (native.json or {})["messages"] == [
        {"role": "system", "content": "be brief\n\nThe assistant opened this conversation by saying: How can I help you?"},
        {"role": "user", "content": "a"}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (one(chat(GREETED), ctx(policy="drop")).json or {})["messages"] == (native.json or {})["messages"]
    with pytest.raises(Refused, match="opens with an assistant message.*unsupported='error'"):
        one(chat(GREETED), ctx(policy="error"))


def test_v1_folds_the_greeting_into_its_system_field() -> None:
    with pytest.warns(MessageOrderWarning, match="opens with an assistant message"):
        [native] = qf.to_native("chat.completions", chat(GREETED[1:]), v1ctx())
    assert native.json is not None and native.json["messages"] == [{"role": "user", "content": "a"}]
    assert native.json["system"] == "The assistant opened this conversation by saying: How can I help you?"


@pytest.mark.parametrize(("messages", "problem"), [
    ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "", "tool_calls": [
        {"id": "x", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}],
     "last message is from the assistant and calls tools"),  # tool calls without results: nothing to fold
    ([{"role": "assistant", "content": "hi"}], "start with a user message"),
    ([{"role": "user", "content": "  "}], "last message is blank"),
    ([{"role": "system", "content": "s"}], "no user message"),
    ([{"role": "user", "content": "a"}, {"role": "tool", "tool_call_id": "x", "content": "r"}],
     "tool message does not follow"),
    ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "", "tool_calls": [
        {"id": "x", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
      {"role": "tool", "tool_call_id": "x", "content": "r"}, {"role": "user", "content": "b"}],
     "user message follows tool results"),
])
def test_histories_that_cannot_be_repaired_are_refused_before_sending(messages: list[dict[str, Any]],
                                                                      problem: str) -> None:
    for c in (ctx(), v1ctx()):
        with pytest.raises(Refused, match=problem) as refused:
            qf.to_native("chat.completions", chat(messages), c)
        assert refused.value.param == "messages" and "turn order" in refused.value.message


# -- v2 replies -----------------------------------------------------------------------------------


def test_v2_reply_becomes_a_chat_completion() -> None:
    native = sample("qianfan", "v2_chat_response.json")
    c = ctx()
    assert qf.from_native("chat.completions", [native], c) == {
        "id": "as-k3m9p2x7qa", "object": "chat.completion", "created": 1767225600, "model": "ernie-4.5-turbo-128k",
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None, "message": {
            "role": "assistant", "content": "The three primary colors are red, yellow and blue."}}],
        "usage": {"prompt_tokens": 14, "completion_tokens": 13, "total_tokens": 27},
    }
    assert c.notes["request_id"] == "as-k3m9p2x7qa"


def test_flagged_reply_is_a_content_filter_with_the_content_blanked() -> None:
    native = sample("qianfan", "v2_chat_response_flagged.json")
    native["choices"][0]["message"]["content"] = "must not be shown"
    choice = qf.from_native("chat.completions", [native], ctx())["choices"][0]
    assert choice["finish_reason"] == "content_filter" and choice["message"]["content"] == ""
    native["choices"][0].update(flag=2, finish_reason="normal")
    choice = qf.from_native("chat.completions", [native], ctx())["choices"][0]
    assert choice["finish_reason"] == "content_filter" and choice["message"]["content"] == "must not be shown"


def test_v2_tool_calls_keep_their_ids() -> None:
    native = sample("qianfan", "v2_chat_response_tool_calls.json")
    choice = qf.from_native("chat.completions", [native], ctx())["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    assert [c["id"] for c in choice["message"]["tool_calls"]] == [c["id"] for c in native["choices"][0]["message"]["tool_calls"]]


def test_v2_stream_with_its_separate_usage_chunk() -> None:
    chunks, state = stream("v2_stream.sse")
    assert text(chunks) == "The three primary colors are red, yellow and blue."
    assert sum("role" in c["choices"][0]["delta"] for c in chunks) == 1
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[0]["id"] == "as-f6h2j8k4m0"
    assert state.usage == {"prompt_tokens": 8, "completion_tokens": 13, "total_tokens": 21}


def test_v2_stream_translator_sends_the_usage_chunk_once_then_done() -> None:
    exchange = Exchange(qf, root_path="/v2", policy=Policy("qianfan"), variant="v2")  # type: ignore[arg-type]
    prepared = exchange.prepare("POST", "/v2/chat/completions", json.dumps(
        chat(stream=True, stream_options={"include_usage": True})).encode())
    assert isinstance(prepared, Prepared)
    translator = StreamTranslator(exchange, prepared)
    frames = [f for line in sse_lines("qianfan", "v2_stream.sse") if (f := translator.feed(line))]
    frames += list(translator.close())
    assert frames[-1] == b"data: [DONE]\n\n" and sum(b'"usage"' in f for f in frames) == 1
    assert b'"choices":[]' in frames[-2]


def test_v2_streamed_tool_call_fragments() -> None:
    chunks, _ = stream("v2_stream_tool_calls.sse")
    calls = [tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls", [])]
    assert calls[0]["id"] == "04fe17840d34b1e99bf3cd6dc9415d0a" and all("id" not in tc for tc in calls[1:])
    assert json.loads("".join(tc["function"]["arguments"] for tc in calls)) == {"location": "Paris",
                                                                               "date": "2026-01-15"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_a_bare_json_error_line_in_a_v2_stream_raises_the_mapped_error() -> None:
    error = json.dumps(sample("qianfan", "v2_error_tpm_rate_limit_429.json"))
    state = StreamState(ctx())
    with pytest.raises(NativeError) as err:
        for event in events("v2_stream.sse", ["", error]):
            qf.from_native_event(event, state)
    assert (err.value.info.status, err.value.info.code) == (429, "rate_limit_exceeded")


def test_a_flag_mid_stream_ends_it_as_a_content_filter() -> None:
    frame = {"id": "as-1", "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": None, "flag": 2}]}
    chunks = qf.from_native_event(SSEEvent(json.dumps(frame)), StreamState(ctx()))
    assert chunks[-1]["choices"][0]["finish_reason"] == "content_filter"


# -- v2 embeddings --------------------------------------------------------------------------------


def test_v2_embeddings_request_and_batches_of_sixteen() -> None:
    expected = sample("qianfan", "v2_embeddings_request.json")
    c = ctx("embedding-v1", "embedding-v1")
    [native] = qf.to_native("embeddings", {"model": "embedding-v1", "input": expected["input"]}, c)
    assert native.path == qf.EMBEDDING_PATH and native.json == expected
    plan = qf.to_native("embeddings", {"model": "embedding-v1", "input": [f"t{i}" for i in range(40)]}, c)
    assert [len(p.json["input"]) for p in plan if p.json] == [16, 16, 8]


def test_v2_embeddings_cannot_keep_the_openai_size_and_say_so() -> None:
    c = ctx("embedding-v1", "text-embedding-3-small")
    with pytest.warns(EmbeddingSizeWarning, match="1536-dimensional.*produces 384"):
        [native] = qf.to_native("embeddings", {"model": "text-embedding-3-small", "input": "x"}, c)
    assert native.json == {"model": "embedding-v1", "input": ["x"]}
    with pytest.raises(Refused, match="cannot produce 1536-dimensional"):
        qf.to_native("embeddings", {"model": "text-embedding-3-small", "input": "x", "dimensions": 1536}, c)


@pytest.mark.parametrize(("variant", "name"), [("v2", "v2_embeddings_response.json"), ("v1", "v1_embeddings_response.json")])
def test_embeddings_replies(variant: str, name: str) -> None:
    native = sample("qianfan", name)
    c = ctx("embedding-v1", "embedding-v1", variant=variant)
    qf.to_native("embeddings", {"model": "embedding-v1", "input": ["a", "b"]}, c)
    assert qf.from_native("embeddings", [native], c) == {
        "object": "list", "model": "embedding-v1", "usage": {"prompt_tokens": 14, "total_tokens": 14},
        "data": [{"object": "embedding", "index": i, "embedding": row["embedding"]} for i, row in enumerate(native["data"])]}


# -- v2 errors ------------------------------------------------------------------------------------

V2_ERRORS = [  # file, OpenAI status, OpenAI code, retry override
    ("v2_error_account_overdue_403.json", 403, "insufficient_quota", False),
    ("v2_error_internal_500.json", 500, "server_error", None),
    ("v2_error_invalid_argument_400.json", 400, "invalid_parameter", None),
    ("v2_error_invalid_iam_token_401.json", 401, "invalid_api_key", None),
    ("v2_error_invalid_model_401.json", 404, "model_not_found", None),
    ("v2_error_rpm_rate_limit_429.json", 429, "rate_limit_exceeded", None),
    ("v2_error_tokens_too_long_400.json", 400, "context_length_exceeded", None),
    ("v2_error_tpm_rate_limit_429.json", 429, "rate_limit_exceeded", None),
]


@pytest.mark.parametrize(("name", "status", "code", "retry"), V2_ERRORS, ids=[e[0] for e in V2_ERRORS])
def test_v2_errors_map_to_openai_statuses_and_codes(name: str, status: int, code: str, retry: bool | None) -> None:
    payload = sample("qianfan", name)
    http = int(name.rsplit("_", 1)[1].removesuffix(".json"))
    info = qf.error_of(http, payload, {})
    assert info is not None and (info.status, info.code, info.retry) == (status, code, retry)
    assert info.native_code == payload["error"]["code"] and info.request_id == payload["id"]


@pytest.mark.parametrize(("code", "status", "openai"), [
    ("system_unsafe", 400, "content_filter"), ("prompt_unsafe", 400, "content_filter"),
    ("input_tpm_rate_limit_exceeded", 429, "rate_limit_exceeded"), ("characters_too_long", 400, "context_length_exceeded"),
    ("method_not_supported", 405, "method_not_supported")])
def test_v2_error_families(code: str, status: int, openai: str) -> None:
    info = qf.error_of(403 if "unsafe" in code else 405 if "method" in code else 400,
                       {"error": {"code": code, "message": "m", "type": "t"}, "id": "as-1"}, {})
    assert info is not None and (info.status, info.code) == (status, openai)


def test_every_error_sample_is_covered() -> None:
    covered = {e[0] for e in V2_ERRORS} | {e[0] for e in V1_ERRORS}
    assert covered == {p.name for p in (SAMPLES / "qianfan").glob("*_error_*.json")}


# -- v1 requests ----------------------------------------------------------------------------------


def test_v1_chat_request_matches_the_native_sample() -> None:
    expected = sample("qianfan", "v1_chat_request.json")
    messages = [{"role": "system", "content": expected["system"]}, *expected["messages"]]
    [native] = qf.to_native("chat.completions", chat(messages, temperature=0.8, top_p=0.8, max_tokens=256,
                                                     stop=["\n\n\n"], user="user-4821"), v1ctx())
    assert native.path == f"{v1.PREFIX}/chat/completions_pro" and native.params == {}
    unsent = ("penalty_score", "disable_search", "enable_citation", "stream")  # ERNIE options, SDK defaults
    assert native.json == {k: v for k, v in expected.items() if k not in unsent}


def test_v1_function_call_request_and_follow_up_match_the_native_samples() -> None:
    expected = sample("qianfan", "v1_function_call_request.json")
    functions = [{k: v for k, v in f.items() if k != "responses"} for f in expected["functions"]]  # ERNIE-only field
    tools = [{"type": "function", "function": f} for f in functions]
    [native] = qf.to_native("chat.completions", chat(expected["messages"], tools=tools,
                                                     tool_choice=expected["tool_choice"]), v1ctx())
    assert native.json == {**expected, "functions": functions}
    follow = sample("qianfan", "v1_function_call_followup_request.json")
    call = follow["messages"][1]["function_call"]
    history = [follow["messages"][0],
               {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": call}]},
               {"role": "tool", "tool_call_id": "call_1", "content": follow["messages"][2]["content"]}]
    [native] = qf.to_native("chat.completions", chat(history, tools=[{"type": "function", "function": f}
                                                                      for f in follow["functions"]]), v1ctx())
    assert native.json == follow


def test_v1_parallel_calls_in_a_history_become_consecutive_turns() -> None:
    calls = [{"id": f"c{i}", "type": "function", "function": {"name": "w", "arguments": f'{{"i": {i}}}'}} for i in (1, 2)]
    history = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "checking", "tool_calls": calls},
               {"role": "tool", "tool_call_id": "c2", "content": "r2"}, {"role": "tool", "tool_call_id": "c1", "content": "r1"}]
    [native] = qf.to_native("chat.completions", chat(history), v1ctx())
    assert (native.json or {})["messages"] == [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "checking", "function_call": {"name": "w", "arguments": '{"i": 1}'}},
        {"role": "function", "name": "w", "content": "r1"},
        {"role": "assistant", "content": "", "function_call": {"name": "w", "arguments": '{"i": 2}'}},
        {"role": "function", "name": "w", "content": "r2"}]


def test_v1_tool_choice_none_and_required() -> None:
    tools = [{"type": "function", "function": {"name": "w", "parameters": {"type": "object"}}}]
    assert "functions" not in (one(chat(tools=tools, tool_choice="none"), v1ctx()).json or {})
    with pytest.warns(UnsupportedParameterWarning, match="'tool_choice' value 'required'"):
        native = one(chat(tools=tools, tool_choice="required"), v1ctx())
    assert (native.json or {})["functions"] == [tools[0]["function"]] and "tool_choice" not in (native.json or {})


def test_v1_parameters_and_unsupported_ones() -> None:
    with pytest.warns(UnsupportedParameterWarning, match="'seed'"):
        body = one(chat(seed=3, max_tokens=1, temperature=0, response_format={"type": "json_object"}),
                   v1ctx()).json or {}
    assert body["max_output_tokens"] == 2 and body["temperature"] == 0.01 and body["response_format"] == "json_object"
    assert "seed" not in body


def test_v1_serves_openai_names_with_a_v1_model_but_keeps_a_chosen_name() -> None:
    c = ctx("ernie-4.5-turbo-128k", "gpt-4o", variant="v1")
    [native] = qf.to_native("chat.completions", chat(), c)
    assert native.path == f"{v1.PREFIX}/chat/ernie-4.0-turbo-128k" and c.model == "ernie-4.0-turbo-128k"
    [custom] = qf.to_native("chat.completions", chat(), ctx("my-endpoint", "my-endpoint", variant="v1"))
    assert custom.path == f"{v1.PREFIX}/chat/my-endpoint"


def test_v1_stream_request_and_images_refused() -> None:
    [native] = qf.to_native("chat.completions", chat(stream=True), v1ctx())
    assert native.stream and (native.json or {})["stream"] is True
    image = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]
    with pytest.raises(Refused, match="v1 serves no vision model"):
        qf.to_native("chat.completions", chat(image), v1ctx())


def test_v1_embeddings_go_to_the_models_endpoint_in_batches() -> None:
    expected = sample("qianfan", "v1_embeddings_request.json")
    plan = qf.to_native("embeddings", {"model": "bge-large-zh", "input": [f"t{i}" for i in range(20)]},
                        ctx("bge-large-zh", "bge-large-zh", variant="v1"))
    assert [p.path for p in plan] == [f"{v1.PREFIX}/embeddings/bge_large_zh"] * 2
    assert [len((p.json or {})["input"]) for p in plan] == [16, 4]
    [native] = qf.to_native("embeddings", {"model": "embedding-v1", "input": expected["input"]},
                            ctx("embedding-v1", "embedding-v1", variant="v1"))
    assert native.json == {"input": expected["input"]}


# -- v1 replies -----------------------------------------------------------------------------------


def test_v1_reply_becomes_a_chat_completion() -> None:
    native = sample("qianfan", "v1_chat_response.json")
    assert qf.from_native("chat.completions", [native], v1ctx()) == {
        "id": "as-vb0m37ti8y", "object": "chat.completion", "created": 1709089502, "model": "ernie-4.0-8k",
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None, "message": {
            "role": "assistant", "content": native["result"]}}],
        "usage": {"prompt_tokens": 31, "completion_tokens": 13, "total_tokens": 44},
    }


def test_v1_blocked_and_function_call_replies() -> None:
    blocked = qf.from_native("chat.completions", [sample("qianfan", "v1_chat_response_blocked.json")], v1ctx())
    assert blocked["choices"][0]["finish_reason"] == "content_filter"
    called = qf.from_native("chat.completions", [sample("qianfan", "v1_function_call_response.json")], v1ctx())
    choice = called["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    assert choice["message"]["tool_calls"] == [{"id": "call_as-p1q2r3s4t5", "type": "function", "function": {
        "name": "get_current_weather", "arguments": '{"location":"Paris"}'}}]
    assert choice["message"]["reasoning_content"].startswith("The user asks for weather")


def test_v1_stream_ends_at_is_end_with_the_last_cumulative_usage() -> None:
    chunks, state = stream("v1_stream.sse", v1ctx())
    assert text(chunks) == "The three primary colors are red, yellow and blue."
    assert [c["choices"][0]["finish_reason"] for c in chunks].count("stop") == 1
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert state.usage == {"prompt_tokens": 8, "completion_tokens": 13, "total_tokens": 21}


def test_v1_error_line_in_a_stream_raises() -> None:
    line = "data: " + json.dumps(sample("qianfan", "v1_error_tpm_limit_http200.json"))
    with pytest.raises(NativeError) as err:
        qf.from_native_event(SSEEvent(line.removeprefix("data: ")), StreamState(v1ctx()))
    assert err.value.info.status == 429


# -- v1 errors ------------------------------------------------------------------------------------

V1_ERRORS = [
    ("v1_error_access_token_expired_http200.json", 401, "expired_token", None),
    ("v1_error_access_token_invalid_http200.json", 401, "expired_token", None),
    ("v1_error_daily_limit_http200.json", 429, "insufficient_quota", False),
    ("v1_error_invalid_param_http200.json", 400, "invalid_parameter", None),
    ("v1_error_qps_limit_http200.json", 429, "rate_limit_exceeded", None),
    ("v1_error_server_high_load_http200.json", 503, "server_error", None),
    ("v1_error_tpm_limit_http200.json", 429, "rate_limit_exceeded", None),
]


@pytest.mark.parametrize(("name", "status", "code", "retry"), V1_ERRORS, ids=[e[0] for e in V1_ERRORS])
def test_v1_http_200_errors_map_to_openai_statuses_and_codes(name: str, status: int, code: str,
                                                             retry: bool | None) -> None:
    payload = sample("qianfan", name)
    info = qf.error_of(200, payload, {})
    assert info is not None and (info.status, info.code, info.retry) == (status, code, retry)
    assert info.native_code == str(payload["error_code"]) and info.message == payload["error_msg"]


def test_v1_token_errors_ask_the_transport_to_renew_and_too_long_prompts_are_told_apart() -> None:
    exchange = Exchange(qf, root_path="", policy=Policy("qianfan"), variant="v1")  # type: ignore[arg-type]
    _, info = exchange.inspect(200, json.dumps(sample("qianfan", "v1_error_access_token_expired_http200.json")).encode(), {})
    assert info is not None and info.code == "expired_token"  # transport.TOKEN_EXPIRED: reset() and one retry
    long = qf.error_of(200, {"error_code": 336003, "error_msg": "prompt tokens too long"}, {})
    assert long is not None and long.code == "context_length_exceeded"
    assert qf.error_of(200, sample("qianfan", "v1_chat_response.json"), {}) is None


# -- v1 access token ------------------------------------------------------------------------------

TOKEN = sample("qianfan", "v1_oauth_token_response.json")


def test_the_token_is_fetched_once_and_sent_as_a_query_parameter() -> None:
    now = [1000.0]
    auth = v1.TokenAuth(AK, SK, clock=lambda: now[0])
    asked, request = run(auth.authorise(NativeRequest("POST", "/chat")), [TokenReply(200, TOKEN)])
    assert [(r.method, r.path, r.params) for r in asked] == [
        ("POST", v1.TOKEN_PATH, {"grant_type": "client_credentials", "client_id": AK, "client_secret": SK})]
    assert request.params == {"access_token": TOKEN["access_token"]}
    now[0] += TOKEN["expires_in"] - v1.TOKEN_MARGIN - 1
    asked, request = run(auth.authorise(NativeRequest("POST", "/chat")), [])
    assert asked == [] and request.params["access_token"] == TOKEN["access_token"]
    assert AK not in repr(auth) and SK not in repr(auth)


def test_the_token_is_renewed_near_expiry_and_after_reset() -> None:
    now = [0.0]
    auth = v1.TokenAuth(AK, SK, clock=lambda: now[0])
    short = {**TOKEN, "expires_in": 600, "access_token": "24.first"}
    run(auth.authorise(NativeRequest("POST", "/chat")), [TokenReply(200, short)])
    now[0] = 299.0
    assert run(auth.authorise(NativeRequest("POST", "/chat")), [])[0] == []
    now[0] = 300.0  # half of a short lifetime is the margin
    asked, request = run(auth.authorise(NativeRequest("POST", "/chat")), [TokenReply(200, {**short, "access_token": "24.second"})])
    assert len(asked) == 1 and request.params["access_token"] == "24.second"
    auth.reset()
    asked, request = run(auth.authorise(NativeRequest("POST", "/chat")), [TokenReply(200, {**short, "access_token": "24.third"})])
    assert len(asked) == 1 and request.params["access_token"] == "24.third"


def test_a_refused_token_request_is_an_authentication_error_without_the_secret() -> None:
    auth = v1.TokenAuth(AK, SK)
    with pytest.raises(NativeError) as err:
        run(auth.authorise(NativeRequest("POST", "/chat")), [TokenReply(401, sample("qianfan", "v1_oauth_error.json"))])
    info = err.value.info
    assert (info.status, info.code, info.native_code) == (401, "invalid_api_key", "invalid_client")
    assert "unknown client id" in info.message and "QIANFAN_SK" in info.message
    assert SK not in json.dumps(error_body(info))
    with pytest.raises(NativeError) as down:
        run(auth.authorise(NativeRequest("POST", "/chat")), [TokenReply(503, None)])
    assert down.value.info.status == 502


def test_the_module_is_a_complete_backend() -> None:
    assert registry.get("qianfan") is qf


def test_the_strict_flag_of_a_tool_is_sent_to_neither_api() -> None:
    fn = {"name": "f", "parameters": {"type": "object"}}
    strict = [{"type": "function", "function": {**fn, "strict": True}}]
    assert (one(chat(tools=strict)).json or {})["tools"] == [{"type": "function", "function": fn}]
    assert (one(chat(tools=strict), v1ctx()).json or {})["functions"] == [fn]
