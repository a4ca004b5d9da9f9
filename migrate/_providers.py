"""What ``migrate providers`` and ``migrate models`` list: installed backends and catalogue rows."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

__all__ = ["EXAMPLE_NAMES", "ModelRow", "NameRow", "ProviderRow", "models", "providers", "resolve_names"]

#: Names as real code writes them, shown by ``migrate models`` when it is given none.
EXAMPLE_NAMES = ("gpt-4o-2024-08-06", "openai/gpt-4o-mini", "chatgpt-4o-latest", "gpt-4-1106-preview", "gpt-35-turbo-16k",
                 "gpt-4.5-preview", "gpt-5.2", "gpt-5-chat-latest", "gpt-5.1-pro", "o1-preview", "o3-mini-2025-01-31",
                 "gpt-3.5-turbo-instruct", "text-davinci-003", "text-embedding-3-small", "dall-e-3", "gpt-image-1",
                 "whisper-1", "tts-1-hd", "ft:gpt-4o-mini:acme::x1", "gpt-7-preview")


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


@dataclass(frozen=True)
class NameRow:
    """What a model name becomes on a provider: the rules' steps, the model called (``""``: refused),
    the model a request with images goes to instead (``""``: the same), and how."""

    name: str
    steps: tuple[str, ...]
    model: str
    with_images: str
    how: str


def resolve_names(provider: str, names: list[str] | tuple[str, ...],
                  model_map: dict[str, str] | None = None) -> list[NameRow]:
    """Each name resolved for ``provider`` as the runtime, the rewrite and the scan resolve it."""
    from adapters import catalogue

    rows = []
    for name in names:
        chain = catalogue.rule_chain(name) if catalogue.canonical(name) else ()
        steps = chain if chain[:1] == (name,) or not chain else (name, *chain)
        try:
            model = catalogue.resolve(name, provider, model_map)
        except catalogue.UnknownModel:
            rows.append(NameRow(name, steps, "", "", f"refused before any call: no {provider} counterpart "
                                                     f"(name one, or map it: model_map= / --model-map)"))
            continue
        seeing = catalogue.resolve(name, provider, model_map, vision=True)
        if model_map and name in model_map:
            how = "your model map"
        elif catalogue.provider_model(provider, name):
            how = f"a {provider} model"
        elif steps:
            how = "the family rules" if len(steps) > 1 else "the catalogue"
        else:
            how = "sent unchanged (not an OpenAI name: a fine-tune, a deployment or another model)"
        rows.append(NameRow(name, steps, model, seeing if seeing != model else "", how))
    return rows


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
