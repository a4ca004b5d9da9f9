"""Summarise many documents concurrently with the async client."""

import asyncio
import sys
from pathlib import Path

from adapters import AsyncOpenAI

client = AsyncOpenAI(provider="dashscope", max_retries=3)
SUMMARY_MODEL = "qwen-turbo"


async def summarise(text: str, semaphore: asyncio.Semaphore) -> str:
    async with semaphore:
        response = await client.chat.completions.create(
            model=SUMMARY_MODEL,
            messages=[
                {"role": "system", "content": "Summarise the text in one sentence."},
                {"role": "user", "content": text},
            ],
            max_tokens=120,
        )
        return response.choices[0].message.content.strip()


async def main(paths: list[str]) -> None:
    texts = [Path(p).read_text() for p in paths] or ["qianyi moves code between providers."] * 3
    semaphore = asyncio.Semaphore(4)
    summaries = await asyncio.gather(*(summarise(t, semaphore) for t in texts))
    for summary in summaries:
        print("-", summary)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
