"""The user's own ``http_client=``: the provider's native requests go out through it.

    client = adapters.OpenAI(provider="zhipu", http_client=httpx.Client(proxy="http://proxy:3128", verify=ca))

Apps pass openai an HTTP client for a proxy, a custom CA (``verify=``), timeouts, connection
limits or event hooks. The adapter keeps its provider transport in front (the openai SDK still talks
OpenAI to it) and sends every native request through the user's client, so its proxy, TLS settings,
mounts, limits, redirects and event hooks apply to what actually goes to the provider. Its timeout
applies as openai applies a client's timeout (when ``timeout=`` is not given), and to any request
that carries none; its default headers are sent as ``default_headers=`` would be (credentials and
OpenAI's own headers excepted). openai 3.x runs on httpx2 but takes an ``httpx`` client too: so does
the adapter, bridging the two libraries. What cannot apply is said, never dropped in silence: the
client's ``auth=`` (the adapter authenticates with the provider's key: a ``HttpClientWarning``), its
default query ``params`` and ``cookies`` (warned as well), a client of a library the installed
openai does not take (an httpx2 client on openai 1.x/2.x) or of the wrong kind (sync for async)
(``TypeError``). Closing the adapter client closes the given client, as closing an openai client
does; dropping it does not.

Without ``http_client=`` nothing here runs per request: the provider transport has its own pool,
unless the environment names a proxy (``HTTPS_PROXY``...) for the provider's host: openai's own
client honours it, so the provider's requests then go through openai's default client, which does.
"""

from __future__ import annotations

import contextlib
import sys
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai

from ._http import LIBRARIES, http
from ._warn import warn
from .auth import Setup
from .exchange import Exchange
from .transport import AsyncProviderTransport, KeyedSetup, ProviderTransport

__all__ = ["AsyncBridgedSender", "AsyncClientSender", "BridgedSender", "ClientSender", "HttpClientWarning",
           "provider_http_client"]


class HttpClientWarning(UserWarning):
    """A setting of the user's ``http_client`` does not apply to the provider's requests."""


class ClientSender(http.BaseTransport):
    """The provider transport's way out: each native request sent by the user's sync client."""

    def __init__(self, client: http.Client) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"ClientSender({type(self.client).__name__})"

    def handle_request(self, request: http.Request) -> http.Response:
        if "timeout" not in request.extensions:
            request.extensions["timeout"] = self.client.timeout.as_dict()
        return self.client.send(request, stream=True, auth=None)  # the backend has authorised it

    def close(self) -> None:
        """Closing the openai client closes the client it was given, as openai itself does."""
        self.client.close()


