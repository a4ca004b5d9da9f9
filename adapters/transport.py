"""The provider transport: the one place with I/O, and the only place errors are answered.

The openai SDK builds an OpenAI-format request and hands it to this transport, which translates it
(``exchange.py`` + the backend), sends the native request(s), and answers with the OpenAI-format
JSON, SSE stream or ``{"error": ...}`` body the SDK parses into its own types and exceptions.
Both the sync and the async transport drive the same pure ``Exchange``.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, cast

import anyio

from . import _debuglog
from ._http import http
from .auth import AuthFlow, Setup, TokenReply, refused_setup
from .errors import parse_json
from .exchange import (
    Answer,
    Exchange,
    Prepared,
    StreamTranslator,
    aggregate,
    batch_retry_delay,
    error_answer,
    gave_up,
)
from .headers import forwarded, kept
from .native import ErrorInfo, NativeError, NativeRequest
from .sse import to_json

__all__ = ["AsyncProviderTransport", "ProviderTransport"]

USER_AGENT = "qianyi/0.1"
#: Sets of request headers a transport remembers the outgoing headers of (``_Core.outgoing``).
_REMEMBERED = 32
#: OpenAI error codes after which a cached token is dropped and the request tried once more.
TOKEN_EXPIRED = "expired_token"


#: A sent native request: the reply, its parsed body (``None`` for a stream) and its mapped error.
Sent = tuple[http.Response, Any, ErrorInfo | None]


def _answer(answer: Answer, request: http.Request, request_id: str | None = None,
            reply: http.Response | None = None) -> http.Response:
    """The OpenAI response; the provider's own reply headers (rate limits, request ids) are kept."""
    headers: dict[str, str | bytes] = {**kept(reply.headers.raw), **answer.headers} if reply is not None \
        else dict(answer.headers)
    if request_id and "x-request-id" not in headers:
        headers["x-request-id"] = request_id
    headers.setdefault("content-type", "application/json")
    return _Answered(answer.status, headers, answer.content(), request, answer.body if answer.raw is None else None)


class _Answered(http.Response):
    """An answer whose body is already in memory: reading it returns the bytes without running httpx's
    content decoders over a body that was never encoded (that read is a tenth of a loopback request's
    cost), and closes it as a read does, so the client times it (``with_raw_response.elapsed``).
    The first ``json()`` (the SDK's, as it parses the answer) returns the object the bytes were made
    from instead of decoding them again; later calls decode the bytes."""

    def __init__(self, status: int, headers: dict[str, str | bytes], content: bytes, request: http.Request,
                 body: Any = None) -> None:
        headers["content-length"] = str(len(content))
        super().__init__(status, headers=_typed(headers), stream=http.ByteStream(content), request=request)
        self._content = content
        self._body = body

    def json(self, **kwargs: Any) -> Any:
        body, self._body = self._body, None
        return body if body is not None and not kwargs else super().json(**kwargs)

    def read(self) -> bytes:
        self.is_stream_consumed = True
        if isinstance(self.stream, http.SyncByteStream):  # (an async client's answer read again: as it is)
            self.close()
        return self._content

    async def aread(self) -> bytes:
        self.is_stream_consumed = True
        await self.aclose()
        return self._content


def _read(reply: http.Response) -> bytes:
    """The body of a provider's reply. Without a content encoding the bytes on the wire are the body:
    they are taken as they come (httpx's ``read()`` sets up decoders and chunkers for nothing); an
    encoded body is decoded by httpx."""
    if _encoded(reply):
        return reply.read()
    try:
        content = b"".join(reply.stream)  # type: ignore[arg-type]  # a sync transport's stream
    finally:
        reply.close()
    reply._content = content
    return content


async def _aread(reply: http.Response) -> bytes:
    """``_read`` for an async transport's reply."""
    if _encoded(reply):
        return await reply.aread()
    try:
        content = b"".join([chunk async for chunk in reply.stream])  # type: ignore[union-attr]
    finally:
        await reply.aclose()
    reply._content = content
    return content


def _content_type(request: http.Request, raw: bytes) -> str:
    """The request's content type where the body is not a JSON object (a multipart upload): the SDK
    sends every JSON body as an object, and reading a header first decodes all of them."""
    return "" if raw[:1] in (b"{", b"") else request.headers.get("content-type", "")


