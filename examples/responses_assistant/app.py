"""A shop assistant on the Responses API: it looks orders up through a function tool, then streams a
one-line summary of the conversation (previous_response_id keeps the context).

    python app.py "Where is my order 1042?"
"""

import json
import sys

from openai import OpenAI

client = OpenAI()
MODEL = "gpt-4o"

TOOLS = [
    {
        "type": "function",
        "name": "order_status",
        "description": "The shipping status of an order",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
    }
]


def order_status(order_id: str) -> str:
    return json.dumps({"order_id": order_id, "status": "shipped", "arrives": "tomorrow"})


def answer(question: str):
    response = client.responses.create(
        model=MODEL,
        instructions="You are a helpful shop assistant. Use the tools to look orders up.",
        input=question,
        tools=TOOLS,
    )
    while True:
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            return response
        for call in calls:
            print(f"[tool] {call.name}({call.arguments})")
        outputs = [
            {"type": "function_call_output", "call_id": call.call_id, "output": order_status(**json.loads(call.arguments))}
            for call in calls
        ]
        response = client.responses.create(model=MODEL, previous_response_id=response.id, input=outputs, tools=TOOLS)


def main() -> None:
    question = " ".join(sys.argv[1:]) or "Where is my order 1042?"
    response = answer(question)
    print(f"Assistant: {response.output_text}")
    print("Summary: ", end="")
    with client.responses.stream(
        model=MODEL, previous_response_id=response.id, input="Summarise our conversation in one line."
    ) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                print(event.delta, end="", flush=True)
        final = stream.get_final_response()
    print(f"\n({final.usage.total_tokens} tokens)")


if __name__ == "__main__":
    main()
