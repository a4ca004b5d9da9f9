"""A chat UI's history (the app seeds "How can I help you?") on every provider, over real HTTP:
Qianfan, which wants a user turn first, gets it repaired under the unsupported-parameter policy."""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI
from adapters.chat import MessageOrderWarning
from adapters.emulator import Emulator
from tests.adapters.conftest import V1
from tests.adapters.scenarios import KEYS

GREETING = "How can I help you today?"
HISTORY = [{"role": "system", "content": "You are a travel agent."},
           {"role": "assistant", "content": GREETING},
           {"role": "user", "content": "Find me a hotel in Paris"}]
FOLDED = f"You are a travel agent.\n\nThe assistant opened this conversation by saying: {GREETING}"


def options(target: str, emulator: Emulator, **extra: Any) -> dict[str, Any]:
    if target == "qianfan-v1":
        return dict(provider="qianfan", base_url=emulator.base_url(target), max_retries=0, **V1, **extra)
    return dict(provider=target, api_key=KEYS[target], base_url=emulator.base_url(target), max_retries=0, **extra)


def ask(target: str, emulator: Emulator, sync: bool, messages: list[Any], **extra: Any) -> list[str]:
    """The replies to ``messages`` asked twice on one client (the second time must not warn again)."""
    if sync:
        with OpenAI(**options(target, emulator, **extra)) as client:
            return [client.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message.content or ""
                    for _ in range(2)]

    async def run() -> list[str]:
        async with AsyncOpenAI(**options(target, emulator, **extra)) as client:
            return [(await client.chat.completions.create(model="gpt-4o", messages=messages)).choices[0].message.content
                    or "" for _ in range(2)]

    return asyncio.run(run())


@pytest.mark.parametrize("target", ["qianfan", "qianfan-v1"])
def test_qianfan_folds_an_opening_greeting_with_one_warning(target: str, sync: bool, emulator: Emulator) -> None:
    with pytest.warns(MessageOrderWarning, match="opens with an assistant message") as seen:
        replies = ask(target, emulator, sync, HISTORY)
    assert len([w for w in seen if w.category is MessageOrderWarning]) == 1
    assert replies == [replies[0]] * 2 and replies[0].endswith("Find me a hotel in Paris")
    sent = emulator.requests[-1].json
    if target == "qianfan-v1":
        assert sent["system"] == FOLDED and sent["messages"] == [HISTORY[2]]
    else:
        assert sent["messages"] == [{"role": "system", "content": FOLDED}, HISTORY[2]]