def _query(request: http.Request) -> str:
    """The request's query string (``input_items.list`` pages by it; only a GET has one)."""
    if request.method != "GET":
        return ""
    query = request.url.query
    return query.decode("ascii", "replace") if isinstance(query, bytes) else str(query)


def _encoded(reply: http.Response) -> bool:
    """Whether the reply's body has a content encoding (looked up in the raw pairs: a lookup by name
    first decodes every header)."""
    return any(name.lower() == b"content-encoding" for name, _ in reply.headers.raw)


def _typed(headers: dict[str, str | bytes]) -> Mapping[str, str]:
    """Headers with str names and str or bytes values, which httpx takes (its types say one or the other):
    a provider's value is passed on exactly as it came."""
    return cast("Mapping[str, str]", headers)



@functools.lru_cache(maxsize=256)
def _url(address: str) -> http.URL:
    """Parsed once: URL parsing is a visible share of a loopback request's cost."""
    return http.URL(address)


def _native_request(native: NativeRequest, base_url: str, original: http.Request,
                    extra: Mapping[str, str | bytes] | None = None,
                    auth: Mapping[str, str] | None = None) -> http.Request:
    """The HTTP request for ``native``; ``extra``: the client's and the user's headers, which the
    backend's own (streaming, authentication: ``auth``, a key's fixed headers) override."""
    if native.root is not None:  # the same host, another root: scheme://host[:port] + root
        base_url = "/".join(base_url.split("/", 3)[:3]) + native.root
    url = http.URL(native.url) if native.url else _url(base_url + native.path)
    if native.params:
        url = url.copy_merge_params(native.params)
    accept = "text/event-stream" if native.stream else "*/*" if native.file else "application/json"
    headers: dict[str, str | bytes] = {"host": _host(url), "user-agent": USER_AGENT, "accept": accept}
    if extra:
        headers.update(extra)
    content = native.content
    if native.json is not None and content is None:
        headers["content-type"] = "application/json"
        content = to_json(native.json)
    headers.update(native.headers)
    if auth:
        headers.update(auth)
    if content is not None or native.method in ("POST", "PUT", "PATCH"):
        headers["content-length"] = str(len(content or b""))
    timeout = original.extensions.get("timeout")
    # Built from a stream with the headers httpx would add (Host, Content-Length) set here: httpx's
    # own content handling re-reads every header several times, a visible share of a loopback request.
    request = http.Request(native.method, url, headers=_typed(headers), stream=http.ByteStream(content or b""),
                           extensions={"timeout": timeout} if timeout else {})
    request.read()  # as content= leaves it: ``request.content`` readable (event hooks, logs)
    return request


def _host(url: http.URL) -> bytes:
    """The Host header for ``url``, as httpx writes it (an IPv6 zone id stays on the client)."""
    netloc = url.netloc
    if netloc.startswith(b"["):
        host, bracket, port = netloc.partition(b"]")
        netloc = host.partition(b"%")[0] + bracket + port
    return netloc


def _deadline(original: http.Request) -> float | None:
    """When a multi-step plan (a task polled until done) must have finished: the client's read timeout."""
    timeout = original.extensions.get("timeout") or {}
    budget = timeout.get("read") if isinstance(timeout, dict) else None
    return None if budget is None else time.monotonic() + float(budget)


def _wait(native: NativeRequest, deadline: float | None, original: http.Request, provider: str) -> float:
    """The seconds to wait before sending ``native``; a wait past the deadline is a timeout (for a
    submitted task's poll, ``overdue``: an error the openai client does not retry)."""
    if native.delay and deadline is not None and time.monotonic() + native.delay > deadline:
        if native.overdue:
            raise NativeError(_overdue(native, provider, "the task did not finish within the client's timeout"))
        raise http.ReadTimeout("The provider's task did not finish within the client's timeout; pass a longer "
                               "timeout= to wait for it.", request=original)
    return native.delay


def _overdue(native: NativeRequest, provider: str, what: str, info: ErrorInfo | None = None) -> ErrorInfo:
    """The error for a submitted task's poll that could not be answered: never retried (a retry would
    submit, and bill, the task again), naming the task (``native.overdue``)."""
    if info is not None:
        return dataclasses.replace(info, retry=False, message=f"{info.message}. {native.overdue}")
    return ErrorInfo(504, "timeout", f"{what[0].upper()}{what[1:]}. {native.overdue}", provider, retry=False)


