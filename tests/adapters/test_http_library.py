"""The transport runs on the HTTP library of the installed openai, whatever names that release exports.

openai 2.47-2.54 export ``DefaultHttpx2Client`` as an opt-in while their clients run on ``httpx``;
``.ci/run`` runs this file (and the adapter and emulator suites) on openai 1.x, 2.x and 3.x.
"""

from __future__ import annotations

import asyncio

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI
from adapters._http import http, library
from adapters.emulator import Emulator
from tests.adapters.scenarios import KEYS


def test_the_library_is_the_one_the_default_openai_client_is_built_on() -> None:
    with openai.OpenAI(api_key="sk-test-00000001", base_url="http://127.0.0.1:9/v1") as plain:
        assert isinstance(plain._client, http.Client)
    assert http.__name__ == library()
    assert issubclass(openai.DefaultAsyncHttpxClient, http.AsyncClient)


@pytest.mark.parametrize("provider", ["dashscope", "qianfan", "zhipu"])
def test_sync_and_async_chat_and_stream_run_on_that_library(emulator: Emulator, provider: str) -> None:
    kwargs = dict(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider), max_retries=0)
    messages = [{"role": "user", "content": "hello"}]
    with OpenAI(**kwargs) as client:
        assert isinstance(client._client, http.Client)
        assert client.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message.content
        chunks = list(client.chat.completions.create(model="gpt-4o", messages=messages, stream=True))
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)

    async def run() -> tuple[str | None, str]:
        async with AsyncOpenAI(**kwargs) as client:
            assert isinstance(client._client, http.AsyncClient)
            reply = await client.chat.completions.create(model="gpt-4o", messages=messages)
            stream = await client.chat.completions.create(model="gpt-4o", messages=messages, stream=True)
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            return reply.choices[0].message.content, text

    content, streamed = asyncio.run(run())
    assert content and streamed
