"""A small streaming chat CLI: type a message, watch the answer arrive token by token."""

import os
import sys

from adapters import OpenAI

MODEL = "qwen-flash"

client = OpenAI(provider="dashscope", api_key=os.environ["DASHSCOPE_API_KEY"])


def ask(history: list[dict], question: str) -> str:
    history.append({"role": "user", "content": question})
    stream = client.chat.completions.create(
        model=MODEL,
        messages=history,
        temperature=0.7,
        stream=True,
        stream_options={"include_usage": True},
    )
    parts = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
            print(chunk.choices[0].delta.content, end="", flush=True)
        if chunk.usage:
            print(f"\n[{chunk.usage.total_tokens} tokens]", file=sys.stderr)
    answer = "".join(parts)
    history.append({"role": "assistant", "content": answer})
    return answer


def main() -> None:
    history = [{"role": "system", "content": "You are a concise assistant."}]
    questions = sys.argv[1:] or iter(lambda: input("> "), "")
    for question in questions:
        ask(history, question)
        print()


if __name__ == "__main__":
    main()
