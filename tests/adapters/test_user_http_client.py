"""The application's own ``http_client=`` (a proxy, a CA, limits, hooks) sends the provider's requests.

Over real HTTP against the emulator, with a real client of the HTTP library the installed openai runs
on (``httpx2`` on openai 3.x, ``httpx`` on 1.x/2.x): its event hooks see the *native* requests, its
mounted transport and its proxy carry them, its headers and timeout apply; what cannot apply is a
warning or a ``TypeError``, never dropped in silence. ``.ci/run`` runs this file on openai 1.x, 2.x, 3.x.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import http.server
import importlib.util
import threading
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI, shim
from adapters._http import http as lib
from adapters.emulator import Emulator
from adapters.user_client import HttpClientWarning
from tests.adapters.conftest import V1, install_shim
from tests.adapters.scenarios import KEYS

MESSAGES = [{"role": "user", "content": "hello"}]
TARGETS = ["dashscope", "qianfan", "zhipu", "qianfan-v1"]


def settings(target: str, emulator: Emulator, **extra: Any) -> dict[str, Any]:
    if target == "qianfan-v1":
        return dict(provider="qianfan", base_url=emulator.base_url(target), max_retries=0, **V1, **extra)
    return dict(provider=target, api_key=KEYS[target], base_url=emulator.base_url(target), max_retries=0, **extra)


class Recorder:
    """A mounted transport that counts what passes through it, then sends it on."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.paths = inner, []


class _Mounted:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def handle_request(self, request: Any) -> Any:
        self.recorder.paths.append(request.url.path)
        return self.recorder.inner.handle_request(request)

    def close(self) -> None:
        self.recorder.inner.close()


class _AsyncMounted:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def handle_async_request(self, request: Any) -> Any:
        self.recorder.paths.append(request.url.path)
        return await self.recorder.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.recorder.inner.aclose()


#: The HTTP libraries whose clients the installed openai takes: its own; on openai 3.x (httpx2) also
#: httpx, which code written for openai 1.x/2.x passes (the adapter bridges it).
LIBRARIES = [lib.__name__] + (["httpx"] if lib.__name__ == "httpx2" and importlib.util.find_spec("httpx") else [])


@pytest.fixture(params=LIBRARIES)
def library(request: pytest.FixtureRequest) -> Any:
    return importlib.import_module(request.param)


def user_client(sync: bool, hooked: list[str], recorder: Recorder, emulator: Emulator, library: Any = lib,
                **extra: Any) -> Any:
    """The kind of client an app builds: default headers, a timeout, hooks, a transport mounted for the host."""
    host = "http://" + urlsplit(emulator.base_url("zhipu")).netloc
    Mounted = type("Mounted", (_Mounted, library.BaseTransport), {})  # noqa: N806
    AsyncMounted = type("AsyncMounted", (_AsyncMounted, library.AsyncBaseTransport), {})  # noqa: N806
    if sync:
        def on_request(request: Any) -> None:
            hooked.append(f"{request.method} {request.url.path}")

        def on_response(response: Any) -> None:
            hooked.append(f"-> {response.status_code}")

        recorder.inner = library.HTTPTransport()
        return library.Client(headers={"X-App-Trace": "trace-7"}, timeout=20.0, mounts={host: Mounted(recorder)},
                          event_hooks={"request": [on_request], "response": [on_response]}, **extra)

    async def on_request_async(request: Any) -> None:
        hooked.append(f"{request.method} {request.url.path}")

    async def on_response_async(response: Any) -> None:
        hooked.append(f"-> {response.status_code}")

    recorder.inner = library.AsyncHTTPTransport()
    return library.AsyncClient(headers={"X-App-Trace": "trace-7"}, timeout=20.0, mounts={host: AsyncMounted(recorder)},
                           event_hooks={"request": [on_request_async], "response": [on_response_async]}, **extra)


