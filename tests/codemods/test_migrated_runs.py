"""Migrated code runs: programs rewritten by the codemods, executed against the emulator over HTTP."""

from __future__ import annotations

import runpy
from pathlib import Path

import openai
import pytest

from adapters import registry
from adapters.embeddings import EmbeddingSizeWarning
from adapters.emulator import Emulator
from codemods import rewrite_source
from tests.adapters.scenarios import KEYS

MODERN = '''
import os
from openai import OpenAI, APIStatusError

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], organization="org-1")
MODEL = "gpt-4o"

try:
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "boom"}])
except APIStatusError as exc:
    print("status", exc.status_code)
reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hello"}])
print(reply.choices[0].message.content)
stream = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "a b"}], stream=True)
print("".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices))
vectors = client.embeddings.create(model="text-embedding-3-small", input=["x", "y"])
print(len(vectors.data))
'''

LEGACY = '''
import os
import openai

openai.api_key = os.getenv("OPENAI_API_KEY")

try:
    openai.ChatCompletion.create(model="gpt-4", messages=[{"role": "user", "content": "boom"}])
except openai.error.InvalidRequestError:
    print("invalid request")
resp = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hello"}])
print(resp["choices"][0]["message"]["content"])
for chunk in openai.ChatCompletion.create(engine="gpt-4o", messages=[{"role": "user", "content": "a b"}], stream=True):
    print(chunk["choices"][0]["delta"].get("content") or "", end="")
print()
emb = openai.Embedding.create(model="text-embedding-ada-002", input=["x"])
print(len(emb["data"][0]["embedding"]) > 0)
'''

EMBEDDINGS = '''
import os
from openai import OpenAI

EMBEDDING_MODEL = "text-embedding-3-small"
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
vectors = client.embeddings.create(model=EMBEDDING_MODEL, input=["x", "y"])
print(len(vectors.data[0].embedding))
'''


