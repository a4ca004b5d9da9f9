"""Layering: the runtime stays light, and its public surface is what ``__all__`` says."""

from __future__ import annotations

import json
import subprocess
import sys

import adapters


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out))


HEAVY = ("libcst", "typer", "rich", "dashscope", "zhipuai", "qianfan")


def test_import_adapters_loads_no_libcst_typer_rich_or_provider_sdk() -> None:
    # httpx imports rich by itself when rich is installed (its optional CLI): only what qianyi adds counts
    baseline = {m for m in _modules_after("import openai") if m.split(".")[0] in HEAVY}
    for statement in ("import adapters", "from adapters import OpenAI, AsyncOpenAI; OpenAI, AsyncOpenAI"):
        loaded = _modules_after(statement)
        assert not [m for m in loaded if m.split(".")[0] in HEAVY and m not in baseline], statement


def test_import_adapters_alone_does_not_even_load_openai() -> None:
    assert "openai" not in _modules_after("import adapters")


def test_a_lazy_client_loads_openai_only_when_used() -> None:
    assert "openai" not in _modules_after('import adapters; adapters.LazyOpenAI(provider="dashscope")')


def test_backends_and_catalogue_load_without_openai() -> None:
    loaded = _modules_after("import adapters.catalogue, adapters.registry; adapters.registry.names()")
    assert "openai" not in loaded and "httpx" not in loaded and "httpx2" not in loaded


def test_exported_members_match_all() -> None:
    exported = {name for name in dir(adapters) if not name.startswith("_")} | set(adapters.__all__)
    for name in adapters.__all__:
        assert getattr(adapters, name) is not None
    assert set(adapters.__all__) == {"AsyncOpenAI", "LazyAsyncOpenAI", "LazyOpenAI", "OpenAI",
                                     "UnsupportedParameterWarning", "lazy", "shim"}
    assert exported >= set(adapters.__all__)
