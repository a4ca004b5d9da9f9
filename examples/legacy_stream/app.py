"""Release-notes writer (openai 0.x, summer 2023).

Streams a draft of release notes for a list of changes, printing it as it arrives, then
prints the whole draft again with its word count and the role the model answered as.

    pip install "openai<1"
    export OPENAI_API_KEY=sk-...
    python app.py "Faster startup" "Dark mode"
"""

import os
import sys

import openai

openai.api_key = os.getenv("OPENAI_API_KEY")

MODEL = "gpt-3.5-turbo"


def stream_deltas(changes):
    """Yield the answer's deltas as they arrive (each a dict in openai 0.x)."""
    prompt = "Write short release notes for: " + "; ".join(changes)
    response = openai.ChatCompletion.create(
        model=MODEL,
        messages=[{"role": "user", "content": prompt}],
        stream=True,
    )
    for chunk in response:
        yield chunk["choices"][0]["delta"]


def draft(changes):
    parts = []
    for delta in stream_deltas(changes):
        if "content" in delta:
            sys.stdout.write(delta["content"])
            sys.stdout.flush()
        parts.append(delta)
    print()
    role = next((d["role"] for d in parts if d.get("role")), "assistant")
    return role, "".join(d.get("content", "") for d in parts)


def main(argv):
    changes = argv or ["Faster startup", "Dark mode"]
    role, text = draft(changes)
    print(f"--- {role}, {len(text.split())} words ---")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
