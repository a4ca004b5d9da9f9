"""The model catalogue: OpenAI model names -> each provider's models, and what those can do.

The data lives in ``catalogue.json`` beside this module so the codemods (and anything else) can read
it without importing the openai SDK. This module imports nothing heavier than ``json``.

    >>> map_model("gpt-4o", "dashscope")
    'qwen-plus'
    >>> map_model("qwen-max-latest", "dashscope")   # a provider name passes unchanged
    'qwen-max-latest'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "ModelInfo",
    "is_known",
    "load",
    "map_model",
    "openai_models",
    "provider_model",
    "provider_models",
]

ModelInfo = dict[str, Any]


@cache
def load() -> dict[str, Any]:
    """The parsed catalogue (cached; treat it as read-only)."""
    text = resources.files(__package__).joinpath("catalogue.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def openai_models() -> dict[str, ModelInfo]:
    """OpenAI model name -> {"kind", "dimensions"?, "<provider>": provider model or None}."""
    models: dict[str, ModelInfo] = load()["openai"]
    return models


def provider_models(provider: str) -> dict[str, ModelInfo]:
    """Provider model name -> capabilities; empty for a provider the catalogue does not know."""
    models: dict[str, ModelInfo] = load()["providers"].get(provider, {})
    return models


def provider_model(provider: str, model: str) -> ModelInfo | None:
    """What the catalogue knows of one provider model (or ``None``)."""
    return provider_models(provider).get(model)


def _openai_base(model: str) -> str | None:
    """The catalogue key for an OpenAI name, tolerating dated snapshots (``gpt-4o-2024-05-13``)."""
    models = openai_models()
    if model in models:
        return model
    for name in sorted(models, key=len, reverse=True):
        if model.startswith(name + "-") and model[len(name) + 1 : len(name) + 2].isdigit():
            return name
    return None


def is_known(model: str, provider: str | None = None) -> bool:
    """Whether a name is an OpenAI model we map, or a provider model in the catalogue."""
    if _openai_base(model) is not None:
        return True
    providers = [provider] if provider else list(load()["providers"])
    return any(model in provider_models(p) for p in providers)


def map_model(model: str, provider: str, user_map: Mapping[str, str] | None = None) -> str:
    """The provider model to call for ``model``.

    A user's map wins; then the catalogue's OpenAI entry; a name that is not an OpenAI model
    (a provider's own name, a fine-tune, a deployment) passes unchanged.
    """
    if user_map and model in user_map:
        return user_map[model]
    base = _openai_base(model)
    if base is None:
        return model
    target = openai_models()[base].get(provider)
    return target if isinstance(target, str) else model


def openai_dimensions(model: str) -> int | None:
    """The vector size an OpenAI embedding model produces by default."""
    base = _openai_base(model)
    if base is None:
        return None
    dims = openai_models()[base].get("dimensions")
    return dims if isinstance(dims, int) else None
