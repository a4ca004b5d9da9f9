"""A rewritten app thinks where its OpenAI model did, and only there: rewritten, then run against the
emulator over HTTP, the native requests read back (``codemods/_thinking.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters import registry
from adapters.emulator import Emulator
from codemods import rewrite_source
from tests.adapters.scenarios import KEYS
from tests.codemods.test_migrated_runs import _run

#: A streaming chat UI as real code writes it: it prints every delta's content, None included.
APP = '''
import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
SETTINGS_MODEL = os.getenv("APP_CHAT_MODEL", "gpt-4o-mini")


def chat(model, question, **extra):
    stream = client.chat.completions.create(model=model, stream=True, **extra,
                                            messages=[{"role": "user", "content": question}])
    return stream


def show(label, stream):
    contents, reasoning = [], 0
    for chunk in stream:
        if chunk.choices:
            contents.append(chunk.choices[0].delta.content)
            reasoning += bool(getattr(chunk.choices[0].delta, "reasoning_content", None))
    print(label, "".join(str(c) for c in contents[:-1]), "reasoning deltas:", reasoning)


show("fast", client.chat.completions.create(model="gpt-4o", stream=True,
                                            messages=[{"role": "user", "content": "sea wind"}]))
show("deep", client.chat.completions.create(model="o3", stream=True,
                                            messages=[{"role": "user", "content": "prove it"}]))
show("configured", client.chat.completions.create(model=SETTINGS_MODEL, stream=True,
                                                  messages=[{"role": "user", "content": "hello"}]))
'''


def _serve(provider: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = registry.get(provider)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-must-not-be-sent")
    monkeypatch.setenv(backend.KEY_VARS[0], KEYS[provider])
    monkeypatch.setenv(backend.BASE_URL_VAR, emulator.base_url(provider))
    monkeypatch.setenv(backend.COMPAT_BASE_URL_VAR, emulator.compat_base_url(provider))
    monkeypatch.delenv("APP_CHAT_MODEL", raising=False)
    emulator.add_key(provider, KEYS[provider])


def _sent(emulator: Emulator, field: str) -> list[Any]:
    """``field`` of every chat request the emulator got, in order (zhipu's body is OpenAI-like)."""
    return [(r.json or {}).get(field) for r in emulator.requests if r.path.endswith("chat/completions")]


@pytest.mark.parametrize("style", ["adapter", "compat"])
def test_zhipu_app_thinks_only_where_its_openai_model_did(style: str, emulator: Emulator, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    result = rewrite_source(APP, provider="zhipu", style=style)
    assert 'model="glm-4.6"' in result.code and 'model="glm-4.7"' in result.code  # renamed: no OpenAI name left there
    assert result.code.count('extra_body={"thinking": {"type": "disabled"}}') == (1 if style == "adapter" else 2)
    _serve("zhipu", emulator, monkeypatch)
    out = _run(result.code, tmp_path, capsys)
    fast, deep, configured = out
    # gpt-4o and gpt-4o-mini did not think: no None printed, no reasoning; o3 did, and still does
    assert fast.startswith("fast Echo from glm-4.6") and fast.endswith("reasoning deltas: 0") and "None" not in fast
    assert deep.startswith("deep None") and not deep.endswith("reasoning deltas: 0")
    assert configured.startswith("configured Echo from glm-4.5-air") and configured.endswith("reasoning deltas: 0")
    assert _sent(emulator, "model") == ["glm-4.6", "glm-4.7", "glm-4.5-air"]
    assert _sent(emulator, "thinking") == [{"type": "disabled"}, None, {"type": "disabled"}]


def test_the_rewritten_app_behaves_as_the_unrewritten_one_under_the_runtime(
        emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """--keep-models leaves every OpenAI name to the runtime: the same replies, the same native requests."""
    _serve("zhipu", emulator, monkeypatch)
    runtime = _run(rewrite_source(APP, provider="zhipu", keep_models=True).code, tmp_path, capsys)
    by_runtime = [r.json for r in emulator.requests]
    emulator.clear()
    _serve("zhipu", emulator, monkeypatch)
    assert _run(rewrite_source(APP, provider="zhipu").code, tmp_path, capsys) == runtime
    assert [r.json for r in emulator.requests] == by_runtime


def test_a_value_set_at_run_time_still_decides(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """The model read from the environment keeps its OpenAI default (adapter style), so a reasoning model
    configured at run time still thinks and a plain one does not: the runtime sees the name."""
    code = rewrite_source(APP, provider="zhipu").code
    assert 'os.getenv("APP_CHAT_MODEL", "gpt-4o-mini")' in code
    _serve("zhipu", emulator, monkeypatch)
    monkeypatch.setenv("APP_CHAT_MODEL", "o4-mini")
    configured = _run(code, tmp_path, capsys)[2]
    assert not configured.endswith("reasoning deltas: 0")
    assert _sent(emulator, "model")[2] == "glm-4.5-air" and _sent(emulator, "thinking")[2] is None


@pytest.mark.parametrize("style", ["adapter", "compat"])
def test_dashscope_model_mapped_onto_an_open_weight_qwen3(style: str, emulator: Emulator, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Qwen3 open-weight models think by default: a map of gpt-4o onto one gets enable_thinking false."""
    result = rewrite_source(APP, provider="dashscope", style=style, model_map={"gpt-4o": "qwen3-32b"})
    assert 'model="qwen3-32b", stream=True,\n' in result.code and 'extra_body={"enable_thinking": False}' in result.code
    _serve("dashscope", emulator, monkeypatch)
    fast = _run(result.code, tmp_path, capsys)[0]
    assert fast.startswith("fast Echo from qwen3-32b") and fast.endswith("reasoning deltas: 0")
    first = emulator.requests[0].json or {}
    sent = first.get("enable_thinking") if style == "compat" else first["parameters"].get("enable_thinking")
    assert sent is False
