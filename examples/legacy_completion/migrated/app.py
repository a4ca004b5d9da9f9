"""A 0.x-era script (openai<1): text completions with openai.Completion, plain and streamed."""

import os
import sys

import openai
import adapters

client = adapters.LazyOpenAI(provider="dashscope", api_key=os.environ["DASHSCOPE_API_KEY"])


def complete(prompt: str) -> str:
    response = client.completions.create(
        model="qwen-flash",
        prompt=prompt,
        max_tokens=64,
        temperature=0.2,
        stop=["\n\n"],
    )
    return response.choices[0].text.strip()


def stream(prompt: str) -> None:
    for chunk in client.completions.create(model="qwen-flash", prompt=prompt, max_tokens=64, stream=True):
        sys.stdout.write(chunk.choices[0].text)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        print("Completion:", complete("Write a tagline for a tea shop."))
        stream("List three teas.")
    except openai.RateLimitError:
        print("Rate limited; try again later.")
