"""Retrieval-augmented answers: embed a few documents, pick the closest, ask the model."""

import math
import os
import sys

import adapters

EMBEDDING_MODEL = "text-embedding-3-small"
CHAT_MODEL = "qwen-plus"

DOCUMENTS = [
    "DashScope serves the Qwen models of Alibaba Cloud.",
    "Qianfan is Baidu's platform for the ERNIE models.",
    "Zhipu AI publishes the GLM family of models.",
]

# TODO(migrate:ORGANIZATION): organization=`os.getenv("OPENAI_ORG_ID")` removed: dashscope has no OpenAI organization or project (its key decides the account); drop the setting where it comes from
client = adapters.OpenAI(provider="dashscope", api_key=os.getenv("DASHSCOPE_API_KEY"))


def embed(texts: list[str]) -> list[list[float]]:
    # TODO(migrate:REEMBED): this call now embeds with dashscope's text-embedding-v4, not text-embedding-3-small: its vectors are not comparable with stored ones, even at the same size: re-embed stored vectors
    response = client.embeddings.create(model=EMBEDDING_MODEL, input=texts)
    return [item.embedding for item in response.data]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def answer(question: str) -> str:
    vectors = embed(DOCUMENTS + [question])
    query, docs = vectors[-1], vectors[:-1]
    best = max(range(len(docs)), key=lambda i: cosine(query, docs[i]))
    response = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[
            {"role": "system", "content": f"Answer from this context: {DOCUMENTS[best]}"},
            {"role": "user", "content": question},
        ],
    )
    return response.choices[0].message.content


if __name__ == "__main__":
    print(answer(" ".join(sys.argv[1:]) or "Who makes GLM?"))
