"""The openai 0.x API, rebuilt on a modern client for code that was never rewritten.

    openai.ChatCompletion.create(model=..., messages=...)   -> client.chat.completions.create(...)
    openai.Completion.create(prompt=...)                    -> client.completions.create(...) (on chat)
    openai.Embedding.create(input=...)                      -> client.embeddings.create(...)
    openai.Image.create(prompt=...)                         -> client.images.generate(...)
    openai.Moderation.create(input=...)                     -> client.moderations.create(...)
    openai.Model.list()                                     -> client.models.list()
    openai.error.RateLimitError                             -> openai.RateLimitError (and the rest)

Answers are ``LegacyObject``s: dicts that also answer attribute access, as 0.x ``OpenAIObject``s
did, so ``resp["choices"][0]["message"]["content"]`` and ``resp.choices[0].message.content`` both work.
``acreate`` forms run on the async client. Installed only by ``adapters.shim``.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import openai

from ._warn import warn
from .legacy_names import LEGACY_ERRORS

__all__ = ["LegacyCompletionWarning", "LegacyObject", "error_module", "resources"]


class LegacyCompletionWarning(UserWarning):
    """A 0.x text completion was served through the provider's chat endpoint."""


class LegacyObject(dict[str, Any]):
    """A dict with attribute access, recursively (0.x ``OpenAIObject``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def to_dict_recursive(self) -> dict[str, Any]:
        return _plain(self)  # type: ignore[no-any-return]


def wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return LegacyObject({k: wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _dump(model: Any) -> LegacyObject:
    data = model.model_dump(exclude_unset=True) if hasattr(model, "model_dump") else dict(model)
    obj: LegacyObject = wrap(data)
    return obj


_OWN_OPTIONS = ("api_key", "api_base", "api_type", "api_version", "organization", "request_timeout",
                "request_id", "api_request_id")


def _arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """0.x keyword arguments as 1.x ones: ``engine``/``deployment_id`` are the model; per-call
    credentials go to the client factory (``_key``), not to the request."""
    out = {k: v for k, v in kwargs.items() if k not in _OWN_OPTIONS}
    for alias in ("engine", "deployment_id"):
        if alias in out:
            out.setdefault("model", out.pop(alias))
            out.pop(alias, None)
    if "request_timeout" in kwargs:
        out["timeout"] = kwargs["request_timeout"]
    return out


def _warn_completion() -> None:
    warn("openai.Completion is served through the provider's chat API (the prompt is sent as a user "
         "message; providers have no text-completion API for their chat models).", LegacyCompletionWarning)


def _key(kwargs: dict[str, Any]) -> str | None:
    """The key the 0.x code supplied: ``api_key=`` on the call, else ``openai.api_key`` now."""
    key = kwargs.get("api_key") or getattr(openai, "api_key", None)
    return key if isinstance(key, str) else None


def resources(sync: Callable[[str | None], openai.OpenAI],
              async_: Callable[[str | None], openai.AsyncOpenAI]) -> dict[str, type]:
    """The 0.x resource classes bound to client factories (called lazily, once per call, with the
    key the code supplied; the factory decides whether it may be sent)."""

    def stream(items: Iterator[Any], convert: Callable[[LegacyObject], LegacyObject]) -> Iterator[LegacyObject]:
        for item in items:
            yield convert(_dump(item))

    async def astream(client: openai.AsyncOpenAI, items: AsyncIterator[Any],
                      convert: Callable[[LegacyObject], LegacyObject]) -> AsyncIterator[LegacyObject]:
        try:
            async for item in items:
                yield convert(_dump(item))
        finally:
            await client.close()

    async def acall(key: str | None, create: Callable[[openai.AsyncOpenAI], Any], stream: bool,
                    convert: Callable[[LegacyObject], LegacyObject]) -> Any:
        """One async 0.x call on a client of its own (async clients are bound to their loop)."""
        client = async_(key)
        try:
            result = await create(client)
        except BaseException:
            await client.close()
            raise
        if stream:
            return astream(client, result, convert)
        await client.close()
        return convert(_dump(result))

    def same(obj: LegacyObject) -> LegacyObject:
        return obj

    class ChatCompletion:
        @staticmethod
        def create(**kwargs: Any) -> Any:
            result = sync(_key(kwargs)).chat.completions.create(**_arguments(kwargs))
            return stream(result, same) if kwargs.get("stream") else _dump(result)

        @staticmethod
        async def acreate(**kwargs: Any) -> Any:
            return await acall(_key(kwargs), lambda c: c.chat.completions.create(**_arguments(kwargs)), bool(kwargs.get("stream")),
                               same)

    class Completion:
        @staticmethod
        def create(**kwargs: Any) -> Any:
            _warn_completion()
            result = sync(_key(kwargs)).completions.create(**_arguments(kwargs))
            return stream(result, same) if kwargs.get("stream") else _dump(result)

        @staticmethod
        async def acreate(**kwargs: Any) -> Any:
            _warn_completion()
            return await acall(_key(kwargs), lambda c: c.completions.create(**_arguments(kwargs)),
                               bool(kwargs.get("stream")), same)

    class Embedding:
        @staticmethod
        def create(**kwargs: Any) -> Any:
            args = _arguments(kwargs)
            args.setdefault("encoding_format", "float")
            return _dump(sync(_key(kwargs)).embeddings.create(**args))

        @staticmethod
        async def acreate(**kwargs: Any) -> Any:
            args = _arguments(kwargs)
            args.setdefault("encoding_format", "float")
            return await acall(_key(kwargs), lambda c: c.embeddings.create(**args), False, same)

    class Image:
        @staticmethod
        def create(**kwargs: Any) -> Any:
            return _dump(sync(_key(kwargs)).images.generate(**_arguments(kwargs)))

        @staticmethod
        async def acreate(**kwargs: Any) -> Any:
            return await acall(_key(kwargs), lambda c: c.images.generate(**_arguments(kwargs)), False, same)

    class Moderation:  # answered as the provider answers moderations: served, or a clear error
        @staticmethod
        def create(**kwargs: Any) -> Any:
            return _dump(sync(_key(kwargs)).moderations.create(**_arguments(kwargs)))

        @staticmethod
        async def acreate(**kwargs: Any) -> Any:
            return await acall(_key(kwargs), lambda c: c.moderations.create(**_arguments(kwargs)), False, same)

    class Model:
        @staticmethod
        def list(**options: Any) -> Any:
            page = sync(_key(options)).models.list()
            return wrap({"object": "list", "data": [m.model_dump() for m in page.data]})

        @staticmethod
        def retrieve(id: str, **options: Any) -> Any:
            return _dump(sync(_key(options)).models.retrieve(id))

    return {"ChatCompletion": ChatCompletion, "Completion": Completion, "Embedding": Embedding, "Image": Image,
            "Moderation": Moderation, "Model": Model}




def error_module() -> types.ModuleType:
    """A stand-in ``openai.error`` module whose names are the 1.x exception classes."""
    module = types.ModuleType("openai.error", "openai 0.x exception names, mapped by qianyi's shim.")
    # The codemods mark SignatureVerificationError for review; unrewritten code must still import it.
    for old, new in {**LEGACY_ERRORS, "SignatureVerificationError": "OpenAIError"}.items():
        setattr(module, old, getattr(openai, new))
    return module
