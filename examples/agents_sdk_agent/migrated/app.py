"""A weather agent built with the OpenAI Agents SDK: it calls a function tool, then answers.

    python app.py "What should I wear in Hangzhou today?"

The agent runs on the Responses API through OpenAIResponsesModel; a second agent shows the
Chat Completions model of the same SDK.
"""

import asyncio
import sys

from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from adapters import AsyncOpenAI

set_tracing_disabled(True)  # keep traces local
client = AsyncOpenAI(provider="dashscope")


@function_tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"light rain and 18C in {city}"


weather_agent = Agent(
    name="Weather assistant",
    instructions="Answer questions about the weather. Call get_weather for current conditions.",
    tools=[get_weather],
    model=OpenAIResponsesModel(model="gpt-4o", openai_client=client),
)
chat_agent = weather_agent.clone(model=OpenAIChatCompletionsModel(model="gpt-4o-mini", openai_client=client))


async def main() -> None:
    question = " ".join(sys.argv[1:]) or "What should I wear in Hangzhou today?"
    result = await Runner.run(weather_agent, question)
    print(f"Responses agent: {result.final_output}")
    streamed = Runner.run_streamed(chat_agent, question)
    async for event in streamed.stream_events():
        if event.type == "run_item_stream_event" and event.item.type == "tool_call_item":
            print(f"[tool] {event.item.raw_item.name}")
    print(f"Chat agent: {streamed.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
