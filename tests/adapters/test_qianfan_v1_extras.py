"""Qianfan's legacy v1 API takes its own tuning fields (reference qianfan.md §7: ``penalty_score``,
``disable_search``, ``enable_citation``, ``enable_trace``, ``system``): ``extra_body`` in another API's
spelling is translated, what v1 has not is left out with an ``ExtraBodyWarning``, over real HTTP
(sync and async, JSON and stream) against the emulator, which refuses the other APIs' names on v1."""

from __future__ import annotations

import asyncio
import json
import urllib.request
import warnings
from typing import Any

import pytest

from adapters import AsyncOpenAI, OpenAI
from adapters.emulator import Emulator
from adapters.extras import ExtraBodyWarning
from tests.adapters.conftest import V1

USER = [{"role": "user", "content": "What changed in the port schedule this week?"}]


def chat(emulator: Emulator, sync: bool, stream: bool, extra_body: dict[str, Any], **params: Any) -> str:
    kwargs = dict(provider="qianfan", base_url=emulator.base_url("qianfan-v1"), max_retries=0, **V1)
    params = dict(model="ernie-4.0-8k", messages=params.pop("messages", USER), extra_body=extra_body, **params)
    if sync:
        with OpenAI(**kwargs) as client:
            if stream:
                return "".join(c.choices[0].delta.content or "" for c in
                               client.chat.completions.create(stream=True, **params) if c.choices)
            return client.chat.completions.create(**params).choices[0].message.content or ""

    async def run() -> str:
        async with AsyncOpenAI(**kwargs) as client:
            if stream:
                chunks = await client.chat.completions.create(stream=True, **params)
                return "".join([c.choices[0].delta.content or "" async for c in chunks if c.choices])
            return (await client.chat.completions.create(**params)).choices[0].message.content or ""

    return asyncio.run(run())


def sent(emulator: Emulator) -> dict[str, Any]:
    body: dict[str, Any] = [r for r in emulator.requests if "/chat/" in r.path][-1].json
    return body


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("extra", "native"), [
    ({"enable_search": True}, {"disable_search": False}),
    ({"enable_search": False}, {"disable_search": True}),
    ({"search_options": {"enable_source": True, "enable_citation": True}},
     {"disable_search": False, "enable_citation": True, "enable_trace": True}),
    ({"web_search": {"enable": True, "enable_citation": False, "enable_trace": True}},
     {"disable_search": False, "enable_citation": False, "enable_trace": True}),
    ({"repetition_penalty": 1.05}, {"penalty_score": 1.05}),
    ({"repetition_penalty": 0.5}, {"penalty_score": 1.0}),
    ({"penalty_score": 1.2, "disable_search": True, "enable_citation": True}, {"penalty_score": 1.2,
                                                                              "disable_search": True,
                                                                              "enable_citation": True}),
], ids=["enable_search", "search-off", "search_options", "v2-web_search", "repetition_penalty", "penalty-clamped",
        "own-fields"])
def test_v1_gets_its_own_fields(emulator: Emulator, sync: bool, stream: bool, extra: dict[str, Any],
                                native: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert chat(emulator, sync, stream, extra)
    body = sent(emulator)
    assert {k: body[k] for k in native if k in body} == native
    assert not set(extra) - set(native) & set(body)  # the other spelling itself is not sent


@pytest.mark.parametrize("name", ["enable_thinking", "thinking", "thinking_budget", "thinking_strategy", "do_sample"])
def test_what_v1_cannot_take_is_left_out_with_a_warning(emulator: Emulator, sync: bool, name: str) -> None:
    value = {"type": "enabled"} if name == "thinking" else 1024 if name == "thinking_budget" else True
    with pytest.warns(ExtraBodyWarning, match=f"'{name}' was not sent to qianfan"):
        assert chat(emulator, sync, False, {name: value, "penalty_score": 1.1})
    body = sent(emulator)
    assert name not in body and body["penalty_score"] == 1.1


def test_search_settings_v1_lacks_are_warned_and_the_rest_sent(emulator: Emulator, sync: bool) -> None:
    with pytest.warns(ExtraBodyWarning, match="no forced search, a result count"):
        chat(emulator, sync, False, {"web_search": {"enable": True, "search_mode": "required", "search_number": 5}})
    assert sent(emulator)["disable_search"] is False


def test_a_system_extra_joins_the_system_messages(emulator: Emulator, sync: bool) -> None:
    messages = [{"role": "system", "content": "Be brief."}, *USER]
    chat(emulator, sync, False, {"system": "Answer in English."}, messages=messages)
    assert sent(emulator)["system"] == "Be brief.\n\nAnswer in English."


def test_the_emulator_refuses_untranslated_names_on_v1(emulator: Emulator) -> None:
    """What the translation avoids (so the tests above can fail): another API's name sent to v1 as it is."""
    base = emulator.base_url("qianfan-v1")
    token_url = (f"{base}/oauth/2.0/token?grant_type=client_credentials&client_id={V1['api_key']}"
                 f"&client_secret={V1['secret_key']}")
    token = json.loads(urllib.request.urlopen(urllib.request.Request(token_url, method="POST")).read())
    chat_url = f"{base}/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/completions_pro?access_token={token['access_token']}"
    body = json.dumps({"messages": USER, "enable_search": True}).encode()
    request = urllib.request.Request(chat_url, data=body, headers={"content-type": "application/json"})
    reply = json.loads(urllib.request.urlopen(request).read())
    assert reply["error_code"] == 336003 and "enable_search" in reply["error_msg"]
