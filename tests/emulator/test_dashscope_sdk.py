"""The official ``dashscope`` SDK (1.x module API and the 2.0 ``Client``) against the emulator."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest

dashscope = pytest.importorskip("dashscope")
from dashscope import Generation, TextEmbedding  # noqa: E402
from dashscope.api_entities.http_request import close_shared_sync_session  # noqa: E402
from dashscope.v2 import errors as v2_errors  # noqa: E402

from adapters.emulator import Emulator, Reply  # noqa: E402

KEY = "sk-emulator-test"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "f"]}},
            "required": ["location"],
        },
    },
}


@pytest.fixture(autouse=True)
def sdk_points_at(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any call that forgets ``base_address`` still lands on the emulator; sessions are closed after."""
    monkeypatch.setattr(dashscope, "base_http_api_url", emulator.base_url("dashscope"))
    yield
    close_shared_sync_session()


@pytest.fixture
def client(emulator: Emulator) -> Iterator[dashscope.Client]:
    with dashscope.Client(api_key=KEY, base_url=emulator.base_url("dashscope"), protocol="native",
                          max_retries=0) as c:
        yield c


def generate(emulator: Emulator, **kwargs):
    return Generation.call(api_key=KEY, base_address=emulator.base_url("dashscope"), result_format="message",
                           **kwargs)


def test_chat_answers_the_echo_and_the_sdk_sent_the_native_body(emulator: Emulator) -> None:
    r = generate(emulator, model="qwen-plus", messages=[{"role": "user", "content": "Name three colours."}])

    assert r.status_code == 200
    assert r.output.choices[0].message.content == "Echo from qwen-plus: Name three colours."
    assert r.output.choices[0].finish_reason == "stop"
    assert r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens
    sent = emulator.requests[-1]
    assert sent.path == "/api/v1/services/aigc/text-generation/generation"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.json["input"]["messages"][0]["content"] == "Name three colours."


def test_same_request_same_reply(emulator: Emulator) -> None:
    first = generate(emulator, model="qwen-flash", messages=[{"role": "user", "content": "again"}])
    second = generate(emulator, model="qwen-flash", messages=[{"role": "user", "content": "again"}])
    assert first.output == second.output and first.request_id == second.request_id


def test_incremental_stream_sends_deltas_that_add_up(emulator: Emulator) -> None:
    events = list(generate(emulator, model="qwen-plus", messages=[{"role": "user", "content": "a b c"}],
                           stream=True, incremental_output=True))

    deltas = [e.output.choices[0].message.content for e in events]
    assert "".join(deltas) == "Echo from qwen-plus: a b c"
    assert len(deltas) > 3
    assert [e.output.choices[0].finish_reason for e in events][-1] == "stop"
    assert all(e.output.choices[0].finish_reason == "null" for e in events[:-1])
    assert emulator.requests[-1].headers["x-dashscope-sse"] == "enable"


def test_cumulative_stream_repeats_the_text_so_far(emulator: Emulator) -> None:
    events = list(generate(emulator, model="qwen-plus", messages=[{"role": "user", "content": "a b c"}],
                           stream=True))

    snapshots = [e.output.choices[0].message.content for e in events]
    assert snapshots[-1] == "Echo from qwen-plus: a b c"
    assert all(snapshots[-1].startswith(s) for s in snapshots)
    assert emulator.requests[-1].json["parameters"].get("incremental_output") in (None, False)


def test_scripted_reply_split_into_the_requested_chunks(emulator: Emulator) -> None:
    emulator.script("dashscope", Reply(text="abcdefgh", chunks=4))
    events = list(generate(emulator, model="qwen-plus", messages=[{"role": "user", "content": "x"}],
                           stream=True, incremental_output=True))
    assert [e.output.choices[0].message.content for e in events] == ["ab", "cd", "ef", "gh", ""]