class AsyncClientSender(http.AsyncBaseTransport):
    """The same for the user's async client."""

    def __init__(self, client: http.AsyncClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"AsyncClientSender({type(self.client).__name__})"

    async def handle_async_request(self, request: http.Request) -> http.Response:
        if "timeout" not in request.extensions:
            request.extensions["timeout"] = self.client.timeout.as_dict()
        return await self.client.send(request, stream=True, auth=None)

    async def aclose(self) -> None:
        await self.client.aclose()


class _Bridge:
    """openai 3.x runs on httpx2 yet also takes an ``httpx`` client (code written for openai 1.x/2.x
    passes one): each native request is copied into the client's library, sent by it, and its reply
    handed back as an httpx2 response whose body streams the client's raw bytes (decoded once, on
    our side). Errors of the client's library become httpx2's of the same name, so the openai SDK
    maps them as ever (a timeout is ``APITimeoutError``)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.lib = sys.modules[type(client).__module__.partition(".")[0]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.lib.__name__}.{type(self.client).__name__})"

    def request(self, request: http.Request, content: bytes) -> Any:
        timeout = request.extensions.get("timeout") or self.client.timeout.as_dict()
        return self.lib.Request(request.method, str(request.url), headers=request.headers.raw, content=content,
                                extensions={"timeout": timeout})

    def response(self, reply: Any, request: http.Request, stream: Any) -> http.Response:
        return http.Response(reply.status_code, headers=reply.headers.raw, stream=stream, request=request,
                             extensions={"http_version": reply.extensions.get("http_version", b"HTTP/1.1")})

    @contextlib.contextmanager
    def errors(self, request: http.Request) -> Iterator[None]:
        try:
            yield
        except self.lib.TransportError as exc:
            ours = getattr(http, type(exc).__name__, http.TransportError)
            raise (ours if issubclass(ours, http.TransportError) else http.TransportError)(
                str(exc), request=request) from exc


class BridgedSender(http.BaseTransport, _Bridge):
    """The native requests of an httpx2 transport sent by the user's sync ``httpx.Client``."""

    def handle_request(self, request: http.Request) -> http.Response:
        with self.errors(request):
            reply = self.client.send(self.request(request, request.read()), stream=True, auth=None)
        return self.response(reply, request, _BridgedStream(self, reply, request))

    def close(self) -> None:
        self.client.close()


class _BridgedStream(http.SyncByteStream):
    def __init__(self, bridge: _Bridge, reply: Any, request: http.Request) -> None:
        self.bridge, self.reply, self.request = bridge, reply, request

    def __iter__(self) -> Iterator[bytes]:
        with self.bridge.errors(self.request):
            yield from self.reply.iter_raw()

    def close(self) -> None:
        self.reply.close()


class AsyncBridgedSender(http.AsyncBaseTransport, _Bridge):
    """The same for the user's ``httpx.AsyncClient``."""

    async def handle_async_request(self, request: http.Request) -> http.Response:
        with self.errors(request):
            reply = await self.client.send(self.request(request, await request.aread()), stream=True, auth=None)
        return self.response(reply, request, _AsyncBridgedStream(self, reply, request))

    async def aclose(self) -> None:
        await self.client.aclose()


class _AsyncBridgedStream(http.AsyncByteStream):
    def __init__(self, bridge: _Bridge, reply: Any, request: http.Request) -> None:
        self.bridge, self.reply, self.request = bridge, reply, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with self.bridge.errors(self.request):
            async for chunk in self.reply.aiter_raw():
                yield chunk

    async def aclose(self) -> None:
        await self.reply.aclose()


def provider_http_client(exchange: Exchange, setup: Setup, given: Any, *, is_async: bool,
                         keyed: KeyedSetup | None = None) -> Any:
    """The HTTP client the openai SDK gets: the provider transport, which sends through ``given``
    (the user's ``http_client``, checked) or, when ``None``, through a pool of its own; ``keyed``
    serves keys the openai client is given later (``ProviderTransport.routed``)."""
    if given is None and _environment_proxy(setup.base_url):  # openai's own client would take it: so does ours
        given = openai.DefaultAsyncHttpxClient() if is_async else openai.DefaultHttpxClient()
    if given is None:
        if is_async:
            return openai.DefaultAsyncHttpxClient(transport=AsyncProviderTransport(exchange, setup, keyed=keyed))
        return openai.DefaultHttpxClient(transport=ProviderTransport(exchange, setup, keyed=keyed))
    bridged = checked(given, is_async=is_async) is not given
    _warn_unused(given, exchange.backend.NAME)
    # openai takes a given client's timeout (unless timeout= is passed) and its default headers; the
    # outer client carries both, so the openai SDK applies them as it would to the user's client.
    settings: dict[str, Any] = {"timeout": http.Timeout(**given.timeout.as_dict()), "headers": list(given.headers.raw)}
    if is_async:
        sender: Any = AsyncBridgedSender(given) if bridged else AsyncClientSender(given)
        return openai.DefaultAsyncHttpxClient(transport=AsyncProviderTransport(exchange, setup, sender, keyed),
                                              **settings)
    sender = BridgedSender(given) if bridged else ClientSender(given)
    return openai.DefaultHttpxClient(transport=ProviderTransport(exchange, setup, sender, keyed), **settings)


def _environment_proxy(base_url: str) -> bool:
    """Whether ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` (or the system's settings) name a proxy for
    the provider's host, not excluded by ``NO_PROXY``: an httpx client with ``trust_env`` (openai's default
    client) uses it, a bare transport does not. Asked once, when the client is built."""
    proxies = urllib.request.getproxies()
    if not any(proxies.get(scheme) for scheme in ("http", "https", "all")):
        return False
    return not urllib.request.proxy_bypass(urllib.parse.urlsplit(base_url).hostname or "")


def checked(given: Any, *, is_async: bool) -> Any:
    """``given`` when it is a client of the HTTP library and kind the openai client runs on; the
    ``httpx`` module when it is an httpx client that openai 3.x (on httpx2) takes too (it is bridged);
    else a ``TypeError`` saying what to pass instead."""
    wanted = http.AsyncClient if is_async else http.Client
    if isinstance(given, wanted):
        return given
    factory = "AsyncOpenAI" if is_async else "OpenAI"
    name = f"{http.__name__}.{wanted.__name__}"
    library = type(given).__module__.partition(".")[0]
    legacy = sys.modules.get("httpx") if http.__name__ == "httpx2" else None
    if legacy is not None and isinstance(given, legacy.AsyncClient if is_async else legacy.Client):
        return legacy
    if library in LIBRARIES and library != http.__name__:
        raise TypeError(
            f"adapters.{factory}(http_client=...) got a {library}.{type(given).__name__}, but the installed openai "
            f"{openai.__version__} runs on {http.__name__}: build the client with {name}(...) (the same arguments: "
            f"proxy, verify, timeout, limits, event hooks) or openai.Default{'Async' if is_async else ''}HttpxClient"
            f"(...), so its settings reach the provider.")
    other = http.Client if is_async else http.AsyncClient
    if isinstance(given, other):
        raise TypeError(f"adapters.{factory}(http_client=...) needs a {name}, not a {http.__name__}.{other.__name__} "
                        f"({'an async' if is_async else 'a sync'} openai client sends with "
                        f"{'an async' if is_async else 'a sync'} HTTP client).")
    raise TypeError(f"Invalid `http_client` argument; adapters.{factory} expects an instance of {name}, "
                    f"but got {type(given)}.")


def _warn_unused(given: Any, provider: str) -> None:
    """Say which of the client's settings the provider's requests do not get."""
    unused = []
    if given.auth is not None:
        unused.append(f"its auth= (qianyi authenticates with the {provider} key)")
    if given.params:
        unused.append("its default query params (the provider's URLs are the backend's)")
    if given.cookies:
        unused.append("its cookies (no cookie is sent to a provider)")
    if unused:
        warn(f"http_client: {'; '.join(unused)} not used for {provider}'s requests; its proxy, TLS, "
             f"timeout, limits, mounts and event hooks are.", HttpClientWarning)