def _run(code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    script = tmp_path / "app.py"
    script.write_text(code, encoding="utf-8")
    namespace = runpy.run_path(str(script), run_name="__main__")
    for value in namespace.values():  # the program's clients hold sockets to the emulator
        if isinstance(value, openai.OpenAI):
            value.close()
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("style", ["adapter", "compat"])
def test_modern_app_runs_after_rewrite(style: str, emulator: Emulator, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    result = rewrite_source(MODERN, provider="dashscope", style=style)
    assert "OPENAI_API_KEY" not in result.code and "gpt-4o" not in result.code
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-must-not-be-sent")
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-dashscope")
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", emulator.base_url("dashscope"))
    monkeypatch.setenv("DASHSCOPE_COMPAT_BASE_URL", emulator.compat_base_url("dashscope"))
    emulator.add_key("dashscope", "sk-dashscope")
    emulator.fail("dashscope", status=400, times=1)
    out = _run(result.code, tmp_path, capsys)
    assert out == ["status 400", "Echo from qwen-plus: hello", "Echo from qwen-plus: a b", "2"]
    assert all("sk-openai-must-not-be-sent" not in str(r.headers) for r in emulator.requests)


def test_legacy_app_runs_after_rewrite(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    result = rewrite_source(LEGACY, provider="dashscope")
    assert [t.code for t in result.todos] == ["REEMBED"], result.todos  # the stored vectors' note only
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-dashscope")
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", emulator.base_url("dashscope"))
    emulator.add_key("dashscope", "sk-dashscope")
    emulator.fail("dashscope", status=400, times=1)
    out = _run(result.code, tmp_path, capsys)
    assert out == ["invalid request", "Echo from qwen-turbo: hello", "Echo from qwen-plus: a b", "True"]


@pytest.mark.parametrize("provider, style, size", [
    ("dashscope", "adapter", 1536),  # the name stays; the runtime asks for 1536
    ("dashscope", "compat", 1536),   # renamed, with dimensions=1536
    ("zhipu", "adapter", 2048),      # embedding-3 cannot make 1536: the runtime warns
    ("zhipu", "compat", 2048),       # renamed, marked EMBEDDING_SIZE
])
def test_embeddings_keep_their_vector_size_or_say_so(provider: str, style: str, size: int, emulator: Emulator,
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    result = rewrite_source(EMBEDDINGS, provider=provider, style=style)
    backend = registry.get(provider)
    monkeypatch.setenv(backend.KEY_VARS[0], KEYS[provider])
    monkeypatch.setenv(backend.BASE_URL_VAR, emulator.base_url(provider))
    monkeypatch.setenv(backend.COMPAT_BASE_URL_VAR, emulator.compat_base_url(provider))
    emulator.add_key(provider, KEYS[provider])
    if style == "adapter" and size != 1536:
        with pytest.warns(EmbeddingSizeWarning):
            out = _run(result.code, tmp_path, capsys)
    else:
        out = _run(result.code, tmp_path, capsys)
    assert out == [str(size)]
    said = [t.message for t in result.todos if t.code == "EMBEDDING_SIZE"]
    said += [f.detail for f in result.findings if f.kind == "model" and f.detail.startswith("text-embedding-3-small ")]
    if style == "adapter":
        assert '"text-embedding-3-small"' in result.code
        kept = "keeps its 1536 dimensions" if size == 1536 else f"cannot keep its 1536 dimensions (embedding-3 makes {size})"
        assert any(kept in text for text in said), said
    elif size == 1536:
        assert "dimensions=1536" in result.code and not [t for t in result.todos if t.code == "EMBEDDING_SIZE"]
    else:
        assert any(f"changes from 1536 (text-embedding-3-small) to {size}" in text for text in said), said


RAW_HTTP = '''
import os

import httpx

BASE = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")
KEY = os.environ["OPENAI_API_KEY"]

reply = httpx.post(f"{BASE}/chat/completions", headers={"Authorization": f"Bearer {KEY}"}, timeout=30,
                   json={"model": MODEL, "messages": [{"role": "user", "content": "hello"}]})
reply.raise_for_status()
print(reply.json()["choices"][0]["message"]["content"])
'''


@pytest.mark.parametrize("provider", ["dashscope", "qianfan", "zhipu"])
def test_code_that_sends_its_own_http_lands_on_the_compatible_endpoint(
        provider: str, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    result = rewrite_source(RAW_HTTP, provider=provider)
    backend = registry.get(provider)
    assert [t.code for t in result.todos] == ["RAW_HTTP"]
    assert backend.COMPAT_BASE_URL_VAR in result.code and backend.COMPAT_BASE_URL in result.code
    model = {"dashscope": "qwen-flash", "qianfan": "ernie-4.5-turbo-128k", "zhipu": "glm-4-flash"}[provider]
    monkeypatch.setenv(backend.KEY_VARS[0], KEYS[provider])
    monkeypatch.setenv(backend.COMPAT_BASE_URL_VAR, emulator.compat_base_url(provider))
    emulator.add_key(provider, KEYS[provider])
    out = _run(f"MODEL = {model!r}\n" + result.code, tmp_path, capsys)
    assert out == [f"Echo from {model}: hello"]


INSTRUCTOR = '''
import os

import instructor
import openai
from pydantic import BaseModel

openai.api_key = os.getenv("OPENAI_API_KEY")
instructor.patch()


class City(BaseModel):
    name: str
    population: int


city = openai.ChatCompletion.create(model="gpt-4o", response_model=City,
                                    messages=[{"role": "user", "content": "The largest city in Zhejiang?"}])
print(type(city).__name__, isinstance(city.population, int))
plain = openai.ChatCompletion.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
print(plain["choices"][0]["message"]["content"])
'''


def test_an_instructor_0x_app_runs_on_an_instructor_client(emulator: Emulator, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("instructor")
    result = rewrite_source(INSTRUCTOR, provider="dashscope")
    assert "instructor.from_openai, client" in result.code and "instructor.patch()" not in result.code
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-dashscope")
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", emulator.base_url("dashscope"))
    emulator.add_key("dashscope", "sk-dashscope")
    namespace = runpy.run_path(str(_write(tmp_path, result.code)), run_name="__main__")
    namespace["client"].close()
    assert capsys.readouterr().out.splitlines() == ["City True", "Echo from qwen-plus: hi"]
    sent = [r for r in emulator.requests if "tools" in str(r.body)]
    assert sent, "the structured call went out with the response model as a tool"


def _write(tmp_path: Path, code: str) -> Path:
    script = tmp_path / "app.py"
    script.write_text(code, encoding="utf-8")
    return script


@pytest.mark.parametrize("case", ["import_order_combined_legacy", "import_order_combined_openai_first"])
def test_adapters_is_imported_before_its_first_use(case: str, emulator: Emulator, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "rewrite"
    before = (fixtures / f"{case}.before.py").read_text(encoding="utf-8")
    result = rewrite_source(before, provider="dashscope")
    assert result.code == (fixtures / f"{case}.after.py").read_text(encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-must-not-be-sent")
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-dashscope")
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", emulator.base_url("dashscope"))
    emulator.add_key("dashscope", "sk-dashscope")
    out = _run(result.code, tmp_path, capsys)  # a NameError here was the bug
    assert out == [f'"Echo from {"qwen-turbo" if "legacy" in case else "qwen-plus"}: hi"']
