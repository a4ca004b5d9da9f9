"""Debug logging: the native URL, status and provider request id beside the openai SDK's own lines,
on its ``openai`` logger family at DEBUG, over real HTTP, sync and async; never a key or a signed query."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI
from adapters.emulator import Emulator
from tests.adapters.scenarios import KEYS

AK, SK = "qianfan-ak-log-0001", "qianfan-sk-secret-log-0001"
CLIENTS = {
    "dashscope": dict(provider="dashscope", api_key=KEYS["dashscope"]),
    "qianfan": dict(provider="qianfan", api_key=KEYS["qianfan"]),
    "zhipu": dict(provider="zhipu", api_key=KEYS["zhipu"]),
    "qianfan-v1": dict(provider="qianfan", api_version="v1", api_key=AK, secret_key=SK),
}
SECRETS = (*KEYS.values(), AK, SK, KEYS["zhipu"].partition(".")[2])


def call(name: str, emulator: Emulator, sync: bool, fn: Callable[[Any], Any]) -> Any:
    kwargs = dict(CLIENTS[name], base_url=emulator.base_url(name), max_retries=0)
    if sync:
        with OpenAI(**kwargs) as client:
            result = fn(client)
            return list(result) if isinstance(result, openai.Stream) else result

    async def run() -> Any:
        async with AsyncOpenAI(**kwargs) as client:
            result = await fn(client)
            return [item async for item in result] if hasattr(result, "__aiter__") else result

    return asyncio.run(run())


def native_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "openai.qianyi"]


def assert_no_secret(caplog: pytest.LogCaptureFixture, emulator: Emulator) -> None:
    text = "\n".join(r.getMessage() for r in caplog.records)
    tokens = [r.query["access_token"] for r in emulator.requests if r.query.get("access_token")]
    for secret in (*SECRETS, *tokens):
        assert secret not in text


@pytest.mark.parametrize("name", list(CLIENTS))
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_the_native_call_is_logged_with_status_and_request_id(name: str, sync: bool, stream: bool,
                                                               emulator: Emulator,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="openai")
    model = "ernie-4.0-turbo-8k" if name == "qianfan-v1" else "gpt-4o"
    reply = call(name, emulator, sync, lambda c: c.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "hi"}], stream=stream))
    chat = [r for r in emulator.requests if "oauth" not in r.path][-1]
    lines = native_lines(caplog)
    assert any(line.startswith("Sending native HTTP Request: POST ") and chat.path in line for line in lines)
    [answered] = [line for line in lines if line.startswith("Native HTTP Response") and chat.path in line]
    assert '"200 OK"' in answered and f"({CLIENTS[name]['provider']})" in answered
    request_id = answered.partition("request_id=")[2].split(" ")[0]
    if stream and request_id == "None":  # Zhipu and Qianfan send the id in the events: logged once seen
        [ended] = [line for line in lines if line.startswith("Native stream: ")]
        request_id = ended.partition("request_id=")[2].split(" ")[0]
        assert request_id == reply[-1].id  # the id every chunk carries is the provider's
    assert request_id and request_id != "None"
    if not stream and name != "qianfan-v1":  # the id openai reports is the provider's (v1 sends none)
        assert reply._request_id == request_id
    if name == "qianfan-v1":  # the token request and the chat carry AK/SK and the token in the query
        assert any("/oauth/2.0/token?grant_type=***&client_id=***&client_secret=***" in line for line in lines)
        assert "access_token=***" in answered
    assert_no_secret(caplog, emulator)


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_a_refused_call_logs_its_status_and_request_id(sync: bool, emulator: Emulator,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="openai")
    emulator.fail("dashscope", status=429, code="Throttling.RateQuota", message="Requests rate limit exceeded")
    with pytest.raises(openai.RateLimitError) as caught:
        call("dashscope", emulator, sync, lambda c: c.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}]))
    [answered] = [line for line in native_lines(caplog) if line.startswith("Native HTTP Response")]
    assert '"429 Too Many Requests"' in answered and f"request_id={caught.value.request_id}" in answered
    assert_no_secret(caplog, emulator)


def test_nothing_is_logged_unless_debug_is_on(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="openai")
    call("zhipu", emulator, True, lambda c: c.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}]))
    assert native_lines(caplog) == []


def test_openai_log_debug_shows_the_native_lines_in_a_real_process(emulator: Emulator) -> None:
    code = ("import os\nfrom adapters import OpenAI\n"
            "c = OpenAI(provider='zhipu', base_url=os.environ['BASE'])\n"
            "c.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': 'hi'}])\n")
    env = {**os.environ, "OPENAI_LOG": "debug", "ZHIPUAI_API_KEY": KEYS["zhipu"], "BASE": emulator.base_url("zhipu"),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "openai.qianyi" in done.stderr and "Native HTTP Response: POST" in done.stderr
    assert "/chat/completions" in done.stderr and '"200 OK"' in done.stderr
    assert KEYS["zhipu"] not in done.stderr and KEYS["zhipu"].partition(".")[2] not in done.stderr