def chat_and_stream(sync: bool, factory_kwargs: dict[str, Any]) -> tuple[str, str]:
    if sync:
        with OpenAI(**factory_kwargs) as client:
            reply = client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content
            chunks = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
            return reply or "", "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)

    async def run() -> tuple[str, str]:
        async with AsyncOpenAI(**factory_kwargs) as client:
            reply = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            stream = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            return reply.choices[0].message.content or "", text

    return asyncio.run(run())


@pytest.mark.parametrize("target", TARGETS)
def test_the_native_requests_go_through_the_users_client(target: str, sync: bool, library: Any,
                                                         emulator: Emulator) -> None:
    hooked: list[str] = []
    recorder = Recorder(None)
    given = user_client(sync, hooked, recorder, emulator, library)
    reply, streamed = chat_and_stream(sync, settings(target, emulator, http_client=given))
    assert reply and streamed
    native = [r.path for r in emulator.requests]  # what the provider got: native paths (and v1's token call)
    assert recorder.paths == native and len(native) >= 2
    assert [h for h in hooked if not h.startswith("->")] == [f"{r.method} {r.path}" for r in emulator.requests]
    assert hooked.count("-> 200") == len(native)
    assert all(r.headers.get("x-app-trace") == "trace-7" for r in emulator.requests if "oauth" not in r.path)
    assert given.is_closed  # closed with the openai client, as openai closes a client it is given


def test_the_users_proxy_carries_the_provider_requests(provider: str, sync: bool, library: Any,
                                                       emulator: Emulator) -> None:
    with forward_proxy() as (proxy_url, proxied):
        given = library.Client(proxy=proxy_url) if sync else library.AsyncClient(proxy=proxy_url)
        reply, streamed = chat_and_stream(sync, settings(provider, emulator, http_client=given))
    assert reply and streamed
    assert proxied == [f"{emulator.base_url(provider).split('/', 3)[0]}//{urlsplit(emulator.base_url(provider)).netloc}"
                       f"{r.path}" for r in emulator.requests]


def test_a_proxy_named_by_the_environment_carries_the_provider_requests(
        provider: str, sync: bool, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """openai's own client honours HTTP_PROXY (trust_env, NO_PROXY included): without http_client= so does
    the adapter. (The suite's conftest points the proxy variables at a dead port, loopback excepted.)"""
    with forward_proxy() as (proxy_url, proxied):
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, proxy_url)
        reply, streamed = chat_and_stream(sync, settings(provider, emulator))
        assert reply and streamed and len(proxied) == len(emulator.requests) >= 2
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        with OpenAI(**settings(provider, emulator)) as client:  # the provider's host excluded: a bare transport
            assert isinstance(client._client._transport.inner, lib.HTTPTransport)
            assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices
    assert len(proxied) == len(emulator.requests) - 1


def test_the_users_client_timeout_applies(provider: str, sync: bool, library: Any, emulator: Emulator) -> None:
    emulator.fail(provider, kind="timeout", delay=3.0)
    given = library.Client(timeout=0.5) if sync else library.AsyncClient(timeout=0.5)
    with pytest.raises(openai.APITimeoutError):
        chat_and_stream(sync, settings(provider, emulator, http_client=given))


def test_the_users_client_auth_is_not_sent_and_says_so(provider: str, emulator: Emulator) -> None:
    given = lib.Client(auth=("proxy-user", "proxy-password"), params={"tenant": "a"})
    with pytest.warns(HttpClientWarning, match=r"auth=.*params.*not used for"):
        client = OpenAI(**settings(provider, emulator, http_client=given))
    with client:
        assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content
    assert emulator.requests[-1].headers["authorization"] == f"Bearer {KEYS[provider]}"
    assert "tenant" not in emulator.requests[-1].query


def test_a_shared_client_outlives_adapter_clients_dropped_and_closes_with_one_closed(emulator: Emulator) -> None:
    """As with openai: dropping a client leaves the given HTTP client open; closing it closes that client."""
    shared = lib.Client()
    for _ in range(2):
        client = OpenAI(**settings("zhipu", emulator, http_client=shared))
        assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices
        del client
    assert not shared.is_closed and len(emulator.requests) == 2
    with OpenAI(**settings("zhipu", emulator, http_client=shared)):
        pass
    assert shared.is_closed


