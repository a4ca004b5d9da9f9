"""What the adapter costs a request, measured against baselines in the same run.

    python benchmarks/adapter_overhead.py [--requests 300] [--rounds 5]

One loopback server (a separate process, prebuilt answers, keep-alive) serves DashScope's native
API, the OpenAI-shaped native APIs of Zhipu and Qianfan v2, and an OpenAI endpoint. For each
provider, per-request medians, non-stream and a 500-chunk stream, of:

    (a) raw httpx + json to the native endpoint     the floor a hand-written client would pay
    (b) adapters.OpenAI(provider=...)                 what qianyi users pay
    (c) plain openai SDK to an OpenAI-shaped endpoint what the same code paid before migrating
    (d) the provider's official SDK                   for reference (dashscope, zhipuai; Qianfan: (a))
    (e) (b) with extra_body fields and extra headers  (and workspace=/appid= where the provider has one)
    (f) (c) with the same extra_body and headers      what that request paid before migrating

printed as ratios to (a); the targets are on (b)/(c) and (e)/(f), timed in paired rounds (within a
round the two take turns, ten requests or one stream at a time, so a busy machine moves both alike;
targets: 1.10 non-stream, 1.25 stream). The Responses API too:

    (g) adapters.OpenAI responses.create              translated onto the provider's native chat
    (h) plain openai SDK responses.create             against an OpenAI-shaped /responses

as (g)/(h), timed in paired rounds (target: 1.15, non-stream and a 500-delta stream); (h)'s answer
carries the response fields (g)'s does, so the SDK builds the same objects on both sides. Then the import
cost of `import adapters` / `from adapters import OpenAI` against `import openai` (whole process,
median of paired runs), and what `from adapters import OpenAI` adds after `import openai` timed in one
interpreter (median of runs; target within +30 ms: a whole process's start varies by more than that).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

STREAM_CHUNKS = 500
MESSAGES = [{"role": "user", "content": "Name the three primary colours."}]


# -- the loopback server --------------------------------------------------------------------------


def _bodies() -> dict[str, tuple[bytes, bytes]]:
    """path key -> (content type, body), built once."""
    rid = "3f2b8c1e-5d4a-9e7f-b012-6c3d4e5f6a7b"
    text = "The three primary colors are red, yellow and blue."
    native = {"output": {"choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": text}}]},
              "usage": {"input_tokens": 24, "output_tokens": 13, "total_tokens": 37}, "request_id": rid}
    oai = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o",
           "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop",
                        "logprobs": None}],
           "usage": {"prompt_tokens": 24, "completion_tokens": 13, "total_tokens": 37}}
    native_events, oai_events = [], []
    for i in range(STREAM_CHUNKS):
        last = i == STREAM_CHUNKS - 1
        event = {"output": {"choices": [{"message": {"role": "assistant", "content": "" if last else f"w{i} "},
                                         "finish_reason": "stop" if last else "null"}]},
                 "usage": {"input_tokens": 24, "output_tokens": i + 1, "total_tokens": 25 + i}, "request_id": rid}
        native_events.append(f"id:{i + 1}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(event)}\n\n")
        chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o",
                 "choices": [{"index": 0, "delta": {"content": "" if last else f"w{i} "},
                              "finish_reason": "stop" if last else None, "logprobs": None}]}
        oai_events.append(f"data: {json.dumps(chunk)}\n\n")
    oai_events.append("data: [DONE]\n\n")
    response, response_events = _responses(text)
    return {
        "responses": (b"application/json", json.dumps(response).encode()),
        "responses-stream": (b"text/event-stream", "".join(response_events).encode()),
        "native": (b"application/json", json.dumps(native).encode()),
        "native-stream": (b"text/event-stream", "".join(native_events).encode()),
        "openai": (b"application/json", json.dumps(oai).encode()),
        "openai-stream": (b"text/event-stream", "".join(oai_events).encode()),
    }


def _responses(text: str) -> tuple[dict[str, Any], list[str]]:
    """What OpenAI's /responses answers: the response, and its stream of STREAM_CHUNKS text deltas.
    The response carries the fields (g)'s translated answer carries, with the same values (OpenAI's own
    carries these and more): the SDK then builds the same object on both sides of (g)/(h), and the
    ratio measures the translation, not a difference in what the SDK parses."""
    words = [f"w{i} " for i in range(STREAM_CHUNKS - 1)]
    head = {"id": "resp_1", "object": "response", "created_at": 1700000000, "model": "gpt-4o",
            "parallel_tool_calls": True, "tool_choice": "auto", "tools": [], "error": None,
            "incomplete_details": None, "instructions": None, "max_output_tokens": None, "metadata": None,
            "previous_response_id": None, "reasoning": None, "temperature": None, "top_p": None,
            "truncation": None, "user": None, "text": {"format": {"type": "text"}}, "store": True, "usage": None}

    def message(body: str, status: str) -> dict[str, Any]:
        return {"id": "msg_1", "type": "message", "role": "assistant", "status": status,
                "content": [{"type": "output_text", "text": body, "annotations": [], "logprobs": []}]}

    usage = {"input_tokens": 24, "output_tokens": 13, "total_tokens": 37, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens_details": {"reasoning_tokens": 0}}
    response = {**head, "status": "completed", "output": [message(text, "completed")], "usage": usage}
    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    streamed = "".join(words)
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {**head, "status": "in_progress", "output": []}},
        {"type": "response.in_progress", "response": {**head, "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "output_index": 0, "item": {**message("", "in_progress"), "content": []}},
        {"type": "response.content_part.added", **where,
         "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}},
        *({"type": "response.output_text.delta", **where, "delta": w, "logprobs": []} for w in words),
        {"type": "response.output_text.done", **where, "text": streamed, "logprobs": []},
        {"type": "response.content_part.done", **where,
         "part": {"type": "output_text", "text": streamed, "annotations": [], "logprobs": []}},
        {"type": "response.output_item.done", "output_index": 0, "item": message(streamed, "completed")},
        {"type": "response.completed", "response": {**response, "output": [message(streamed, "completed")]}},
    ]
    return response, [f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': n})}\n\n"
                      for n, e in enumerate(events)]


def _serve(port_queue: Any) -> None:
    bodies = _bodies()

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport, self.buffer = transport, b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, _, rest = self.buffer.partition(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(b":") for h in lines[1:])}
                length = int(headers.get(b"content-length", b"0"))
                if len(rest) < length:
                    return
                body, self.buffer = rest[:length], rest[length:]
                path = lines[0].split(b" ")[1]
                stream = headers.get(b"x-dashscope-sse") == b"enable" or b'"stream":true' in body.replace(b" ", b"")
                kind_of = "native" if b"/services/" in path else "responses" if b"/responses" in path else "openai"
                key = kind_of + ("-stream" if stream else "")
                kind, payload = bodies[key]
                self.transport.write(b"HTTP/1.1 200 OK\r\ncontent-type: " + kind + b"\r\ncontent-length: "
                                     + str(len(payload)).encode() + b"\r\n\r\n" + payload)

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Protocol, "127.0.0.1", 0)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


# -- the clients ----------------------------------------------------------------------------------


Pair = tuple[Callable[[], Any], Callable[[], Any]]  # (non-stream call, stream call consumed fully)
NATIVE = {  # provider -> (native root path, chat path under it, the provider model gpt-4o maps to)
    "dashscope": ("/api/v1", "/services/aigc/text-generation/generation", "qwen-plus"),
    "zhipu": ("/api/paas/v4", "/chat/completions", "glm-4.6"),
    "qianfan": ("/v2", "/chat/completions", "ernie-4.5-turbo-128k"),
}
KEYS = {"dashscope": "sk-bench", "zhipu": "0123456789abcdef0123456789abcdef.benchsecret", "qianfan": "bce-v3/bench"}


#: Per provider: extra_body fields a migrated app sends (its own names and, translated, another's).
EXTRAS = {"dashscope": {"enable_search": True, "search_options": {"enable_source": True}, "top_k": 20},
          "zhipu": {"do_sample": False, "enable_thinking": False},
          "qianfan": {"penalty_score": 1.2, "enable_search": False}}
HEADERS = {"X-Trace-Id": "bench-trace-0001", "X-Request-Source": "benchmark"}
OPTIONS = {"dashscope": {"workspace": "ws-bench"}, "qianfan": {"appid": "app-bench"}, "zhipu": {}}


def _sdk(client: Any, **extra: Any) -> Pair:
    return (lambda: client.chat.completions.create(model="gpt-4o", messages=MESSAGES, **extra),
            lambda: list(client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True, **extra)))


def _responses_api(client: Any) -> Pair:
    return (lambda: client.responses.create(model="gpt-4o", input=MESSAGES[0]["content"]).output_text,
            lambda: list(client.responses.create(model="gpt-4o", input=MESSAGES[0]["content"], stream=True)))


def _raw(root: str, provider: str) -> Pair:
    """Plain HTTP in the provider's native format: the floor a hand-written client would pay."""
    from adapters._http import http

    base, path, model = NATIVE[provider]
    url, raw = f"{root}{base}{path}", http.Client()
    headers = {"Authorization": f"Bearer {KEYS[provider]}"}
    if provider == "dashscope":
        body: dict[str, Any] = {"model": model, "input": {"messages": MESSAGES},
                                "parameters": {"result_format": "message"}}
        stream_body, stream_headers = body, {**headers, "X-DashScope-SSE": "enable"}
    else:
        body = {"model": model, "messages": MESSAGES}
        stream_body, stream_headers = {**body, "stream": True}, headers

    def call() -> Any:
        return raw.post(url, json=body, headers=headers).json()

    def stream() -> Any:
        with raw.stream("POST", url, json=stream_body, headers=stream_headers) as r:
            return [json.loads(line[5:]) for line in r.iter_lines()
                    if line.startswith("data:") and "[DONE]" not in line]

    return call, stream


