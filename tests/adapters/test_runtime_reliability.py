"""Runtime reliability (issue 14, points 11-14): what plain openai does with a broken reply or a bad
argument, the adapter does too — over real HTTP against the emulator, sync and async."""

from __future__ import annotations

import json
import re
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from adapters import catalogue
from adapters.embeddings import EmbeddingSizeWarning
from adapters.emulator import Emulator
from tests.adapters.scenarios import KEYS
from tests.adapters.test_scenarios import Client

#: A DashScope model that only streams: a non-stream caller is served by aggregating a native stream.
STREAM_ONLY = next(name for name, info in catalogue.provider_models("dashscope").items() if info.get("stream_only"))


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while Client.made:
        Client.made.pop().close()


def user(text: str = "hello") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


# --- 11. a stream that serves a non-stream caller never hides a failure -----------------------------


@pytest.mark.parametrize("kind", ["truncated", "html", "empty"])
def test_aggregated_stream_that_does_not_finish_is_a_retried_server_error(kind: str, sync: bool,
                                                                        emulator: Emulator) -> None:
    emulator.fail("dashscope", kind=kind)
    c = Client("dashscope", emulator, sync)
    with pytest.raises(openai.InternalServerError) as caught:
        c.call(lambda cl: cl.chat.completions.create(model=STREAM_ONLY, messages=user()))
    assert caught.value.status_code == 502 and "incomplete" in caught.value.message

    emulator.fail("dashscope", kind=kind)  # the SDK retries it (x-should-retry), and the retry succeeds
    c = Client("dashscope", emulator, sync, max_retries=1)
    before = len(emulator.requests)
    completion = c.call(lambda cl: cl.chat.completions.create(model=STREAM_ONLY, messages=user("again")))
    assert completion.choices[0].finish_reason == "stop" and completion.choices[0].message.content
    assert len(emulator.requests) - before == 2


@pytest.mark.parametrize("kind", ["truncated", "html", "empty"])
def test_stream_that_does_not_finish_raises_for_a_stream_caller(kind: str, provider: str, sync: bool,
                                                                emulator: Emulator) -> None:
    emulator.fail(provider, kind=kind)
    c = Client(provider, emulator, sync)
    with pytest.raises(openai.APIError, match="incomplete"):
        c.collect(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user(), stream=True))


@pytest.mark.parametrize("kind", ["html", "empty"])
def test_non_json_success_body_is_a_retried_server_error(kind: str, provider: str, sync: bool,
                                                         emulator: Emulator) -> None:
    emulator.fail(provider, kind=kind)
    with pytest.raises(openai.InternalServerError):
        Client(provider, emulator, sync).call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))


# --- 12. bad arguments are OpenAI's 400s, before any request -------------------------------------------