def test_a_client_of_the_wrong_kind_is_a_type_error(emulator: Emulator) -> None:
    with pytest.raises(TypeError, match=f"needs a {lib.__name__}.Client, not a {lib.__name__}.AsyncClient"):
        OpenAI(**settings("zhipu", emulator, http_client=lib.AsyncClient()))
    with pytest.raises(TypeError, match=f"needs a {lib.__name__}.AsyncClient, not a {lib.__name__}.Client"):
        AsyncOpenAI(**settings("zhipu", emulator, http_client=lib.Client()))
    with pytest.raises(TypeError, match="Invalid `http_client` argument"):
        OpenAI(**settings("zhipu", emulator, http_client=object()))


@pytest.mark.skipif(lib.__name__ != "httpx" or not importlib.util.find_spec("httpx2"),
                    reason="openai 1.x/2.x with httpx2 installed only")
def test_an_httpx2_client_on_an_openai_that_runs_on_httpx_is_a_type_error(emulator: Emulator) -> None:
    other = importlib.import_module("httpx2")
    with pytest.raises(TypeError, match="runs on httpx: build the client with httpx.Client"):
        OpenAI(**settings("zhipu", emulator, http_client=other.Client()))
    assert not emulator.requests


def test_a_mid_stream_cut_through_the_users_client_is_an_api_error(provider: str, sync: bool, library: Any,
                                                                   emulator: Emulator) -> None:
    """Errors of the client's library (bridged or not) reach the openai SDK as it maps them."""
    emulator.fail(provider, kind="cut", skip=1)  # the stream (the second call) is cut
    given = library.Client() if sync else library.AsyncClient()
    with pytest.raises(openai.APIError):
        chat_and_stream(sync, settings(provider, emulator, http_client=given))


def test_without_a_users_client_the_transport_keeps_its_own_pool(emulator: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with OpenAI(**settings("zhipu", emulator)) as client:
            assert isinstance(client._client._transport.inner, lib.HTTPTransport)


@pytest.fixture
def installed(provider: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for _ in install_shim(provider, emulator, monkeypatch):
        yield provider


def test_under_the_shim_the_http_client_the_code_gives_sends_the_requests(installed: str, sync: bool,
                                                                          emulator: Emulator) -> None:
    hooked: list[str] = []
    recorder = Recorder(None)
    given = user_client(sync, hooked, recorder, emulator)
    assert shim.installed()
    if sync:
        with openai.OpenAI(http_client=given, max_retries=0) as client:
            assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content
    else:
        async def run() -> None:
            async with openai.AsyncOpenAI(http_client=given, max_retries=0) as client:
                assert (await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)).choices
        asyncio.run(run())
    assert recorder.paths == [r.path for r in emulator.requests] and hooked[0].startswith("POST ")
    assert emulator.requests[-1].headers.get("x-app-trace") == "trace-7"


# -- a forward proxy for plain http, as a corporate proxy is -----------------------------------------


@contextlib.contextmanager
def forward_proxy() -> Iterator[tuple[str, list[str]]]:
    """An HTTP forward proxy on 127.0.0.1: it records each absolute URL asked for and relays it."""
    proxied: list[str] = []

    class Relay(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def relay(self) -> None:
            proxied.append(self.path)  # absolute-form: http://host:port/path?query
            target = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
            upstream = http.client.HTTPConnection(target.netloc, timeout=30)
            upstream.request(self.command, target.path + (f"?{target.query}" if target.query else ""), body, headers)
            answer = upstream.getresponse()
            content = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            upstream.close()

        do_GET = do_POST = relay

        def log_message(self, *_args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", proxied
    finally:
        server.shutdown()
        server.server_close()
