"""A chat assistant whose user brings their own key: a small library class and the CLI around it.

    chat = Chat(api_key=user_key)          # the library's documented entry point
    chat.ask("Hello")

The CLI asks for the key when it starts (as a chat UI's key field would), then answers each line.
"""

import argparse
import os
import sys

from adapters import OpenAI

DEFAULTS = {"model": os.getenv("CHAT_MODEL", "qwen-flash"), "temperature": 0.3}


class Chat:
    """A conversation on the user's own account: every request is sent with their key."""

    def __init__(self, api_key: str, model: str | None = None, system: str = "You are a concise assistant.") -> None:
        # TODO(migrate:API_KEY): api_key `api_key` is supplied by the application: it must now hold a dashscope key (the adapter refuses OpenAI keys)
        self.client = OpenAI(
            provider="dashscope",
            api_key=api_key,
            max_retries=1
        )
        self.model = model or DEFAULTS["model"]
        self.history = [{"role": "system", "content": system}]

    def ask(self, question: str) -> str:
        self.history.append({"role": "user", "content": question})
        reply = self.client.chat.completions.create(
            model=self.model,
            messages=self.history,
            temperature=DEFAULTS["temperature"],
        )
        answer = reply.choices[0].message.content or ""
        self.history.append({"role": "assistant", "content": answer})
        return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="the chat model (default: $CHAT_MODEL or gpt-4o-mini)")
    args = parser.parse_args()
    print("Your API key: ", end="", flush=True)
    key = sys.stdin.readline().strip()
    chat = Chat(api_key=key, model=args.model)
    for line in sys.stdin:
        if line.strip():
            print(chat.ask(line.strip()))


if __name__ == "__main__":
    main()
