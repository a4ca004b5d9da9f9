"""Backends, found through the ``qianyi.backends`` entry-point group (ours go through it too).

A backend is a module (see ``Backend``); a third party adds a provider by publishing a package
with an entry point in the group, without touching this repository:

    [project.entry-points."qianyi.backends"]
    moonshot = "qianyi_moonshot.backend"
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any, Protocol, cast

from .auth import Setup
from .capabilities import Capabilities
from .native import Context, FileReply, Plan, SSEEvent, StreamState

__all__ = ["GROUP", "Backend", "UnknownProvider", "discover", "get", "names", "resolve_name"]

GROUP = "qianyi.backends"
BUILTIN = {name: f"adapters.backends.{name}" for name in ("dashscope", "qianfan", "zhipu")}
REQUIRED = ("NAME", "DEFAULT_BASE_URL", "KEY_VARS", "BASE_URL_VAR", "CAPABILITIES", "setup",
            "to_native", "from_native", "from_native_event", "error_of")


class Backend(Protocol):
    """The shape of a backend module (attributes and pure functions)."""

    NAME: str
    DEFAULT_BASE_URL: str
    KEY_VARS: tuple[str, ...]
    BASE_URL_VAR: str
    COMPAT_BASE_URL: str
    COMPAT_BASE_URL_VAR: str
    CAPABILITIES: Capabilities

    def setup(self, api_key: str | None, base_url: str | None, env: Mapping[str, str],
              options: Mapping[str, Any]) -> Setup: ...

    def to_native(self, endpoint: str, body: Mapping[str, Any], ctx: Context) -> Plan: ...

    def from_native(self, endpoint: str, replies: list[Any], ctx: Context) -> dict[str, Any] | FileReply: ...

    def from_native_event(self, event: SSEEvent, state: StreamState) -> list[dict[str, Any]]: ...

    def error_of(self, status: int, payload: Any, headers: Mapping[str, str]) -> Any: ...


class UnknownProvider(ValueError):
    """A provider name no installed backend answers to."""


class BackendLoadWarning(UserWarning):
    """An installed backend failed to load; the others still work."""


def _load(ep: EntryPoint) -> Backend | None:
    try:
        module: ModuleType = ep.load()
    except Exception as exc:  # a broken plugin must not take the built-ins down
        warnings.warn(f"qianyi backend {ep.name!r} ({ep.value}) failed to load: {exc}", BackendLoadWarning,
                      stacklevel=3)
        return None
    missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
    if missing:
        warnings.warn(f"qianyi backend {ep.name!r} ({ep.value}) lacks {', '.join(missing)}; ignored.",
                      BackendLoadWarning, stacklevel=3)
        return None
    return cast(Backend, module)


def discover(found: Iterable[EntryPoint] | None = None) -> dict[str, Backend]:
    """Load every installed backend; one that fails to load is reported, not fatal."""
    eps = list(entry_points(group=GROUP) if found is None else found)
    if found is None:  # running from a source tree that was never installed: the built-ins still work
        present = {ep.name for ep in eps}
        eps += [EntryPoint(name, value, GROUP) for name, value in BUILTIN.items() if name not in present]
    loaded = ((ep.name, _load(ep)) for ep in eps)
    return {name: backend for name, backend in loaded if backend is not None}


@cache
def _installed() -> dict[str, Backend]:
    return discover()


def names() -> list[str]:
    """Installed provider names, sorted."""
    return sorted(_installed())


def get(name: str) -> Backend:
    """The backend for ``name``; an unknown name lists what is installed and how to add one."""
    if name in BUILTIN and name not in _installed():
        return cast(Backend, import_module(BUILTIN[name]))
    try:
        return _installed()[name]
    except KeyError:
        raise UnknownProvider(
            f"Unknown provider {name!r}. Installed: {', '.join(names())}. A new provider is a package "
            f"with an entry point in the {GROUP!r} group."
        ) from None


def resolve_name(provider: str | None, env: Mapping[str, str] | None = None) -> str:
    """``provider=`` if given, else ``MIGRATE_PROVIDER``; the error says how to pick one."""
    env = os.environ if env is None else env
    name = provider or env.get("MIGRATE_PROVIDER")
    if not name:
        raise UnknownProvider(
            f"No provider chosen: pass provider= ({', '.join(names())}) or set MIGRATE_PROVIDER."
        )
    return name.strip().lower()
