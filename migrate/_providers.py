"""What ``migrate providers`` and ``migrate models`` list: installed backends and catalogue rows."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

__all__ = ["ModelRow", "ProviderRow", "models", "providers"]


@dataclass(frozen=True)
class ProviderRow:
    name: str
    base_url: str
    base_url_var: str
    key_vars: tuple[str, ...]
    compat_base_url: str
    endpoints: tuple[str, ...]


@dataclass(frozen=True)
class ModelRow:
    """A provider model from the catalogue and the OpenAI names that map to it."""

    name: str
    kind: str
    context: int | None
    max_output: int | None
    features: tuple[str, ...]
    openai_names: tuple[str, ...]


def providers() -> list[ProviderRow]:
    """Every installed backend, by name."""
    from adapters import registry

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", registry.BackendLoadWarning)
        for name in registry.names():
            backend = registry.get(name)
            caps = getattr(backend, "CAPABILITIES", None)
            endpoints = sorted(getattr(caps, "endpoints", ()) or ())
            rows.append(ProviderRow(name, str(backend.DEFAULT_BASE_URL), str(backend.BASE_URL_VAR),
                                    tuple(backend.KEY_VARS), str(getattr(backend, "COMPAT_BASE_URL", "")),
                                    tuple(endpoints)))
    return rows


_FEATURES = ("tools", "vision", "json_mode", "reasoning", "stream_only")


def models(provider: str) -> list[ModelRow]:
    """The catalogue's models for ``provider`` (empty if the catalogue does not know it)."""
    from adapters import catalogue

    mapped: dict[str, list[str]] = {}
    for openai_name, info in catalogue.openai_models().items():
        target = info.get(provider)
        if isinstance(target, str):
            mapped.setdefault(target, []).append(openai_name)
    rows = []
    for name, info in catalogue.provider_models(provider).items():
        context, max_output = info.get("context"), info.get("max_output")
        rows.append(ModelRow(name, str(info.get("kind", "")),
                             context if isinstance(context, int) else None,
                             max_output if isinstance(max_output, int) else None,
                             tuple(f for f in _FEATURES if info.get(f) is True),
                             tuple(mapped.get(name, ()))))
    return rows
