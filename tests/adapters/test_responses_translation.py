"""The pure Responses <-> chat translation (adapters/responses.py, response_events.py), no server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.capabilities import Policy, Refused, UnsupportedParameterWarning
from adapters.native import Context
from adapters.response_events import ResponseEvents
from adapters.response_store import ResponseStore
from adapters.responses import response_from_chat, to_chat
from tests.conftest import REFERENCE


def ctx(mode: str = "warn") -> Context:
    return Context("zhipu", "glm-4.6", "gpt-4o", Policy("zhipu", mode))  # type: ignore[arg-type]


def test_the_reference_request_sample() -> None:
    body = json.loads((REFERENCE / "samples" / "dashscope" / "responses_request.json").read_text())
    chat = to_chat(body, ctx()).chat
    assert chat["messages"] == [{"role": "system", "content": "Answer in one sentence."},
                                {"role": "user", "content": "Give me one fact about lighthouses."}]
    assert chat["tools"] == [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather in a city",
        "parameters": body["tools"][0]["parameters"]}}]


def test_items_become_messages_with_calls_merged_into_one_assistant_turn() -> None:
    items = [
        {"role": "developer", "content": "Be terse."},
        {"role": "user", "content": [{"type": "input_text", "text": "Compare "},
                                     {"type": "input_text", "text": "Rome and Oslo."}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking."}]},
        {"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "hm"}]},
        {"type": "function_call", "call_id": "c1", "name": "w", "arguments": '{"city": "Rome"}'},
        {"type": "function_call", "call_id": "c2", "name": "w", "arguments": '{"city": "Oslo"}'},
        {"type": "function_call_output", "call_id": "c1", "output": "hot"},
        {"type": "function_call_output", "call_id": "c2", "output": [{"type": "input_text", "text": "cold"}]},
        {"type": "function_call", "call_id": "c3", "name": "w", "arguments": "{}"},
    ]
    messages = to_chat({"model": "gpt-4o", "input": items}, ctx()).chat["messages"]
    assert [m["role"] for m in messages] == ["developer", "user", "assistant", "tool", "tool", "assistant"]
    assert messages[1]["content"] == "Compare Rome and Oslo."
    assert messages[2]["content"] == "Checking." and [c["id"] for c in messages[2]["tool_calls"]] == ["c1", "c2"]
    assert messages[4] == {"role": "tool", "tool_call_id": "c2", "content": "cold"}
    assert messages[5]["tool_calls"][0]["id"] == "c3"  # a call after the results opens a new turn


def test_image_parts_and_what_cannot_be_sent() -> None:
    image = {"role": "user", "content": [{"type": "input_text", "text": "what?"},
                                         {"type": "input_image", "image_url": "https://x/y.png", "detail": "low"}]}
    content = to_chat({"model": "m", "input": [image]}, ctx()).chat["messages"][0]["content"]
    assert content == [{"type": "text", "text": "what?"}, {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]
    for item, words in [
        ({"role": "user", "content": [{"type": "input_image", "file_id": "file-1"}]}, "Files API"),
        ({"role": "user", "content": [{"type": "input_file", "file_id": "file-1"}]}, "'input_file' part"),
        ({"type": "item_reference", "id": "msg_1"}, "item_reference"),
        ({"type": "computer_call_output", "call_id": "c"}, "'computer_call_output'"),
    ]:
        with pytest.raises(Refused, match=words):
            to_chat({"model": "m", "input": [item]}, ctx())


def test_formats_tools_and_options() -> None:
    body: dict[str, Any] = {
        "model": "gpt-4o", "input": "x", "max_output_tokens": 50, "temperature": 0.2, "reasoning": {"effort": "low"},
        "text": {"format": {"type": "json_schema", "name": "W", "schema": {"type": "object"}, "strict": True}},
        "tools": [{"type": "function", "name": "f", "parameters": {}, "strict": True},
                  {"type": "web_search", "search_context_size": "low"}],
        "tool_choice": {"type": "function", "name": "f"}, "stream": True,
    }
    chat = to_chat(body, ctx()).chat
    assert chat["max_tokens"] == 50 and chat["temperature"] == 0.2 and chat["reasoning_effort"] == "low"
    assert chat["response_format"] == {"type": "json_schema",
                                       "json_schema": {"name": "W", "schema": {"type": "object"}, "strict": True}}
    assert chat["web_search_options"] == {"search_context_size": "low"}
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "f"}}
    assert chat["stream_options"] == {"include_usage": True}


def test_options_without_a_counterpart_follow_the_policy() -> None:
    with pytest.warns(UnsupportedParameterWarning, match="truncation"):
        to_chat({"model": "m", "input": "x", "truncation": "auto", "include": []}, ctx())
    with pytest.raises(Refused, match="include"):
        to_chat({"model": "m", "input": "x", "include": ["reasoning.encrypted_content"]}, ctx("error"))


def test_a_chat_answer_becomes_a_response() -> None:
    completion = {"model": "glm-4.6", "choices": [{"finish_reason": "length", "message": {
        "content": "Partly", "reasoning_content": "think", "tool_calls": [
            {"id": "call_1", "function": {"name": "f", "arguments": {"a": 1}}}]}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7,
                  "completion_tokens_details": {"reasoning_tokens": 2}}}
    tr = to_chat({"model": "gpt-4o", "input": "x", "tools": [{"type": "function", "name": "f"}]}, ctx())
    response = response_from_chat(completion, tr)
    assert [o["type"] for o in response["output"]] == ["reasoning", "message", "function_call"]
    assert response["output"][2]["arguments"] == '{"a": 1}' and response["output"][2]["call_id"] == "call_1"
    assert response["status"] == "incomplete" and response["incomplete_details"] == {"reason": "max_output_tokens"}
    assert response["usage"]["output_tokens_details"] == {"reasoning_tokens": 2}
    assert response["tools"] == [{"type": "function", "name": "f"}] and response["id"] == tr.id


def frames(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(part.split(b"\ndata: ", 1)[1]) for part in data.split(b"\n\n") if part]


def chunk(**delta: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}


def test_stream_events_open_and_close_items_in_order() -> None:
    events = ResponseEvents(to_chat({"model": "gpt-4o", "input": "x"}, ctx()), "glm-4.6")
    data = b"".join([
        events.feed(chunk(role="assistant", reasoning_content="Let me")),
        events.feed(chunk(reasoning_content=" think")),
        events.feed(chunk(content="Calling")),
        events.feed(chunk(content=" two tools.")),
        events.feed(chunk(tool_calls=[{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": "{\"x\""}}])),
        events.feed(chunk(tool_calls=[{"index": 1, "id": "call_b", "function": {"name": "g", "arguments": ""}}])),
        events.feed(chunk(tool_calls=[{"index": 0, "function": {"arguments": ": 1}"}}])),
        events.feed({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
        events.finish({"prompt_tokens": 2, "completion_tokens": 5, "total_tokens": 7}),
    ])
    seen = frames(data)
    assert [e["sequence_number"] for e in seen] == list(range(len(seen)))
    kinds = [e["type"] for e in seen]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert kinds.count("response.output_item.added") == kinds.count("response.output_item.done") == 4
    text = "".join(e["delta"] for e in seen if e["type"] == "response.output_text.delta")
    assert text == "Calling two tools."
    final = seen[-1]["response"]
    assert seen[-1]["type"] == "response.completed" and final["usage"]["total_tokens"] == 7
    assert [(o["type"], o.get("arguments")) for o in final["output"]] == [
        ("reasoning", None), ("message", None), ("function_call", '{"x": 1}'), ("function_call", "{}")]
    indexes = {e["item"]["id"]: e["output_index"] for e in seen if e["type"] == "response.output_item.done"}
    assert sorted(indexes.values()) == [0, 1, 2, 3]


def test_an_empty_stream_still_answers_one_empty_message() -> None:
    events = ResponseEvents(to_chat({"model": "gpt-4o", "input": "x"}, ctx()), "glm-4.6")
    final = frames(events.finish())[-1]["response"]
    assert [o["type"] for o in final["output"]] == ["message"] and final["output"][0]["content"][0]["text"] == ""


def test_the_store_is_bounded_and_replays_outputs_as_inputs() -> None:
    store = ResponseStore(limit=2)
    for n in range(3):
        store.put({"id": f"resp_{n}", "output": [{"type": "message", "status": "completed", "content": []}]},
                  [{"role": "user", "content": str(n)}])
    assert store.get("resp_0") is None and len(store) == 2
    kept = store.get("resp_2")
    assert kept is not None and kept.items[-1] == {"type": "message", "content": []}


def test_responses_parameters_of_the_installed_openai_are_all_known() -> None:
    """Every parameter ``responses.create`` takes is a Responses parameter here, not an extra to send on."""
    from openai.types.responses import response_create_params

    from adapters.responses import PARAMETERS

    given = set(response_create_params.ResponseCreateParamsBase.__annotations__) | {"stream"}
    assert given <= PARAMETERS, sorted(given - PARAMETERS)


def test_a_responses_parameter_without_a_counterpart_is_named() -> None:
    with pytest.warns(UnsupportedParameterWarning, match="moderation"):
        chat = to_chat({"model": "gpt-4o", "input": "hi", "moderation": {"mode": "strict"}}, ctx()).chat
    assert "moderation" not in chat
    with pytest.raises(Refused, match="moderation"):
        to_chat({"model": "gpt-4o", "input": "hi", "moderation": {"mode": "strict"}}, ctx("error"))
