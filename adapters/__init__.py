"""qianyi's runtime: genuine openai clients whose transport speaks a Chinese provider's native API.

    from adapters import OpenAI
    client = OpenAI(provider="dashscope")          # a real openai.OpenAI
    client.chat.completions.create(model="gpt-4o", messages=[...])

Importing this package is cheap: the openai SDK loads when a client is first built, and libcst,
typer, rich and the provider SDKs never load here. One check runs at import (two ``stat`` calls):
whether another distribution's files share this folder (AdapterHub's ``adapters`` uses the same
import name, and pip overwrites one with the other); it warns if so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["AsyncOpenAI", "LazyAsyncOpenAI", "LazyOpenAI", "OpenAI", "UnsupportedParameterWarning", "lazy", "shim"]

if TYPE_CHECKING:
    from . import shim
    from .capabilities import UnsupportedParameterWarning
    from .client import AsyncOpenAI, OpenAI
    from .lazy_client import LazyAsyncOpenAI, LazyOpenAI, lazy


def _check_folder() -> None:
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    if os.path.exists(os.path.join(here, "model_mixin.py")) or os.path.isdir(os.path.join(here, "heads")):
        import warnings

        warnings.warn(f"the `adapters` folder {here} also holds AdapterHub's `adapters` (another distribution "
                      f"with the same import name): pip installed both into one folder, and each overwrote "
                      f"files of the other. Install qianyi in an environment without AdapterHub's adapters "
                      f"(pip uninstall adapters qianyi; pip install qianyi).", RuntimeWarning, stacklevel=2)


_check_folder()


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
