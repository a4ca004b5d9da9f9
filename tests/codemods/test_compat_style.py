"""The compat style as its users meet it: a plain openai client on the provider's OpenAI-compatible root.

Which endpoints that root serves is each backend's ``COMPAT_ENDPOINTS``; the emulator's compatible
roots are held to the same table here, so a call the rewrite leaves unmarked answers and a marked one
is what the endpoint refuses. The module's own client (openai's module-level client, 0.x settings) is
built at its first use, so importing a migrated module needs no key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest

from adapters import catalogue
from adapters.emulator import Emulator
from codemods import rewrite_source
from codemods._target import provider_facts
from codemods.unsupported_features import ENDPOINT_TODOS
from tests.adapters.scenarios import KEYS

ROOT = Path(__file__).parents[2]

CALLS: dict[str, Callable[[openai.OpenAI, str], Any]] = {
    "chat.completions": lambda c, p: c.chat.completions.create(
        model=catalogue.map_model("gpt-4o", p), messages=[{"role": "user", "content": "hi"}]),
    "embeddings": lambda c, p: c.embeddings.create(model=catalogue.map_model("text-embedding-3-small", p),
                                                   input=["a"]),
    "completions": lambda c, p: c.completions.create(model=catalogue.map_model("gpt-3.5-turbo-instruct", p),
                                                     prompt="hi"),
    "images.generations": lambda c, p: c.images.generate(model=catalogue.map_model("dall-e-3", p), prompt="kite"),
    # DashScope's Responses endpoint takes a few models only (reference responses.md R1)
    "responses": lambda c, p: c.responses.create(model="qwen3-max", input="hi"),
    "models": lambda c, p: c.models.list(),
}
# Audio is left out: Zhipu's paths exist at the compatible root, but not OpenAI's voices and formats
# (the table says "not served" for what a plain openai client sends; the adapter translates it).


@pytest.mark.parametrize("provider", ["dashscope", "zhipu", "qianfan"])
def test_the_compat_table_is_what_the_compatible_root_serves(provider: str, emulator: Emulator) -> None:
    served = provider_facts(provider).compat_endpoints
    emulator.add_key(provider, KEYS[provider])
    with openai.OpenAI(api_key=KEYS[provider], base_url=emulator.compat_base_url(provider), max_retries=0) as client:
        for endpoint, call in CALLS.items():
            if endpoint in served:
                call(client, provider)  # answers
            else:
                with pytest.raises(openai.NotFoundError):
                    call(client, provider)
                assert endpoint.split(".")[0] in ENDPOINT_TODOS  # and the rewrite marks it (below)


ENDPOINTS_APP = '''from openai import OpenAI

client = OpenAI()
client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi")
client.images.generate(model="dall-e-3", prompt="a red kite")
client.responses.create(model="gpt-4o", input="hi")
client.models.list()
'''


@pytest.mark.parametrize("provider", ["dashscope", "zhipu", "qianfan"])
def test_compat_marks_what_the_compatible_root_does_not_serve(provider: str) -> None:
    compat = rewrite_source(ENDPOINTS_APP, provider=provider, style="compat")
    adapter = rewrite_source(ENDPOINTS_APP, provider=provider)
    served = provider_facts(provider).compat_endpoints
    lacking = {ENDPOINT_TODOS[e][0] for e in ("completions", "images", "responses", "models")
               if not ({e, f"{e}.generations"} & served)}
    assert {t.code for t in compat.todos} == lacking
    assert all(f"not served by {provider}'s OpenAI-compatible endpoint" in t.message for t in compat.todos)
    assert not adapter.todos  # the adapter serves them all


MODULE_APP = '''import openai

openai.max_retries = 1


def ask(question):
    reply = openai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": question}])
    return reply.choices[0].message.content
'''


def test_a_compat_module_client_needs_its_key_at_the_first_request_not_at_import(
        tmp_path: Path, emulator: Emulator) -> None:
    migrated = rewrite_source(MODULE_APP, provider="dashscope", style="compat").code
    assert "@functools.cache\ndef client() -> openai.OpenAI:" in migrated and "client().chat" in migrated
    assert "adapters" not in migrated  # no runtime of ours
    (tmp_path / "app.py").write_text(migrated)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_"))}
    env.update({"DASHSCOPE_COMPAT_BASE_URL": emulator.compat_base_url("dashscope"),
                "OPENAI_API_KEY": "sk-openai-never-sent"})

    def run(code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=60)

    imported = run("import app; print('imported')")
    assert imported.returncode == 0 and "imported" in imported.stdout, imported.stderr
    unset = run("import app; app.ask('hi')")
    assert unset.returncode != 0 and "KeyError: 'DASHSCOPE_API_KEY'" in unset.stderr
    env["DASHSCOPE_API_KEY"] = "sk-compat-key-0007"
    emulator.add_key("dashscope", "sk-compat-key-0007")
    done = run("import app; print(app.ask('hi')); print(app.ask('again'))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Echo from qwen-plus: hi", "Echo from qwen-plus: again"]
    assert {r.bearer for r in emulator.requests} == {"sk-compat-key-0007"}


def test_compat_never_lets_a_plain_client_fall_back_to_openais_key(emulator: Emulator) -> None:
    """``OpenAI(api_key=None)`` reads OPENAI_API_KEY: a rewritten ``os.getenv`` read would send OpenAI's key
    to the provider whenever the provider's variable is unset. The read is a subscript: a KeyError."""
    source = 'import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))\n'
    migrated = rewrite_source(source, provider="dashscope", style="compat").code
    env = {"DASHSCOPE_COMPAT_BASE_URL": emulator.compat_base_url("dashscope"), "OPENAI_API_KEY": "sk-openai-0008",
           "PATH": os.environ.get("PATH", "")}
    done = subprocess.run([sys.executable, "-c", migrated], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "KeyError: 'DASHSCOPE_API_KEY'" in done.stderr
    assert not emulator.requests
