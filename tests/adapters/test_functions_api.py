"""openai's older function-calling API (``functions=`` / ``function_call=``) answered as OpenAI answers
it, on every provider, sync and async, over real HTTP against the emulator; also under the shim
with 0.x dict access."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI, UnsupportedParameterWarning, registry
from adapters.emulator import Emulator, Reply
from adapters.exchange import FunctionCallWarning
from tests.adapters.conftest import V1, install_shim
from tests.adapters.scenarios import KEYS

WEATHER = {"name": "get_weather", "description": "The weather in a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
TIME = {"name": "get_time", "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}}}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]
TARGETS = ["dashscope", "qianfan", "qianfan-v1", "zhipu"]


@pytest.fixture(params=[t for t in TARGETS if t.split("-")[0] in registry.names()])
def target(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def options(target: str, emulator: Emulator) -> dict[str, Any]:
    if target == "qianfan-v1":
        return dict(provider="qianfan", base_url=emulator.base_url(target), max_retries=0, **V1)
    return dict(provider=target, api_key=KEYS[target], base_url=emulator.base_url(target), max_retries=0)


def create(target: str, emulator: Emulator, sync: bool, **kwargs: Any) -> Any:
    """``chat.completions.create(**kwargs)``; a stream comes back as a list of chunks."""
    if sync:
        with OpenAI(**options(target, emulator)) as client:
            result = client.chat.completions.create(**kwargs)
            return list(result) if kwargs.get("stream") else result

    async def run() -> Any:
        async with AsyncOpenAI(**options(target, emulator)) as client:
            result = await client.chat.completions.create(**kwargs)
            return [c async for c in result] if kwargs.get("stream") else result

    return asyncio.run(run())


def test_a_function_call_comes_back_as_message_function_call(target: str, sync: bool, emulator: Emulator) -> None:
    reply = create(target, emulator, sync, model="gpt-4o", messages=ASK, functions=[WEATHER], function_call="auto")
    choice = reply.choices[0]
    assert choice.finish_reason == "function_call"
    assert choice.message.tool_calls is None
    assert choice.message.function_call.name == "get_weather"
    assert json.loads(choice.message.function_call.arguments) == {"city": "x"}  # the emulator's example value
    sent = json.dumps(emulator.requests[-1].json)
    assert "get_weather" in sent
    assert ('"functions": [' if target == "qianfan-v1" else '"tools": [') in sent  # v1's native functions API


def test_a_named_function_call_is_forced(target: str, sync: bool, emulator: Emulator) -> None:
    def ask() -> Any:
        return create(target, emulator, sync, model="gpt-4o", messages=ASK, functions=[TIME, WEATHER],
                      function_call={"name": "get_weather"})

    if target == "zhipu":  # Zhipu's tool_choice is "auto" only: the policy says so, and the model picks
        with pytest.warns(UnsupportedParameterWarning, match="tool_choice"):
            reply = ask()
        assert reply.choices[0].message.function_call.name in ("get_time", "get_weather")
    else:
        reply = ask()
        assert reply.choices[0].message.function_call.name == "get_weather"
    assert reply.choices[0].finish_reason == "function_call"


def test_streamed_function_call_deltas(target: str, sync: bool, emulator: Emulator) -> None:
    chunks = create(target, emulator, sync, model="gpt-4o", messages=ASK, functions=[WEATHER], stream=True)
    deltas = [c.choices[0].delta for c in chunks if c.choices]
    assert all(d.tool_calls is None for d in deltas)
    calls = [d.function_call for d in deltas if d.function_call is not None]
    assert calls and calls[0].name == "get_weather" and all(c.name is None for c in calls[1:])
    assert json.loads("".join(c.arguments or "" for c in calls)) == {"city": "x"}
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "function_call"


def test_the_function_result_turn_is_translated(target: str, sync: bool, emulator: Emulator) -> None:
    first = create(target, emulator, sync, model="gpt-4o", messages=ASK, functions=[WEATHER])
    history = [*ASK, first.choices[0].message.model_dump(exclude_none=True),
               {"role": "function", "name": "get_weather", "content": '{"temperature": 21}'}]
    reply = create(target, emulator, sync, model="gpt-4o", messages=history, functions=[WEATHER])
    assert reply.choices[0].finish_reason == "stop"
    assert reply.choices[0].message.content == 'Tool said: {"temperature": 21}'
    assert reply.choices[0].message.function_call is None
    native = json.dumps(emulator.requests[-1].json, ensure_ascii=False)
    assert '{\\"temperature\\": 21}' in native


def test_tools_requests_still_answer_tool_calls(target: str, emulator: Emulator) -> None:
    reply = create(target, emulator, True, model="gpt-4o", messages=ASK,
                   tools=[{"type": "function", "function": WEATHER}])
    assert reply.choices[0].finish_reason == "tool_calls" and reply.choices[0].message.function_call is None
    assert reply.choices[0].message.tool_calls[0].function.name == "get_weather"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_several_calls_keep_the_first_with_a_warning(stream: bool, emulator: Emulator) -> None:
    emulator.script("dashscope", Reply(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}},
                                                   {"name": "get_time", "arguments": {"zone": "CET"}}]))
    with pytest.warns(FunctionCallWarning, match="only the first"):
        reply = create("dashscope", emulator, True, model="gpt-4o", messages=ASK, functions=[WEATHER, TIME],
                       stream=stream)
    if stream:
        calls = [c.choices[0].delta.function_call for c in reply if c.choices and c.choices[0].delta.function_call]
        assert {c.name for c in calls} == {"get_weather", None}
        assert json.loads("".join(c.arguments or "" for c in calls)) == {"city": "Paris"}
    else:
        assert reply.choices[0].message.function_call.name == "get_weather"


# -- under the shim, 0.x style --------------------------------------------------------------------


@pytest.fixture
def installed(target: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for _ in install_shim(target, emulator, monkeypatch):
        yield target


def test_0x_function_calling_under_the_shim(installed: str) -> None:
    messages: list[Any] = list(ASK)
    resp = openai.ChatCompletion.create(model="gpt-3.5-turbo-0613", messages=messages, functions=[WEATHER],
                                        function_call="auto")
    assert resp["choices"][0]["finish_reason"] == "function_call"
    message = resp["choices"][0]["message"]
    arguments = json.loads(message["function_call"]["arguments"])
    assert message["function_call"]["name"] == "get_weather" and arguments == {"city": "x"}
    messages += [message, {"role": "function", "name": "get_weather", "content": "sunny"}]
    follow = openai.ChatCompletion.create(model="gpt-3.5-turbo-0613", messages=messages, functions=[WEATHER])
    assert follow["choices"][0]["message"]["content"] == "Tool said: sunny"
    pieces = [c["choices"][0]["delta"] for c in openai.ChatCompletion.create(
        model="gpt-3.5-turbo-0613", messages=ASK, functions=[WEATHER], stream=True) if c["choices"]]
    assert "".join(p["function_call"]["arguments"] for p in pieces if p.get("function_call")) == '{"city": "x"}'

    async def run() -> Any:
        return await openai.ChatCompletion.acreate(model="gpt-4", messages=ASK, functions=[WEATHER])

    assert asyncio.run(run())["choices"][0]["message"]["function_call"]["name"] == "get_weather"


def test_1x_function_calling_under_the_shim(installed: str) -> None:
    with openai.OpenAI(api_key="sk-proj-openai-key-replaced-by-the-shim-000") as client:
        reply = client.chat.completions.create(model="gpt-4o", messages=ASK, functions=[WEATHER])
    assert reply.choices[0].message.function_call.name == "get_weather"
