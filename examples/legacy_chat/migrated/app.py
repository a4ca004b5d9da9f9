"""FAQ helpdesk bot (openai 0.x, spring 2023).

Finds the FAQ entry closest to the question with embeddings, then streams an answer
grounded in it, and files the ticket under a short title.

    pip install "openai<1"
    export OPENAI_API_KEY=sk-...
    python app.py "How do I reset my password?"
"""

import argparse
import math
import os
import sys
import time

import openai
import adapters

client = adapters.LazyOpenAI(provider="dashscope", api_key=os.getenv("DASHSCOPE_API_KEY"))

CHAT_MODEL = "gpt-3.5-turbo"
EMBEDDING_MODEL = "text-embedding-ada-002"
MAX_RETRIES = 3

FAQ = [
    "To reset your password, open Settings > Account and click 'Forgot password'.",
    "Refunds are sent to the original payment method within 5 business days.",
    "Support is available Monday to Friday, 9:00-18:00 Beijing time.",
    "You can export your data as CSV from the Reports page.",
]


def get_embeddings(texts):
    # TODO(migrate:REEMBED): this call now embeds with dashscope's text-embedding-v4, not text-embedding-ada-002: its vectors are not comparable with stored ones, even at the same size: re-embed stored vectors
    resp = client.embeddings.create(input=texts, model=EMBEDDING_MODEL)
    return [item.embedding for item in resp.data]


def cosine(a, b):
    dot = sum(a[i] * b[i] for i in range(len(a)))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def closest_faq(question):
    vectors = get_embeddings(FAQ + [question])
    query = vectors[-1]
    scores = [cosine(query, v) for v in vectors[:-1]]
    best = max(range(len(FAQ)), key=lambda i: scores[i])
    return FAQ[best], scores[best]


def stream_answer(question, context, model):
    messages = [
        {"role": "system", "content": "You are a helpdesk assistant. Use this FAQ entry: " + context},
        {"role": "user", "content": question},
    ]
    for attempt in range(MAX_RETRIES):
        try:
            response = client.chat.completions.create(
                model=model,
                messages=messages,
                temperature=0.3,
                stream=True,
            )
            answer = ""
            for chunk in response:
                content = chunk.choices[0].delta.content
                if content:
                    answer += content
                    sys.stdout.write(content)
                    sys.stdout.flush()
            print()
            return answer
        except openai.RateLimitError:
            wait = 2**attempt
            print(f"Rate limited, retrying in {wait}s...", file=sys.stderr)
            time.sleep(wait)
        except openai.APIError as e:
            print(f"OpenAI API error: {e}", file=sys.stderr)
            return None
    return None


def ticket_title(question, model):
    try:
        resp = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "Write a five-word ticket title for: " + question}],
            max_tokens=30,
        )
    except openai.APIError as e:
        print(f"OpenAI API error: {e}", file=sys.stderr)
        return "Untitled ticket"
    return resp.choices[0].message.content.strip()


def main():
    parser = argparse.ArgumentParser(description="Answer a helpdesk question from the FAQ.")
    parser.add_argument("question", nargs="?", default="How do I reset my password?")
    parser.add_argument("--model", default=CHAT_MODEL)
    args = parser.parse_args()

    context, score = closest_faq(args.question)
    print(f"FAQ match ({score:.2f}): {context}")
    print("Answer: ", end="")
    answer = stream_answer(args.question, context, args.model)
    if answer is None:
        print("Sorry, the assistant is unavailable right now.")
        return 1
    print(f"Ticket: {ticket_title(args.question, args.model)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
