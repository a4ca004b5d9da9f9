"""A script that uses chat and embeddings, but also features the target providers lack."""

import os

from adapters import OpenAI

# TODO(migrate:BASE_URL): base_url https://my-relay.example.com/v1 was dropped; dashscope is reached at its own API root (DASHSCOPE_HTTP_BASE_URL overrides it)
client = OpenAI(provider="dashscope", api_key=os.environ.get("DASHSCOPE_API_KEY"))


def moderate(text: str) -> bool:
    # TODO(migrate:MODERATIONS): client.moderations is not supported by dashscope: use the provider's content-safety service or its built-in filtering
    result = client.moderations.create(input=text)
    return result.results[0].flagged


def transcribe(path: str) -> str:
    with open(path, "rb") as audio:
        return client.audio.transcriptions.create(model="qwen3-asr-flash", file=audio).text


def chat(text: str) -> str:
    response = client.chat.completions.create(
        model="qwen-flash",
        messages=[{"role": "user", "content": text}],
        seed=7,
    )
    return response.choices[0].message.content


def similar(a: str, b: str) -> list[int]:
    # TODO(migrate:REEMBED): this call now embeds with dashscope's text-embedding-v4, not text-embedding-3-small: its vectors are not comparable with stored ones, even at the same size: re-embed stored vectors
    response = client.embeddings.create(model="text-embedding-3-small", input=[a, b])
    return [len(item.embedding) for item in response.data]


if __name__ == "__main__":
    print(chat("Say hello."))
    print(similar("tea", "coffee"))
