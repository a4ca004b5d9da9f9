"""The scenario matrix: real openai clients -> provider transport -> emulator over HTTP on 127.0.0.1.

Every scenario runs for every provider, sync and async. Provider quirks live in the backends;
this file only knows the native error codes to inject (``scenarios.py``).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pydantic
import pytest

from adapters import AsyncOpenAI, OpenAI, catalogue, registry
from adapters.embeddings import EmbeddingSizeWarning
from adapters.emulator import Emulator, Reply
from tests.adapters.conftest import PROVIDERS as PROVIDERS  # imported from here by other tests
from tests.adapters.scenarios import EXCEPTIONS, FAULTS, KEYS, mapped


class Client:
    """One call style for sync and async tests: ``call(lambda c: c.chat.completions.create(...))``.

    Async calls run in a fresh event loop with a fresh ``AsyncOpenAI`` each (connection pools are
    bound to their loop); sync calls share one ``OpenAI``.
    """

    made: list[Any] = []

    def __init__(self, provider: str, emulator: Emulator, sync: bool, **options: Any) -> None:
        options.setdefault("max_retries", 0)
        self.kwargs = dict(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider), **options)
        self.sync = sync
        self.client: Any = OpenAI(**self.kwargs) if sync else AsyncOpenAI(**self.kwargs)
        if sync:
            Client.made.append(self.client)

    def call(self, fn: Callable[[Any], Any]) -> Any:
        if self.sync:
            return fn(self.client)

        async def run() -> Any:
            async with AsyncOpenAI(**self.kwargs) as client:
                value = await fn(client)
                if hasattr(value, "__aiter__"):
                    return [item async for item in value]
                return value

        return asyncio.run(run())

    def collect(self, fn: Callable[[Any], Any]) -> list[Any]:
        return list(self.call(fn))


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    """Sync clients made by a test are closed after it (no socket outlives its test)."""
    yield
    while Client.made:
        Client.made.pop().close()


def user(text: str = "hello there") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_chat_returns_the_sdks_own_types(provider: str, sync: bool, emulator: Emulator) -> None:
    c = Client(provider, emulator, sync)
    completion = c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))
    assert isinstance(completion, openai.types.chat.ChatCompletion)
    target = mapped("gpt-4o", provider)
    assert completion.choices[0].message.content == f"Echo from {target}: hello there"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.total_tokens > 0
    sent = [r for r in emulator.requests if r.provider.startswith(provider)][-1]
    assert json.dumps(sent.json).count(target) == 1


def test_stream_deltas_finish_and_usage(provider: str, sync: bool, emulator: Emulator) -> None:
    c = Client(provider, emulator, sync)
    chunks = c.collect(lambda cl: cl.chat.completions.create(
        model="gpt-4o", messages=user("stream me please"), stream=True, stream_options={"include_usage": True}))
    assert all(isinstance(ch, openai.types.chat.ChatCompletionChunk) for ch in chunks)
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text == f"Echo from {mapped('gpt-4o', provider)}: stream me please"
    assert len([ch for ch in chunks if ch.choices]) > 2
    assert [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0


def test_stream_without_include_usage_has_no_usage_chunk(provider: str, sync: bool, emulator: Emulator) -> None:
    chunks = Client(provider, emulator, sync).collect(
        lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user(), stream=True))
    assert all(ch.usage is None for ch in chunks) and all(ch.choices for ch in chunks)


TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_tool_call_round_trip(provider: str, sync: bool, stream: bool, emulator: Emulator) -> None:
    c = Client(provider, emulator, sync)
    messages: list[dict[str, Any]] = user("weather in Hangzhou?")
    if stream:
        chunks = c.collect(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS,
                                                                 stream=True))
        calls = [tc for ch in chunks if ch.choices for tc in (ch.choices[0].delta.tool_calls or [])]
        assert calls[0].id and calls[0].function.name == "get_weather"
        call_id, arguments = calls[0].id, "".join(tc.function.arguments or "" for tc in calls)
        assert [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason] == [
            "tool_calls"]
    else:
        completion = c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS))
        assert completion.choices[0].finish_reason == "tool_calls"
        call = completion.choices[0].message.tool_calls[0]
        call_id, arguments = call.id, call.function.arguments
    assert json.loads(arguments) == {"city": "x"}
    messages += [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": "get_weather", "arguments": arguments}}]},
        {"role": "tool", "tool_call_id": call_id, "content": "sunny, 21C"},
    ]
    follow = c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS))
    assert follow.choices[0].message.content == "Tool said: sunny, 21C"


def test_json_mode(provider: str, sync: bool, emulator: Emulator) -> None:
    completion = Client(provider, emulator, sync).call(lambda cl: cl.chat.completions.create(
        model="gpt-4o", messages=user("give me an object"), response_format={"type": "json_object"}))
    assert json.loads(completion.choices[0].message.content) == {"echo": "give me an object"}


class Person(pydantic.BaseModel):
    name: str
    age: int
    tags: list[str]


def test_structured_output_parse(provider: str, sync: bool, emulator: Emulator) -> None:
    c = Client(provider, emulator, sync)
    parsed = c.call(lambda cl: cl.chat.completions.parse(model="gpt-4o", messages=user("who?"),
                                                        response_format=Person))
    person = parsed.choices[0].message.parsed
    assert isinstance(person, Person) and person.name == "x" and person.age == 1


def test_scripted_reply_with_reasoning_and_n_choices(provider: str, sync: bool, emulator: Emulator) -> None:
    emulator.script(provider, Reply(text="first"), Reply(text="second"))
    c = Client(provider, emulator, sync, unsupported="drop")
    completion = c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user(), n=2))
    contents = [choice.message.content for choice in completion.choices]
    assert contents in (["first", "second"], ["first"])  # a provider without n fan-out drops it (policy)


def test_embeddings_keep_vector_size_batch_and_order(provider: str, sync: bool, emulator: Emulator) -> None:
    texts = [f"text number {i}" for i in range(70)]
    target = catalogue.provider_model(provider, mapped("text-embedding-3-small", provider)) or {}
    keeps_size = 1536 in target.get("dimensions", [])
    c = Client(provider, emulator, sync, unsupported="drop")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-small", input=texts))
        single = c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-small", input=texts[7],
                                                        encoding_format="float"))
    size_warnings = [w for w in caught if issubclass(w.category, EmbeddingSizeWarning)]
    assert isinstance(response, openai.types.CreateEmbeddingResponse)
    assert [d.index for d in response.data] == list(range(70))
    assert single.data[0].embedding == pytest.approx(response.data[7].embedding, rel=1e-6)
    sizes = {len(d.embedding) for d in response.data}
    if keeps_size:
        assert sizes == {1536} and not size_warnings
    else:  # the provider cannot produce 1536: it must say so loudly, and use its default size
        assert sizes == {target["default_dimension"]} and size_warnings
        assert "re-embedded" in str(size_warnings[0].message)
    batches = -(-len(texts) // target["max_batch"])  # split into the model's batch size, then the single
    assert sum(1 for r in emulator.requests if "embedding" in r.path) == batches + 1


def test_models_list_answers_from_the_catalogue(provider: str, sync: bool, emulator: Emulator) -> None:
    c = Client(provider, emulator, sync)
    page = c.call(lambda cl: cl.models.list())
    ids = [m.id for m in page]  # a SyncPage, or the items of an AsyncPaginator
    assert mapped("gpt-4o", provider) in ids
    assert not emulator.requests


@pytest.mark.parametrize("kind", sorted(EXCEPTIONS))
def test_native_errors_become_openai_exceptions(provider: str, sync: bool, kind: str, emulator: Emulator) -> None:
    status, code, message = FAULTS[provider][kind]
    emulator.fail(provider, status=status, code=code, message=message, times=1)
    c = Client(provider, emulator, sync)
    with pytest.raises(getattr(openai, EXCEPTIONS[kind])) as raised:
        c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))
    error: Any = raised.value
    assert error.body["provider_code"] == code
    assert code in str(error) and "sk-" not in str(error)
    if kind in ("content_filter", "context_length"):
        assert error.code == {"content_filter": "content_filter", "context_length": "context_length_exceeded"}[kind]


def test_rate_limit_is_retried_by_the_sdk_honouring_retry_after(provider: str, sync: bool,
                                                                emulator: Emulator) -> None:
    status, code, message = FAULTS[provider]["rate_limit"]
    emulator.fail(provider, status=status, code=code, message=message, times=2, retry_after="0")
    c = Client(provider, emulator, sync, max_retries=2)
    completion = c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))
    assert completion.choices[0].message.content
    assert len([r for r in emulator.requests if "chat" in r.path or "generation" in r.path]) == 3


def test_billing_failures_are_not_retried(provider: str, sync: bool, emulator: Emulator) -> None:
    status, code, message = FAULTS[provider]["billing"]
    emulator.fail(provider, status=status, code=code, message=message, times=3, retry_after="0")
    c = Client(provider, emulator, sync, max_retries=2)
    with pytest.raises(openai.APIStatusError):
        c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))
    assert len(emulator.requests) == 1


def test_midstream_error_and_cut_stream_raise(provider: str, sync: bool, emulator: Emulator) -> None:
    c = Client(provider, emulator, sync)
    for kind in ("midstream", "cut"):
        status, code, message = FAULTS[provider]["rate_limit"]
        emulator.fail(provider, status=status, code=code, message=message, kind=kind)
        with pytest.raises(openai.APIError):
            c.collect(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user("a b c d e f"),
                                                            stream=True))


def test_timeouts_and_malformed_bodies(provider: str, sync: bool, emulator: Emulator) -> None:
    emulator.fail(provider, kind="timeout", delay=2)
    c = Client(provider, emulator, sync, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))
    emulator.fail(provider, kind="malformed")
    with pytest.raises(openai.InternalServerError, match="not the JSON object") as raised:
        c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))
    assert raised.value.code == "bad_gateway"


def test_unsupported_endpoint_is_refused_clearly_without_a_network_call(provider: str, sync: bool,
                                                                       emulator: Emulator) -> None:
    c = Client(provider, emulator, sync)
    with pytest.raises(openai.BadRequestError, match=f"'moderations' API is not supported by {provider}"):
        c.call(lambda cl: cl.moderations.create(input="hi"))
    assert not emulator.requests


def test_unsupported_parameter_policies(provider: str, sync: bool, emulator: Emulator) -> None:
    strict = Client(provider, emulator, sync, unsupported="error")
    with pytest.raises(openai.BadRequestError, match="logit_bias"):
        strict.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user(), logit_bias={"1": 1}))
    assert not emulator.requests
    lenient = Client(provider, emulator, sync)
    with pytest.warns(UserWarning, match="logit_bias"):
        lenient.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user(), logit_bias={"1": 1}))
    assert "logit_bias" not in json.dumps(emulator.requests[-1].json)


def test_the_provider_key_is_sent_and_never_shown(provider: str, sync: bool, emulator: Emulator,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-must-never-travel-000")
    c = Client(provider, emulator, sync)
    c.call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))
    sent = json.dumps([r.headers for r in emulator.requests]) + json.dumps([r.query for r in emulator.requests])
    assert "sk-openai-must-never-travel-000" not in sent
    shown = repr(c.client) + repr(c.client._client) + repr(vars(c.client)) + str(c.client.api_key)
    assert KEYS[provider] not in shown and KEYS[provider].split(".")[-1] not in shown


def test_an_openai_key_is_refused_and_a_missing_key_names_the_variable(provider: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    backend = registry.get(provider)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-key-0000000000")
    with OpenAI(provider=provider, api_key="sk-openai-key-0000000000") as client, \
            pytest.raises(openai.AuthenticationError, match=f"Set {backend.KEY_VARS[0]}"):
        client.chat.completions.create(model="gpt-4o", messages=user())  # refused at the request, as OpenAI does
    with pytest.raises(openai.OpenAIError, match=backend.KEY_VARS[0]):
        OpenAI(provider=provider)


def test_provider_and_base_url_come_from_the_environment(provider: str, emulator: Emulator,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    backend = registry.get(provider)
    monkeypatch.setenv("MIGRATE_PROVIDER", provider)
    monkeypatch.setenv(backend.KEY_VARS[0], KEYS[provider])
    monkeypatch.setenv(backend.BASE_URL_VAR, emulator.base_url(provider))
    client = OpenAI()
    Client.made.append(client)
    assert isinstance(client, openai.OpenAI)
    assert client.chat.completions.create(model="gpt-4o", messages=user()).choices[0].message.content


def test_unknown_provider_lists_the_installed_ones() -> None:
    with pytest.raises(openai.OpenAIError, match="Unknown provider 'nope'.*dashscope"):
        OpenAI(provider="nope", api_key="k")


def test_with_raw_response_and_with_options_keep_working(provider: str, emulator: Emulator) -> None:
    client = OpenAI(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider), max_retries=0)
    Client.made.append(client)
    raw = client.with_options(timeout=5).chat.completions.with_raw_response.create(model="gpt-4o", messages=user())
    assert raw.http_response.status_code == 200
    assert raw.parse().choices[0].message.content


def test_raw_response_is_whole_and_timed(provider: str, sync: bool, emulator: Emulator) -> None:
    """The answer's body, length and ``elapsed`` read as on a plain openai client (sync and async)."""
    raw = Client(provider, emulator, sync).call(
        lambda c: c.chat.completions.with_raw_response.create(model="gpt-4o", messages=user()))
    assert raw.elapsed.total_seconds() > 0
    body = raw.http_response.content
    assert int(raw.headers["content-length"]) == len(body) and json.loads(body) == json.loads(raw.text)
    assert raw.parse().choices[0].message.content == json.loads(body)["choices"][0]["message"]["content"]


def test_a_gzip_encoded_reply_is_decoded(provider: str, sync: bool, emulator: Emulator) -> None:
    """A provider (or a gateway before it) that gzips its answer unasked: the adapter reads it decoded."""
    emulator.fail(provider, kind="gzip")
    completion = Client(provider, emulator, sync).call(
        lambda c: c.chat.completions.create(model="gpt-4o", messages=user()))
    assert completion.choices[0].message.content == f"Echo from {mapped('gpt-4o', provider)}: hello there"


def test_async_client_is_the_sdks_async_client(provider: str, emulator: Emulator) -> None:
    async def run() -> Any:
        async with AsyncOpenAI(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider)) as client:
            assert isinstance(client, openai.AsyncOpenAI)
            pending = client.chat.completions.create(model="gpt-4o", messages=user())
            assert inspect.isawaitable(pending)
            return await pending

    assert isinstance(asyncio.run(run()), openai.types.chat.ChatCompletion)
