"""``adapters.LazyOpenAI``: a module-level client that needs its key only when first used."""

from __future__ import annotations

import asyncio
import threading

import openai
import pytest

import adapters
from adapters.emulator import Emulator

MESSAGES = [{"role": "user", "content": "hi"}]


def test_nothing_is_built_and_no_key_needed_until_first_use(monkeypatch: pytest.MonkeyPatch,
                                                            emulator: Emulator) -> None:
    client = adapters.LazyOpenAI(provider="dashscope")  # no DASHSCOPE_API_KEY: the plain client raises here
    assert repr(client) == "<lazy OpenAI, not built yet>"
    with pytest.raises(openai.OpenAIError, match="DASHSCOPE_API_KEY"):
        client.chat.completions.create(model="qwen-turbo", messages=MESSAGES)  # type: ignore[arg-type]
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-lazy-0001")
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", emulator.base_url("dashscope"))
    reply = client.chat.completions.create(model="qwen-turbo", messages=MESSAGES)  # type: ignore[arg-type]
    assert reply.choices[0].message.content == "Echo from qwen-turbo: hi"
    assert isinstance(client, openai.OpenAI) and "sk-lazy-0001" not in repr(client)
    assert client.chat is client.chat  # built once: the same client every time
    client.close()


def test_arguments_are_kept_until_built_then_dropped(emulator: Emulator) -> None:
    client = adapters.LazyOpenAI(provider="dashscope", api_key="sk-lazy-0002",
                                 base_url=emulator.base_url("dashscope"), max_retries=0)
    assert "sk-lazy-0002" not in repr(client)
    client.max_retries = 1  # attribute writes reach the client
    assert client.max_retries == 1
    assert client.models.list() is not None
    assert object.__getattribute__(client, "_lazy_kwargs") == {}
    client.close()


def test_built_once_across_threads(emulator: Emulator) -> None:
    built: list[object] = []

    def factory() -> object:
        built.append(object())
        return adapters.OpenAI(provider="dashscope", api_key="sk-lazy-0003", base_url=emulator.base_url("dashscope"))

    client = adapters.lazy(factory)
    threads = [threading.Thread(target=lambda: client.base_url) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    client.close()


def test_async_client_and_context_managers(emulator: Emulator) -> None:
    client = adapters.LazyAsyncOpenAI(provider="zhipu", api_key="sk-lazy-0004", base_url=emulator.base_url("zhipu"))

    async def main() -> str | None:
        async with client as built:
            reply = await built.chat.completions.create(model="glm-4-flash", messages=MESSAGES)  # type: ignore[arg-type]
            return reply.choices[0].message.content

    assert asyncio.run(main()) == "Echo from glm-4-flash: hi"
    assert isinstance(client, openai.AsyncOpenAI)


def test_instructor_accepts_a_lazy_client(emulator: Emulator) -> None:
    instructor = pytest.importorskip("instructor")
    client = adapters.LazyOpenAI(provider="dashscope", api_key="sk-lazy-0005", base_url=emulator.base_url("dashscope"))
    assert instructor.from_openai(client).client is client
    client.close()