def _official(root: str, provider: str) -> Pair | None:
    """The provider's own SDK, where one can be pointed at a loopback root (Qianfan: (a) is the reference)."""
    base, _path, model = NATIVE[provider]
    try:
        if provider == "dashscope":
            import dashscope

            def ds(stream: bool) -> Any:
                result = dashscope.Generation.call(model=model, messages=MESSAGES, result_format="message",
                                                   api_key=KEYS[provider], base_address=f"{root}{base}",
                                                   stream=stream, incremental_output=stream)
                return list(result) if stream else result

            return (lambda: ds(False), lambda: ds(True))
        if provider == "zhipu":
            from zhipuai import ZhipuAI

            zhipu = ZhipuAI(api_key=KEYS[provider], base_url=f"{root}{base}", max_retries=0)
            return (lambda: zhipu.chat.completions.create(model=model, messages=MESSAGES),
                    lambda: list(zhipu.chat.completions.create(model=model, messages=MESSAGES, stream=True)))
    except ImportError:
        return None
    return None


def clients(root: str, provider: str) -> dict[str, Pair]:
    """The clients compared for one provider, all against the same loopback server."""
    import openai

    from adapters import OpenAI

    base = NATIVE[provider][0]
    adapter = OpenAI(provider=provider, api_key=KEYS[provider], base_url=f"{root}{base}", max_retries=0,
                     unsupported="drop")
    plain = openai.OpenAI(api_key="sk-bench", base_url=f"{root}/v1", max_retries=0)
    out = {"(a) raw httpx": _raw(root, provider), "(b) adapters.OpenAI": _sdk(adapter), "(c) openai SDK": _sdk(plain)}
    official = _official(root, provider)
    if official is not None:
        out[f"(d) {provider} SDK"] = official
    extras = {"extra_body": EXTRAS[provider], "extra_headers": HEADERS}
    with_options = OpenAI(provider=provider, api_key=KEYS[provider], base_url=f"{root}{base}", max_retries=0,
                          unsupported="drop", **OPTIONS[provider])
    out["(e) (b) + extras/headers"] = _sdk(with_options, **extras)
    out["(f) (c) + extras/headers"] = _sdk(plain, **extras)
    out["(g) adapters responses"] = _responses_api(adapter)
    out["(h) openai responses"] = _responses_api(plain)
    return out


