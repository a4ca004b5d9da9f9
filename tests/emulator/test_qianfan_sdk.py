"""The official ``qianfan`` SDK against the emulator: v1 (AK/SK, OAuth token) and v2 (bearer key),
plus the openai SDK on Qianfan v2 (Baidu documents it as OpenAI-compatible)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

qianfan = pytest.importorskip("qianfan")
openai = pytest.importorskip("openai")
from qianfan.config import get_config  # noqa: E402

from adapters.emulator import Emulator  # noqa: E402

V2_KEY = "bce-v3/ALTAK-emulator/0123456789abcdef"
WEATHER = {"name": "get_weather", "description": "Weather for a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


@pytest.fixture(autouse=True)
def sdk_config(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point every qianfan host at the emulator (its process-wide config); no retries, no ambient keys."""
    config = get_config()
    for name in ("BASE_URL", "CONSOLE_API_BASE_URL", "IAM_BASE_URL"):
        monkeypatch.setattr(config, name, emulator.url)
    for name in ("AK", "SK", "ACCESS_KEY", "SECRET_KEY", "ACCESS_TOKEN", "BEARER_TOKEN"):
        monkeypatch.setattr(config, name, None)
    monkeypatch.setattr(config, "LLM_API_RETRY_COUNT", 1)
    monkeypatch.setattr(config, "ACCESS_TOKEN_REFRESH_MIN_INTERVAL", 0)   # let a refused token refresh now
    yield config


def v1_chat() -> Any:
    return qianfan.ChatCompletion(ak="my-ak", sk="my-sk")


def test_v1_chat_fetches_a_token_then_calls_the_models_endpoint(emulator: Emulator) -> None:
    r = v1_chat().do(model="ERNIE-4.0-8K", messages=[{"role": "user", "content": "hi"}], system="Be brief.")

    assert r.body["result"] == "Echo from ernie-4.0-8k: hi"
    token, chat = emulator.requests
    assert (token.path, token.query["client_id"], token.query["client_secret"]) == ("/oauth/2.0/token", "my-ak",
                                                                                    "my-sk")
    assert chat.path == "/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/completions_pro"
    assert chat.query["access_token"].startswith("24.")
    assert chat.json["system"] == "Be brief." and "model" not in chat.json


def test_v1_stream(emulator: Emulator) -> None:
    events = [e.body for e in v1_chat().do(model="ERNIE-3.5-8K", messages=[{"role": "user", "content": "a b"}],
                                           stream=True)]
    assert "".join(e["result"] for e in events) == "Echo from ernie-3.5-8k: a b"
    assert [e["is_end"] for e in events] == [False] * (len(events) - 1) + [True]
    assert emulator.requests[-1].path.endswith("/chat/completions")


def test_v1_function_call_round_trip() -> None:
    chat = v1_chat()
    question = [{"role": "user", "content": "Weather in Paris?"}]
    r = chat.do(model="ERNIE-4.0-8K", messages=question, functions=[WEATHER])
    assert r.body["finish_reason"] == "function_call"
    call = r.body["function_call"]
    assert (call["name"], json.loads(call["arguments"])) == ("get_weather", {"city": "x"})

    followup = [*question, {"role": "assistant", "content": "", "function_call": {"name": call["name"],
                                                                                     "arguments": call["arguments"]}},
                {"role": "function", "name": "get_weather", "content": "sunny"}]
    assert chat.do(model="ERNIE-4.0-8K", messages=followup, functions=[WEATHER]).body["result"] == "Tool said: sunny"


def test_v1_expired_token_is_refreshed_once(emulator: Emulator) -> None:
    chat = v1_chat()
    chat.do(model="ERNIE-4.0-8K", messages=[{"role": "user", "content": "first"}])
    emulator.expire_tokens()
    r = chat.do(model="ERNIE-4.0-8K", messages=[{"role": "user", "content": "second"}])

    assert r.body["result"] == "Echo from ernie-4.0-8k: second"
    tokens = [q.query.get("access_token") for q in emulator.requests if q.endpoint == "chat"]
    assert len(set(tokens)) == 2   # the old token was refused (111), a new one fetched and used
    assert [q.endpoint for q in emulator.requests].count("token") >= 2


