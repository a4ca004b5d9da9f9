"""DashScope's native checks, over plain HTTP: the emulator refuses what the live API refuses."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.emulator import Emulator

from .raw import call

TEXT = "/api/v1/services/aigc/text-generation/generation"
MULTIMODAL = "/api/v1/services/aigc/multimodal-generation/generation"
EMBEDDINGS = "/api/v1/services/embeddings/text-embedding/text-embedding"
SSE = {"X-DashScope-SSE": "enable"}


def chat(model: str = "qwen-plus", messages: list[Any] | None = None, **parameters: Any) -> dict[str, Any]:
    return {"model": model, "input": {"messages": messages or [{"role": "user", "content": "hi"}]},
            "parameters": {"result_format": "message", **parameters}}


def refused(emulator: Emulator, body: Any, path: str = TEXT, headers: dict[str, str] | None = None) -> str:
    r = call(emulator.url, path, body, headers=headers)
    assert r.status == 400, r.body
    error = r.json()
    assert error["code"] == "InvalidParameter" and error["request_id"]
    return str(error["message"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]},
                     "Unexpected top-level field(s) messages", id="messages-at-top-level"),
        pytest.param({"model": "qwen-plus", "input": {}}, 'Either "prompt" or "messages" must exist',
                     id="no-messages"),
        pytest.param({**chat(), "temperature": 0.5}, "Unexpected top-level field(s) temperature",
                     id="parameter-outside-parameters"),
        pytest.param(chat(messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}]),
                     "input content must be a string.", id="list-content-on-a-text-model"),
        pytest.param(chat(temperature=2.0), "Temperature should be in [0.0, 2.0)", id="temperature-2"),
        pytest.param(chat(top_p=0), "Range of top_p should be (0.0, 1.0]", id="top_p-0"),
        pytest.param(chat(messages=[{"role": "user", "content": "hi"}, {"role": "tool", "content": "1"}]),
                     'role "tool" must be a response to a preceeding message with "tool_calls"', id="orphan-tool"),
        pytest.param(chat(model="qwen-vl-plus"), "url error, please check url!", id="vl-model-on-text-path"),
        pytest.param(chat(model="gpt-4o"), "Model not exist.", id="openai-model"),
        pytest.param(chat(model="qwq-plus"), "only support stream mode", id="stream-only-model"),
        pytest.param(chat(model="qwen3-235b-a22b"), "enable_thinking must be set to false", id="thinking-default"),
        pytest.param(chat(tool_choice="required"), 'should be ["none", "auto"]', id="tool-choice-required"),
        pytest.param(chat(response_format={"type": "json_object"}), "must contain the word 'json'",
                     id="json-mode-without-json-in-prompt"),
        pytest.param(chat(max_tokens=40000), "Range of max_tokens should be [1, 32768]", id="max-tokens"),
    ],
)
def test_refuses_what_the_live_api_refuses(emulator: Emulator, body: Any, message: str) -> None:
    assert message in refused(emulator, body)


def test_accepts_the_boundaries(emulator: Emulator) -> None:
    for parameters in ({"temperature": 0}, {"temperature": 1.99}, {"top_p": 1.0}, {"top_p": 0.01}):
        assert call(emulator.url, TEXT, chat(**parameters)).status == 200


def test_thinking_default_model_answers_when_thinking_is_off(emulator: Emulator) -> None:
    r = call(emulator.url, TEXT, chat(model="qwen3-235b-a22b", enable_thinking=False))
    message = r.json()["output"]["choices"][0]["message"]
    assert message["content"] == "Echo from qwen3-235b-a22b: hi" and "reasoning_content" not in message


def test_thinking_stream_sends_reasoning_then_text(emulator: Emulator) -> None:
    r = call(emulator.url, TEXT, chat(model="qwen3-235b-a22b", incremental_output=True), headers=SSE)
    messages = [d["output"]["choices"][0]["message"] for d in r.data()]
    reasoning = "".join(m["reasoning_content"] for m in messages)
    assert reasoning and "".join(m["content"] for m in messages) == "Echo from qwen3-235b-a22b: hi"
    first_text = next(i for i, m in enumerate(messages) if m["content"])
    assert not any(m["reasoning_content"] for m in messages[first_text:])
    usage = r.data()[-1]["usage"]
    assert usage["output_tokens_details"]["reasoning_tokens"] > 0


def test_stream_framing_is_dashscopes(emulator: Emulator) -> None:
    r = call(emulator.url, TEXT, chat(incremental_output=True), headers=SSE)

    assert r.headers["content-type"].startswith("text/event-stream")
    events = r.events()
    assert [e["id"] for e in events] == [str(i) for i in range(1, len(events) + 1)]
    assert all(e["event"] == "result" and e["comments"] == ["HTTP_STATUS/200"] for e in events)
    assert b"data:{" in r.body and b"data: " not in r.body and b"[DONE]" not in r.body
    totals = [d["usage"]["output_tokens"] for d in r.data()]
    assert totals == sorted(totals) and all(d["usage"]["input_tokens"] for d in r.data())


def test_text_result_format_when_the_caller_forgets_message(emulator: Emulator) -> None:
    body = chat()
    del body["parameters"]["result_format"]
    output = call(emulator.url, TEXT, body).json()["output"]
    assert output == {"text": "Echo from qwen-plus: hi", "finish_reason": "stop"}


def test_multimodal_path_takes_modal_parts_and_answers_a_list(emulator: Emulator) -> None:
    parts = [{"image": "https://example.com/cat.png"}, {"text": "What animal?"}]
    r = call(emulator.url, MULTIMODAL, chat(model="qwen-vl-plus", messages=[{"role": "user", "content": parts}]))
    assert r.json()["output"]["choices"][0]["message"]["content"] == [{"text": "Echo from qwen-vl-plus: What animal?"}]

    openai_parts = [{"type": "text", "text": "What animal?"}]
    bad = chat(model="qwen-vl-plus", messages=[{"role": "user", "content": openai_parts}])
    assert "certain modal" in refused(emulator, bad, MULTIMODAL)


def test_json_schema_answer_satisfies_the_schema(emulator: Emulator) -> None:
    schema = {"type": "object", "properties": {
        "name": {"type": "string"}, "age": {"type": "integer"}, "ok": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}}, "kind": {"enum": ["a", "b"]},
        "home": {"$ref": "#/$defs/place"}}, "required": ["name", "age"], "$defs": {
        "place": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema}}
    text = call(emulator.url, TEXT, chat(response_format=fmt)).json()["output"]["choices"][0]["message"]["content"]
    jsonschema = pytest.importorskip("jsonschema")
    import json

    value = json.loads(text)
    jsonschema.validate(value, schema)
    assert value == {"name": "x", "age": 1, "ok": True, "tags": ["x"], "kind": "a", "home": {"city": "x"}}


def test_json_object_uses_a_schema_found_in_the_prompt(emulator: Emulator) -> None:
    import json

    schema = {"type": "object", "properties": {"answer": {"type": "number"}}, "required": ["answer"]}
    messages = [{"role": "system", "content": "Reply in JSON matching: " + json.dumps(schema)},
                {"role": "user", "content": "2+2?"}]
    fmt = {"type": "json_object"}
    content = call(emulator.url, TEXT, chat(messages=messages, response_format=fmt)).json()
    assert json.loads(content["output"]["choices"][0]["message"]["content"]) == {"answer": 1}

    plain = [{"role": "user", "content": "give json please"}]
    content = call(emulator.url, TEXT, chat(messages=plain, response_format=fmt)).json()
    assert json.loads(content["output"]["choices"][0]["message"]["content"]) == {"echo": "give json please"}


def test_max_tokens_truncates_with_finish_reason_length(emulator: Emulator) -> None:
    choice = call(emulator.url, TEXT, chat(max_tokens=2)).json()["output"]["choices"][0]
    assert choice == {"finish_reason": "length", "message": {"role": "assistant", "content": "Echo fro"}}  # 2 tokens = 8 characters


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"model": "text-embedding-v4", "input": {"texts": [str(i) for i in range(11)]}},
                     "batch size is invalid, it should not be larger than 10", id="batch"),
        pytest.param({"model": "text-embedding-v4", "input": {"texts": ["a"]}, "parameters": {"dimension": 3072}},
                     "dimension should be one of", id="dimension"),
        pytest.param({"model": "text-embedding-v4", "input": {"texts": "a"}}, "input.texts", id="texts-not-a-list"),
        pytest.param({"model": "text-embedding-3-small", "input": {"texts": ["a"]}}, "Model not exist.",
                     id="openai-model"),
    ],
)
def test_embeddings_checks(emulator: Emulator, body: Any, message: str) -> None:
    assert message in refused(emulator, body, EMBEDDINGS)


def test_embedding_default_dimension_and_determinism(emulator: Emulator) -> None:
    body = {"model": "text-embedding-v3", "input": {"texts": ["same"]}}
    first, second = (call(emulator.url, EMBEDDINGS, body).json() for _ in range(2))
    assert len(first["output"]["embeddings"][0]["embedding"]) == 1024
    assert first == second


@pytest.mark.parametrize("key", [None, "invalid"])
def test_missing_or_invalid_key_is_401(emulator: Emulator, key: str | None) -> None:
    r = call(emulator.url, TEXT, chat(), key=key)
    assert r.status == 401 and r.json()["code"] == "InvalidApiKey"


def test_registered_keys_only(emulator: Emulator) -> None:
    emulator.add_key("dashscope", "sk-right")
    assert call(emulator.url, TEXT, chat(), key="sk-wrong").status == 401
    assert call(emulator.url, TEXT, chat(), key="sk-right").status == 200


def test_cumulative_tool_call_stream_grows_to_the_whole_call(emulator: Emulator) -> None:
    import json

    tool = {"type": "function", "function": {"name": "f", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
    r = call(emulator.url, TEXT, chat(tools=[tool]), headers=SSE)
    calls = [d["output"]["choices"][0]["message"].get("tool_calls") for d in r.data()]
    arguments = [c[0]["function"]["arguments"] for c in calls if c]
    assert all(later.startswith(earlier) for earlier, later in zip(arguments, arguments[1:], strict=False))
    assert json.loads(arguments[-1]) == {"city": "x"}
    assert r.data()[-1]["output"]["choices"][0]["finish_reason"] == "tool_calls"
