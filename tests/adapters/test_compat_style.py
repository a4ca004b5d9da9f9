"""The codemods' ``compat`` style runs: a plain ``openai.OpenAI`` on a provider's OpenAI-compatible root.

The client is built by the very code ``rewrite_source(..., style="compat")`` writes
(``OpenAI(api_key=os.environ["<KEY VAR>"], base_url=os.environ.get("<COMPAT VAR>", "<compat url>"))``),
with the compat variable pointed at the emulator. No ``adapters`` client is involved: what runs is
the openai SDK talking to the emulated compatible endpoint, for chat, streams, tools and embeddings.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from adapters import catalogue, registry
from adapters.emulator import Emulator
from codemods import rewrite_source
from tests.adapters.scenarios import KEYS

PROVIDERS = [p for p in ("dashscope", "zhipu", "qianfan") if p in registry.names()]
OPENAI_KEY = "sk-openai-compat-never-sent-0000"
APP = '''import os
from openai import AsyncOpenAI, OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
async_client = AsyncOpenAI(api_key=os.environ["OPENAI_API_KEY"])
'''
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(provider: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The compat-style program's globals, run with the compat variable pointed at the emulator."""
    backend = registry.get(provider)
    code = rewrite_source(APP, provider=provider, style="compat").code
    assert "import adapters" not in code and "from adapters" not in code  # no new runtime dependency
    assert f'os.environ.get("{backend.COMPAT_BASE_URL_VAR}", "{backend.COMPAT_BASE_URL}")' in code
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv(backend.KEY_VARS[0], KEYS[provider])
    monkeypatch.setenv(backend.COMPAT_BASE_URL_VAR, emulator.compat_base_url(provider))
    namespace: dict[str, Any] = {}
    exec(compile(code, f"compat_{provider}.py", "exec"), namespace)
    assert type(namespace["client"]) is openai.OpenAI and type(namespace["async_client"]) is openai.AsyncOpenAI
    yield namespace
    namespace["client"].close()


def chat_model(provider: str) -> str:
    return catalogue.map_model("gpt-4o", provider)  # the name the codemods write


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def check_sent(emulator: Emulator, provider: str, endpoint: str) -> Any:
    """The last request: on the compatible root, with the provider's key and never the OpenAI one."""
    request = emulator.requests[-1]
    assert emulator.url + request.path == f"{emulator.compat_base_url(provider)}/{endpoint}"
    assert request.bearer == KEYS[provider]
    assert all(OPENAI_KEY not in str(r.headers) + r.body.decode() for r in emulator.requests)
    return request.json


def test_chat(provider: str, app: dict[str, Any], emulator: Emulator) -> None:
    model = chat_model(provider)
    reply = app["client"].chat.completions.create(model=model, messages=user("hello there"))
    assert isinstance(reply, openai.types.chat.ChatCompletion)
    assert reply.choices[0].message.content == f"Echo from {model}: hello there"
    assert reply.choices[0].finish_reason == "stop" and reply.usage is not None and reply.usage.total_tokens > 0
    assert check_sent(emulator, provider, "chat/completions")["messages"] == user("hello there")


def test_stream_with_usage(provider: str, app: dict[str, Any], emulator: Emulator) -> None:
    model = chat_model(provider)
    chunks = list(app["client"].chat.completions.create(
        model=model, messages=user("stream me please"), stream=True, stream_options={"include_usage": True}))
    assert all(isinstance(ch, openai.types.chat.ChatCompletionChunk) for ch in chunks)
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text == f"Echo from {model}: stream me please"
    assert len([ch for ch in chunks if ch.choices and ch.choices[0].delta.content]) > 2  # incremental deltas
    assert [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert check_sent(emulator, provider, "chat/completions")["stream"] is True


def test_async_stream(provider: str, app: dict[str, Any], emulator: Emulator) -> None:
    model = chat_model(provider)

    async def run() -> str:
        async with app["async_client"] as client:
            stream = await client.chat.completions.create(model=model, messages=user("a b c"), stream=True)
            return "".join([ch.choices[0].delta.content or "" async for ch in stream if ch.choices])

    assert asyncio.run(run()) == f"Echo from {model}: a b c"
    check_sent(emulator, provider, "chat/completions")


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_tool_call_round_trip(provider: str, stream: bool, app: dict[str, Any], emulator: Emulator) -> None:
    client, model = app["client"], chat_model(provider)
    messages: list[dict[str, Any]] = user("weather in Hangzhou?")
    if stream:
        chunks = list(client.chat.completions.create(model=model, messages=messages, tools=TOOLS, stream=True))
        calls = [tc for ch in chunks if ch.choices for tc in (ch.choices[0].delta.tool_calls or [])]
        call_id, name = calls[0].id, calls[0].function.name
        arguments = "".join(tc.function.arguments or "" for tc in calls)
        finish = [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason]
    else:
        reply = client.chat.completions.create(model=model, messages=messages, tools=TOOLS)
        call = reply.choices[0].message.tool_calls[0]
        call_id, name, arguments = call.id, call.function.name, call.function.arguments
        finish = [reply.choices[0].finish_reason]
    assert finish == ["tool_calls"] and call_id and name == "get_weather"
    assert json.loads(arguments) == {"city": "x"}
    assert check_sent(emulator, provider, "chat/completions")["tools"] == TOOLS
    messages += [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}]},
        {"role": "tool", "tool_call_id": call_id, "content": "sunny, 21C"},
    ]
    follow = client.chat.completions.create(model=model, messages=messages, tools=TOOLS)
    assert follow.choices[0].message.content == "Tool said: sunny, 21C"


def test_embeddings(provider: str, app: dict[str, Any], emulator: Emulator) -> None:
    model = catalogue.map_model("text-embedding-3-small", provider)
    info = catalogue.provider_model(provider, model) or {}
    texts = [f"document {i}" for i in range(3)]
    response = app["client"].embeddings.create(model=model, input=texts)
    assert isinstance(response, openai.types.CreateEmbeddingResponse)
    # The plain SDK asks for base64 by default; the compatible endpoint must cope with that.
    assert check_sent(emulator, provider, "embeddings") == {"model": model, "input": texts, "encoding_format": "base64"}
    assert [d.index for d in response.data] == [0, 1, 2]
    assert {len(d.embedding) for d in response.data} == {info["default_dimension"]}
    assert all(isinstance(v, float) for v in response.data[0].embedding)
    floats = app["client"].embeddings.create(model=model, input=texts[1], encoding_format="float")
    assert floats.data[0].embedding == pytest.approx(response.data[1].embedding, abs=1e-6)


@pytest.mark.parametrize("provider", [p for p in PROVIDERS
                                      if 1536 in (catalogue.provider_model(
                                          p, catalogue.map_model("text-embedding-3-small", p)) or {})
                                      .get("dimensions", [])])
def test_embeddings_keep_the_openai_size_only_with_dimensions(provider: str, app: dict[str, Any],
                                                              emulator: Emulator) -> None:
    """Compat code has no runtime to keep text-embedding-3-small's 1536: ``dimensions=`` must say it."""
    model = catalogue.map_model("text-embedding-3-small", provider)
    response = app["client"].embeddings.create(model=model, input=["stored doc"], dimensions=1536)
    assert check_sent(emulator, provider, "embeddings")["dimensions"] == 1536
    assert len(response.data[0].embedding) == 1536
