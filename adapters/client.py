"""``adapters.OpenAI`` / ``adapters.AsyncOpenAI``: genuine openai clients on a provider transport.

    client = OpenAI(provider="zhipu")                      # key from ZHIPUAI_API_KEY
    client = OpenAI(provider="dashscope", api_key="...", base_url="http://127.0.0.1:8123/api/v1")

The result *is* an ``openai.OpenAI``: every response is the SDK's own type, every error the SDK's
own exception class, and retries, timeouts, ``with_raw_response`` and ``.parse()`` behave as they do
against OpenAI. ``client.base_url`` is the provider's native root; the key is held by the
transport only (``client.api_key`` is a placeholder, so no OpenAI-side code can leak it).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from typing import Any

import openai

from . import registry
from ._warn import warn
from .auth import CredentialError, OpenAIKeyError, Setup, base_url_of, refused_setup
from .capabilities import Policy, PolicyName, UnsupportedParameterWarning
from .exchange import Exchange
from .keys import is_openai_key, is_placeholder_key
from .registry import Backend
from .user_client import provider_http_client

__all__ = ["AsyncOpenAI", "OpenAI"]


def configure(provider: str | None, api_key: str | None, base_url: str | None, *,
              unsupported: PolicyName = "warn", model_map: Mapping[str, str] | None = None,
              env: Mapping[str, str] | None = None, **options: Any) -> tuple[Backend, Setup, Exchange]:
    """Pick the backend, resolve key and root, and build the per-client translation settings."""
    env = os.environ if env is None else env
    try:
        backend = registry.get(registry.resolve_name(provider, env))
    except registry.UnknownProvider as exc:
        raise openai.OpenAIError(str(exc)) from None
    api_key, placeholders = _without_placeholders(api_key, options)
    try:
        setup = backend.setup(api_key, base_url, env, {k: v for k, v in options.items() if v is not None})
        setup = dataclasses.replace(setup, headers={**setup.headers, **header_options(backend, options, env)})
    except OpenAIKeyError as exc:  # refused at the first request, as OpenAI refuses a wrong key
        setup = refused_setup(str(exc), backend.NAME, _refused_root(backend, base_url, env, options))
    except (CredentialError, ValueError) as exc:  # no key, an unknown region, a header option the provider lacks
        note = f" ({' and '.join(placeholders)} given to the client {'is' if len(placeholders) == 1 else 'are'} a " \
               f"local server's placeholder, not a key)" if placeholders and isinstance(exc, CredentialError) else ""
        raise openai.OpenAIError(f"{exc}{note}") from None
    root_path = openai_root(setup.base_url)
    exchange = Exchange(backend, root_path=root_path, policy=Policy(backend.NAME, unsupported),
                        variant=setup.variant, model_map=model_map, options=options)
    return backend, setup, exchange


def keyed_setups(provider: str | None, base_url: str | None, *, replace_openai_keys: bool = False,
                 **options: Any) -> Callable[[str], Setup | None]:
    """The settings for a key an openai client is given after it was built (``with_options(api_key=...)``,
    ``client.api_key = ...``), as the client's own key was resolved: ``None`` for a local server's
    placeholder (the client's own key is sent, as at construction) and, with ``replace_openai_keys``
    (the shim's rule), for an OpenAI key; else an OpenAI key, or one the provider cannot take, is
    refused with a 401 at the request."""

    def setup_for(key: str) -> Setup | None:
        if not key or is_placeholder_key(key) or (replace_openai_keys and is_openai_key(key, os.environ)):
            return None
        try:
            return configure(provider, key, base_url, **options)[1]
        except openai.OpenAIError as exc:  # no usable key: answered as a wrong key is
            backend = registry.get(registry.resolve_name(provider, os.environ))
            return refused_setup(str(exc), backend.NAME, _refused_root(backend, base_url, os.environ, options),
                                 code="invalid_api_key")

    return setup_for


def _without_placeholders(api_key: str | None, options: dict[str, Any]) -> tuple[str | None, list[str]]:
    """A local server's placeholder (``"EMPTY"``, ``"sk-xxx"``, ``"not-needed"``) given as ``api_key`` /
    ``secret_key`` means no key was given: the provider's variable is used, as the shim does (a
    placeholder sent would only earn the provider's 401). Returns the key and the options named."""
    named = []
    if api_key is not None and is_placeholder_key(api_key):
        api_key, named = None, ["api_key"]
    secret = options.get("secret_key")
    if isinstance(secret, str) and is_placeholder_key(secret):
        options["secret_key"] = None
        named.append("secret_key")
    return api_key, named


def _refused_root(backend: Backend, base_url: str | None, env: Mapping[str, str], options: Mapping[str, Any]) -> str:
    """The root a refused client shows (nothing is ever sent to it)."""
    try:
        return base_url_of(base_url, env, backend.BASE_URL_VAR, backend.DEFAULT_BASE_URL,
                           getattr(backend, "REGIONS", None), options.get("region"))
    except ValueError as exc:
        raise openai.OpenAIError(str(exc)) from None


#: Client options that set a provider's request header (each backend declares its own in
#: ``HEADER_OPTIONS``: option -> (header, environment variable)).
HEADER_OPTIONS = ("workspace", "appid")


def header_options(backend: Backend, options: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """The headers ``workspace=`` (DashScope) / ``appid=`` (Qianfan) set, or their variables; an option
    the provider has no header for is refused (it would be lost)."""
    declared: Mapping[str, tuple[str, str]] = getattr(backend, "HEADER_OPTIONS", {})
    out: dict[str, str] = {}
    for option in HEADER_OPTIONS:
        value = options.get(option)
        if option not in declared:
            if value is not None:
                raise ValueError(f"{option}= is not a {backend.NAME} option; "
                                 f"{backend.NAME} takes {', '.join(f'{o}=' for o in declared) or 'none of them'}.")
            continue
        header, variable = declared[option]
        value = value if value is not None else env.get(variable)
        if value:
            out[header] = str(value)
    return out


def openai_root(base_url: str) -> str:
    """The path the openai SDK's requests start with (the native root's path)."""
    from ._http import http

    return http.URL(base_url).path.rstrip("/")


def OpenAI(*, provider: str | None = None, api_key: str | None = None, base_url: str | None = None,
           unsupported: PolicyName = "warn", model_map: Mapping[str, str] | None = None,
           api_version: str | None = None, region: str | None = None, secret_key: str | None = None,
           workspace: str | None = None, appid: str | None = None,
           provider_options: Mapping[str, Any] | None = None, **kwargs: Any) -> openai.OpenAI:
    """A real ``openai.OpenAI`` whose requests run on ``provider`` (or ``MIGRATE_PROVIDER``).

    ``api_version="v1"`` picks Qianfan's legacy API (``api_key``/``secret_key`` = AK/SK);
    ``region=`` a provider's regional root; ``workspace=`` DashScope's sub-workspace
    (``X-DashScope-WorkSpace``), ``appid=`` the Qianfan application billed (``appid`` header);
    ``provider_options`` reach the backend as they are
    (e.g. ``{"zhipu_auth": "jwt"}``). ``http_client=`` (an httpx / httpx2 client: proxy, ``verify=``,
    limits, event hooks) sends the provider's native requests (``user_client.py``). Other keyword
    arguments (``timeout``, ``max_retries``, ``default_headers``...) go to openai.
    """
    client: openai.OpenAI = _build(openai.OpenAI, locals(), kwargs)
    return client


def AsyncOpenAI(*, provider: str | None = None, api_key: str | None = None, base_url: str | None = None,
                unsupported: PolicyName = "warn", model_map: Mapping[str, str] | None = None,
                api_version: str | None = None, region: str | None = None, secret_key: str | None = None,
                workspace: str | None = None, appid: str | None = None,
                provider_options: Mapping[str, Any] | None = None, **kwargs: Any) -> openai.AsyncOpenAI:
    """A real ``openai.AsyncOpenAI`` whose requests run on ``provider`` (or ``MIGRATE_PROVIDER``)."""
    client: openai.AsyncOpenAI = _build(openai.AsyncOpenAI, locals(), kwargs)
    return client


def _build(cls: type[Any], args: Mapping[str, Any], kwargs: Mapping[str, Any]) -> Any:
    """The openai client of ``cls`` on a provider transport (sync or async to match)."""
    options = {**dict(args.get("provider_options") or {}), "api_version": args["api_version"],
               "region": args["region"], "secret_key": args["secret_key"], "workspace": args["workspace"],
               "appid": args["appid"]}
    backend, setup, exchange = configure(args["provider"], args["api_key"], args["base_url"],
                                         unsupported=args["unsupported"], model_map=args["model_map"], **options)
    warn_unused_options(kwargs, exchange.policy)
    http_client = provider_http_client(exchange, setup, kwargs.get("http_client"),
                                       is_async=issubclass(cls, openai.AsyncOpenAI),
                                       keyed=keyed_setups(args["provider"], args["base_url"], **options))
    return cls(api_key=f"qianyi-{backend.NAME}", base_url=setup.base_url, http_client=http_client,
               **_openai_kwargs(dict(kwargs)))


#: The openai SDK's platform headers: they describe the SDK to OpenAI's servers, and no provider is
#: sent them (``headers.forwarded``). A provider client leaves them out (``Omit``: openai's own way to
#: leave out a default header) instead of building them into every request only for the transport to
#: drop them, a visible share of a loopback request; ``default_headers=`` can still set them.
PLATFORM_HEADERS = ("X-Stainless-Lang", "X-Stainless-Package-Version", "X-Stainless-OS", "X-Stainless-Arch",
                    "X-Stainless-Runtime", "X-Stainless-Runtime-Version", "X-Stainless-Async")


#: openai options that only mean something to OpenAI -> what they are. They are not passed on, with a
#: warning (none under ``unsupported="drop"``); an unset one (``None``) goes without a word.
_OPENAI_ONLY = {"organization": "an OpenAI account option", "project": "an OpenAI account option",
                "websocket_base_url": "the address of OpenAI's Realtime API",
                "webhook_secret": "the key of OpenAI's webhooks"}
#: Not passed to openai: the above, and ``http_client``, which sends the provider's requests instead.
_DROPPED = (*_OPENAI_ONLY, "http_client")


def warn_unused_options(kwargs: Mapping[str, Any], policy: Policy) -> None:
    """Say which OpenAI-only options the client was given and will not use."""
    if policy.mode == "drop":
        return
    for name, what in _OPENAI_ONLY.items():
        if kwargs.get(name) is not None:
            warn(f"{name}= is not used on {policy.provider}: it is {what}, which {policy.provider} has no "
                 f"counterpart of (unsupported='drop' silences this).", UnsupportedParameterWarning)


def _openai_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """openai options that still mean something on a provider (OpenAI account options are dropped), and
    the default headers without the platform headers (``PLATFORM_HEADERS``)."""
    out = {k: v for k, v in kwargs.items() if k not in _DROPPED}
    out["default_headers"] = {**dict.fromkeys(PLATFORM_HEADERS, openai.Omit()), **(out.get("default_headers") or {})}
    return out
