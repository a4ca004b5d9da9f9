"""DashScope's known compatibility traps (issue 2, item 5), end to end over the emulator.

Each test drives ``adapters.OpenAI(provider="dashscope")`` (sync and async) against the emulator's
native API on 127.0.0.1 and asserts both what reached the provider (``emulator.requests``) and what
the user got back from the openai SDK. The emulator refuses what the live API refuses (thinking on
a non-stream call, a non-stream call to a stream-only model, temperature 2, top_p 0, ...), so a
trap the adapter stops handling fails here.
"""

from __future__ import annotations

import array
import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import openai
import pydantic
import pytest

from adapters import AsyncOpenAI, OpenAI, catalogue
from adapters.backends import dashscope
from adapters.capabilities import UnsupportedParameterWarning
from adapters.embeddings import EmbeddingSizeWarning
from adapters.emulator import Emulator, RecordedRequest, Reply
from tests.adapters.scenarios import KEYS
from tests.adapters.test_scenarios import Client

P = "dashscope"
KEY = KEYS[P]
#: A real 1x1 PNG, as a browser or a screenshot tool would hand it over.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
DATA_URI = f"data:image/png;base64,{PNG}"
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


@pytest.fixture(params=[True, False], ids=["sync", "async"])
def sync(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while Client.made:
        Client.made.pop().close()


def client(emulator: Emulator, sync: bool, **options: Any) -> Client:
    return Client(P, emulator, sync, **options)


def sent(emulator: Emulator) -> list[RecordedRequest]:
    """The native DashScope requests (compatible mode excluded)."""
    return [r for r in emulator.requests if r.path.startswith("/api/v1/")]


def params(request: RecordedRequest) -> dict[str, Any]:
    return dict(request.json["parameters"])


def messages(request: RecordedRequest) -> list[dict[str, Any]]:
    return list(request.json["input"]["messages"])


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def extra(obj: Any, name: str) -> Any:
    """A field the openai types do not declare (``reasoning_content``), kept as an extra."""
    return (obj.model_extra or {}).get(name)


def model_where(flag: str) -> str:
    return next(name for name, info in catalogue.provider_models(P).items() if info.get(flag))


# --- reasoning models ----------------------------------------------------------------------------


def test_hybrid_thinking_model_has_thinking_off_for_non_stream_calls(sync: bool, emulator: Emulator) -> None:
    model = model_where("thinking_default")
    c = client(emulator, sync)
    completion = c.call(lambda cl: cl.chat.completions.create(model=model, messages=user("hi")))
    assert params(sent(emulator)[-1])["enable_thinking"] is False
    assert completion.choices[0].message.content == f"Echo from {model}: hi"
    assert extra(completion.choices[0].message, "reasoning_content") is None

    chunks = c.collect(lambda cl: cl.chat.completions.create(model=model, messages=user("hi"), stream=True))
    native = sent(emulator)[-1]
    assert "enable_thinking" not in params(native)  # a stream keeps the model's default: thinking
    assert params(native)["incremental_output"] is True and native.headers["x-dashscope-sse"] == "enable"
    deltas = [ch.choices[0].delta for ch in chunks if ch.choices]
    reasoning = "".join(extra(d, "reasoning_content") or "" for d in deltas)
    assert reasoning and "".join(d.content or "" for d in deltas) == f"Echo from {model}: hi"
    first_text = next(i for i, d in enumerate(deltas) if d.content)
    assert all(not extra(d, "reasoning_content") for d in deltas[first_text:])  # reasoning comes first


def test_json_mode_turns_thinking_off_even_in_a_stream(sync: bool, emulator: Emulator) -> None:
    model = model_where("thinking_default")
    chunks = client(emulator, sync).collect(lambda cl: cl.chat.completions.create(
        model=model, messages=user("a json object please"), response_format={"type": "json_object"}, stream=True))
    assert params(sent(emulator)[-1])["enable_thinking"] is False
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert json.loads(text) == {"echo": "a json object please"}


def test_stream_only_model_serves_a_non_stream_caller_by_aggregating_a_stream(sync: bool,
                                                                             emulator: Emulator) -> None:
    model = catalogue.map_model("o1", P)
    assert (catalogue.provider_model(P, model) or {})["stream_only"]
    c = client(emulator, sync)
    completion = c.call(lambda cl: cl.chat.completions.create(model="o1", messages=user("why is the sky blue?")))
    native = sent(emulator)
    assert len(native) == 1 and native[0].json["model"] == model
    assert native[0].headers["x-dashscope-sse"] == "enable" and params(native[0])["incremental_output"] is True
    assert isinstance(completion, openai.types.chat.ChatCompletion)
    assert completion.choices[0].message.content == f"Echo from {model}: why is the sky blue?"
    assert completion.choices[0].finish_reason == "stop"

    # The aggregate says what the same request streamed says, usage included.
    chunks = c.collect(lambda cl: cl.chat.completions.create(
        model="o1", messages=user("why is the sky blue?"), stream=True, stream_options={"include_usage": True}))
    streamed = [ch.choices[0].delta for ch in chunks if ch.choices]
    assert completion.choices[0].message.content == "".join(d.content or "" for d in streamed)
    reasoning = extra(completion.choices[0].message, "reasoning_content")
    assert reasoning and reasoning == "".join(extra(d, "reasoning_content") or "" for d in streamed)
    assert completion.usage is not None and completion.usage == chunks[-1].usage


# --- messages ------------------------------------------------------------------------------------


def test_data_uri_image_goes_to_the_multimodal_endpoint_as_an_image_part(sync: bool, emulator: Emulator) -> None:
    vision = catalogue.map_model("gpt-4-vision-preview", P)
    content = [{"type": "text", "text": "what is in this picture?"},
               {"type": "image_url", "image_url": {"url": DATA_URI, "detail": "high"}}]
    c = client(emulator, sync)
    completion = c.call(lambda cl: cl.chat.completions.create(
        model="gpt-4-vision-preview", messages=[{"role": "user", "content": content}]))
    native = sent(emulator)[-1]
    assert native.path == "/api/v1" + dashscope.MULTIMODAL_PATH and native.json["model"] == vision
    assert messages(native) == [{"role": "user", "content": [{"text": "what is in this picture?"},
                                                             {"image": DATA_URI}]}]
    assert completion.choices[0].message.content == f"Echo from {vision}: what is in this picture?"

    # An OpenAI name mapped to a text model goes to that model's vision counterpart (gpt-4o sees images)...
    emulator.clear()
    seen = c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": content}]))
    counterpart = catalogue.provider_model(P, catalogue.map_model("gpt-4o", P))["vision_counterpart"]
    assert sent(emulator)[-1].json["model"] == counterpart and catalogue.provider_model(P, counterpart)["vision"]
    assert seen.choices[0].message.content == f"Echo from {counterpart}: what is in this picture?"
    # ...while a text model the app names itself is refused before any call, naming a vision model.
    emulator.clear()
    with pytest.raises(openai.BadRequestError, match="does not take images.*qwen-vl"):
        c.call(lambda cl: cl.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": content}]))
    assert not emulator.requests


def test_list_form_content_on_assistant_and_tool_messages_is_sent_as_text(sync: bool, emulator: Emulator) -> None:
    history = [
        {"role": "user", "content": "weather in Hangzhou?"},
        {"role": "assistant", "content": [{"type": "text", "text": "Let me check."}], "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Hangzhou"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "sunny"},
                                                               {"type": "text", "text": ", 21C"}]},
    ]
    completion = client(emulator, sync).call(lambda cl: cl.chat.completions.create(
        model="gpt-4o", messages=history, tools=TOOLS))
    native = messages(sent(emulator)[-1])
    assert native[1]["content"] == "Let me check." and native[1]["tool_calls"][0]["id"] == "call_1"
    assert native[2] == {"role": "tool", "content": "sunny, 21C", "tool_call_id": "call_1", "name": "get_weather"}
    assert completion.choices[0].message.content == "Tool said: sunny, 21C"