def _gave_up(native: NativeRequest, info: ErrorInfo, index: int, total: int, attempt: int) -> ErrorInfo:
    """The error of a plan request that failed for good (retried here as ``batch_retry_delay`` says)."""
    if native.overdue:
        return _overdue(native, info.provider, "", info)
    return gave_up(info, index, total) if total > 1 and attempt else info


def _with_headers(info: ErrorInfo, reply: http.Response) -> ErrorInfo:
    """Keep the provider's ``Retry-After`` and request id on the mapped error."""
    retry_after = reply.headers.get("retry-after") or info.retry_after
    request_id = info.request_id or reply.headers.get("x-request-id") or reply.headers.get("x-dashscope-request-id")
    return dataclasses.replace(info, retry_after=retry_after, request_id=request_id)


#: The settings that send a key an openai client was given after it was built (``None``: a local
#: server's placeholder, the client's own key is sent); see ``_Core.keyed``.
KeyedSetup = Callable[[str], "Setup | None"]


class _Core:
    """What the sync and async transports share: settings and pure steps."""

    def __init__(self, exchange: Exchange, setup: Setup, keyed: KeyedSetup | None = None) -> None:
        self.exchange, self.setup, self.keyed = exchange, setup, keyed
        self._outgoing: dict[tuple[tuple[bytes, bytes], ...], dict[str, str | bytes]] = {}
        #: openai's Authorization value -> the transport that serves it (``self``: the client's own key)
        self._routes: dict[bytes, Any] = {}
        self._own = f"Bearer qianyi-{exchange.backend.NAME}".encode()  # what openai sends for our placeholder

    def routed(self, request: http.Request) -> Any:
        """The transport for a key openai sends in place of the client's placeholder, or ``None``.

        openai sends the client's ``api_key`` with every request; a provider client's is a placeholder
        (the transport holds the key). A copy made with ``with_options(api_key=...)``, a client whose
        ``api_key`` the code set, or an ``Authorization`` in ``extra_headers`` sends another: the key the
        application supplies, which is sent
        (DESIGN.md, "Keys"), through a transport of its own that shares this one's translation settings,
        response store and connections."""
        if self.keyed is not None:
            for name, value in request.headers.raw:  # (openai puts Authorization among the first)
                if len(name) == 13 and name.lower() == b"authorization":
                    return None if value == self._own else self._route(value)
        return None

    def _route(self, value: bytes) -> Any:
        assert self.keyed is not None
        route = self._routes.get(value)
        if route is None:
            setup = self.keyed(value.decode("latin-1").removeprefix("Bearer ").strip())
            route = self if setup is None else self._keyed(setup)
            if len(self._routes) >= _REMEMBERED:
                self._routes.clear()
            self._routes[value] = route
        return None if route is self else route

    def _keyed(self, setup: Setup) -> Any:
        if setup.variant != self.setup.variant and setup.refusal is None and self.setup.refusal is None:
            # (Qianfan: a v2 key given to a v1 client, or the reverse)
            name = self.exchange.backend.NAME
            setup = refused_setup(f"The key given to this {name} client is for its {setup.variant} API, and the "
                                  f"client was built for {self.setup.variant}: build a client with that key "
                                  f"(OpenAI(provider={name!r}, api_key=...)) instead.", name, self.setup.base_url,
                                  code="invalid_api_key")
        return type(self)(self.exchange, setup, self.inner)  # type: ignore[attr-defined,call-arg]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provider={self.exchange.backend.NAME!r}, base_url={self.setup.base_url!r})"

    def sending(self, sent: http.Request) -> None:
        if _debuglog.enabled():
            _debuglog.sending(sent.method, sent.url, self.exchange.backend.NAME)

    def received(self, sent: http.Request, reply: http.Response, payload: Any = None) -> None:
        if _debuglog.enabled():  # (the reason phrase and headers are looked up only for a log line)
            _debuglog.received(sent.method, sent.url, reply.status_code, reply.reason_phrase, reply.headers,
                               payload, self.exchange.backend.NAME)

    def stream_id(self, translator: StreamTranslator) -> None:
        """Log a native stream's id once its events have given it (Zhipu and Qianfan send it there only)."""
        if translator.state.id and not translator.state.extra.get("id_logged"):
            translator.state.extra["id_logged"] = True
            _debuglog.stream_id(self.exchange.backend.NAME, translator.state.id)

    def fixed_auth(self, native: NativeRequest) -> Mapping[str, str] | None:
        """The headers that authenticate ``native`` when no auth flow needs to run: none for an absolute
        URL (a provider's result file goes without credentials), a bearer key's header; ``None``: run
        the auth flow (a token to fetch, a request to sign)."""
        if native.url:
            return {}
        fixed: Mapping[str, str] | None = getattr(self.setup.auth, "fixed_headers", None)
        return fixed

    def outgoing(self, original: http.Request) -> dict[str, str | bytes]:
        """The client's headers (``workspace=``, ``appid=``) and those the user added to the request.
        A client sends the same headers request after request: the headers for a set are remembered
        (a few sets, for this client only)."""
        raw = tuple(original.headers.raw)
        headers = self._outgoing.get(raw)
        if headers is None:
            if len(self._outgoing) >= _REMEMBERED:
                self._outgoing.clear()
            headers = self._outgoing[raw] = {**self.setup.headers, **forwarded(raw)}
        return dict(headers)

    def stream_response(self, request: http.Request, frames: Any, close: Callable[[], Any],
                        is_async: bool, reply: http.Response) -> http.Response:
        headers: dict[str, str | bytes] = {**kept(reply.headers.raw), "content-type": "text/event-stream"}
        stream = _AsyncFrames(frames, close) if is_async else _Frames(frames, close)
        return http.Response(200, headers=_typed(headers), stream=stream, request=request)


