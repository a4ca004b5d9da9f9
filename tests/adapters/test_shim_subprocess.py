"""Unmodified programs run on DashScope under the shim, each in a process of its own.

``examples/legacy_chat/app.py`` is openai 0.x code as written in 2023 and
``examples/streaming_chat/app.py`` openai 1.x code; neither is edited. A launcher installs the shim
and runs the file as ``__main__`` (what ``migrate run --provider dashscope -- python app.py`` does),
with DASHSCOPE_API_KEY and DASHSCOPE_HTTP_BASE_URL pointing at the emulator and a fake
OPENAI_API_KEY that must never reach it.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters import OpenAI, catalogue
from adapters.emulator import Emulator, RecordedRequest

ROOT = Path(__file__).resolve().parents[2]
LEGACY = ROOT / "examples" / "legacy_chat" / "app.py"
MODERN = ROOT / "examples" / "streaming_chat" / "app.py"
KEY = "sk-dashscope-subprocess-0001"
OPENAI_KEY = "sk-openai-subprocess-never-sent-0000"
LAUNCHER = ("import runpy, sys\n"
            "from adapters import shim\n"
            "shim.install(provider='dashscope')\n"
            "sys.argv = sys.argv[1:]\n"
            "runpy.run_path(sys.argv[0], run_name='__main__')\n")


def run(script: Path, *args: str, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_", "MIGRATE_"))}
    env.update({"DASHSCOPE_API_KEY": KEY, "DASHSCOPE_HTTP_BASE_URL": emulator.base_url("dashscope"),
                "OPENAI_API_KEY": OPENAI_KEY, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    return subprocess.run([sys.executable, "-c", LAUNCHER, str(script), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def assert_only_the_provider_key_travelled(emulator: Emulator) -> None:
    assert emulator.requests
    for request in emulator.requests:
        assert request.bearer == KEY
        assert OPENAI_KEY not in str(request.headers) + str(request.query) + request.body.decode()


def chats(emulator: Emulator) -> list[RecordedRequest]:
    return [r for r in emulator.requests if r.endpoint == "chat"]


def test_the_examples_are_unmodified_openai_programs() -> None:
    legacy, modern = LEGACY.read_text(encoding="utf-8"), MODERN.read_text(encoding="utf-8")
    assert "adapters" not in legacy and "openai.ChatCompletion.create" in legacy and "openai.error" in legacy
    assert "adapters" not in modern and "from openai import OpenAI" in modern and "OPENAI_API_KEY" in modern


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_legacy_app_runs_unmodified_under_the_shim(emulator: Emulator) -> None:
    done = run(LEGACY, emulator=emulator)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "Traceback" not in done.stderr
    model = catalogue.map_model("gpt-3.5-turbo", "dashscope")
    question = "How do I reset my password?"
    match, answer, ticket = done.stdout.splitlines()
    assert answer == f"Answer: Echo from {model}: {question}"
    assert ticket == f"Ticket: Echo from {model}: Write a five-word ticket title for: {question}"
    assert_only_the_provider_key_travelled(emulator)

    # openai.Embedding.create: one batch, ada-002's 1536 dimensions kept; the FAQ match printed is the
    # entry the same vectors rank first when fetched through the adapter.
    [embedded] = [r for r in emulator.requests if r.endpoint == "embeddings"]
    texts = embedded.json["input"]["texts"]
    assert texts[-1] == question and embedded.json["parameters"]["dimension"] == 1536
    with OpenAI(provider="dashscope", api_key=KEY, base_url=emulator.base_url("dashscope")) as client:
        vectors = [d.embedding for d in client.embeddings.create(model="text-embedding-ada-002", input=texts).data]
    scores = [cosine(vectors[-1], v) for v in vectors[:-1]]
    best = max(range(len(scores)), key=scores.__getitem__)
    assert match == f"FAQ match ({scores[best]:.2f}): {texts[best]}"

    # ChatCompletion.create(stream=True) streamed natively; engine= named the model of the second call.
    streamed, plain = chats(emulator)
    assert streamed.headers["x-dashscope-sse"] == "enable" and streamed.json["model"] == model
    assert streamed.json["input"]["messages"][0]["content"].endswith(texts[best])
    assert plain.json["model"] == model and plain.json["parameters"]["max_tokens"] == 30
    assert "x-dashscope-sse" not in plain.headers


def test_legacy_app_arguments_reach_the_provider(emulator: Emulator) -> None:
    done = run(LEGACY, "When are refunds paid?", "--model", "gpt-4", emulator=emulator)
    assert done.returncode == 0, done.stderr
    model = catalogue.map_model("gpt-4", "dashscope")
    assert f"Answer: Echo from {model}: When are refunds paid?" in done.stdout.splitlines()
    assert {r.json["model"] for r in chats(emulator)} == {model}


def test_legacy_rate_limit_handler_catches_the_providers_throttling(emulator: Emulator) -> None:
    # The SDK's own two retries fail too, so the app's `except openai.error.RateLimitError` runs.
    emulator.fail("dashscope", status=429, code="Throttling.RateQuota", times=3, retry_after=0, endpoint="chat")
    done = run(LEGACY, emulator=emulator)
    assert done.returncode == 0, done.stderr
    assert "Rate limited, retrying in 1s..." in done.stderr
    assert "Answer: Echo from qwen-turbo: How do I reset my password?" in done.stdout.splitlines()
    assert len(chats(emulator)) == 3 + 1 + 1  # three refused stream attempts, the stream, the title


def test_legacy_api_error_handler_catches_the_providers_server_error(emulator: Emulator) -> None:
    emulator.fail("dashscope", status=500, code="InternalError", times=3, retry_after=0, endpoint="chat")
    done = run(LEGACY, emulator=emulator)
    assert done.returncode == 1
    assert "OpenAI API error:" in done.stderr and "InternalError" in done.stderr
    assert KEY not in done.stderr + done.stdout and OPENAI_KEY not in done.stderr + done.stdout
    assert done.stdout.splitlines()[-1].endswith("Sorry, the assistant is unavailable right now.")
    assert "Ticket:" not in done.stdout


@pytest.mark.parametrize("questions", [["Hello there"], ["Hello there", "And again"]], ids=["one", "two"])
def test_modern_streaming_app_runs_unmodified_under_the_shim(questions: list[str], emulator: Emulator) -> None:
    done = run(MODERN, *questions, emulator=emulator)
    assert done.returncode == 0, done.stderr
    model = catalogue.map_model("gpt-4o-mini", "dashscope")
    assert done.stdout.splitlines() == [f"Echo from {model}: {q}" for q in questions]
    assert done.stderr.count(" tokens]") == len(questions)  # stream_options.include_usage honoured
    assert_only_the_provider_key_travelled(emulator)
    sent = chats(emulator)
    assert len(sent) == len(questions) and all(r.headers["x-dashscope-sse"] == "enable" for r in sent)
    if len(questions) == 2:  # the history the app keeps went along, answer included
        roles = [m["role"] for m in sent[1].json["input"]["messages"]]
        assert roles == ["system", "user", "assistant", "user"]
