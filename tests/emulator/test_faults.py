"""Fault injection over plain HTTP, for every provider: each fault looks like that provider's own."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from adapters.emulator import Emulator

from .raw import Response, call


@dataclass(frozen=True)
class Case:
    provider: str
    path: str                                    # "{token}" is replaced by a fresh Qianfan v1 token
    body: dict[str, Any]
    stream_headers: dict[str, str]
    stream_body: dict[str, Any]
    error_of: Callable[[Response], Any]          # the native error code in an error answer
    stream_error_of: Callable[[Response], Any]   # ... and in a stream that failed midway
    ended: Callable[[Response], bool]            # the stream carries its end marker
    http_status: Callable[[int], int] = lambda status: status   # what an error's HTTP status becomes

    def request(self, emulator: Emulator, *, stream: bool = False, **kwargs: Any) -> Response:
        if stream:
            return call(emulator.url, self.path, self.stream_body, headers=self.stream_headers, **kwargs)
        return call(emulator.url, self.path, self.body, **kwargs)


def _dashscope_stream_error(r: Response) -> Any:
    event = r.events()[-1]
    assert event["event"] == "error"
    return event["comments"], json.loads(event["data"])["code"]


_DS_CHAT = {"model": "qwen-plus", "input": {"messages": [{"role": "user", "content": "one two three four"}]},
            "parameters": {"result_format": "message", "incremental_output": True}}
_OPENAI_CHAT = {"model": "qwen-plus", "messages": [{"role": "user", "content": "one two three four"}]}
_ZHIPU_CHAT = {**_OPENAI_CHAT, "model": "glm-4.5-flash"}


def _zhipu_stream_error(r: Response) -> Any:
    """Zhipu ends a failed stream with finish_reason network_error (or sensitive), then [DONE]."""
    *chunks, done = r.data()
    assert done == "[DONE]"
    return chunks[-1]["choices"][0]["finish_reason"] in ("network_error", "sensitive")

CASES = [
    Case("dashscope", "/api/v1/services/aigc/text-generation/generation", _DS_CHAT, {"X-DashScope-SSE": "enable"},
         _DS_CHAT, lambda r: r.json()["code"], _dashscope_stream_error,
         lambda r: r.data()[-1]["output"]["choices"][0]["finish_reason"] != "null"),
    Case("dashscope", "/compatible-mode/v1/chat/completions", _OPENAI_CHAT, {}, {**_OPENAI_CHAT, "stream": True},
         lambda r: r.json()["error"]["code"], lambda r: r.data()[-1]["error"]["code"],
         lambda r: r.data()[-1] == "[DONE]"),
    Case("zhipu", "/api/paas/v4/chat/completions", _ZHIPU_CHAT, {}, {**_ZHIPU_CHAT, "stream": True},
         lambda r: r.json()["error"]["code"], _zhipu_stream_error, lambda r: r.data()[-1] == "[DONE]"),
]
_QIANFAN_CHAT = {**_OPENAI_CHAT, "model": "ernie-4.5-turbo-32k"}
_V1_CHAT = {"messages": [{"role": "user", "content": "one two three four"}]}


def _bare_json_error(r: Response) -> Any:
    """Qianfan v2 may end a stream with a bare JSON error line (no ``data:``)."""
    last = [line for line in r.body.decode().splitlines() if line][-1]
    return json.loads(last)["error"]["code"]


CASES += [
    Case("qianfan", "/v2/chat/completions", _QIANFAN_CHAT, {}, {**_QIANFAN_CHAT, "stream": True},
         lambda r: r.json()["error"]["code"], _bare_json_error, lambda r: r.data()[-1] == "[DONE]"),
    Case("qianfan-v1", "/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/completions?access_token={token}", _V1_CHAT, {},
         {**_V1_CHAT, "stream": True}, lambda r: r.json()["error_code"], lambda r: r.data()[-1]["error_code"],
         lambda r: r.data()[-1].get("is_end") is True, http_status=lambda _: 200),
]
IDS = ["dashscope", "dashscope-compat", "zhipu", "qianfan", "qianfan-v1"]


@pytest.fixture(params=CASES, ids=IDS)
def case(request: pytest.FixtureRequest, emulator: Emulator) -> Case:
    found: Case = request.param
    if "{token}" in found.path:
        query = "/oauth/2.0/token?grant_type=client_credentials&client_id=ak&client_secret=sk"
        token = call(emulator.url, query, key=None).json()["access_token"]
        emulator.clear()
        found = replace(found, path=found.path.replace("{token}", token))
    return found


def test_error_with_retry_after_then_normal_again(emulator: Emulator, case: Case) -> None:
    emulator.fail(case.provider, status=429, retry_after=2, times=2)
    for _ in range(2):
        r = case.request(emulator)
        assert (r.status, r.headers["retry-after"]) == (case.http_status(429), "2")
        assert case.error_of(r)
    assert case.request(emulator).status == 200


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500, 503])
def test_error_statuses_carry_the_providers_code(emulator: Emulator, case: Case, status: int) -> None:
    emulator.fail(case.provider, status=status)
    r = case.request(emulator)
    assert r.status == case.http_status(status) and case.error_of(r)


def test_explicit_code_and_message(emulator: Emulator, case: Case) -> None:
    code = 336104 if case.provider == "qianfan-v1" else "DataInspectionFailed"
    emulator.fail(case.provider, status=400, code=code, message="blocked")
    r = case.request(emulator)
    assert case.error_of(r) == code and b"blocked" in r.body


def test_fault_only_hits_its_endpoint(emulator: Emulator, case: Case) -> None:
    emulator.fail(case.provider, status=500, endpoint="embeddings")
    assert case.request(emulator).status == 200


def test_midstream_error_after_the_stream_started(emulator: Emulator, case: Case) -> None:
    emulator.fail(case.provider, status=429, kind="midstream")
    r = case.request(emulator, stream=True)
    assert r.status == 200 and r.complete
    assert len(r.data()) >= 2
    assert case.stream_error_of(r)


def test_cut_stream_ends_without_its_end_marker(emulator: Emulator, case: Case) -> None:
    emulator.fail(case.provider, kind="cut")
    r = case.request(emulator, stream=True)
    assert r.status == 200 and not r.complete
    assert r.data() and not case.ended(r)
    whole = case.request(emulator, stream=True)
    assert whole.complete and case.ended(whole)


def test_cut_plain_answer_is_truncated(emulator: Emulator, case: Case) -> None:
    emulator.fail(case.provider, kind="cut")
    assert not case.request(emulator).complete


def test_malformed_body_is_not_json(emulator: Emulator, case: Case) -> None:
    emulator.fail(case.provider, kind="malformed")
    r = case.request(emulator)
    assert r.status == 200
    with pytest.raises(ValueError):
        r.json()


def test_timeout_holds_the_answer_back(emulator: Emulator, case: Case) -> None:
    emulator.fail(case.provider, kind="timeout", delay=1.0)
    with pytest.raises((socket.timeout, TimeoutError)):
        case.request(emulator, timeout=0.2)
    assert case.request(emulator).status == 200


def test_clear_forgets_faults_and_scripts(emulator: Emulator, case: Case) -> None:
    emulator.fail(case.provider, status=500, times=3)
    emulator.script(case.provider, "scripted")
    emulator.clear()
    r = case.request(emulator)
    assert r.status == 200 and b"scripted" not in r.body and len(emulator.requests) == 1
    assert b"error" not in r.body


def test_bad_fault_arguments_are_refused(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        emulator.fail("dashscope", kind="explode")
    with pytest.raises(ValueError, match="unknown provider"):
        emulator.fail("openai")
    with pytest.raises(ValueError, match="times"):
        emulator.fail("zhipu", times=0)