def test_consecutive_same_role_messages_are_merged(sync: bool, emulator: Emulator) -> None:
    history = [{"role": "system", "content": "Be brief."}, {"role": "system", "content": "Answer in English."},
               {"role": "user", "content": "first"}, {"role": "user", "content": "second"}]
    completion = client(emulator, sync).call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=history))
    assert messages(sent(emulator)[-1]) == [{"role": "system", "content": "Be brief.\n\nAnswer in English."},
                                            {"role": "user", "content": "first\n\nsecond"}]
    assert completion.choices[0].message.content == "Echo from qwen-plus: first\n\nsecond"


def test_consecutive_user_messages_are_merged_when_one_has_list_content(sync: bool, emulator: Emulator) -> None:
    history = [{"role": "user", "content": "first"}, {"role": "user", "content": [{"type": "text", "text": "second"}]}]
    client(emulator, sync).call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=history))
    assert [m["role"] for m in messages(sent(emulator)[-1])] == ["user"]


def test_developer_role_is_sent_as_system(sync: bool, emulator: Emulator) -> None:
    history = [{"role": "developer", "content": "Speak like a pirate."}, *user("hello")]
    completion = client(emulator, sync).call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=history))
    assert messages(sent(emulator)[-1]) == [{"role": "system", "content": "Speak like a pirate."},
                                            {"role": "user", "content": "hello"}]
    assert completion.choices[0].message.content == "Echo from qwen-plus: hello"


# --- JSON ----------------------------------------------------------------------------------------