def per_request(fn: Callable[[], Any], count: int, rounds: int) -> float:
    """Median over rounds of the mean time per call, in microseconds (after a warm-up)."""
    for _ in range(min(count, 20)):
        fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            fn()
        samples.append((time.perf_counter() - start) / count * 1e6)
    return statistics.median(samples)


#: Calls of one client timed before the other takes its turn, within a round of paired_ratio: ten
#: requests (a few milliseconds), one 500-chunk stream (tens of milliseconds).
SLICE, STREAM_SLICE = 10, 1


def paired_ratio(fn: Callable[[], Any], baseline: Callable[[], Any], count: int, rounds: int,
                 slice_: int = SLICE) -> float:
    """Median over rounds of fn's time / baseline's time. Within a round the two take turns, ``slice_``
    calls at a time, until each made ``count``: a busy machine's slow spells fall on both alike (timed
    as two whole blocks, one block can catch a spell the other misses)."""
    for _ in range(min(count, 20)):
        fn(), baseline()
    ratios = []
    for _ in range(rounds):
        times = [0.0, 0.0]
        for done in range(0, count, slice_):
            for which, call in enumerate((fn, baseline)):
                start = time.perf_counter()
                for _ in range(min(slice_, count - done)):
                    call()
                times[which] += time.perf_counter() - start
        ratios.append(times[0] / times[1])
    return statistics.median(ratios)


IMPORTS = ("pass", "import openai", "import adapters", "from adapters import OpenAI")
#: The adapters' own share timed inside one interpreter, after ``import openai``: a whole process's
#: start varies by about ±100 ms on a shared machine, more than the +30 ms being judged.
INCREMENT = ("import time, openai; start = time.perf_counter(); from adapters import OpenAI; "
             "print((time.perf_counter() - start) * 1000)")