class _Frames(http.SyncByteStream):
    def __init__(self, frames: Iterator[bytes], close: Callable[[], Any]) -> None:
        self._frames, self._close = frames, close

    def __iter__(self) -> Iterator[bytes]:
        yield from self._frames

    def close(self) -> None:
        self._close()


class _AsyncFrames(http.AsyncByteStream):
    def __init__(self, frames: AsyncIterator[bytes], close: Callable[[], Any]) -> None:
        self._frames, self._close = frames, close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for frame in self._frames:
            yield frame

    async def aclose(self) -> None:
        await self._close()


class ProviderTransport(http.BaseTransport, _Core):
    """Sync transport for ``openai.OpenAI``."""

    def __init__(self, exchange: Exchange, setup: Setup, inner: http.BaseTransport | None = None,
                 keyed: KeyedSetup | None = None) -> None:
        _Core.__init__(self, exchange, setup, keyed)
        self.inner = inner or http.HTTPTransport()

    def handle_request(self, request: http.Request) -> http.Response:
        routed = self.routed(request)
        if routed is not None:
            return routed.handle_request(request)  # type: ignore[no-any-return]
        if self.setup.refusal is not None:  # the key must not be sent (an OpenAI key): nothing leaves
            return _answer(error_answer(self.setup.refusal), request)
        raw = request.read()
        prepared = self.exchange.prepare(request.method, request.url.path, raw, _content_type(request, raw),
                                         _query(request))
        if isinstance(prepared, Answer):
            return _answer(prepared, request)
        replies: list[Any] = []
        last: http.Response | None = None
        deadline = _deadline(request)
        total = len(prepared.plan) if isinstance(prepared.plan, list) else 1  # a multi-step plan: one at a time
        for index, native in enumerate(prepared.requests(replies)):
            try:
                if native.delay:
                    time.sleep(_wait(native, deadline, request, self.exchange.backend.NAME))
                reply, payload, info = self._send_planned(native, request, index, total)
            except NativeError as err:  # the auth flow was refused, or a task's poll is overdue
                return _answer(error_answer(err.info), request)
            except http.TransportError as exc:
                if not native.overdue:
                    raise
                return _answer(error_answer(_overdue(native, self.exchange.backend.NAME,
                                                    f"polling the task failed ({type(exc).__name__})")), request)
            if info is not None:
                return _answer(error_answer(info), request, reply=reply)
            last = reply
            if native.stream and prepared.stream_out:
                return self._stream(request, prepared, reply)
            if native.stream:
                result = aggregate(StreamTranslator(self.exchange, prepared), reply.iter_lines())
                reply.close()
                if isinstance(result, ErrorInfo):
                    return _answer(error_answer(result), request)
                replies.append(result)
            else:
                replies.append(payload)
        return _answer(self.exchange.finish(prepared, replies), request, prepared.ctx.notes.get("request_id"), last)

    def _send_planned(self, native: NativeRequest, original: http.Request, index: int, total: int) -> Sent:
        """``_send``, retried here when one request of a fanned-out plan fails (see ``batch_retry_delay``)."""
        for attempt in itertools.count():
            reply, payload, info = self._send(native, original)
            if info is None:
                return reply, payload, None
            reply.close()
            info = _with_headers(info, reply)
            wait = batch_retry_delay(info, attempt) if total > 1 or native.overdue else None
            if wait is None:
                return reply, payload, _gave_up(native, info, index, total, attempt)
            time.sleep(wait)
        raise AssertionError("unreachable")

    def _send(self, native: NativeRequest, original: http.Request, retried: bool = False) -> Sent:
        """Send one native request; read and inspect it unless it is a healthy stream. A request for an
        absolute URL (a provider's result file) goes without credentials or the client's headers."""
        fixed, ready = self.fixed_auth(native), native
        if fixed is None:
            copy = dataclasses.replace(native, headers=dict(native.headers), params=dict(native.params))
            ready = self._drive(self.setup.auth.authorise(copy), original)
        sent = _native_request(ready, self.setup.base_url, original, None if native.url else self.outgoing(original),
                               fixed)
        self.sending(sent)
        reply = self.inner.handle_request(sent)
        if native.stream and reply.status_code < 400:
            self.received(sent, reply)
            return reply, None, None  # in-stream errors are the stream translation's business
        content = _read(reply)
        payload, info = self.exchange.inspect(reply.status_code, content, reply.headers, native.file)
        self.received(sent, reply, payload)
        if info is not None and info.code == TOKEN_EXPIRED and not retried:
            reply.close()
            self.setup.auth.reset()
            return self._send(native, original, retried=True)
        return reply, payload, info

    def _drive(self, flow: AuthFlow, original: http.Request) -> NativeRequest:
        try:
            token_request = next(flow)
            while True:
                sent = _native_request(token_request, self.setup.base_url, original)
                self.sending(sent)
                reply = self.inner.handle_request(sent)
                reply.read()
                self.received(sent, reply)
                token_request = flow.send(TokenReply(reply.status_code, parse_json(reply.content)))
        except StopIteration as stop:
            result: NativeRequest = stop.value
            return result

    def _stream(self, request: http.Request, prepared: Prepared, reply: http.Response) -> http.Response:
        translator = StreamTranslator(self.exchange, prepared)

        def frames() -> Iterator[bytes]:
            try:
                for chunk in reply.iter_bytes():
                    frames = translator.feed_bytes(chunk)
                    self.stream_id(translator)
                    if frames:
                        yield frames
            except http.TransportError as exc:  # the same APIError on every openai version
                yield translator.interrupted(exc)
                return
            yield from translator.close()

        return self.stream_response(request, frames(), reply.close, is_async=False, reply=reply)

    def close(self) -> None:
        self.inner.close()