def test_json_object_without_the_word_json_in_the_prompt(sync: bool, emulator: Emulator) -> None:
    c = client(emulator, sync)
    json_mode = {"type": "json_object"}
    completion = c.call(lambda cl: cl.chat.completions.create(
        model="gpt-4o", messages=user("give me an object"), response_format=json_mode))
    native = sent(emulator)[-1]
    assert params(native)["response_format"] == json_mode
    first, rest = messages(native)[0], messages(native)[1:]
    assert first["role"] == "system" and "json" in first["content"].lower()
    assert rest == user("give me an object")
    assert json.loads(completion.choices[0].message.content) == {"echo": "give me an object"}

    # With a system message of the user's: still one system message, the user's text kept.
    c.call(lambda cl: cl.chat.completions.create(
        model="gpt-4o", messages=[{"role": "system", "content": "You sort fruit."}, *user("apples")],
        response_format=json_mode))
    native_messages = messages(sent(emulator)[-1])
    assert [m["role"] for m in native_messages] == ["system", "user"]
    assert "You sort fruit." in native_messages[0]["content"] and "json" in native_messages[0]["content"].lower()

    # A prompt that already says JSON is sent as it is.
    c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user("an object as JSON"),
                                                 response_format=json_mode))
    assert messages(sent(emulator)[-1]) == user("an object as JSON")


class Person(pydantic.BaseModel):
    name: str
    age: int


def test_parse_with_an_emulated_json_schema_retries_a_reply_that_violates_it(sync: bool,
                                                                           emulator: Emulator) -> None:
    emulator.script(P, Reply(text='{"name": "Ann"}'), Reply(text='{"name": "Ann", "age": 31}'))
    parsed = client(emulator, sync, max_retries=1).call(lambda cl: cl.chat.completions.parse(
        model="qwen-turbo", messages=user("who is Ann?"), response_format=Person))
    assert parsed.choices[0].message.parsed == Person(name="Ann", age=31)
    native = sent(emulator)
    assert len(native) == 2 and native[0].body == native[1].body  # the SDK retried the same request
    assert params(native[0])["response_format"] == {"type": "json_object"}
    instruction = messages(native[0])[0]
    assert instruction["role"] == "system" and '"required": ["name", "age"]' in instruction["content"]

    # Without retries the mismatch surfaces as the SDK's retryable server error.
    emulator.clear()
    emulator.script(P, Reply(text='{"name": "Ann"}'))
    with pytest.raises(openai.InternalServerError, match="'age'") as raised:
        client(emulator, sync).call(lambda cl: cl.chat.completions.parse(
            model="qwen-turbo", messages=user("who is Ann?"), response_format=Person))
    assert raised.value.code == "json_schema_mismatch"


# --- parameters ----------------------------------------------------------------------------------


def test_n_2_is_served_as_two_native_calls(sync: bool, emulator: Emulator) -> None:
    emulator.script(P, "first answer", "second answer")
    c = client(emulator, sync)
    completion = c.call(lambda cl: cl.chat.completions.create(model="qwen-turbo", messages=user("hi"), n=2))
    native = sent(emulator)
    assert len(native) == 2 and native[0].body == native[1].body and "n" not in params(native[0])
    assert [(ch.index, ch.message.content) for ch in completion.choices] == [(0, "first answer"),
                                                                             (1, "second answer")]

    emulator.clear()
    with pytest.raises(openai.BadRequestError, match="n=2"):
        c.collect(lambda cl: cl.chat.completions.create(model="qwen-turbo", messages=user("hi"), n=2, stream=True))
    assert not emulator.requests


def test_temperature_2_and_top_p_0_are_clamped_into_dashscopes_ranges(sync: bool, emulator: Emulator) -> None:
    completion = client(emulator, sync).call(lambda cl: cl.chat.completions.create(
        model="gpt-4o", messages=user("hot"), temperature=2.0, top_p=0))
    sent_params = params(sent(emulator)[-1])
    assert sent_params["temperature"] == dashscope.CAPABILITIES.clamped["temperature"][1] < 2
    assert sent_params["top_p"] == dashscope.CAPABILITIES.clamped["top_p"][0] > 0
    assert completion.choices[0].message.content == "Echo from qwen-plus: hot"


def test_tool_choice_required_follows_the_unsupported_parameter_policy(sync: bool, emulator: Emulator) -> None:
    with pytest.warns(UnsupportedParameterWarning, match="tool_choice.*required"):
        completion = client(emulator, sync).call(lambda cl: cl.chat.completions.create(
            model="gpt-4o", messages=user("weather in Hangzhou?"), tools=TOOLS, tool_choice="required"))
    sent_params = params(sent(emulator)[-1])
    assert "tool_choice" not in sent_params and sent_params["tools"] == TOOLS
    assert completion.choices[0].message.tool_calls[0].function.name == "get_weather"

    emulator.clear()
    with pytest.raises(openai.BadRequestError, match="tool_choice"):
        client(emulator, sync, unsupported="error").call(lambda cl: cl.chat.completions.create(
            model="gpt-4o", messages=user("weather?"), tools=TOOLS, tool_choice="required"))
    assert not emulator.requests


