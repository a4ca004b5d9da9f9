"""The model catalogue: OpenAI model names -> each provider's models, and what those can do.

The data lives in ``catalogue.json`` beside this module so the codemods (and anything else) can read
it without importing the openai SDK. This module imports nothing heavier than ``json`` and ``re``.

OpenAI names resolve by family rules onto the catalogue's entries, the way real code writes them:

- vendor prefixes (``openai/gpt-4o`` as GitHub Models, OpenRouter and LiteLLM write it, ``azure/``),
  any case, and Azure's ``gpt-35-turbo``;
- dated snapshots (``-2024-08-06``, ``-0613``), ``-preview``, ``-latest``, ``-16k``/``-32k``;
- ``chatgpt-X`` as ``gpt-X``; the gpt-5 point releases (``gpt-5.2-pro`` as ``gpt-5-pro``); the
  ``-search``/``-audio`` variants of a chat model as that model;
- the o-series by tier (``o1-preview`` as ``o1``; an o-model the catalogue lacks as ``o3``, its
  ``-mini`` as ``o4-mini``, its ``-pro`` as ``o3-pro``);
- legacy completion models (``text-davinci-003``, ``curie``...) as ``davinci-002``, and the
  ``gpt-image-*`` releases as ``gpt-image-1``.

    >>> map_model("gpt-4o", "dashscope")
    'qwen-plus'
    >>> map_model("openai/gpt-4o-2024-08-06", "dashscope")
    'qwen-plus'
    >>> map_model("qwen-max-latest", "dashscope")   # a provider name passes unchanged
    'qwen-max-latest'

A name that looks like OpenAI's but resolves to nothing (``resolve`` raises ``UnknownModel``) is
refused by the runtime before any call; provider names, fine-tunes (``ft:...``) and deployment
names pass unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "OPENAI_PREFIXES",
    "ModelInfo",
    "UnknownModel",
    "canonical",
    "is_known",
    "load",
    "looks_openai",
    "map_model",
    "openai_dimensions",
    "openai_models",
    "openai_reasons",
    "provider_model",
    "provider_models",
    "resolve",
    "rule_chain",
    "vision_counterpart",
]

ModelInfo = dict[str, Any]


class UnknownModel(ValueError):
    """An OpenAI model name with no counterpart on the provider (the message says what to do)."""


@cache
def load() -> dict[str, Any]:
    """The parsed catalogue (cached; treat it as read-only)."""
    text = resources.files(__package__).joinpath("catalogue.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def openai_models() -> dict[str, ModelInfo]:
    """OpenAI model name -> {"kind", "dimensions"?, "reasoning"?, "<provider>": provider model or None}."""
    models: dict[str, ModelInfo] = load()["openai"]
    return models


def provider_models(provider: str) -> dict[str, ModelInfo]:
    """Provider model name -> capabilities; empty for a provider the catalogue does not know."""
    models: dict[str, ModelInfo] = load()["providers"].get(provider, {})
    return models


def provider_model(provider: str, model: str) -> ModelInfo | None:
    """What the catalogue knows of one provider model (or ``None``)."""
    return provider_models(provider).get(model)


# -- family rules ---------------------------------------------------------------------------------

#: How every name the rules can resolve starts (lower case, vendor prefixes included): a string
#: that starts with none of these is no OpenAI model name (the codemods' prefilters rely on it).
OPENAI_PREFIXES = ("gpt-", "chatgpt-", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "text-davinci",
                   "text-curie", "text-babbage", "text-ada", "text-embedding-3", "text-embedding-ada", "code-davinci",
                   "davinci", "curie", "babbage", "ada", "dall-e", "whisper", "tts-", "openai/", "azure/",
                   "openrouter/openai/")
_VENDOR = r"^(?:openrouter/openai|openai|azure)/"
#: One rewriting step each, tried in order until a name is in the catalogue.
_RULES: tuple[tuple[str, str], ...] = (
    (r"^gpt-35-", "gpt-3.5-"),                                        # Azure's spelling
    (r"-(?:\d{4}-\d{2}-\d{2}|\d{4})$", ""),                           # dated snapshot: -2024-08-06, -0613
    (r"-(?:preview|latest)$", ""),
    (r"-(?:16k|32k)$", ""),
    (r"^chatgpt-", "gpt-"),                                           # chatgpt-4o-latest
    (r"^gpt-5\.\d+", "gpt-5"),                                        # point releases: gpt-5.2-pro
    (r"^(gpt-5-(?:mini|nano|pro|chat|codex))-.+$", r"\1"),            # gpt-5-codex-max
    # another named gpt-5 variant (gpt-5.6-luna, the Agents SDK's default): the flagship's counterpart;
    # realtime, speech and image variants are other endpoints' models and stay unresolved
    (r"^gpt-5-(?!realtime|transcribe|tts|image|audio|search)[a-z]+$", "gpt-5"),
    (r"-(?:search|audio|deep-research)$", ""),                        # gpt-4o-search-preview
    (r"^(?:text-|code-)?(?:davinci|curie|babbage|ada)(?:-\d+)?$", "davinci-002"),
    (r"^gpt-image-.+$", "gpt-image-1"),
    (r"^o\d+-mini$", "o4-mini"),
    (r"^o\d+-pro$", "o3-pro"),
    (r"^o\d+$", "o3"),
)
#: Names that look like OpenAI's: refused when the rules resolve them to nothing. ``gpt-oss-*`` are
#: open-weight models other hosts serve under that name, so they pass like a provider's own.
_OPENAI_LOOKING = (
    r"^(?!gpt-oss)(?:gpt-|chatgpt-|o\d+(?:-|$)|text-(?:davinci|curie|babbage|ada|embedding-(?:3|ada)|moderation)"
    r"|code-davinci|(?:davinci|curie|babbage|ada)(?:-\d+)?$|dall-e|whisper|tts-|omni-moderation|computer-use"
    r"|codex-)")


@cache
def _compiled() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...], re.Pattern[str]]:
    """``_VENDOR``, ``_RULES`` and ``_OPENAI_LOOKING`` compiled, on first use (not at import: compiling
    them is a visible share of ``import adapters``)."""
    return re.compile(_VENDOR), tuple((re.compile(p), r) for p, r in _RULES), re.compile(_OPENAI_LOOKING)


@lru_cache(maxsize=1024)
def rule_chain(model: str) -> tuple[str, ...]:
    """The names the rules pass ``model`` through, ending at a catalogue entry when one is reached."""
    models = openai_models()
    vendor, rules, _ = _compiled()
    name = vendor.sub("", model.strip().lower())
    chain = [name]
    while name not in models:
        for pattern, replacement in rules:
            changed = pattern.sub(replacement, name, count=1)
            if changed != name:
                break
        else:
            break
        name = changed
        chain.append(name)
    return tuple(chain)


def canonical(model: str) -> str | None:
    """The catalogue's OpenAI entry ``model`` resolves to by the family rules, or ``None``."""
    if not model or model.startswith("ft:"):
        return None
    last = rule_chain(model)[-1]
    return last if last in openai_models() else None