@pytest.mark.parametrize("target", ["qianfan", "qianfan-v1"])
def test_qianfan_repairs_silently_under_drop_and_refuses_under_error(target: str, sync: bool,
                                                                     emulator: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ask(target, emulator, sync, HISTORY[1:], unsupported="drop")[0].endswith("Paris")
    count = len(emulator.requests)
    with pytest.raises(openai.BadRequestError, match="opens with an assistant message") as info:
        ask(target, emulator, sync, HISTORY, unsupported="error")
    assert info.value.param == "messages" and len(emulator.requests) == count  # nothing sent


@pytest.mark.parametrize("target", ["dashscope", "zhipu"])
def test_providers_that_take_a_greeting_get_it_as_it_is(target: str, emulator: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ask(target, emulator, True, HISTORY)[0].endswith("Find me a hotel in Paris")
    assert GREETING in json.dumps(emulator.requests[-1].json)
    assert "opened this conversation" not in json.dumps(emulator.requests[-1].json)


PREFILL = "Here is the itinerary:"
ENDS_WITH_ASSISTANT = [{"role": "system", "content": "You are a travel agent."},
                       {"role": "user", "content": "Plan a day in Paris"},
                       {"role": "assistant", "content": PREFILL}]
FOLDED_LAST = f"You are a travel agent.\n\nThe assistant's reply so far, which the next answer continues: {PREFILL}"


@pytest.mark.parametrize("target", ["qianfan", "qianfan-v1"])
def test_qianfan_folds_a_closing_assistant_turn_with_one_warning(target: str, sync: bool, emulator: Emulator) -> None:
    """A prefill (or a history saved after the answer) ends with the assistant; Qianfan wants a user turn
    last (reference qianfan.md §3, §7; the emulator answers 400 / 336003 otherwise)."""
    with pytest.warns(MessageOrderWarning, match="ends with an assistant message") as seen:
        replies = ask(target, emulator, sync, ENDS_WITH_ASSISTANT)
    assert len([w for w in seen if w.category is MessageOrderWarning]) == 1
    assert replies[0].endswith("Plan a day in Paris")
    sent = emulator.requests[-1].json
    if target == "qianfan-v1":
        assert sent["system"] == FOLDED_LAST and sent["messages"] == [ENDS_WITH_ASSISTANT[1]]
    else:
        assert sent["messages"] == [{"role": "system", "content": FOLDED_LAST}, ENDS_WITH_ASSISTANT[1]]


@pytest.mark.parametrize("target", ["qianfan", "qianfan-v1"])
def test_qianfan_closing_assistant_turn_silently_under_drop_refused_under_error(target: str, sync: bool,
                                                                                emulator: Emulator) -> None:
    both = [HISTORY[0], HISTORY[1], HISTORY[2], {"role": "assistant", "content": PREFILL}]  # greeting and prefill
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ask(target, emulator, sync, both, unsupported="drop")[0].endswith("Paris")
    sent = json.dumps(emulator.requests[-1].json, ensure_ascii=False)
    assert GREETING in sent and PREFILL in sent
    count = len(emulator.requests)
    with pytest.raises(openai.BadRequestError, match="ends with an assistant message") as info:
        ask(target, emulator, sync, ENDS_WITH_ASSISTANT, unsupported="error")
    assert info.value.param == "messages" and len(emulator.requests) == count  # nothing sent


def test_the_emulator_refuses_a_history_ending_with_the_assistant(emulator: Emulator) -> None:
    """What the repair avoids: Qianfan's own 400 (v2) / 336003 (v1), so the tests above can fail."""
    import httpx

    body = {"model": "ernie-4.0-8k", "messages": ENDS_WITH_ASSISTANT[1:]}
    reply = httpx.post(emulator.base_url("qianfan") + "/chat/completions", json=body,
                       headers={"Authorization": f"Bearer {KEYS['qianfan']}"})
    assert reply.status_code == 400 and "last message" in reply.text


@pytest.mark.parametrize("target", ["dashscope", "zhipu"])
def test_providers_that_take_a_closing_assistant_turn_get_it_as_it_is(target: str, emulator: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ask(target, emulator, True, ENDS_WITH_ASSISTANT)
    assert PREFILL in json.dumps(emulator.requests[-1].json)
    assert "reply so far" not in json.dumps(emulator.requests[-1].json)


def test_joining_turns_leaves_the_given_messages_as_they_were() -> None:
    """``merge_same_role`` and ``alternate`` copy only the messages they join: what they were given
    (a normalised request other steps still read) is not modified, even when a joined one is joined again."""
    import copy

    from adapters.capabilities import Policy
    from adapters.chat import alternate, merge_same_role
    from adapters.native import Context

    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    given = [{"role": "system", "content": "Be brief."}, {"role": "system", "content": "Answer in French."},
             {"role": "user", "content": "one"}, {"role": "user", "content": [image]},
             {"role": "user", "content": "three"}, {"role": "assistant", "content": "un"},
             {"role": "assistant", "content": "deux"}, {"role": "user", "content": "four"}]
    before = copy.deepcopy(given)
    merged = merge_same_role(given)
    assert given == before
    assert [m["role"] for m in merged] == ["system", "user", "assistant", "assistant", "user"]
    assert merged[0]["content"] == "Be brief.\n\nAnswer in French."
    assert merged[1]["content"] == [{"type": "text", "text": "one"}, image, {"type": "text", "text": "three"}]
    assert merged[2] is given[5]  # kept as it was: not copied
    snapshot = copy.deepcopy(merged)
    ctx = Context("qianfan", "ernie-4.5-turbo-vl", "gpt-4o", Policy("qianfan", "warn"))  # type: ignore[arg-type]
    with pytest.warns(MessageOrderWarning, match="consecutive assistant messages joined"):
        turns = alternate(merged, ctx)
    assert merged == snapshot and given == before
    assert [t["role"] for t in turns] == ["system", "user", "assistant", "user"]
    assert turns[2]["content"] == "un\n\ndeux" and turns[3] is given[7]


def test_media_are_found_past_what_is_not_a_message() -> None:
    from adapters.chat import has_images

    audio = {"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}
    assert has_images(["not a message", None, {"role": "user", "content": [audio]}])
    assert not has_images(["not a message", {"role": "user", "content": "text"}, {"role": "user"}])
