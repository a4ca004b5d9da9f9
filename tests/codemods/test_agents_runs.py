"""Agents SDK apps on the SDK's default client, rewritten, run against the emulator (a subprocess each:
the SDK's default client and tracing switch are process-wide). Runs in the ecosystem venv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters import registry
from adapters.emulator import Emulator
from codemods import rewrite_source
from tests.adapters.scenarios import KEYS

pytest.importorskip("agents")

ROOT = Path(__file__).resolve().parents[2]
APP = '''
from agents import Agent, Runner, function_tool


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


agent = Agent(name="Assistant", instructions="Be brief.", tools=[get_weather], model="gpt-4.1")
print(Runner.run_sync(agent, "Weather in Paris?").final_output)
'''
#: Counts the traces the SDK would export (to OpenAI, by default), before the app runs.
PROLOGUE = '''
import agents
from agents.tracing import TracingProcessor


class Count(TracingProcessor):
    traces = 0

    def on_trace_start(self, trace): Count.traces += 1
    def on_trace_end(self, trace): pass
    def on_span_start(self, span): pass
    def on_span_end(self, span): pass
    def shutdown(self): pass
    def force_flush(self): pass


agents.set_trace_processors([Count()])  # none to OpenAI, whatever the app does
'''
EPILOGUE = '\nprint("traces", Count.traces)\n'


def _run(code: str, provider: str, emulator: Emulator, tmp_path: Path) -> list[str]:
    """Run ``code`` in a fresh interpreter with the provider's variables at the emulator."""
    backend = registry.get(provider)
    script = tmp_path / "app.py"
    script.write_text(PROLOGUE + code + EPILOGUE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENAI_API_KEY": "sk-proj-openai-must-not-be-sent",
           backend.KEY_VARS[0]: KEYS[provider], backend.BASE_URL_VAR: emulator.base_url(provider),
           backend.COMPAT_BASE_URL_VAR: emulator.compat_base_url(provider)}
    env.pop("OPENAI_AGENTS_DISABLE_TRACING", None)
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


@pytest.mark.parametrize("provider, style", [("dashscope", "adapter"), ("qianfan", "adapter"), ("zhipu", "adapter"),
                                             ("dashscope", "compat"), ("zhipu", "compat")])
def test_an_agent_on_the_default_client_runs_its_tool_on_the_provider(provider: str, style: str, emulator: Emulator,
                                                                     tmp_path: Path) -> None:
    emulator.add_key(provider, KEYS[provider])
    result = rewrite_source(APP, provider=provider, style=style)
    client = "adapters.AsyncOpenAI(" if style == "adapter" else "openai.AsyncOpenAI(api_key=os.environ["
    assert f"set_default_openai_client({client}" in result.code
    out = _run(result.code, provider, emulator, tmp_path)
    assert out == ["Tool said: sunny in x", "traces 0"]  # the emulator's tool arguments are {"city": "x"}
    assert len(emulator.requests) == 2  # the tool call, then the answer
    assert all("sk-proj-openai-must-not-be-sent" not in str(r.headers) for r in emulator.requests)


def test_unmigrated_the_agent_would_trace(emulator: Emulator, tmp_path: Path) -> None:
    """The control: the same app with only the default client set traces (so the count can fail)."""
    emulator.add_key("zhipu", KEYS["zhipu"])
    code = APP.replace("print(Runner", "import adapters\nagents.set_default_openai_client(adapters.AsyncOpenAI("
                                       "provider=\"zhipu\"), use_for_tracing=False)\nprint(Runner")
    assert _run(code, "zhipu", emulator, tmp_path) == ["Tool said: sunny in x", "traces 1"]


def test_the_shim_runs_the_unmigrated_agent_without_tracing_to_openai(emulator: Emulator, tmp_path: Path) -> None:
    emulator.add_key("zhipu", KEYS["zhipu"])
    code = "from adapters import shim\nshim.install(provider=\"zhipu\")\n" + APP
    assert _run(code, "zhipu", emulator, tmp_path) == ["Tool said: sunny in x", "traces 0"]
    assert [r.json["model"] for r in emulator.requests] == ["glm-4.7", "glm-4.7"]  # gpt-4.1, mapped at run time
