"""A small help-desk assistant as such apps are written against openai 1.x (test input, not run here).

The key comes from the app's settings file (the settings page saved what the user typed) or, when
the file has none, from a prompt; the model answers with the functions API; the chat UI seeds a
greeting before the user's first message.
"""

import json
import sys

import openai
from openai import OpenAI

FUNCTIONS = [
    {
        "name": "lookup_order",
        "description": "Find an order by its number",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
    }
]


def lookup_order(order_id: str) -> str:
    return json.dumps({"order_id": order_id, "status": "shipped"})


def load_settings(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        settings = json.load(handle)
    if not settings.get("api_key"):
        settings["api_key"] = input("API key: ")  # typed into the UI
    return settings


def answer(client: OpenAI, question: str) -> str:
    messages = [
        {"role": "system", "content": "You are the help desk of a tea shop."},
        {"role": "assistant", "content": "Hello! How can I help you today?"},
        {"role": "user", "content": question},
    ]
    while True:
        reply = client.chat.completions.create(model="gpt-3.5-turbo-0613", messages=messages,
                                               functions=FUNCTIONS, function_call="auto")
        message = reply.choices[0].message
        if reply.choices[0].finish_reason != "function_call":
            return message.content
        call = message.function_call
        result = {"lookup_order": lookup_order}[call.name](**json.loads(call.arguments))
        print(f"called {call.name}")
        messages.append({"role": "assistant", "content": None,
                         "function_call": {"name": call.name, "arguments": call.arguments}})
        messages.append({"role": "function", "name": call.name, "content": result})


def streamed_call(client: OpenAI, question: str) -> str:
    name, arguments = "", ""
    for chunk in client.chat.completions.create(model="gpt-4", stream=True, functions=FUNCTIONS,
                                                messages=[{"role": "user", "content": question}]):
        delta = chunk.choices[0].delta if chunk.choices else None
        if delta is not None and delta.function_call is not None:
            name += delta.function_call.name or ""
            arguments += delta.function_call.arguments or ""
    return f"{name}({arguments})"


def main() -> int:
    settings = load_settings(sys.argv[1])
    client = OpenAI(api_key=settings["api_key"])
    try:
        print("answer:", answer(client, "Where is my order 42?"))
        print("streamed:", streamed_call(client, "Where is my order 7?"))
    except openai.AuthenticationError as exc:
        print(f"the key was refused: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
