"""Run code that was never rewritten on a provider: ``install()`` patches the openai package.

    from adapters import shim
    shim.install(provider="zhipu")      # or: migrate run --provider zhipu -- python app.py
    ...                                  # any openai.OpenAI() built now runs on Zhipu
    shim.uninstall()                     # openai is exactly as it was

Installed, it

* gives every ``openai.OpenAI`` / ``openai.AsyncOpenAI`` constructed afterwards (also inside
  LangChain, LlamaIndex, instructor...) the provider transport, which sends through the
  ``http_client=`` the code gives (its proxy, ``verify=``, limits, hooks: ``user_client.py``). A
  key given to them is sent unless it is plainly OpenAI's (``adapters.keys``): then the key given
  to ``install()`` or the provider's variable is used instead, so an OpenAI key never travels;
* serves the module-level client (``openai.chat.completions.create``);
* restores the removed 0.x names (``openai.ChatCompletion``, ``Completion``, ``Embedding``,
  ``Model``, ``openai.error``; ``openai.api_key`` and a per-call ``api_key=`` follow the key rule
  above, the settings ``api_base``/``api_type``/``api_version``/``organization`` are accepted and
  ignored) on top of the adapter (``legacy.py``);
* keeps the OpenAI Agents SDK's traces from being exported to OpenAI (api.openai.com, with the
  OpenAI key): ``OPENAI_AGENTS_DISABLE_TRACING=1`` unless the variable is set already, and
  ``agents.set_tracing_disabled(True)`` if the SDK is imported already (that one stays after
  ``uninstall()``; the variable gets its old value back).

Nothing but ``install()`` (and ``migrate run``, which calls it) activates it. Installing twice is
one installation (the later settings win); both functions are thread-safe.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Mapping
from typing import Any

import openai

from . import legacy
from .capabilities import PolicyName
from .client import configure, keyed_setups, warn_unused_options
from .keys import is_openai_key, is_placeholder_key
from .transport import AsyncProviderTransport, ProviderTransport
from .user_client import provider_http_client

__all__ = ["install", "installed", "uninstall"]

_LOCK = threading.RLock()
_MISSING = object()
_LEGACY_SETTINGS = ("api_base", "api_type", "api_version", "organization", "api_key")


class _State:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.saved: dict[str, Any] = {}  # openai attribute -> previous value (or _MISSING)
        self.inits: dict[type, Any] = {}
        self.error_module: Any = _MISSING
        self.clients: dict[str, Any] = {}  # clients the shim itself made, closed at uninstall
        self.tracing_env = False  # whether install() set OPENAI_AGENTS_DISABLE_TRACING


_state: _State | None = None
#: The key a configuration is checked with when none is given yet (never sent anywhere).
CHECK_KEY = "qianyi-configuration-check"


def installed() -> bool:
    return _state is not None


def install(provider: str | None = None, *, api_key: str | None = None, base_url: str | None = None,
            unsupported: PolicyName = "warn", model_map: Mapping[str, str] | None = None,
            **options: Any) -> None:
    """Make openai clients built from now on (and the 0.x names) run on ``provider``.

    ``provider`` defaults to ``MIGRATE_PROVIDER``; the key and root come from the provider's
    variables unless given here. A configuration error (an unknown provider or region) is raised
    now; a missing key is not: the code may give its clients keys of its own (DESIGN.md, "Keys"),
    and a client built with none fails as openai's own does, naming the variable to set.
    """
    global _state
    settings = dict(provider=provider, api_key=api_key, base_url=base_url, unsupported=unsupported,
                    model_map=model_map, **options)
    configure(**{**settings, "api_key": api_key or CHECK_KEY})  # fail early on everything but the key
    with _LOCK:
        if _state is not None:
            _state.settings = settings
            _reset_module_client(_state)
            return
        state = _State(settings)
        _patch_constructors(state)
        _install_legacy(state)
        _reset_module_client(state)
        _quiet_agents_tracing(state)
        _state = state


def uninstall() -> None:
    """Undo ``install()``: every patched attribute of openai gets its old value back."""
    global _state
    with _LOCK:
        state, _state = _state, None
        if state is None:
            return
        for client in state.clients.values():
            client.close()
        if state.tracing_env:
            os.environ.pop(AGENTS_TRACING_VAR, None)
        for cls, init in state.inits.items():
            cls.__init__ = init  # type: ignore[misc]
        for name, value in state.saved.items():
            if value is _MISSING:
                if hasattr(openai, name):
                    delattr(openai, name)
            else:
                setattr(openai, name, value)
        if state.error_module is _MISSING:
            sys.modules.pop("openai.error", None)
        else:
            sys.modules["openai.error"] = state.error_module


#: The Agents SDK reads it when its trace provider starts (at import).
AGENTS_TRACING_VAR = "OPENAI_AGENTS_DISABLE_TRACING"


def _quiet_agents_tracing(state: _State) -> None:
    """The Agents SDK exports traces to OpenAI: off, unless the user decided (the variable is set)."""
    if AGENTS_TRACING_VAR in os.environ:
        return
    os.environ[AGENTS_TRACING_VAR] = "1"
    state.tracing_env = True
    agents = sys.modules.get("agents")
    disable = getattr(agents, "set_tracing_disabled", None)
    if callable(disable):  # imported already: the variable may have been read
        disable(True)


def _save(state: _State, name: str) -> None:
    if name not in state.saved:
        state.saved[name] = getattr(openai, name, _MISSING)


def _patch_constructors(state: _State) -> None:
    for cls, transport_type, is_async in (
        (openai.OpenAI, ProviderTransport, False),
        (openai.AsyncOpenAI, AsyncProviderTransport, True),
    ):
        original = cls.__init__
        state.inits[cls] = original

        def patched(self: Any, *args: Any, __original: Any = original, __transport: Any = transport_type,
                    __async: bool = is_async, **kwargs: Any) -> None:
            current = _state
            given = kwargs.get("http_client")
            ours = isinstance(getattr(given, "_transport", None), __transport)
            if current is None or ours or kwargs.get("provider") is not None:
                # not installed any more, a copy of a client of ours, or openai's own provider= objects
                __original(self, *args, **kwargs)
                return
            _backend, setup, exchange = configure(**_settings_for(current.settings, kwargs.get("api_key")))
            warn_unused_options(kwargs, exchange.policy)  # (openai keeps them; the transport sends none)
            kwargs["api_key"] = f"qianyi-{exchange.backend.NAME}"
            kwargs["base_url"] = setup.base_url
            keyed = keyed_setups(**{k: v for k, v in current.settings.items()
                                     if k not in ("api_key", "unsupported", "model_map")}, replace_openai_keys=True)
            kwargs["http_client"] = provider_http_client(exchange, setup, given, is_async=__async, keyed=keyed)
            __original(self, *args, **kwargs)

        cls.__init__ = patched  # type: ignore[method-assign]


def _settings_for(settings: Mapping[str, Any], given: Any) -> dict[str, Any]:
    """The shim's settings with the key the code gave ``openai.OpenAI``, unless it is OpenAI's.

    A key the application supplies (a config value, a key typed into a UI) is the user's provider
    key after migration; an OpenAI key (``OPENAI_API_KEY``'s value, OpenAI's key shapes) or a local
    server's placeholder (``"EMPTY"``) is replaced by the key given to ``install()`` or the
    provider's variable (DESIGN.md, "Keys").
    """
    if not isinstance(given, str) or is_placeholder_key(given) or is_openai_key(given, os.environ):
        return dict(settings)  # no key, a local server's placeholder ("EMPTY"), or OpenAI's
    return {**settings, "api_key": given}


def _install_legacy(state: _State) -> None:
    from .client import AsyncOpenAI, OpenAI

    def sync_client(key: str | None) -> openai.OpenAI:
        assert _state is not None, "the qianyi shim was uninstalled"
        return OpenAI(**_settings_for(_state.settings, key))

    def async_client(key: str | None) -> openai.AsyncOpenAI:
        assert _state is not None, "the qianyi shim was uninstalled"
        return AsyncOpenAI(**_settings_for(_state.settings, key))

    def cached_sync(key: str | None) -> openai.OpenAI:
        """One client per key the code supplies (``openai.api_key`` may change between calls)."""
        name = "legacy" if _settings_for({}, key) == {} else f"legacy:{hashlib.sha256(str(key).encode()).hexdigest()}"
        with _LOCK:
            if name not in state.clients:
                state.clients[name] = sync_client(key)
            client: openai.OpenAI = state.clients[name]
            return client

    for name, resource in legacy.resources(cached_sync, async_client).items():
        _save(state, name)
        setattr(openai, name, resource)
    for name in _LEGACY_SETTINGS:
        _save(state, name)
    errors = legacy.error_module()
    _save(state, "error")
    openai.error = errors  # type: ignore[attr-defined]
    state.error_module = sys.modules.get("openai.error", _MISSING)
    sys.modules["openai.error"] = errors


def _reset_module_client(state: _State) -> None:
    """The module-level client (``openai.chat.completions.create``) is ours until uninstall."""
    from .client import OpenAI

    _save(state, "_client")
    for name in [n for n in state.clients if n == "module" or n.startswith("legacy")]:
        state.clients.pop(name).close()
    try:
        state.clients["module"] = openai._client = OpenAI(**state.settings)  # type: ignore[attr-defined]
    except openai.OpenAIError:  # no key yet: openai builds it on first use, through our constructor,
        openai._client = None  # type: ignore[attr-defined]  # with openai.api_key if the code sets one
