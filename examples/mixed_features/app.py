"""A script that uses chat and embeddings, but also features the target providers lack."""

import os

from openai import OpenAI

client = OpenAI(api_key=os.environ.get("OPENAI_API_KEY"), base_url="https://my-relay.example.com/v1")


def moderate(text: str) -> bool:
    result = client.moderations.create(input=text)
    return result.results[0].flagged


def transcribe(path: str) -> str:
    with open(path, "rb") as audio:
        return client.audio.transcriptions.create(model="whisper-1", file=audio).text


def chat(text: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": text}],
        seed=7,
    )
    return response.choices[0].message.content


def similar(a: str, b: str) -> list[int]:
    response = client.embeddings.create(model="text-embedding-3-small", input=[a, b])
    return [len(item.embedding) for item in response.data]


if __name__ == "__main__":
    print(chat("Say hello."))
    print(similar("tea", "coffee"))
