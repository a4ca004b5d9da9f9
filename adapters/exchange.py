"""The translation of one OpenAI request, without I/O: what to send, and what to answer.

``transport.py`` drives an ``Exchange``: it asks ``prepare()`` for the native plan, sends each
native request, and hands the replies to ``finish()`` (or feeds a stream to ``StreamTranslator``).
Everything provider-specific is a call into the backend module; nothing here names a provider.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import audio, catalogue, completions, multipart, openai_wire, request_shape, responses
from ._warn import warn
from .capabilities import Policy, Refused
from .chat import has_images
from .errors import error_body, error_headers, lookup, parse_json, unsupported_endpoint
from .native import Context, ErrorInfo, FileReply, NativeError, NativeRequest, Plan, SSEEvent, StreamState
from .response_events import ResponseEvents, encode_event, relay
from .response_store import LIMIT, ResponseStore, stored_request
from .sse import DONE, ChunkFrames, SSEDecoder, encode_data, to_json

if TYPE_CHECKING:
    from .registry import Backend

__all__ = ["Answer", "Exchange", "FunctionCallWarning", "Prepared", "StreamTranslator", "endpoint_of"]

#: First path segments (after the root) -> the OpenAI API area they belong to.
_AREAS = {
    "chat": "chat.completions", "embeddings": "embeddings", "models": "models",
    "completions": "completions", "images": "images", "audio": "audio", "moderations": "moderations",
    "files": "files", "fine_tuning": "fine_tuning", "batches": "batches", "assistants": "assistants",
    "threads": "threads", "vector_stores": "vector_stores", "responses": "responses",
    "realtime": "realtime", "uploads": "uploads", "containers": "containers", "videos": "videos",
}


@functools.lru_cache(maxsize=256)
def endpoint_of(path: str, root_path: str) -> str:
    """``/api/v1/chat/completions`` under root ``/api/v1`` -> ``chat.completions`` (cached: a client asks
    for few paths, once per request)."""
    rest = path[len(root_path):] if path.startswith(root_path) else path
    parts = [p for p in rest.split("/") if p]
    if parts and parts[0] == "beta":
        parts = parts[1:]
    if parts and parts[0] == "openai":  # Azure-style prefix
        parts = parts[1:]
    if len(parts) > 2 and parts[0] == "deployments":  # Azure: /deployments/<name>/chat/completions
        parts = parts[2:]
    return _AREAS.get(parts[0], "/".join(parts)) if parts else ""


@functools.lru_cache(maxsize=256)
def operation_of(path: str, root_path: str) -> str:
    """``/api/v1/images/generations`` -> ``images.generations`` (the area and its first sub-path):
    areas a provider serves only in part (images, audio) declare these in ``endpoints``."""
    rest = path[len(root_path):] if path.startswith(root_path) else path
    parts = [p for p in rest.split("/") if p][:2]
    return ".".join(parts)


@dataclass(frozen=True)
class Answer:
    """A reply made without the provider (an error, ``models``, or a translated result); ``raw`` is a
    body that is not JSON (speech audio, a plain-text transcript)."""

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def content(self) -> bytes:
        return self.raw if self.raw is not None else to_json(self.body)


@dataclass
class Prepared:
    """The native requests for one OpenAI request, and how to answer it."""

    endpoint: str
    ctx: Context
    plan: Plan
    stream_out: bool
    include_usage: bool
    #: A Responses API request: how it was translated (``responses.py``), and whether the provider's
    #: own Responses endpoint serves it (then replies and events pass through as they are).
    responses: responses.Translation | None = None
    native_responses: bool = False
    #: Set when a multi-step plan gave up (a failed task): the answer is this error.
    failure: ErrorInfo | None = None

    def requests(self, replies: list[Any]) -> Iterator[NativeRequest]:
        """The native requests in order; a multi-step plan is sent the last reply and decides the next."""
        if isinstance(self.plan, list):
            yield from self.plan
            return
        try:
            native = next(self.plan)
            while True:
                yield native
                native = self.plan.send(replies[-1] if replies else None)
        except StopIteration:
            return
        except NativeError as err:
            self.failure = err.info
        except Refused as refused:
            self.failure = ErrorInfo(refused.status, refused.code, refused.message, self.ctx.provider,
                                     param=refused.param)


def malformed(provider: str, exc: Exception) -> ErrorInfo:
    """A native reply whose shape the backend could not read: a retryable 502, never a crash."""
    return ErrorInfo(502, "bad_gateway", f"{provider} answered in a shape qianyi could not translate "
                     f"({type(exc).__name__}: {exc}); the request may be retried.", provider, retry=True)


def unfinished(provider: str, exc: Exception | None = None) -> ErrorInfo:
    """A native stream that broke off, or ended (or never started) without its finish marker."""
    how = f"broke mid-stream ({type(exc).__name__})" if exc is not None else "ended before the answer was finished"
    return ErrorInfo(502, "stream_interrupted", f"The reply from {provider} {how}; the reply is incomplete.",
                     provider)


#: How often one request of a fanned-out plan (embedding batches, ``n`` copies) is retried by the
#: transport itself: the openai client's default, so a 429 on batch 7 does not re-send batches 1-6.
BATCH_RETRIES = 2
#: The longest ``Retry-After`` honoured between batch retries (the openai SDK caps its own at 60 s).
MAX_RETRY_WAIT = 60.0


def batch_retry_delay(info: ErrorInfo, attempt: int) -> float | None:
    """Seconds to wait before retrying a failed plan request (``attempt`` counts from 0), or ``None``."""
    if attempt >= BATCH_RETRIES or info.retry is False:
        return None
    if info.retry is not True and info.status not in (408, 409, 429) and info.status < 500:
        return None
    try:
        wait = float(info.retry_after) if info.retry_after else 0.5 * 2 ** attempt
    except ValueError:  # an HTTP-date Retry-After: use the back-off
        wait = 0.5 * 2 ** attempt
    return min(max(wait, 0.0), MAX_RETRY_WAIT)


def gave_up(info: ErrorInfo, index: int, total: int) -> ErrorInfo:
    """The error of a fanned-out plan whose request ``index`` failed for good: not retried whole."""
    return dataclasses.replace(info, retry=False, message=f"{info.message} (request {index + 1} of {total} of "
                               f"this call failed after {BATCH_RETRIES} retries of its own; the call is not "
                               f"retried whole, which would re-send and re-bill the others)")


def error_answer(info: ErrorInfo) -> Answer:
    return Answer(info.status, error_body(info), error_headers(info))


#: How many (model, images) resolutions a client remembers (``Exchange._resolve``).
_RESOLVED = 64

#: The model OpenAI uses when a call names none (``images.generate``'s ``model`` is optional).
DEFAULT_MODELS = {"images.generations": "dall-e-2", "images": "dall-e-2"}


def _has_images(body: Mapping[str, Any]) -> bool:
    messages = body.get("messages")
    return isinstance(messages, list) and has_images(messages)


class Exchange:
    """One client's translation settings; ``prepare``/``finish`` are called per request."""

    def __init__(self, backend: Backend, *, root_path: str, policy: Policy, variant: str = "default",
                 model_map: Mapping[str, str] | None = None, options: Mapping[str, Any] | None = None) -> None:
        self.backend, self.root_path, self.policy, self.variant = backend, root_path.rstrip("/"), policy, variant
        self.model_map = dict(model_map or {})
        self.options = dict(options or {})
        self.store = ResponseStore()  # past responses, for previous_response_id
        self._resolved: dict[tuple[str, bool], str] = {}  # (requested model, with images) -> provider model

    def prepare(self, method: str, path: str, raw: bytes, content_type: str = "", query: str = "") -> Prepared | Answer:
        endpoint = endpoint_of(path, self.root_path)
        caps = self.backend.CAPABILITIES
        if endpoint not in caps.endpoints:
            operation = operation_of(path, self.root_path)
            if operation not in caps.endpoints:
                return error_answer(unsupported_endpoint(operation if "." in operation else endpoint or path,
                                                         self.backend.NAME))
            endpoint = operation  # images.generations, audio.speech...: part of an area
        if endpoint == "models":
            return self._models(method, path)
        if endpoint == "responses" and not (method == "POST" and path.rstrip("/").endswith("/responses")):
            return self._stored(method, path, query)
        if content_type.startswith("multipart/form-data"):
            try:
                body: dict[str, Any] = multipart.parse(raw, content_type)
            except ValueError as exc:
                return error_answer(ErrorInfo(400, "invalid_request", str(exc), self.backend.NAME))
        else:
            body = parse_json(raw) or {} if raw else {}
        if not isinstance(body, dict):
            return self._refused(Refused("The request body must be a JSON object.", code="invalid_json"))
        requested = str(body.get("model") or DEFAULT_MODELS.get(endpoint, ""))
        try:  # images on a text model go to its vision counterpart; an unknown OpenAI name is refused here
            model = self._resolve(requested, _has_images(body) if endpoint == "chat.completions"
                                  else endpoint == "responses" and self._shows_images(body))
        except catalogue.UnknownModel as exc:
            return error_answer(ErrorInfo(404, "model_not_found", str(exc), self.backend.NAME, param="model"))
        ctx = Context(self.backend.NAME, model, requested, self.policy, self.variant, options=self.options)
        try:
            request_shape.check(endpoint, body)
            if endpoint == "responses":
                return self._prepare_responses(body, ctx)
            plan = self._plan(endpoint, body, ctx)
        except Refused as refused:
            return self._refused(refused)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # A shape request_shape does not know yet: still OpenAI's 400, never a raw exception.
            return self._refused(Refused(f"qianyi could not translate this request for {self.backend.NAME} "
                                         f"({type(exc).__name__}: {exc}); check the arguments against "
                                         f"OpenAI's API reference.", code="invalid_request"))
        stream_out = bool(body.get("stream")) or audio.STREAM_NOTE in ctx.notes  # speech: stream_format="sse"
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return Prepared(endpoint, ctx, plan, stream_out, include_usage)

    def _resolve(self, requested: str, vision: bool) -> str:
        """``catalogue.resolve`` for this client's provider and map, remembered: a client names few models."""
        key = (requested, vision)
        model = self._resolved.get(key)
        if model is None:
            model = catalogue.resolve(requested, self.backend.NAME, self.model_map, vision=vision)
            if len(self._resolved) >= _RESOLVED:
                self._resolved.clear()
            self._resolved[key] = model
        return model

    def _plan(self, endpoint: str, body: dict[str, Any], ctx: Context) -> Plan:
        if endpoint == "completions":  # served by chat, one chat request per prompt
            return [native for chat_body in completions.to_chat(body, ctx)
                    for native in self.backend.to_native("chat.completions", chat_body, ctx)]
        return self.backend.to_native(endpoint, body, ctx)

    def _refused(self, refused: Refused) -> Answer:
        return error_answer(ErrorInfo(refused.status, refused.code, refused.message, self.backend.NAME,
                                      param=refused.param))

    def inspect(self, status: int, raw: bytes, headers: Mapping[str, str],
                file: bool = False) -> tuple[Any, ErrorInfo | None]:
        """The parsed native reply, and the mapped error if it is one (some come with HTTP 200); a
        file asked for (``NativeRequest.file``) comes back as a ``FileReply``."""
        if file and status < 400:
            return FileReply(raw, headers.get("content-type", "application/octet-stream")), None
        payload = parse_json(raw)
        if payload is None and raw:
            payload = raw.decode("utf-8", "replace")
        info: ErrorInfo | None = self.backend.error_of(status, payload, headers)
        if info is None and status >= 400:
            text = raw.decode("utf-8", "replace")[:500] or f"HTTP {status}"
            info = lookup({}, None, status, text, provider=self.backend.NAME,
                          request_id=headers.get("x-request-id"))
        return payload, info

    def finish(self, prepared: Prepared, replies: list[Any]) -> Answer:
        """The OpenAI answer for the plan's native replies (JSON bodies, files, aggregated completions)."""
        if prepared.failure is not None:
            return error_answer(prepared.failure)
        if any(not isinstance(reply, Mapping | FileReply) for reply in replies):
            return error_answer(ErrorInfo(502, "bad_gateway", f"{self.backend.NAME} answered with a body that is "
                                          f"not the JSON object its API documents; the request may be retried.",
                                          self.backend.NAME, retry=True))
        try:
            result = self.backend.from_native(prepared.endpoint, replies, prepared.ctx)
            if prepared.endpoint == "completions" and isinstance(result, dict) and \
                    result.get("object") == "chat.completion":
                result = completions.from_chat(result, prepared.ctx)
            if prepared.responses is not None and isinstance(result, dict):
                result = self._responded(prepared, result)
        except NativeError as err:
            return error_answer(err.info)
        except Refused as refused:
            return error_answer(ErrorInfo(refused.status, refused.code, refused.message, self.backend.NAME))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            return error_answer(malformed(self.backend.NAME, exc))
        if isinstance(result, FileReply):
            return Answer(200, {}, {"content-type": result.content_type}, raw=result.content)
        if prepared.ctx.notes.get("legacy_functions") and prepared.endpoint == "chat.completions":
            _left_out(openai_wire.as_function_call(result), prepared.ctx)
        return Answer(200, result, {"content-type": "application/json"})

    def _prepare_responses(self, body: Mapping[str, Any], ctx: Context) -> Prepared | Answer:
        """A Responses request: the provider's own endpoint where it serves the model, else chat."""
        previous = body.get("previous_response_id")
        stored = self.store.get(str(previous)) if previous else None
        if any(item.get("type") == "item_reference" for item in responses.input_items(body.get("input"))):
            serves_all = getattr(self.backend, "serves_responses", None)  # its own endpoint may know the id
            body = {**body, "input": responses.resolve_references(
                responses.input_items(body.get("input")), self.store.item,
                strict=serves_all is None or not serves_all(body, ctx))}
        ctx.notes["root_path"] = self.root_path  # the provider's Responses endpoint may sit beside it
        serves = getattr(self.backend, "serves_responses", None)
        native = serves is not None and serves(body, ctx) and (stored is None or stored.native)
        stream_out = bool(body.get("stream"))
        if native:
            history = stored.items if stored is not None else ()
            tr = responses.Translation({}, {}, [*history, *responses.input_items(body.get("input"))],
                                       store=body.get("store") is not False)
            plan = self.backend.to_native("responses", body, ctx)
            return Prepared("responses", ctx, plan, stream_out, False, tr, native_responses=True)
        if previous and stored is None:
            return error_answer(ErrorInfo(
                404, "previous_response_not_found", f"Previous response with id {previous!r} not found: "
                f"qianyi keeps the last {LIMIT} responses of this client in memory (not those made with "
                f"store=False, nor another client's); pass the conversation as input instead.",
                self.backend.NAME, param="previous_response_id"))
        tr = responses.to_chat(body, ctx, stored.items if stored is not None else ())
        request_shape.check("chat.completions", tr.chat)
        plan = self.backend.to_native("chat.completions", tr.chat, ctx)
        return Prepared("chat.completions", ctx, plan, stream_out, stream_out, tr)

    def _responded(self, prepared: Prepared, result: dict[str, Any]) -> dict[str, Any]:
        """The response object for a Responses request's result, kept for ``previous_response_id``."""
        tr = prepared.responses
        assert tr is not None
        if not prepared.native_responses:
            result = responses.response_from_chat(result, tr)
        self.keep(prepared, result)
        return result

    def keep(self, prepared: Prepared, response: Mapping[str, Any] | None) -> None:
        tr = prepared.responses
        if tr is not None and tr.store and response is not None and response.get("id"):
            self.store.put(response, tr.items, native=prepared.native_responses)

    def _shows_images(self, body: Mapping[str, Any]) -> bool:
        """Whether a Responses request's conversation (earlier turns and referenced items too) has images."""
        previous = body.get("previous_response_id")
        if not previous and isinstance(body.get("input"), str):  # one text message, nothing earlier
            return False
        stored = self.store.get(str(previous)) if previous else None
        try:
            items = responses.resolve_references(responses.input_items(body.get("input")), self.store.item,
                                                 strict=False)
        except (TypeError, ValueError, AttributeError):  # not items: request_shape answers it next
            return False
        return responses.has_images([*(stored.items if stored is not None else ()), *items])

    def _stored(self, method: str, path: str, query: str) -> Answer:
        """``responses.retrieve`` / ``delete`` / ``input_items.list`` / ``cancel`` from this client's store."""
        tail = path[len(self.root_path):].strip("/").split("/")
        answered = stored_request(self.store, method, tail, query, self.backend.NAME)
        return error_answer(answered) if isinstance(answered, ErrorInfo) else Answer(*answered)

    def _models(self, method: str, path: str) -> Answer:
        """``models.list`` / ``models.retrieve`` from the catalogue, no network call."""
        models = catalogue.provider_models(self.backend.NAME)
        rows = [{"id": name, "object": "model", "created": 0, "owned_by": self.backend.NAME} for name in models]
        tail = path[len(self.root_path):].strip("/").split("/", 1)
        if method == "GET" and len(tail) == 2 and tail[1]:
            wanted = catalogue.map_model(tail[1], self.backend.NAME, self.model_map)
            row = next((r for r in rows if r["id"] == wanted), None)
            if row is None:
                return error_answer(ErrorInfo(404, "model_not_found", f"The model {tail[1]!r} does not exist "
                                              f"in qianyi's {self.backend.NAME} catalogue.", self.backend.NAME))
            return Answer(200, row)
        return Answer(200, {"object": "list", "data": rows})


