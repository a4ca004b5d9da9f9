"""The examples: their migrated forms are what the tool produces, and they run on the emulator.

Regenerate after a codemod change with ``python -m tests.examples.regen`` and review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from adapters.emulator import Emulator
from tests.examples.regen import EXAMPLES, PROVIDER, ROOT, migrated_path, regenerate

RUNS = {  # example -> (arguments, a line its output must contain)
    "streaming_chat": (["Hello there"], "Echo from qwen-flash: Hello there"),
    "tool_agent": (["weather in Hangzhou?"], "Tool said: "),
    "async_summariser": ([], "- Echo from qwen-turbo: qianyi moves code between providers."),
    "rag_embeddings": (["Who makes GLM?"], "Echo from qwen-plus: Who makes GLM?"),
    "azure_service": ([], '{"echo": "The delivery was fast and the tea was excellent."}'),
    "mixed_features": ([], "Echo from qwen-flash: Say hello."),
    "legacy_chat": ([], "Answer: Echo from qwen-turbo: How do I reset my password?"),
    "image_generator": (["a red kite"], "Saved image-1.png: PNG, "),
    "legacy_completion": ([], "Completion: Echo from qwen-flash: Write a tagline for a tea shop."),
    "responses_assistant": (["Where is my order 1042?"], 'Assistant: Tool said: {"order_id": "x", "status": "shipped"'),
    "agents_sdk_agent": ([], "Responses agent: Tool said: light rain and 18C in x\n[tool] get_weather\nChat agent: Tool said:"),
    "legacy_stream": (["Dark mode"], "--- assistant, 10 words ---\nEcho from qwen-turbo: Write short release notes for: Dark mode"),
    "keyed_chat": ([], "Echo from qwen-flash: Hello there"),
    "voice_assistant": (["examples/voice_assistant/question.wav", os.devnull],
                        "You said: Heard 0.5 seconds of audio\nAnswer: Echo from qwen-flash: Heard 0.5 seconds"),
}
#: Examples whose user types the key: what they type (the key first). No key variable is set for them,
#: and the typed key is the one the provider receives.
TYPED = {"keyed_chat": "sk-typed-by-the-user-0042\nHello there\n"}

NEEDS_AGENTS_SDK = frozenset({"agents_sdk_agent"})


@pytest.mark.parametrize("name", EXAMPLES)
def test_checked_in_migrations_are_what_the_tool_produces(name: str) -> None:
    expected = regenerate(name, write=False)
    assert migrated_path(name).read_bytes() == expected, (
        f"examples/{name}/migrated is stale: run `python -m tests.examples.regen` and review the diff")


@pytest.mark.parametrize("name", EXAMPLES)
def test_migrated_example_runs_against_the_emulator(name: str, emulator: Emulator) -> None:
    if name in NEEDS_AGENTS_SDK:  # openai-agents lives in the ecosystem venv (it conflicts with zhipuai)
        pytest.importorskip("agents")
    args, expected = RUNS[name]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_", "AZURE_"))}
    env.update({"DASHSCOPE_API_KEY": "sk-example-0001", "DASHSCOPE_HTTP_BASE_URL": emulator.base_url(PROVIDER),
                "OPENAI_API_KEY": "sk-openai-never-sent", "PYTHONPATH": str(ROOT)})
    if name in TYPED:
        del env["DASHSCOPE_API_KEY"]
    done = subprocess.run([sys.executable, str(migrated_path(name)), *args], env=env, capture_output=True,
                          text=True, timeout=60, cwd=ROOT, input=TYPED.get(name, ""))
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    sent = " ".join(str(r.headers) for r in emulator.requests)
    assert "sk-openai-never-sent" not in sent and emulator.requests
    if name in TYPED:
        assert all(TYPED[name].split()[0] in str(r.headers) for r in emulator.requests)


def test_every_example_is_run() -> None:
    assert set(EXAMPLES) == set(RUNS)


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_second_run_over_a_migrated_example_changes_nothing(name: str) -> None:
    import codemods

    migrated = migrated_path(name).read_bytes()
    again = codemods.rewrite_bytes(migrated, provider=PROVIDER, path=f"examples/{name}/migrated/app.py")
    assert not again.changed and (again.data is None or again.data == migrated)


@pytest.mark.parametrize("name", ["legacy_chat", "legacy_stream"])
def test_a_migrated_0x_app_imports_without_a_key_as_it_did(name: str) -> None:
    """openai 0.x read the key when a request was made: the module's lazy client keeps that."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_"))}
    env["PYTHONPATH"] = str(ROOT)
    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('app', {str(migrated_path(name))!r})\n"
            "module = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(module)\n"
            "print(repr(module.client))\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "<lazy OpenAI, not built yet>"
