"""Legacy text completions (``client.completions.create``) on every provider, over HTTP to the emulator.

Served by each provider's chat API: the prompt is a user turn, and the answer comes back as the
openai SDK's ``Completion`` / streamed ``Completion`` chunks.
"""

from __future__ import annotations

import openai
import pytest
from openai.types import Completion

from adapters import UnsupportedParameterWarning
from adapters.emulator import Emulator, Reply
from tests.adapters.conftest import PROVIDERS
from tests.adapters.test_scenarios import Client

EXPECTED = {"dashscope": "qwen-flash", "zhipu": "glm-4-flash-250414", "qianfan": "ernie-speed-128k"}


def _messages(emulator: Emulator) -> list[dict[str, str]]:
    sent = emulator.requests[-1].json
    return sent["input"]["messages"] if "input" in sent else sent["messages"]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_prompt_is_a_user_turn_and_the_answer_a_text_completion(provider: str, sync: bool,
                                                                 emulator: Emulator) -> None:
    client = Client(provider, emulator, sync)
    result = client.call(lambda c: c.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi",
                                                        max_tokens=50, stop=["\n"], temperature=0.5))

    assert isinstance(result, Completion)
    model = EXPECTED[provider]
    assert result.object == "text_completion" and result.id.startswith("cmpl-")
    assert result.choices[0].text == f"Echo from {model}: Say hi"
    assert result.choices[0].finish_reason == "stop" and result.choices[0].index == 0
    assert result.usage is not None and result.usage.total_tokens > 0
    assert _messages(emulator) == [{"role": "user", "content": "Say hi"}]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_extra_body_reaches_the_provider_as_on_chat(provider: str, sync: bool, emulator: Emulator) -> None:
    """extra_body is the user's explicit request: the completions translation hands it to chat's extras."""
    Client(provider, emulator, sync).call(lambda c: c.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="Say hi", extra_body={"top_k": 5}))
    sent = emulator.requests[-1].json
    assert (sent.get("parameters") or sent).get("top_k") == 5


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_streams_text_completion_chunks(provider: str, sync: bool, emulator: Emulator) -> None:
    client = Client(provider, emulator, sync)
    chunks = client.collect(lambda c: c.completions.create(model="text-davinci-003", prompt="one two three",
                                                           stream=True, stream_options={"include_usage": True}))

    assert all(isinstance(c, Completion) and c.object == "text_completion" for c in chunks)
    text = "".join(c.choices[0].text for c in chunks if c.choices)
    assert text == f"Echo from {EXPECTED[provider]}: one two three"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_max_tokens_ends_with_length(provider: str, emulator: Emulator) -> None:
    emulator.script(provider, Reply(text="a b c d e f g h i j k l m n o p q r s t", finish_reason="length"))
    result = Client(provider, emulator, True).call(
        lambda c: c.completions.create(model="text-davinci-003", prompt="count", max_tokens=3))
    assert result.choices[0].finish_reason == "length"


def test_several_prompts_and_n_come_back_in_openai_order(emulator: Emulator) -> None:
    emulator.script("dashscope", "first-a", "first-b", "second-a", "second-b")
    result = Client("dashscope", emulator, True).call(
        lambda c: c.completions.create(model="text-davinci-003", prompt=["first", "second"], n=2, echo=True))

    assert [c.text for c in result.choices] == ["firstfirst-a", "firstfirst-b", "secondsecond-a", "secondsecond-b"]
    assert [c.index for c in result.choices] == [0, 1, 2, 3]
    sent = [r.json["input"]["messages"][0]["content"] for r in emulator.requests]
    assert sent == ["first", "first", "second", "second"]


def test_echo_in_a_stream_comes_first(emulator: Emulator) -> None:
    chunks = Client("zhipu", emulator, True).collect(
        lambda c: c.completions.create(model="text-davinci-003", prompt="Q: ", echo=True, stream=True))
    assert "".join(c.choices[0].text for c in chunks if c.choices) == "Q: Echo from glm-4-flash-250414: Q: "


def test_suffix_follows_the_policy(emulator: Emulator) -> None:
    with pytest.warns(UnsupportedParameterWarning, match="'suffix'"):
        result = Client("qianfan", emulator, True).call(
            lambda c: c.completions.create(model="text-davinci-003", prompt="def add(a, b):", suffix="\nprint(1)"))
    assert result.choices[0].text.endswith("def add(a, b):")
    refused = Client("qianfan", emulator, True, unsupported="error")
    count = len(emulator.requests)
    with pytest.raises(openai.BadRequestError, match="suffix"):
        refused.call(lambda c: c.completions.create(model="text-davinci-003", prompt="x", suffix="y"))
    assert len(emulator.requests) == count  # refused before any call


def test_logprobs_reach_dashscope_and_are_dropped_with_a_warning_on_zhipu(emulator: Emulator) -> None:
    Client("dashscope", emulator, True).call(
        lambda c: c.completions.create(model="text-davinci-003", prompt="x", logprobs=2))
    params = emulator.requests[-1].json["parameters"]
    assert params["logprobs"] is True and params["top_logprobs"] == 2
    with pytest.warns(UnsupportedParameterWarning, match="logprobs'"):
        Client("zhipu", emulator, True).call(
            lambda c: c.completions.create(model="text-davinci-003", prompt="x", logprobs=2))
    assert "logprobs" not in emulator.requests[-1].json


def test_token_prompts_and_streamed_prompt_lists_are_refused_clearly(emulator: Emulator) -> None:
    client = Client("dashscope", emulator, True)
    with pytest.raises(openai.BadRequestError, match="token-id prompts"):
        client.call(lambda c: c.completions.create(model="text-davinci-003", prompt=[1, 2, 3]))
    with pytest.raises(openai.BadRequestError, match="cannot stream 2 prompts"):
        client.call(lambda c: c.completions.create(model="text-davinci-003", prompt=["a", "b"], stream=True))
    assert emulator.requests == []


def test_provider_errors_arrive_as_openai_exceptions(emulator: Emulator) -> None:
    emulator.fail("zhipu", status=429, code="1302")
    with pytest.raises(openai.RateLimitError):
        Client("zhipu", emulator, True).call(lambda c: c.completions.create(model="text-davinci-003", prompt="x"))


def test_qianfan_v1_serves_completions_too(emulator: Emulator) -> None:
    client = openai_v1(emulator)
    result = client.completions.create(model="text-davinci-003", prompt="hello")
    assert result.choices[0].text.endswith("hello")
    client.close()


def openai_v1(emulator: Emulator) -> openai.OpenAI:
    from adapters import OpenAI

    return OpenAI(provider="qianfan", api_version="v1", api_key="ak-test", secret_key="sk-test",
                  base_url=emulator.base_url("qianfan-v1"), max_retries=0)
