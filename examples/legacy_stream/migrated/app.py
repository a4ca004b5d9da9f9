"""Release-notes writer (openai 0.x, summer 2023).

Streams a draft of release notes for a list of changes, printing it as it arrives, then
prints the whole draft again with its word count and the role the model answered as.

    pip install "openai<1"
    export OPENAI_API_KEY=sk-...
    python app.py "Faster startup" "Dark mode"
"""

import os
import sys

import adapters

client = adapters.LazyOpenAI(provider="dashscope", api_key=os.getenv("DASHSCOPE_API_KEY"))

MODEL = "qwen-turbo"


def stream_deltas(changes):
    """Yield the answer's deltas as they arrive (each a dict in openai 0.x)."""
    prompt = "Write short release notes for: " + "; ".join(changes)
    response = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": prompt}],
        stream=True,
    )
    for chunk in response:
        yield chunk.choices[0].delta


def draft(changes):
    parts = []
    for delta in stream_deltas(changes):
        if delta.content is not None:
            sys.stdout.write(delta.content)
            sys.stdout.flush()
        parts.append(delta)
    print()
    role = next((d.role for d in parts if d.role), "assistant")
    return role, "".join(d.content or "" for d in parts)


def main(argv):
    changes = argv or ["Faster startup", "Dark mode"]
    role, text = draft(changes)
    print(f"--- {role}, {len(text.split())} words ---")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
