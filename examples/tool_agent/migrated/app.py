"""An agent loop: the model calls local tools until it can answer."""

import json
import sys

import openai
from adapters import OpenAI

client = OpenAI(provider="dashscope")

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    }
]


def get_weather(city: str, unit: str = "celsius") -> dict:
    return {"city": city, "temperature": 21, "unit": unit, "sky": "clear"}


def run(question: str, max_turns: int = 5) -> str:
    messages = [{"role": "user", "content": question}]
    for _ in range(max_turns):
        try:
            response = client.chat.completions.create(
                model="qwen-plus", messages=messages, tools=TOOLS, tool_choice="auto"
            )
        except openai.RateLimitError:
            return "rate limited, try again later"
        message = response.choices[0].message
        if not message.tool_calls:
            return message.content or ""
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            args = json.loads(call.function.arguments)
            result = get_weather(**args)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
    return "gave up"


if __name__ == "__main__":
    print(run(" ".join(sys.argv[1:]) or "What's the weather in Hangzhou?"))
