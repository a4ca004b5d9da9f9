"""What the transforms need to know about a provider, read from its backend module.

``provider_facts("dashscope").key_var == "DASHSCOPE_API_KEY"``; ``provider_for_url(url)`` says
which provider (and region) a URL already points at. Nothing here is hard-coded per provider: a
third-party backend found through ``adapters.registry`` works the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from urllib.parse import urlsplit

from adapters import registry

__all__ = ["Options", "ProviderFacts", "Style", "provider_facts", "provider_for_url",
           "provider_for_var", "thinking_off_of"]

Style = Literal["adapter", "compat"]
_COMPAT_DEFAULT = frozenset({"chat.completions", "embeddings"})


def _thinks_not(model: str) -> None:
    del model


@dataclass(frozen=True)
class Options:
    """The caller's choices for one run."""

    provider: str
    style: Style = "adapter"
    model_map: Mapping[str, str] = field(default_factory=dict)
    keep_models: bool = False


@dataclass(frozen=True)
class ProviderFacts:
    """The constants of one backend that code rewriting needs."""

    name: str
    key_var: str
    key_vars: tuple[str, ...]
    base_url_var: str
    default_base_url: str
    compat_base_url: str
    compat_base_url_var: str
    endpoints: frozenset[str]
    regions: Mapping[str, str]
    hosts: frozenset[str]
    #: what a plain openai client gets at the compatible root (``COMPAT_ENDPOINTS``; a backend that
    #: does not declare it: chat and embeddings only, as nothing else is known to be served there)
    compat_endpoints: frozenset[str] = _COMPAT_DEFAULT
    #: the request fields that keep a provider model that thinks by default from thinking, or ``None``
    #: (the backend's ``thinking_off``; a backend without it: no model thinks by default)
    thinking_off: Callable[[str], Mapping[str, Any] | None] = field(default=_thinks_not, compare=False)

    @property
    def variables(self) -> frozenset[str]:
        return frozenset({*self.key_vars, self.base_url_var, self.compat_base_url_var})

    def endpoints_for(self, style: Style) -> frozenset[str]:
        """The endpoints calls reach in ``style``: the adapter's (it translates), or the compatible root's."""
        return self.compat_endpoints if style == "compat" else self.endpoints


def thinking_off_of(backend: object) -> Callable[[str], Mapping[str, Any] | None]:
    """A backend's ``thinking_off`` (model -> the request fields that keep it from thinking, for a model
    that thinks by default); a backend without one has no such model."""
    found = getattr(backend, "thinking_off", None)
    return found if callable(found) else _thinks_not


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


@cache
def provider_facts(name: str) -> ProviderFacts:
    """Facts for ``name``; raises ``adapters.registry.UnknownProvider`` for an unknown one."""
    backend = registry.get(name)
    regions: Mapping[str, str] = getattr(backend, "REGIONS", {})
    default = str(backend.DEFAULT_BASE_URL)
    compat = str(getattr(backend, "COMPAT_BASE_URL", default))
    urls = [default, compat, *regions.values(), str(getattr(backend, "V1_BASE_URL", default))]
    key_vars = tuple(backend.KEY_VARS)
    return ProviderFacts(
        name=name, key_var=key_vars[0], key_vars=key_vars,
        base_url_var=str(backend.BASE_URL_VAR), default_base_url=default,
        compat_base_url=compat,
        compat_base_url_var=str(getattr(backend, "COMPAT_BASE_URL_VAR", f"{name.upper()}_COMPAT_BASE_URL")),
        endpoints=frozenset(backend.CAPABILITIES.endpoints), regions=dict(regions),
        hosts=frozenset(_host(url) for url in urls if _host(url)),
        compat_endpoints=frozenset(getattr(backend, "COMPAT_ENDPOINTS", _COMPAT_DEFAULT)),
        thinking_off=thinking_off_of(backend),
    )


@cache
def _all_providers() -> tuple[ProviderFacts, ...]:
    names = sorted(set(registry.BUILTIN) | set(registry.names()))
    return tuple(provider_facts(name) for name in names)


def provider_for_url(url: str) -> tuple[str, str | None] | None:
    """``(provider, region or None)`` when ``url`` is on a provider's host, else ``None``."""
    host = _host(url)
    if not host:
        return None
    for facts in _all_providers():
        if host not in facts.hosts:
            continue
        if host == _host(facts.default_base_url) or host == _host(facts.compat_base_url):
            return facts.name, None
        regions = sorted((name for name, root in facts.regions.items() if _host(root) == host), key=len)
        return facts.name, (regions[0] if regions else None)
    return None


def provider_for_var(variable: str) -> str | None:
    """The provider whose key or base-URL variable this is (``ZHIPUAI_API_KEY`` -> zhipu)."""
    for facts in _all_providers():
        if variable in facts.variables:
            return facts.name
    return None