# --- embeddings ----------------------------------------------------------------------------------


def floats(encoded: str) -> list[float]:
    return array.array("f", base64.b64decode(encoded)).tolist()


def test_embeddings_with_dimensions_and_the_sdks_base64_default(sync: bool, emulator: Emulator) -> None:
    c = client(emulator, sync)
    texts = ["first text", "second text"]
    raw = c.call(lambda cl: cl.embeddings.with_raw_response.create(model="text-embedding-3-small", input=texts,
                                                                   dimensions=512))
    native = sent(emulator)[-1]
    assert native.json == {"model": catalogue.map_model("text-embedding-3-small", P), "input": {"texts": texts},
                           "parameters": {**params(native), "dimension": 512}}
    assert "encoding_format" not in json.dumps(native.json)
    wire = raw.http_response.json()["data"]
    assert all(isinstance(row["embedding"], str) for row in wire)  # the SDK asked for base64 itself
    response = raw.parse()
    assert [len(d.embedding) for d in response.data] == [512, 512]

    plain = c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-small", input=texts, dimensions=512,
                                                   encoding_format="float"))
    asked = c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-small", input=texts, dimensions=512,
                                                   encoding_format="base64"))
    for i in range(2):
        assert response.data[i].embedding == pytest.approx(plain.data[i].embedding, abs=1e-6)
        assert floats(asked.data[i].embedding) == pytest.approx(plain.data[i].embedding, abs=1e-6)
    assert response.data[0].embedding != pytest.approx(response.data[1].embedding, abs=1e-3)


def test_text_embedding_3_large_warns_that_its_vector_size_cannot_be_kept(sync: bool, emulator: Emulator) -> None:
    target = catalogue.provider_model(P, catalogue.map_model("text-embedding-3-large", P)) or {}
    assert 3072 not in target["dimensions"]
    c = client(emulator, sync)
    with pytest.warns(EmbeddingSizeWarning, match="3072.*re-embedded"):
        response = c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-large", input=["doc"]))
    assert "dimension" not in params(sent(emulator)[-1])
    assert len(response.data[0].embedding) == target["default_dimension"]

    emulator.clear()
    with pytest.raises(openai.BadRequestError, match="3072"):
        c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-large", input=["doc"], dimensions=3072))
    assert not emulator.requests
    sized = c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-large", input=["doc"], dimensions=1024))
    assert params(sent(emulator)[-1])["dimension"] == 1024 and len(sized.data[0].embedding) == 1024


# --- where requests go ---------------------------------------------------------------------------


def ask(sync: bool, **options: Any) -> tuple[str, str | None]:
    """(client.base_url, the reply) for one chat call from a client built with ``options``."""
    question: Any = user("where am I?")
    if sync:
        with OpenAI(provider=P, max_retries=0, **options) as c:
            reply = c.chat.completions.create(model="gpt-4o", messages=question)
            return str(c.base_url), reply.choices[0].message.content

    async def run() -> tuple[str, str | None]:
        async with AsyncOpenAI(provider=P, max_retries=0, **options) as c:
            reply = await c.chat.completions.create(model="gpt-4o", messages=question)
            return str(c.base_url), reply.choices[0].message.content

    return asyncio.run(run())


def test_dashscope_http_base_url_and_region(sync: bool, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", emulator.base_url(P) + "/")
    assert ask(sync) == (emulator.base_url(P) + "/", "Echo from qwen-plus: where am I?")
    assert sent(emulator)[-1].bearer == KEY
    # The variable beats region=, as in the dashscope SDK (DASHSCOPE_HTTP_BASE_URL before the region).
    assert ask(sync, region="intl")[0] == emulator.base_url(P) + "/"
    # An explicit base_url beats the variable.
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", "http://127.0.0.1:9/api/v1")
    assert ask(sync, base_url=emulator.base_url(P))[1] == "Echo from qwen-plus: where am I?"
    assert len(sent(emulator)) == 3


def test_region_names_the_regional_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    for region, root in dashscope.REGIONS.items():
        with OpenAI(provider=P, region=region) as c:
            assert str(c.base_url) == root + "/"
    assert dashscope.REGIONS["ap-southeast-1"] == "https://dashscope-intl.aliyuncs.com/api/v1"  # reference §2
    with OpenAI(provider=P) as c:
        assert str(c.base_url) == dashscope.DEFAULT_BASE_URL + "/"
    with pytest.raises((ValueError, openai.OpenAIError), match="Unknown region 'mars'.*intl"):
        OpenAI(provider=P, region="mars")
