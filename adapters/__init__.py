"""qianyi's runtime: genuine openai clients whose transport speaks a Chinese provider's native API.

    from adapters import OpenAI
    client = OpenAI(provider="dashscope")          # a real openai.OpenAI
    client.chat.completions.create(model="gpt-4o", messages=[...])

Importing this package is cheap: the openai SDK loads when a client is first built, and libcst,
typer, rich and the provider SDKs never load here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["AsyncOpenAI", "LazyAsyncOpenAI", "LazyOpenAI", "OpenAI", "UnsupportedParameterWarning", "lazy", "shim"]

if TYPE_CHECKING:
    from . import shim
    from .capabilities import UnsupportedParameterWarning
    from .client import AsyncOpenAI, OpenAI
    from .lazy_client import LazyAsyncOpenAI, LazyOpenAI, lazy


def __getattr__(name: str) -> Any:
    if name in ("OpenAI", "AsyncOpenAI"):
        from . import client

        return getattr(client, name)
    if name in ("LazyOpenAI", "LazyAsyncOpenAI", "lazy"):
        from . import lazy_client

        return getattr(lazy_client, name)
    if name == "UnsupportedParameterWarning":
        from .capabilities import UnsupportedParameterWarning

        return UnsupportedParameterWarning
    if name == "shim":
        from importlib import import_module

        return import_module(".shim", __name__)
    raise AttributeError(f"module 'adapters' has no attribute {name!r}")