def test_v1_embeddings(emulator: Emulator) -> None:
    r = qianfan.Embedding(ak="my-ak", sk="my-sk").do(model="Embedding-V1", texts=["a", "b"])
    assert [len(d["embedding"]) for d in r.body["data"]] == [384, 384]
    assert emulator.requests[-1].path.endswith("/embeddings/embedding-v1")


def test_v1_errors_arrive_as_http_200_bodies(emulator: Emulator) -> None:
    emulator.fail("qianfan-v1", status=400, endpoint="chat")
    with pytest.raises(qianfan.errors.APIError) as caught:
        v1_chat().do(model="ERNIE-4.0-8K", messages=[{"role": "user", "content": "x"}])
    assert caught.value.error_code == 336003

    with pytest.raises(qianfan.errors.APIError, match="odd"):
        v1_chat().do(model="ERNIE-4.0-8K", messages=[{"role": "user", "content": "x"},
                                                     {"role": "assistant", "content": "y"}])

    with pytest.raises(qianfan.errors.AuthError):
        qianfan.ChatCompletion(ak="invalid", sk="sk").do(model="ERNIE-4.0-8K",
                                                         messages=[{"role": "user", "content": "x"}])


def test_v2_chat_stream_and_tools(emulator: Emulator) -> None:
    client = qianfan.Qianfan(api_key=V2_KEY)
    r = client.chat.completions.create(model="ernie-4.0-turbo-8k", messages=[{"role": "user", "content": "hi"}])
    assert r.choices[0].message.content == "Echo from ernie-4.0-turbo-8k: hi"
    assert emulator.requests[-1].headers["authorization"] == f"Bearer {V2_KEY}"

    chunks = list(client.chat.completions.create(model="ernie-4.0-turbo-8k", stream=True,
                                                 messages=[{"role": "user", "content": "a b"}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Echo from ernie-4.0-turbo-8k: a b"

    r = client.chat.completions.create(model="ernie-4.0-turbo-8k", messages=[{"role": "user", "content": "hi"}],
                                       tools=[{"type": "function", "function": WEATHER}])
    call = r.choices[0].message.tool_calls[0]
    assert len(call.id) == 32 and not call.id.startswith("call_")


def test_v2_unknown_model_is_a_401(emulator: Emulator) -> None:
    client = qianfan.Qianfan(api_key=V2_KEY)
    with pytest.raises(qianfan.errors.RequestError, match="invalid_model"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])


@pytest.fixture
def openai_v2(emulator: Emulator) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key=V2_KEY, base_url=emulator.base_url("qianfan"), max_retries=0) as client:
        yield client


def test_openai_sdk_on_v2(openai_v2: openai.OpenAI) -> None:
    r = openai_v2.chat.completions.create(model="ernie-4.5-turbo-32k", messages=[{"role": "user", "content": "hi"}])
    assert r.choices[0].message.content == "Echo from ernie-4.5-turbo-32k: hi"

    chunks = list(openai_v2.chat.completions.create(model="ernie-4.5-turbo-32k", stream=True,
                                                    stream_options={"include_usage": True},
                                                    messages=[{"role": "user", "content": "hi"}]))
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])

    e = openai_v2.embeddings.create(model="bge-large-zh", input=["a", "b"])
    assert [len(d.embedding) for d in e.data] == [1024, 1024]


def test_openai_sdk_sees_qianfans_statuses(emulator: Emulator, openai_v2: openai.OpenAI) -> None:
    with pytest.raises(openai.AuthenticationError):   # Qianfan answers an unknown model with 401
        openai_v2.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError, match="alternate"):
        openai_v2.chat.completions.create(model="ernie-4.5-turbo-32k", messages=[
            {"role": "user", "content": "a"}, {"role": "user", "content": "b"}])
    emulator.fail("qianfan", status=429, code="tpm_rate_limit_exceeded")
    with pytest.raises(openai.RateLimitError, match="TPM"):
        openai_v2.chat.completions.create(model="ernie-4.5-turbo-32k", messages=[{"role": "user", "content": "x"}])