def import_costs(runs: int, cache: str) -> dict[str, list[float]]:
    """Whole-process times (ms) of ``python -c statement`` for each of ``IMPORTS``, taking turns run
    after run (so a slow spell of the machine falls on all alike), after one run each that compiles:
    bytecode is cached under ``cache`` (``PYTHONPYCACHEPREFIX``), so nothing is written beside the
    sources and no run pays for compiling them (``PYTHONDONTWRITEBYTECODE`` in the environment would
    make every run compile the package afresh, which no installed package does)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    times: dict[str, list[float]] = {statement: [] for statement in (*IMPORTS, INCREMENT)}
    for run in range(runs + 1):
        for statement in IMPORTS:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", statement], check=True, env=env)
            if run:
                times[statement].append((time.perf_counter() - start) * 1000)
        timed = subprocess.run([sys.executable, "-c", INCREMENT], check=True, env=env, capture_output=True, text=True)
        if run:
            times[INCREMENT].append(float(timed.stdout))
    return times


#: The ratios with targets: (label, ours, the baseline); TARGETS: (non-stream, stream) per label.
PAIRS = (("(b)/(c)", "(b) adapters.OpenAI", "(c) openai SDK"),
         ("(e)/(f)", "(e) (b) + extras/headers", "(f) (c) + extras/headers"),
         ("(g)/(h)", "(g) adapters responses", "(h) openai responses"))
TARGETS = {"(b)/(c)": (1.10, 1.25), "(e)/(f)": (1.10, 1.25), "(g)/(h)": (1.15, 1.15)}


def _paired(ours: Pair, theirs: Pair, count: int, rounds: int) -> tuple[float, float]:
    """(non-stream, stream) paired ratios of ``ours`` to ``theirs``."""
    return (paired_ratio(ours[0], theirs[0], count, rounds),
            paired_ratio(ours[1], theirs[1], max(count // 10, 10), rounds, STREAM_SLICE))


def _print(provider: str, results: dict[str, tuple[float, float]], paired: dict[str, tuple[float, float]]) -> None:
    base = results["(a) raw httpx"]
    print(f"\n== {provider} ==")
    print(f"{'client':24} {'non-stream µs':>14} {'× (a)':>7} {f'{STREAM_CHUNKS}-chunk stream µs':>22} {'× (a)':>7}")
    for name, (plain, stream) in results.items():
        print(f"{name:24} {plain:14.0f} {plain / base[0]:7.2f} {stream:22.0f} {stream / base[1]:7.2f}")
    for label, (plain, stream) in paired.items():
        plain_target, stream_target = TARGETS[label]
        print(f"{label} paired rounds: non-stream {plain:.3f} ({_verdict(plain, plain_target)}), "
              f"stream {stream:.3f} ({_verdict(stream, stream_target)})")


def _verdict(ratio: float, target: float) -> str:
    """Three decimals and a word: a ratio printed as the target itself may be over it."""
    return f"target <= {target:.2f}: {'met' if ratio <= target else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--import-runs", type=int, default=15)
    parser.add_argument("--providers", nargs="+", default=list(NATIVE), choices=list(NATIVE))
    args = parser.parse_args()

    queue: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(queue,), daemon=True)
    server.start()
    try:
        root = f"http://127.0.0.1:{queue.get(timeout=10)}"
        for provider in args.providers:
            results: dict[str, tuple[float, float]] = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # size or turn-order notices: this run measures time
                made = clients(root, provider)
                for name, (call, stream) in made.items():
                    results[name] = (per_request(call, args.requests, args.rounds),
                                     per_request(stream, max(args.requests // 10, 10), args.rounds))
                paired = {label: _paired(made[ours], made[theirs], args.requests, args.rounds)
                          for label, ours, theirs in PAIRS}
            _print(provider, results, paired)
    finally:
        server.kill()

    runs = args.import_runs
    with tempfile.TemporaryDirectory() as cache:
        times = import_costs(runs, cache)
    bare = statistics.median(times["pass"])
    above = {statement: statistics.median(times[statement]) - bare for statement in IMPORTS[1:]}
    # the adapters' own share: the median of each run's difference (runs taken in turn, so paired)
    own = statistics.median(f - o for f, o in zip(times["from adapters import OpenAI"], times["import openai"], strict=True))
    print(f"\nimport cost above a bare interpreter (median of {runs}, runs taken in turn):")
    for statement, ms in above.items():
        note = f"  ({own:+.0f} ms vs openai, paired)" if statement.startswith("from") else ""
        print(f"  {statement:30} {ms:6.0f} ms{note}")
    print(f"  from adapters import OpenAI after import openai, in one interpreter: "
          f"+{statistics.median(times[INCREMENT]):.0f} ms (median of {runs}; target <= +30)")

if __name__ == "__main__":
    main()
