"""The official ``zhipuai`` SDK against the emulator: plain keys and the SDK's signed JWT."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

zhipuai = pytest.importorskip("zhipuai")
from zhipuai.core import _errors as zhipu_errors  # noqa: E402

from adapters.emulator import Emulator, Reply  # noqa: E402

KEY = "0123456789abcdef0123456789abcdef.emulatorsecret"
WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


@pytest.fixture(params=[True, False], ids=["plain-key", "jwt"])
def client(request: pytest.FixtureRequest, emulator: Emulator) -> Iterator[zhipuai.ZhipuAI]:
    emulator.add_key("zhipu", KEY)   # lets the emulator check the JWT's signature
    c = zhipuai.ZhipuAI(api_key=KEY, base_url=emulator.base_url("zhipu"), max_retries=0,
                        disable_token_cache=request.param)
    yield c
    c.close()


def _jwt_payload(authorization: str) -> dict[str, object]:
    token = authorization.removeprefix("Bearer ")
    header, payload, _ = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "sign_type": "SIGN", "typ": "JWT"}
    return json.loads(base64.urlsafe_b64decode(payload + "=="))  # type: ignore[no-any-return]


def test_chat(emulator: Emulator, client: zhipuai.ZhipuAI) -> None:
    r = client.chat.completions.create(model="glm-4.5-flash", messages=[{"role": "user", "content": "hello"}])

    assert r.choices[0].message.content == "Echo from glm-4.5-flash: hello"
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    authorization = emulator.requests[-1].headers["authorization"]
    if client._disable_token_cache:
        assert authorization == f"Bearer {KEY}"
    else:
        payload = _jwt_payload(authorization)
        assert payload["api_key"] == KEY.split(".")[0]
        assert payload["exp"] > payload["timestamp"] > 10**12   # milliseconds


def test_reasoning_model_answers_with_reasoning_content(client: zhipuai.ZhipuAI) -> None:
    r = client.chat.completions.create(model="glm-4.7", messages=[{"role": "user", "content": "why"}])
    assert r.choices[0].message.reasoning_content and r.choices[0].message.content == "Echo from glm-4.7: why"
    off = client.chat.completions.create(model="glm-4.7", messages=[{"role": "user", "content": "why"}],
                                         extra_body={"thinking": {"type": "disabled"}})
    assert off.choices[0].message.reasoning_content is None


def test_stream(client: zhipuai.ZhipuAI) -> None:
    chunks = list(client.chat.completions.create(model="glm-4.5-flash", stream=True,
                                                 messages=[{"role": "user", "content": "a b c"}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Echo from glm-4.5-flash: a b c"
    assert all(c.choices[0].delta.role == "assistant" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].usage.total_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])


def test_tool_call_round_trip(client: zhipuai.ZhipuAI) -> None:
    question = [{"role": "user", "content": "Weather in Paris?"}]
    r = client.chat.completions.create(model="glm-4.5-flash", messages=question, tools=[WEATHER], tool_choice="auto")
    call = r.choices[0].message.tool_calls[0]
    assert r.choices[0].finish_reason == "tool_calls"
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "x"})

    followup = [*question, {"role": "assistant", "content": "", "tool_calls": [call.model_dump()]},
                {"role": "tool", "tool_call_id": call.id, "content": "rain"}]
    r = client.chat.completions.create(model="glm-4.5-flash", messages=followup, tools=[WEATHER])
    assert r.choices[0].message.content == "Tool said: rain"


def test_streamed_tool_call_whole_or_in_fragments(emulator: Emulator, client: zhipuai.ZhipuAI) -> None:
    for tool_stream, expected_deltas in ((False, 1), (True, 3)):
        chunks = list(client.chat.completions.create(
            model="glm-4.5-flash", stream=True, messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER],
            extra_body={"tool_stream": tool_stream}))
        fragments = [t for c in chunks for t in (c.choices[0].delta.tool_calls or ())]
        assert len(fragments) == expected_deltas
        assert json.loads("".join(f.function.arguments or "" for f in fragments)) == {"city": "x"}
        assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_scripted_reply(emulator: Emulator, client: zhipuai.ZhipuAI) -> None:
    emulator.script("zhipu", Reply(text="scripted", tool_calls=[{"name": "f", "arguments": {"a": 1}}]))
    r = client.chat.completions.create(model="glm-4.5-flash", messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content == "scripted"
    assert r.choices[0].message.tool_calls[0].function.arguments == '{"a": 1}'


def test_embeddings(client: zhipuai.ZhipuAI) -> None:
    r = client.embeddings.create(model="embedding-3", input=["a", "b"], dimensions=256)
    assert [len(d.embedding) for d in r.data] == [256, 256]
    assert r.usage.completion_tokens == 0


def test_errors(emulator: Emulator, client: zhipuai.ZhipuAI) -> None:
    with pytest.raises(zhipu_errors.APIRequestFailedError, match="1211"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    emulator.fail("zhipu", status=429, code="1113")
    with pytest.raises(zhipu_errors.APIReachLimitError, match="1113"):
        client.chat.completions.create(model="glm-4.5-flash", messages=[{"role": "user", "content": "x"}])


def test_jwt_signed_with_another_secret_is_refused(emulator: Emulator) -> None:
    emulator.add_key("zhipu", KEY.split(".")[0] + ".anothersecret")
    c = zhipuai.ZhipuAI(api_key=KEY, base_url=emulator.base_url("zhipu"), max_retries=0, disable_token_cache=False)
    with pytest.raises(zhipu_errors.APIAuthenticationError, match="1004"):
        c.chat.completions.create(model="glm-4.5-flash", messages=[{"role": "user", "content": "x"}])
    c.close()