BAD_CHAT: list[tuple[str, dict[str, Any], str]] = [
    ("content int", {"messages": [{"role": "user", "content": 42}]}, "messages[0].content"),
    ("message str", {"messages": ["hi"]}, "messages[0]"),
    ("messages str", {"messages": "hi"}, "messages"),
    ("messages empty", {"messages": []}, "messages"),
    ("role bad", {"messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
    ("part str", {"messages": [{"role": "user", "content": ["hi"]}]}, "messages[0].content[0]"),
    ("part text int", {"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]},
     "messages[0].content[0].text"),
    ("image_url int", {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": 5}]}]},
     "messages[0].content[0].image_url"),
    ("response_format str", {"response_format": "json"}, "response_format"),
    ("json_schema int", {"response_format": {"type": "json_schema", "json_schema": 5}},
     "response_format.json_schema"),
    ("tools dict", {"tools": {"type": "function"}}, "tools"),
    ("tools int", {"tools": [5]}, "tools[0]"),
    ("tool without function", {"tools": [{"type": "function"}]}, "tools[0].function"),
    ("tool_choice int", {"tool_choice": 5}, "tool_choice"),
    ("stop int", {"stop": 5}, "stop"),
    ("stop list of int", {"stop": [5]}, "stop"),
    ("tool_calls str", {"messages": [{"role": "user", "content": "hi"},
                                     {"role": "assistant", "content": None, "tool_calls": "nope"}]},
     "messages[1].tool_calls"),
    ("tool_calls int", {"messages": [{"role": "user", "content": "hi"},
                                     {"role": "assistant", "content": None, "tool_calls": [5]}]},
     "messages[1].tool_calls[0]"),
    ("temperature str", {"temperature": "hot"}, "temperature"),
    ("top_p str", {"top_p": "x"}, "top_p"),
    ("max_tokens str", {"max_tokens": "x"}, "max_tokens"),
    ("seed str", {"seed": "x"}, "seed"),
    ("n str", {"n": "2"}, "n"),
    ("stream_options int", {"stream": True, "stream_options": 5}, "stream_options"),
    ("logit_bias int", {"logit_bias": 5}, "logit_bias"),
    ("functions dict", {"functions": {"name": "f"}}, "functions"),
]


@pytest.mark.parametrize(("name", "args", "param"), BAD_CHAT, ids=[c[0] for c in BAD_CHAT])
def test_bad_chat_arguments_are_bad_request_errors_before_any_request(name: str, args: dict[str, Any], param: str,
                                                                      provider: str, sync: bool,
                                                                      emulator: Emulator) -> None:
    kwargs = {"model": "gpt-4o", "messages": user(), **args}
    with pytest.raises(openai.BadRequestError) as caught:
        Client(provider, emulator, sync).collect(lambda cl: _listed(cl.chat.completions.create(**kwargs)))
    error = caught.value
    assert error.status_code == 400 and error.param == param  # type: ignore[attr-defined]
    assert error.body["type"] == "invalid_request_error"  # type: ignore[index]
    assert emulator.requests == []


def _listed(value: Any) -> Any:
    return value if hasattr(value, "__aiter__") or hasattr(value, "__await__") else [value]


@pytest.mark.parametrize(("value", "param"), [(5, "input"), (None, "input"), ([], "input"), ({}, "input"),
                                              ([None], "input"), (["a", 3], "input")])
def test_bad_embeddings_input_is_a_bad_request_error(value: Any, param: str, provider: str, sync: bool,
                                                    emulator: Emulator) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        Client(provider, emulator, sync).call(lambda cl: cl.embeddings.create(model="text-embedding-3-small",
                                                                             input=value))
    assert caught.value.param == param  # type: ignore[attr-defined]
    assert emulator.requests == []


def test_valid_unusual_shapes_still_pass(provider: str, sync: bool, emulator: Emulator) -> None:
    """What OpenAI accepts passes the check: null content with tool calls, stop as a string, text parts."""
    c = Client(provider, emulator, sync)
    completion = c.call(lambda cl: cl.chat.completions.create(
        model="gpt-4o", stop="\n\n", temperature=1, top_p=0.5,
        messages=[{"role": "system", "content": [{"type": "text", "text": "be brief"}]},
                  {"role": "user", "content": [{"type": "text", "text": "hi"}]}]))
    assert completion.choices[0].message.content


# --- 13. keys echoed by a provider never reach the user's logs ------------------------------------------


def test_key_echoed_in_a_provider_error_is_redacted_everywhere(provider: str, sync: bool, emulator: Emulator) -> None:
    key = KEYS[provider]
    emulator.fail(provider, 401, message=f"API key {key} is not valid (key={key})")
    with pytest.raises(openai.AuthenticationError) as caught:
        Client(provider, emulator, sync).call(lambda cl: cl.chat.completions.create(model="gpt-4o", messages=user()))
    error = caught.value
    for shown in (str(error), repr(error), json.dumps(error.body), error.response.text, repr(error.__cause__)):
        secret_parts = [key, key.split("/")[-1], key.partition(".")[2]]
        assert not [part for part in secret_parts if part and part in shown]
    assert "not valid" in str(error)


# --- 14. one failed batch of a split embeddings request is retried alone -----------------------------


def _embedding_calls(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if r.endpoint == "embeddings")


def four_batches(provider: str) -> list[str]:
    """Texts enough for four native batches and a bit of a fifth."""
    target = catalogue.provider_model(provider, catalogue.map_model("text-embedding-3-small", provider)) or {}
    return [f"text number {i}" for i in range(target["max_batch"] * 4 + 3)]


def test_a_failed_embedding_batch_is_retried_alone(provider: str, sync: bool, emulator: Emulator) -> None:
    texts = four_batches(provider)
    batches = 5
    emulator.fail(provider, 429, endpoint="embeddings", skip=2, retry_after=0)
    c = Client(provider, emulator, sync, unsupported="drop", max_retries=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmbeddingSizeWarning)
        response = c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-small", input=texts))
    assert [d.index for d in response.data] == list(range(len(texts)))
    assert _embedding_calls(emulator) == batches + 1  # one batch sent twice, the others once


def test_a_batch_that_keeps_failing_fails_the_call_without_re_sending_the_others(provider: str, sync: bool,
                                                                                emulator: Emulator) -> None:
    texts = four_batches(provider)
    emulator.fail(provider, 429, endpoint="embeddings", skip=1, retry_after=0, times=3)
    c = Client(provider, emulator, sync, unsupported="drop", max_retries=2)
    with warnings.catch_warnings(), pytest.raises(openai.RateLimitError, match="request 2 of"):
        warnings.simplefilter("ignore", EmbeddingSizeWarning)
        c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-small", input=texts))
    assert _embedding_calls(emulator) == 1 + 3  # batch 1 once, batch 2 three times; never the whole call again


def test_a_single_request_is_retried_by_the_openai_client_as_before(provider: str, sync: bool,
                                                                  emulator: Emulator) -> None:
    emulator.fail(provider, 429, endpoint="embeddings", retry_after=0)
    c = Client(provider, emulator, sync, unsupported="drop", max_retries=0)
    with warnings.catch_warnings(), pytest.raises(openai.RateLimitError):
        warnings.simplefilter("ignore", EmbeddingSizeWarning)
        c.call(lambda cl: cl.embeddings.create(model="text-embedding-3-small", input="one text"))
    assert _embedding_calls(emulator) == 1


# --- 15. the stream buffer: a long line in many chunks ------------------------------------------------


def test_a_long_sse_line_split_over_many_chunks_is_read_whole() -> None:
    """Linear buffering (benchmarks/sse_long_lines.py measures it) must not change what is read."""
    from adapters import registry
    from adapters.capabilities import Policy
    from adapters.exchange import Exchange, Prepared, StreamTranslator

    exchange = Exchange(registry.get("zhipu"), root_path="/api/paas/v4", policy=Policy("zhipu", "drop"))
    body = {"model": "glm-4-flash", "messages": user(), "stream": True}
    prepared = exchange.prepare("POST", "/api/paas/v4/chat/completions", json.dumps(body).encode())
    assert isinstance(prepared, Prepared)
    translator = StreamTranslator(exchange, prepared)
    content = "长" * 300_000 + "end"
    events = [{"id": "1", "choices": [{"index": 0, "delta": {"role": "assistant", "content": content}}]},
              {"id": "1", "choices": [{"index": 0, "delta": {"content": "!"}, "finish_reason": "stop"}]}]
    raw = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events).encode() + b"data: [DONE]\n\n"
    out = b"".join(translator.feed_bytes(raw[i:i + 1000]) for i in range(0, len(raw), 1000))  # splits characters too
    out += b"".join(translator.close())
    frames = [json.loads(f[6:]) for f in out.decode().split("\n\n") if f.startswith("data: {")]
    assert "".join(f["choices"][0]["delta"].get("content") or "" for f in frames) == content + "!"
    assert out.endswith(b"data: [DONE]\n\n")


@pytest.mark.parametrize("size", [1, 2, 7, 64])
def test_crlf_line_ends_read_as_lf_ones_however_the_chunks_split_them(size: int) -> None:
    """A provider behind a proxy may end lines with CRLF; a chunk may end between the CR and the LF."""
    from adapters import registry
    from adapters.capabilities import Policy
    from adapters.exchange import Exchange, Prepared, StreamTranslator

    exchange = Exchange(registry.get("dashscope"), root_path="/api/v1", policy=Policy("dashscope", "drop"))
    body = {"model": "qwen-plus", "messages": user(), "stream": True}

    def translated(raw: bytes) -> bytes:
        prepared = exchange.prepare("POST", "/api/v1/chat/completions", json.dumps(body).encode())
        assert isinstance(prepared, Prepared)
        translator = StreamTranslator(exchange, prepared)
        out = b"".join(translator.feed_bytes(raw[i:i + size]) for i in range(0, len(raw), size))
        return out + b"".join(translator.close())

    events = [{"output": {"choices": [{"message": {"role": "assistant", "content": word},
                                       "finish_reason": "stop" if last else "null"}]},
               "usage": {"input_tokens": 3, "output_tokens": n + 1}, "request_id": "r-1"}
              for n, (word, last) in enumerate([("Hello", False), (" world", False), ("", True)])]
    lf = "".join(f"id:{n}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(e)}\n\n" for n, e in enumerate(events))
    crlf, plain = translated(lf.replace("\n", "\r\n").encode()), translated(lf.encode())
    frames = [json.loads(f[6:]) for f in crlf.decode().split("\n\n") if f.startswith("data: {")]
    assert "".join(f["choices"][0]["delta"].get("content") or "" for f in frames) == "Hello world"
    assert frames[-1]["choices"][0]["finish_reason"] == "stop" and crlf.endswith(b"data: [DONE]\n\n")
    strip = re.compile(rb'"created":\d+')
    assert strip.sub(b"", crlf) == strip.sub(b"", plain)


@pytest.mark.parametrize("where", ["argument", "variable"])
def test_keys_are_stripped_and_unsendable_keys_refused_without_showing_them(
        where: str, provider: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters import OpenAI
    from adapters.registry import get

    variable = get(provider).KEY_VARS[0]

    def build(key: str) -> Any:
        if where == "variable":
            monkeypatch.setenv(variable, key)
            return OpenAI(provider=provider, base_url=emulator.base_url(provider), max_retries=0)
        return OpenAI(provider=provider, api_key=key, base_url=emulator.base_url(provider), max_retries=0)

    key = KEYS[provider]
    with build(key + "\n") as client:  # read from a file or a secret mount: the newline is not the key's
        client.chat.completions.create(model="gpt-4o", messages=user())
    assert emulator.requests[-1].headers["authorization"] in (f"Bearer {key}", key)
    for broken, what in ((key[:10] + "\n" + key[10:], "control character"), (key[:10] + "é" + key[10:], "non-ASCII")):
        with pytest.raises(openai.OpenAIError) as caught:
            build(broken)
        shown = "".join(traceback.format_exception(caught.value))
        assert what in str(caught.value) and "position 11" in str(caught.value)
        assert key[:10] not in shown and key[10:] not in shown


# --- OpenAI's own defaults ask for nothing -----------------------------------------------------------


def test_parameters_at_openais_defaults_are_dropped_without_a_word(sync: bool, emulator: Emulator) -> None:
    """Playground code sends frequency_penalty=0, presence_penalty=0: no warning, no refusal, nothing sent."""
    from adapters.capabilities import UnsupportedParameterWarning

    c = Client("zhipu", emulator, sync, unsupported="error")
    completion = c.call(lambda cl: cl.chat.completions.create(
        model="gpt-4o", messages=user(), frequency_penalty=0, presence_penalty=0.0, logit_bias={}, logprobs=False))
    assert completion.choices[0].message.content
    sent = emulator.requests[-1].json
    assert not {"frequency_penalty", "presence_penalty", "logit_bias", "logprobs"} & set(sent)
    with pytest.warns(UnsupportedParameterWarning, match="frequency_penalty"):
        Client("zhipu", emulator, sync).call(lambda cl: cl.chat.completions.create(
            model="gpt-4o", messages=user(), frequency_penalty=0.5))
