"""The OpenAI Agents SDK runs an agent with a tool on ``adapters.AsyncOpenAI``, on every provider.

Both of its OpenAI models: ``OpenAIResponsesModel`` (the Responses API, translated onto chat, or
DashScope's own endpoint for the models it serves there) and ``OpenAIChatCompletionsModel``. Runs in
the ecosystem venv (openai-agents conflicts with zhipuai over pyjwt); skipped where it is missing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters import AsyncOpenAI
from adapters.emulator import Emulator
from tests.adapters.scenarios import KEYS

agents = pytest.importorskip("agents")

MODELS = {"responses": agents.OpenAIResponsesModel, "chat": agents.OpenAIChatCompletionsModel}


@pytest.fixture(autouse=True)
def no_tracing() -> None:
    agents.set_tracing_disabled(True)  # traces would be exported to OpenAI


@agents.function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def run_agent(provider: str, emulator: Emulator, kind: str, stream: bool, model: str = "gpt-4o") -> Any:
    async with AsyncOpenAI(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider),
                           max_retries=0) as client:
        agent = agents.Agent(name="assistant", instructions="Answer briefly.", tools=[get_weather],
                             model=MODELS[kind](model=model, openai_client=client))
        if not stream:
            return await agents.Runner.run(agent, "What is the weather in Paris?")
        result = agents.Runner.run_streamed(agent, "What is the weather in Paris?")
        kinds = [event.type async for event in result.stream_events()]
        assert "raw_response_event" in kinds and "run_item_stream_event" in kinds
        return result


@pytest.mark.parametrize("stream", [False, True], ids=["run", "run_streamed"])
@pytest.mark.parametrize("kind", ["responses", "chat"])
async def test_an_agent_calls_its_tool_and_answers(provider: str, kind: str, stream: bool,
                                                   emulator: Emulator) -> None:
    result = await run_agent(provider, emulator, kind, stream)
    assert result.final_output == "Tool said: sunny in x"  # the emulator's tool arguments are {"city": "x"}
    calls = [item for item in result.new_items if item.type == "tool_call_item"]
    outputs = [item for item in result.new_items if item.type == "tool_call_output_item"]
    assert len(calls) == 1 and outputs[0].output == "sunny in x"
    sent = json.dumps([r.json for r in emulator.requests])
    assert "Answer briefly." in sent and "What is the weather in Paris?" in sent


@pytest.mark.parametrize("stream", [False, True], ids=["run", "run_streamed"])
async def test_dashscope_models_with_their_own_responses_endpoint(stream: bool, emulator: Emulator) -> None:
    result = await run_agent("dashscope", emulator, "responses", stream, model="qwen3-max")
    assert result.final_output == "Tool said: sunny in x"
    assert [r.path for r in emulator.requests] == ["/compatible-mode/v1/responses"] * 2