class StreamTranslator:
    """Native SSE lines in, OpenAI ``data:`` frames out (then ``[DONE]``)."""

    def __init__(self, exchange: Exchange, prepared: Prepared) -> None:
        self.backend, self.exchange, self.prepared = exchange.backend, exchange, prepared
        tr = prepared.responses if prepared.stream_out and not prepared.native_responses else None
        #: Chat chunks become Responses events (a translated Responses stream).
        self.events = ResponseEvents(tr, prepared.ctx.model) if tr is not None else None
        self.relayed: dict[str, Any] | None = None  # the final response of a native Responses stream
        self.state = StreamState(prepared.ctx)
        self.legacy_functions = bool(prepared.ctx.notes.get("legacy_functions"))
        self.include_usage = prepared.include_usage
        self.as_text = prepared.endpoint == "completions"
        self.decoder = SSEDecoder()
        self._encode = ChunkFrames()
        self.failed = False
        self._text = codecs.getincrementaldecoder("utf-8")("replace")
        #: The pieces of a line not yet ended: joined once its end arrives, so a long line costs
        #: linear time however many chunks it spans.
        self._pending: list[str] = []

    def feed(self, line: str) -> bytes:
        """The frames for one native line (none until it ends an event)."""
        event = self.decoder.feed(line)
        return b"" if event is None else self._event(event)

    def feed_bytes(self, chunk: bytes) -> bytes:
        """The frames for one network chunk, joined: one hand-over per chunk, not per event."""
        text = self._text.decode(chunk)
        if "\n" not in text:
            self._pending.append(text)
            return b""
        if self._pending:
            text = "".join((*self._pending, text))
        if "\r" in text:  # CRLF line ends (one split between chunks is joined whole here)
            text = text.replace("\r\n", "\n")
        lines = text.split("\n")
        tail = lines.pop()
        self._pending = [tail] if tail else []
        return b"".join([self._event(event) for event in self.decoder.feed_lines(lines)])

    def close(self) -> Iterator[bytes]:
        rest = "".join(self._pending) + self._text.decode(b"", final=True)
        self._pending = []
        frames = [self.feed(line) for line in (rest.split("\n") if rest else ())]
        event = self.decoder.flush()
        if event is not None:
            frames.append(self._event(event))
        if any(frames):
            yield b"".join(frames)
        if self.failed:
            return
        if not self.state.finished:
            self.failed = True
            yield encode_data(error_body(unfinished(self.backend.NAME)))
            return
        if self.prepared.responses is not None:
            if self.events is not None:
                yield self.events.finish(self.state.usage)
            self.exchange.keep(self.prepared, self.events.response if self.events is not None else self.relayed)
            return
        if audio.STREAM_NOTE in self.state.ctx.notes:
            return  # OpenAI's audio event streams end with their done event, no [DONE]
        if self.include_usage and self.state.usage is not None:
            yield self._frame(openai_wire.chunk(id=self.state.id, model=self.state.ctx.model,
                                                created=self.state.ctx.created, usage=self.state.usage))
        yield DONE

    def _frame(self, chunk: dict[str, Any]) -> bytes:
        """One OpenAI chunk on the wire (as a text-completion chunk for ``completions``; in the functions
        API's shape for a ``functions=`` request; as Responses events for ``responses``)."""
        if self.events is not None:
            return self.events.feed(chunk)
        if self.legacy_functions:
            _left_out(openai_wire.as_function_call_chunk(chunk), self.state.ctx)
        if self.as_text:
            text = completions.chunk_from_chat(chunk, self.state.ctx)
            return b"" if text is None else encode_data(text)
        return self._encode(chunk)

    def interrupted(self, exc: Exception) -> bytes:
        """The error frame for a stream the connection dropped (the openai SDK raises ``APIError``)."""
        self.failed = True
        return encode_data(error_body(unfinished(self.backend.NAME, exc)))

    def chunks(self, event: SSEEvent) -> list[dict[str, Any]]:
        """Chunk dicts for one event (used to aggregate a stream for a non-stream caller)."""
        return self.backend.from_native_event(event, self.state)

    def _event(self, event: SSEEvent) -> bytes:
        """The frames of one native event; a failing event ends the stream with an error frame (after
        the frames of the chunks before it)."""
        if self.failed:
            return b""
        frames: list[bytes] = []
        try:
            if self.prepared.native_responses:
                frames.append(self._relay(event))
            else:
                for c in self.backend.from_native_event(event, self.state):
                    frames.append(self._frame(c))
        except NativeError as err:
            self.failed = True
            frames.append(encode_data(error_body(err.info)))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            self.failed = True
            frames.append(encode_data(error_body(malformed(self.backend.NAME, exc))))
        return frames[0] if len(frames) == 1 else b"".join(frames)

    def _relay(self, event: SSEEvent) -> bytes:
        """One event of a provider's own Responses stream, passed on (its errors mapped)."""
        payload = relay(event, lambda p: self.backend.error_of(200, p, {}), self.backend.NAME)
        if payload is None:
            return b""
        if payload.get("type") in ("response.completed", "response.incomplete", "response.failed"):
            self.state.finished = True
            self.relayed = dict(payload.get("response") or {})
        return encode_event(payload)


