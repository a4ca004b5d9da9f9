"""Qianfan's legacy v1 API end to end: AK/SK, the access token fetched, cached and renewed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI
from adapters.emulator import Emulator

AK, SK = "qianfan-ak-0001", "qianfan-sk-secret-0001"


@pytest.fixture
def client(emulator: Emulator) -> Iterator[openai.OpenAI]:
    with OpenAI(provider="qianfan", api_version="v1", api_key=AK, secret_key=SK,
                base_url=emulator.base_url("qianfan-v1"), max_retries=0) as c:
        yield c


def token_fetches(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if "oauth" in r.path)


def test_chat_fetches_the_token_once_and_reuses_it(client: openai.OpenAI, emulator: Emulator) -> None:
    for text in ("one", "two"):
        reply = client.chat.completions.create(model="ernie-4.0-turbo-8k", messages=[{"role": "user", "content": text}])
        assert reply.choices[0].message.content == f"Echo from ernie-4.0-turbo-8k: {text}"
    assert token_fetches(emulator) == 1
    chats = [r for r in emulator.requests if "wenxinworkshop" in r.path]
    assert all(r.query.get("access_token") for r in chats) and len(chats) == 2


def test_an_expired_token_is_renewed_and_the_call_retried(client: openai.OpenAI, emulator: Emulator) -> None:
    client.chat.completions.create(model="ernie-4.0-turbo-8k", messages=[{"role": "user", "content": "a"}])
    emulator.expire_tokens()
    reply = client.chat.completions.create(model="ernie-4.0-turbo-8k", messages=[{"role": "user", "content": "b"}])
    assert reply.choices[0].message.content.endswith(": b")
    assert token_fetches(emulator) == 2


def test_system_moves_top_level_and_stream_works(client: openai.OpenAI, emulator: Emulator) -> None:
    chunks = list(client.chat.completions.create(
        model="ernie-4.0-turbo-8k", stream=True,
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "stream this"}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Echo from ernie-4.0-turbo-8k: stream this"
    sent = [r for r in emulator.requests if "wenxinworkshop" in r.path][-1].json
    assert sent is not None and sent["system"] == "be brief"
    assert [m["role"] for m in sent["messages"]] == ["user"]


def test_v1_errors_sent_with_http_200_become_openai_exceptions(client: openai.OpenAI, emulator: Emulator) -> None:
    client.chat.completions.create(model="ernie-4.0-turbo-8k", messages=[{"role": "user", "content": "token"}])
    emulator.fail("qianfan-v1", status=429, code="18", message="Open api qps request limit reached")
    with pytest.raises(openai.RateLimitError) as raised:
        client.chat.completions.create(model="ernie-4.0-turbo-8k", messages=[{"role": "user", "content": "a"}])
    assert raised.value.body["provider_code"] == "18"  # type: ignore[index]


def test_a_refused_token_request_is_an_authentication_error_without_the_secret(emulator: Emulator) -> None:
    with OpenAI(provider="qianfan", api_version="v1", api_key=AK, secret_key="invalid",
                base_url=emulator.base_url("qianfan-v1"), max_retries=0) as c:
        with pytest.raises(openai.APIStatusError) as raised:
            c.chat.completions.create(model="ernie-4.0-turbo-8k", messages=[{"role": "user", "content": "a"}])
    assert raised.value.status_code in (400, 401)
    assert "invalid" not in json.dumps(raised.value.body).replace("invalid_", "")


def test_only_ak_sk_set_selects_v1(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIANFAN_AK", AK)
    monkeypatch.setenv("QIANFAN_SK", SK)
    monkeypatch.setenv("QIANFAN_BASE_URL", emulator.base_url("qianfan-v1"))

    import asyncio

    async def run() -> str:
        async with AsyncOpenAI(provider="qianfan") as c:
            reply = await c.chat.completions.create(model="ernie-4.0-turbo-8k",
                                                    messages=[{"role": "user", "content": "env"}])
            return reply.choices[0].message.content or ""

    assert asyncio.run(run()).endswith(": env")
