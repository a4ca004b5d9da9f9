"""Zhipu's checks over plain HTTP: ranges, one stop word, tool_choice auto, user_id, keys and JWTs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from adapters.emulator import Emulator

from .raw import call

CHAT = "/api/paas/v4/chat/completions"
EMBEDDINGS = "/api/paas/v4/embeddings"
KEY_ID, SECRET = "0123456789abcdef0123456789abcdef", "s3cret"


def chat(model: str = "glm-4.5-flash", **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **fields}


def refused(emulator: Emulator, body: Any, path: str = CHAT, **kwargs: Any) -> tuple[int, str, str]:
    r = call(emulator.url, path, body, **kwargs)
    error = r.json()["error"]
    assert set(error) == {"code", "message"} and isinstance(error["code"], str)
    return r.status, error["code"], error["message"]


def jwt(secret: str = SECRET, *, header: dict[str, Any] | None = None, exp_ms: int | None = None) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time() * 1000)
    signing = part(header or {"alg": "HS256", "sign_type": "SIGN", "typ": "JWT"}) + "." + part(
        {"api_key": KEY_ID, "exp": now + 210_000 if exp_ms is None else exp_ms, "timestamp": now})
    signature = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        pytest.param(chat(temperature=1.5), "1214", "temperature", id="temperature"),
        pytest.param(chat(top_p=0), "1214", "top_p", id="top_p"),
        pytest.param(chat(stop=["a", "b"]), "1214", "stop", id="two-stop-words"),
        pytest.param(chat(tool_choice="required"), "1214", "tool_choice", id="tool-choice-required"),
        pytest.param(chat(tool_choice={"type": "function", "function": {"name": "f"}}), "1214", "tool_choice",
                     id="tool-choice-named"),
        pytest.param(chat(user_id="abc"), "1214", "user_id", id="short-user-id"),
        pytest.param(chat(model="gpt-4o"), "1211", "模型不存在", id="openai-model"),
        pytest.param(chat(messages=[]), "1214", "messages", id="no-messages"),
        pytest.param(chat(messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}]), "1214",
                     "messages[0]:content", id="list-content-on-a-text-model"),
        pytest.param(chat(response_format={"type": "json_schema", "json_schema": {"schema": {}}}), "1214",
                     "response_format", id="json-schema"),
        pytest.param(chat(model="glm-z1-air", tools=[{"type": "function", "function": {"name": "f"}}]), "1214",
                     "tools", id="tools-on-a-model-without-tools"),
    ],
)
def test_refuses_what_the_live_api_refuses(emulator: Emulator, body: Any, code: str, fragment: str) -> None:
    status, got, message = refused(emulator, body)
    assert (status, got) == (400, code) and fragment in message


def test_accepts_the_boundaries(emulator: Emulator) -> None:
    for fields in ({"temperature": 0}, {"temperature": 1}, {"top_p": 1}, {"stop": ["x"]}, {"user_id": "u" * 6},
                   {"user_id": "u" * 128}, {"tool_choice": "auto"}, {"do_sample": False}):
        assert call(emulator.url, CHAT, chat(**fields)).status == 200, fields


def test_vision_model_takes_parts_with_raw_base64_only(emulator: Emulator) -> None:
    def vision(url: str) -> dict[str, Any]:
        parts = [{"type": "image_url", "image_url": {"url": url}}, {"type": "text", "text": "colour?"}]
        return chat(model="glm-4.5v", messages=[{"role": "user", "content": parts}])

    r = call(emulator.url, CHAT, vision("iVBORw0KGgo="))
    assert r.json()["choices"][0]["message"]["content"] == "Echo from glm-4.5v: colour?"
    assert refused(emulator, vision("data:image/png;base64,iVBORw0KGgo="))[:2] == (400, "1210")


def test_json_object_answer(emulator: Emulator) -> None:
    body = chat(response_format={"type": "json_object"})
    assert json.loads(call(emulator.url, CHAT, body).json()["choices"][0]["message"]["content"]) == {"echo": "hi"}


def test_stream_framing_is_zhipus(emulator: Emulator) -> None:
    r = call(emulator.url, CHAT, chat(stream=True))
    frames = r.data()
    assert frames[-1] == "[DONE]" and b"data: {" in r.body
    chunks = frames[:-1]
    assert all("object" not in c for c in chunks)
    assert all(c["choices"][0]["delta"]["role"] == "assistant" for c in chunks)
    assert all("finish_reason" not in c["choices"][0] for c in chunks[:-1])
    assert [("usage" in c) for c in chunks] == [False] * (len(chunks) - 1) + [True]


def test_request_id_is_echoed(emulator: Emulator) -> None:
    assert call(emulator.url, CHAT, chat(request_id="req-123")).json()["request_id"] == "req-123"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param({"model": "embedding-3", "input": ["a"], "dimensions": 1536}, "dimensions", id="dimension"),
        pytest.param({"model": "embedding-3", "input": ["a"] * 65}, "64", id="batch"),
        pytest.param({"model": "embedding-3", "input": []}, "input", id="empty"),
    ],
)
def test_embeddings_checks(emulator: Emulator, body: Any, fragment: str) -> None:
    status, code, message = refused(emulator, body, EMBEDDINGS)
    assert (status, code) == (400, "1214") and fragment in message


def test_embedding_single_string_and_default_dimension(emulator: Emulator) -> None:
    r = call(emulator.url, EMBEDDINGS, {"model": "embedding-3", "input": "one"}).json()
    assert len(r["data"]) == 1 and len(r["data"][0]["embedding"]) == 2048


@pytest.mark.parametrize(
    ("key", "code"),
    [
        pytest.param(lambda: None, "1001", id="missing"),
        pytest.param(lambda: "invalid", "1002", id="invalid"),
        pytest.param(lambda: jwt("wrong"), "1004", id="jwt-bad-signature"),
        pytest.param(lambda: jwt(exp_ms=int(time.time()) + 210), "1003", id="jwt-expiry-in-seconds"),
        pytest.param(lambda: jwt(header={"alg": "HS256", "typ": "JWT"}), "1002", id="jwt-without-sign-type"),
        pytest.param(lambda: "a.b.c", "1002", id="not-a-jwt"),
    ],
)
def test_bad_credentials_are_401(emulator: Emulator, key: Callable[[], str | None], code: str) -> None:
    # Tokens are made when the test runs: made at collection, a valid one expires on a slow run.
    emulator.add_key("zhipu", f"{KEY_ID}.{SECRET}")
    assert refused(emulator, chat(), key=key())[:2] == (401, code)


def test_good_jwt_and_plain_key_pass(emulator: Emulator) -> None:
    emulator.add_key("zhipu", f"{KEY_ID}.{SECRET}")
    assert call(emulator.url, CHAT, chat(), key=jwt()).status == 200
    assert call(emulator.url, CHAT, chat(), key=f"{KEY_ID}.{SECRET}").status == 200


def test_jwt_of_an_unregistered_key_is_checked_for_shape_only(emulator: Emulator) -> None:
    assert call(emulator.url, CHAT, chat(), key=jwt("any secret")).status == 200