class FunctionCallWarning(UserWarning):
    """A reply to ``functions=`` held more calls than that API carries; only the first was kept."""


def _left_out(count: int, ctx: Context) -> None:
    if count and not ctx.notes.get("function_calls_left_out"):
        ctx.notes["function_calls_left_out"] = True
        warn(f"{ctx.provider} answered the functions= request with several function calls at once; the "
             f"functions API carries one, so only the first is in message.function_call. Use tools= to "
             f"receive them all.", FunctionCallWarning)


def aggregate(translator: StreamTranslator, lines: Iterator[str]) -> dict[str, Any] | ErrorInfo:
    """Serve a non-stream caller from a native stream (stream-only models)."""
    collected: list[dict[str, Any]] = []
    try:
        for line in lines:
            event = translator.decoder.feed(line)
            if event is not None:
                collected.extend(translator.chunks(event))
        event = translator.decoder.flush()
        if event is not None:
            collected.extend(translator.chunks(event))
    except NativeError as err:
        return err.info
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return malformed(translator.backend.NAME, exc)
    if not translator.state.finished:  # never a truncated answer marked complete: the caller retries
        return dataclasses.replace(unfinished(translator.backend.NAME), retry=True)
    completion = openai_wire.completion_from_chunks(collected)
    if translator.state.usage is not None:
        completion["usage"] = translator.state.usage
    return completion
