"""Clients built on first use, so a module that builds one at import needs no key to be imported.

    client = adapters.LazyOpenAI(provider="dashscope", api_key=os.getenv("DASHSCOPE_API_KEY"))
    # nothing built yet: importing this module works without DASHSCOPE_API_KEY
    client.chat.completions.create(...)     # builds adapters.OpenAI(...) once, then forwards

openai 0.x code configured the module (``openai.api_key = os.getenv(...)``) and failed only when a
request was made without a key; openai>=1's module-level client is built on first use too. The
rewrite gives such modules a client of their own, and builds it lazily to keep that behaviour.
The arguments are evaluated where the client is written (as the settings were); the client is
built at the first attribute access, once (thread-safe), and is then used directly:
``isinstance(client, openai.OpenAI)`` holds (it builds the client), so libraries that check the
type (``instructor.from_openai``) accept it. ``lazy(factory, *args, **kwargs)`` does the same for
any factory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    import openai

__all__ = ["Lazy", "LazyAsyncOpenAI", "LazyOpenAI", "lazy"]

T = TypeVar("T")
_UNBUILT = object()
_OWN = frozenset({"_lazy_factory", "_lazy_args", "_lazy_kwargs", "_lazy_target", "_lazy_lock"})


class Lazy:
    """Stands for ``factory(*args, **kwargs)``, called on first use; forwards everything to it."""

    __slots__ = tuple(sorted(_OWN))

    def __init__(self, factory: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_lazy_factory", factory)
        object.__setattr__(self, "_lazy_args", args)
        object.__setattr__(self, "_lazy_kwargs", kwargs)
        object.__setattr__(self, "_lazy_target", _UNBUILT)
        object.__setattr__(self, "_lazy_lock", threading.Lock())

    def _lazy_get(self) -> Any:
        target = object.__getattribute__(self, "_lazy_target")
        if target is _UNBUILT:
            with object.__getattribute__(self, "_lazy_lock"):
                target = object.__getattribute__(self, "_lazy_target")
                if target is _UNBUILT:
                    factory = object.__getattribute__(self, "_lazy_factory")
                    target = factory(*object.__getattribute__(self, "_lazy_args"),
                                     **object.__getattribute__(self, "_lazy_kwargs"))
                    object.__setattr__(self, "_lazy_target", target)
                    object.__setattr__(self, "_lazy_args", ())  # the key, if one was passed, lives
                    object.__setattr__(self, "_lazy_kwargs", {})  # in the client only
        return target

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lazy_get(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._lazy_get(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._lazy_get(), name)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance() asks for it when the type itself does not match
        return type(self._lazy_get())

    def __dir__(self) -> list[str]:
        return dir(self._lazy_get())

    def __repr__(self) -> str:
        target = object.__getattribute__(self, "_lazy_target")
        if target is _UNBUILT:
            factory = object.__getattribute__(self, "_lazy_factory")
            return f"<lazy {getattr(factory, '__name__', 'object')}, not built yet>"  # no arguments: a key
        return repr(target)

    def __enter__(self) -> Any:
        return self._lazy_get().__enter__()  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> Any:
        return self._lazy_get().__exit__(*exc)  # type: ignore[attr-defined]

    async def __aenter__(self) -> Any:
        return await self._lazy_get().__aenter__()  # type: ignore[attr-defined]

    async def __aexit__(self, *exc: object) -> Any:
        return await self._lazy_get().__aexit__(*exc)  # type: ignore[attr-defined]


def lazy(factory: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``factory(*args, **kwargs)``, called when the result is first used."""
    return cast(T, Lazy(factory, *args, **kwargs))


def _with_module_key(kwargs: dict[str, Any]) -> dict[str, Any]:
    """0.x code sets ``openai.api_key`` (often inside a function, after import) and openai 0.x read it
    when a request was made: a client built on first use without a key of its own takes that one, the
    application's own key, unless it is plainly OpenAI's (DESIGN.md, "Keys")."""
    if kwargs.get("api_key") is not None:
        return kwargs
    import os

    import openai

    from .keys import clean_key, is_openai_key, is_placeholder_key

    key = getattr(openai, "api_key", None)
    if isinstance(key, str) and clean_key(key) and not is_openai_key(key, os.environ) \
            and not is_placeholder_key(key):
        return {**kwargs, "api_key": key}
    return kwargs


def _sync(**kwargs: Any) -> openai.OpenAI:
    from .client import OpenAI

    return OpenAI(**_with_module_key(kwargs))


def _async(**kwargs: Any) -> openai.AsyncOpenAI:
    from .client import AsyncOpenAI

    return AsyncOpenAI(**_with_module_key(kwargs))


_sync.__name__, _async.__name__ = "OpenAI", "AsyncOpenAI"


def LazyOpenAI(**kwargs: Any) -> openai.OpenAI:
    """``adapters.OpenAI(**kwargs)``, built on first use (the openai SDK is not imported before)."""
    return lazy(_sync, **kwargs)


def LazyAsyncOpenAI(**kwargs: Any) -> openai.AsyncOpenAI:
    """``adapters.AsyncOpenAI(**kwargs)``, built on first use."""
    return lazy(_async, **kwargs)
