"""DashScope's compatible mode, driven by the real openai SDK (what the ``compat`` codemod style uses)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

openai = pytest.importorskip("openai")

from adapters.emulator import Emulator  # noqa: E402


@pytest.fixture
def client(emulator: Emulator) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key="sk-compat", base_url=emulator.compat_base_url("dashscope"), max_retries=0) as c:
        yield c


def test_chat(emulator: Emulator, client: openai.OpenAI) -> None:
    r = client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "hello"}])
    assert r.choices[0].message.content == "Echo from qwen-plus: hello"
    assert r.usage is not None and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    assert emulator.requests[-1].path == "/compatible-mode/v1/chat/completions"


def test_stream_with_usage(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "a b"}],
                                                 stream=True, stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Echo from qwen-plus: a b"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


def test_tool_call(client: openai.OpenAI) -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"q": {"type": "string"}, "n": {"type": "integer"}}, "required": ["q"]}}}
    r = client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "find"}],
                                       tools=[tool])
    call = r.choices[0].message.tool_calls[0]
    assert r.choices[0].finish_reason == "tool_calls"
    assert (call.function.name, json.loads(call.function.arguments)) == ("lookup", {"q": "x", "n": 1})


def test_embeddings(client: openai.OpenAI) -> None:
    r = client.embeddings.create(model="text-embedding-v4", input=["a", "b"], dimensions=256)
    assert [len(d.embedding) for d in r.data] == [256, 256]


def test_errors_map_to_openai_exceptions(emulator: Emulator, client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    emulator.fail("dashscope", status=429)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "x"}])
