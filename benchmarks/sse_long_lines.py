"""How the stream translation's line buffering scales with the length of one SSE line.

A provider may send one event of many megabytes (a long answer in a cumulative stream, a base64
image) in many small network chunks. Buffering must be linear: the time per megabyte stays flat as
the line grows (a quadratic buffer's time per megabyte grows with the line).

    python benchmarks/sse_long_lines.py
"""

from __future__ import annotations

import json
import time

from adapters import registry
from adapters.capabilities import Policy
from adapters.exchange import Exchange, StreamTranslator

CHUNK = 16 * 1024


def feed(megabytes: int) -> float:
    """Seconds to buffer one ``data:`` line of ``megabytes`` MB arriving in 16 KB chunks."""
    backend = registry.get("zhipu")
    exchange = Exchange(backend, root_path="/api/paas/v4", policy=Policy("zhipu", "drop"))
    body = json.dumps({"model": "glm-4-flash", "messages": [{"role": "user", "content": "x"}], "stream": True})
    prepared = exchange.prepare("POST", "/api/paas/v4/chat/completions", body.encode())
    assert not hasattr(prepared, "body"), prepared
    translator = StreamTranslator(exchange, prepared)  # type: ignore[arg-type]
    content = "x" * (megabytes * 1024 * 1024)
    line = ("data: " + json.dumps({"id": "1", "choices": [{"index": 0, "delta": {"content": content}}]})
            + "\n\n").encode()
    start = time.perf_counter()
    for i in range(0, len(line), CHUNK):
        translator.feed_bytes(line[i:i + CHUNK])
    return time.perf_counter() - start


def main() -> None:
    base = feed(1)
    print(f"{'line MB':>8} {'seconds':>8} {'s per MB':>9} {'x the 1 MB rate':>16}")
    for size in (1, 4, 16):
        seconds = base if size == 1 else feed(size)
        print(f"{size:>8} {seconds:>8.3f} {seconds / size:>9.4f} {seconds / size / base:>16.2f}")
    print("linear buffering keeps the last column near 1 (a quadratic buffer: ~4 and ~16)")


if __name__ == "__main__":
    main()