def test_tool_call_round_trip(emulator: Emulator) -> None:
    question = [{"role": "user", "content": "Weather in Paris?"}]
    r = generate(emulator, model="qwen-plus", messages=question, tools=[WEATHER])

    choice = r.output.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call["function"]["name"] == "get_current_weather"
    assert json.loads(call["function"]["arguments"]) == {"location": "x", "unit": "celsius"}
    assert call["id"].startswith("call_")

    followup = [*question, {"role": "assistant", "content": "", "tool_calls": [call]},
                {"role": "tool", "content": "18 degrees", "tool_call_id": call["id"], "name": call["function"]["name"]}]
    r = generate(emulator, model="qwen-plus", messages=followup, tools=[WEATHER])
    assert r.output.choices[0].message.content == "Tool said: 18 degrees"


def test_embeddings_are_unit_vectors_of_the_requested_size(emulator: Emulator) -> None:
    r = TextEmbedding.call(model="text-embedding-v4", input=["one", "two"], dimension=64, api_key=KEY,
                           base_address=emulator.base_url("dashscope"))

    assert r.status_code == 200
    vectors = [e["embedding"] for e in sorted(r.output["embeddings"], key=lambda e: e["text_index"])]
    assert [len(v) for v in vectors] == [64, 64]
    assert math.isclose(sum(x * x for x in vectors[0]), 1.0, rel_tol=1e-6)
    assert vectors[0] != vectors[1]
    assert emulator.requests[-1].json["input"]["texts"] == ["one", "two"]


def test_errors_come_back_in_the_native_shape(emulator: Emulator) -> None:
    r = Generation.call(model="qwen-plus", messages=[{"role": "user", "content": "x"}], api_key="invalid",
                        base_address=emulator.base_url("dashscope"))
    assert (r.status_code, r.code) == (401, "InvalidApiKey")

    r = generate(emulator, model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert (r.status_code, r.code, r.message) == (400, "InvalidParameter", "Model not exist.")

    emulator.fail("dashscope", status=429)
    r = generate(emulator, model="qwen-plus", messages=[{"role": "user", "content": "x"}])
    assert (r.status_code, r.code) == (429, "Throttling.RateQuota")


def test_client_v2_chat_and_stream(emulator: Emulator, client: dashscope.Client) -> None:
    r = client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "hello"}])
    assert r.choices[0].message.content == "Echo from qwen-plus: hello"

    chunks = list(client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "hi"}],
                                                 stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Echo from qwen-plus: hi"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_client_v2_streams_reasoning_first_for_a_thinking_model(emulator: Emulator, client: dashscope.Client) -> None:
    chunks = list(client.chat.completions.create(model="qwq-plus", messages=[{"role": "user", "content": "why"}],
                                                 stream=True))
    kinds = ["reasoning" if c.choices[0].delta.reasoning_content else "text" if c.choices[0].delta.content
             else "end" for c in chunks]
    assert kinds.index("text") > kinds.index("reasoning")
    assert "text" not in kinds[: kinds.index("text")]
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Echo from qwq-plus: why"


def test_client_v2_stream_only_model_refuses_a_plain_call(client: dashscope.Client) -> None:
    with pytest.raises(v2_errors.BadRequestError, match="only support stream mode"):
        client.chat.completions.create(model="qwq-plus", messages=[{"role": "user", "content": "x"}])


def test_client_v2_streamed_tool_call_fragments_merge(emulator: Emulator, client: dashscope.Client) -> None:
    chunks = list(client.chat.completions.create(
        model="qwen-plus", messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER], stream=True))
    arguments = "".join(
        (t.function.arguments or "") for c in chunks for t in (c.choices[0].delta.tool_calls or ()))
    assert json.loads(arguments) == {"location": "x", "unit": "celsius"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_client_v2_images_go_to_the_multimodal_path(emulator: Emulator, client: dashscope.Client) -> None:
    messages = [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "text", "text": "What is this?"}]}]
    r = client.chat.completions.create(model="qwen-vl-plus", messages=messages)

    assert r.choices[0].message.content == "Echo from qwen-vl-plus: What is this?"
    sent = emulator.requests[-1]
    assert sent.path.endswith("/multimodal-generation/generation")
    assert sent.json["input"]["messages"][0]["content"][0] == {"image": "https://example.com/cat.png"}


def test_client_v2_raises_its_rate_limit_error(emulator: Emulator, client: dashscope.Client) -> None:
    emulator.fail("dashscope", status=429, code="Throttling.AllocationQuota")
    with pytest.raises(v2_errors.RateLimitError, match="quota"):
        client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "x"}])