class AsyncProviderTransport(http.AsyncBaseTransport, _Core):
    """Async transport for ``openai.AsyncOpenAI``; the same steps as ``ProviderTransport``, awaited."""

    def __init__(self, exchange: Exchange, setup: Setup, inner: http.AsyncBaseTransport | None = None,
                 keyed: KeyedSetup | None = None) -> None:
        _Core.__init__(self, exchange, setup, keyed)
        self.inner = inner or http.AsyncHTTPTransport()

    async def handle_async_request(self, request: http.Request) -> http.Response:
        routed = self.routed(request)
        if routed is not None:
            return await routed.handle_async_request(request)  # type: ignore[no-any-return]
        if self.setup.refusal is not None:
            return _answer(error_answer(self.setup.refusal), request)
        raw = await request.aread()
        prepared = self.exchange.prepare(request.method, request.url.path, raw, _content_type(request, raw),
                                         _query(request))
        if isinstance(prepared, Answer):
            return _answer(prepared, request)
        replies: list[Any] = []
        last: http.Response | None = None
        deadline = _deadline(request)
        total = len(prepared.plan) if isinstance(prepared.plan, list) else 1  # a multi-step plan: one at a time
        for index, native in enumerate(prepared.requests(replies)):
            try:
                if native.delay:
                    await anyio.sleep(_wait(native, deadline, request, self.exchange.backend.NAME))
                reply, payload, info = await self._send_planned(native, request, index, total)
            except NativeError as err:  # the auth flow was refused, or a task's poll is overdue
                return _answer(error_answer(err.info), request)
            except http.TransportError as exc:
                if not native.overdue:
                    raise
                return _answer(error_answer(_overdue(native, self.exchange.backend.NAME,
                                                    f"polling the task failed ({type(exc).__name__})")), request)
            if info is not None:
                return _answer(error_answer(info), request, reply=reply)
            last = reply
            if native.stream and prepared.stream_out:
                return self._stream(request, prepared, reply)
            if native.stream:
                lines = [line async for line in reply.aiter_lines()]
                await reply.aclose()
                result = aggregate(StreamTranslator(self.exchange, prepared), iter(lines))
                if isinstance(result, ErrorInfo):
                    return _answer(error_answer(result), request)
                replies.append(result)
            else:
                replies.append(payload)
        return _answer(self.exchange.finish(prepared, replies), request, prepared.ctx.notes.get("request_id"), last)

    async def _send_planned(self, native: NativeRequest, original: http.Request, index: int, total: int) -> Sent:
        for attempt in itertools.count():
            reply, payload, info = await self._send(native, original)
            if info is None:
                return reply, payload, None
            await reply.aclose()
            info = _with_headers(info, reply)
            wait = batch_retry_delay(info, attempt) if total > 1 or native.overdue else None
            if wait is None:
                return reply, payload, _gave_up(native, info, index, total, attempt)
            await anyio.sleep(wait)
        raise AssertionError("unreachable")

    async def _send(self, native: NativeRequest, original: http.Request, retried: bool = False) -> Sent:
        fixed, ready = self.fixed_auth(native), native
        if fixed is None:
            copy = dataclasses.replace(native, headers=dict(native.headers), params=dict(native.params))
            ready = await self._drive(self.setup.auth.authorise(copy), original)
        sent = _native_request(ready, self.setup.base_url, original, None if native.url else self.outgoing(original),
                               fixed)
        self.sending(sent)
        reply = await self.inner.handle_async_request(sent)
        if native.stream and reply.status_code < 400:
            self.received(sent, reply)
            return reply, None, None
        content = await _aread(reply)
        payload, info = self.exchange.inspect(reply.status_code, content, reply.headers, native.file)
        self.received(sent, reply, payload)
        if info is not None and info.code == TOKEN_EXPIRED and not retried:
            await reply.aclose()
            self.setup.auth.reset()
            return await self._send(native, original, retried=True)
        return reply, payload, info

    async def _drive(self, flow: AuthFlow, original: http.Request) -> NativeRequest:
        try:
            token_request = next(flow)
            while True:
                sent = _native_request(token_request, self.setup.base_url, original)
                self.sending(sent)
                reply = await self.inner.handle_async_request(sent)
                await reply.aread()
                self.received(sent, reply)
                token_request = flow.send(TokenReply(reply.status_code, parse_json(reply.content)))
        except StopIteration as stop:
            result: NativeRequest = stop.value
            return result

    def _stream(self, request: http.Request, prepared: Prepared, reply: http.Response) -> http.Response:
        translator = StreamTranslator(self.exchange, prepared)

        async def frames() -> AsyncIterator[bytes]:
            try:
                async for chunk in reply.aiter_bytes():
                    frames = translator.feed_bytes(chunk)
                    self.stream_id(translator)
                    if frames:
                        yield frames
            except http.TransportError as exc:
                yield translator.interrupted(exc)
                return
            for frame in translator.close():
                yield frame

        return self.stream_response(request, frames(), reply.aclose, is_async=True, reply=reply)

    async def aclose(self) -> None:
        await self.inner.aclose()
