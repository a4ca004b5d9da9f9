"""The model catalogue: one data file, readable without the openai SDK."""

from __future__ import annotations

import pytest

from adapters import catalogue

PROVIDERS = ("dashscope", "qianfan", "zhipu")
REQUIRED_OPENAI = ("gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "gpt-4", "gpt-3.5-turbo", "o1", "o3-mini",
                   "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002", "dall-e-3")


@pytest.mark.parametrize("name", REQUIRED_OPENAI)
def test_every_openai_model_named_in_the_issue_is_mapped(name: str) -> None:
    entry = catalogue.openai_models()[name]
    for provider in PROVIDERS:
        target = entry.get(provider)
        if target is None:
            assert entry["kind"] in ("image", "transcription", "speech")  # no such API on the provider: null
            continue
        info = catalogue.provider_model(provider, target)
        assert info is not None, f"{name} -> {provider}:{target} is not described in the catalogue"
        assert info["kind"] == entry["kind"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_provider_models_declare_context_and_capabilities(provider: str) -> None:
    for name, info in catalogue.provider_models(provider).items():
        if info["kind"] == "chat":
            assert info["context"] > 0 and {"tools", "vision", "json_mode", "reasoning"} <= set(info), name
        if info["kind"] == "embedding":
            assert info["dimensions"] and info["default_dimension"] in info["dimensions"], name


def test_mapping_rules() -> None:
    assert catalogue.map_model("gpt-4o", "dashscope") == "qwen-plus"
    assert catalogue.map_model("gpt-4o-2024-05-13", "zhipu") == catalogue.map_model("gpt-4o", "zhipu")
    assert catalogue.map_model("qwen-max-latest", "dashscope") == "qwen-max-latest"
    assert catalogue.map_model("gpt-4o", "dashscope", {"gpt-4o": "qwen3-max"}) == "qwen3-max"
    assert catalogue.is_known("glm-4.6") and catalogue.is_known("gpt-4o") and not catalogue.is_known("gpt-77")
    assert catalogue.openai_dimensions("text-embedding-3-large") == 3072