def looks_openai(model: str) -> bool:
    """Whether ``model`` is written like an OpenAI model name (resolvable or not): ``openai/anything``
    is; ``azure/<deployment>`` only when the deployment is named like an OpenAI model."""
    name = model.strip().lower()
    vendor, _, openai_looking = _compiled()
    return name.startswith(("openai/", "openrouter/openai/")) or openai_looking.match(vendor.sub("", name)) is not None


# -- resolution -----------------------------------------------------------------------------------


def vision_counterpart(provider: str, model: str) -> str:
    """The provider model to call when a request to ``model`` carries images (itself if it sees)."""
    info = provider_model(provider, model) or {}
    counterpart = info.get("vision_counterpart")
    return counterpart if isinstance(counterpart, str) and not info.get("vision") else model


def _way_out(model: str, provider: str) -> str:
    return (f"name a {provider} model, or map it: model_map={{{model!r}: '<{provider} model>'}} on the client "
            f"(migrate rewrite --model-map FILE for the rewrite)")


def resolve(model: str, provider: str, user_map: Mapping[str, str] | None = None, *, vision: bool = False) -> str:
    """The provider model to call for ``model``; ``vision``: the request carries images.

    A user's map wins; a provider's own name, a fine-tune (``ft:...``) or a name that does not look
    like OpenAI's (a deployment) passes unchanged; an OpenAI name goes through the family rules to
    its catalogue entry's counterpart (the provider's vision counterpart when ``vision`` and the
    counterpart is text-only). Raises ``UnknownModel`` for an OpenAI-looking name with none.
    """
    if user_map and model in user_map:
        return user_map[model]
    if model in provider_models(provider) or model.startswith("ft:"):
        return model
    base = canonical(model)
    if base is None:
        if looks_openai(model):
            raise UnknownModel(f"The model {model!r} looks like an OpenAI model, and qianyi knows no {provider} "
                               f"counterpart for it; {_way_out(model, provider)}.")
        return model
    target = openai_models()[base].get(provider)
    if not isinstance(target, str):
        seen_as = f" ({base})" if base != model else ""
        raise UnknownModel(f"The model {model!r}{seen_as} has no {provider} counterpart in qianyi's catalogue; "
                           f"{_way_out(model, provider)}.")
    return vision_counterpart(provider, target) if vision else target


def map_model(model: str, provider: str, user_map: Mapping[str, str] | None = None) -> str:
    """The provider model to call for ``model`` (``resolve`` without images; an unresolved OpenAI name
    comes back unchanged)."""
    try:
        return resolve(model, provider, user_map)
    except UnknownModel:
        return model


def is_known(model: str, provider: str | None = None) -> bool:
    """Whether a name is an OpenAI model the rules resolve, or a provider model in the catalogue."""
    if canonical(model) is not None:
        return True
    providers = [provider] if provider else list(load()["providers"])
    return any(model in provider_models(p) for p in providers)


def openai_dimensions(model: str) -> int | None:
    """The vector size an OpenAI embedding model produces by default."""
    base = canonical(model)
    if base is None:
        return None
    dims = openai_models()[base].get("dimensions")
    return dims if isinstance(dims, int) else None


def openai_reasons(model: str) -> bool | None:
    """Whether the OpenAI chat model ``model`` names reasons (o-series, gpt-5...); ``None`` when it is
    not an OpenAI name the rules resolve (a provider's own name, a deployment)."""
    base = canonical(model)
    return None if base is None else bool(openai_models()[base].get("reasoning"))
