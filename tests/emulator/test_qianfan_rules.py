"""Qianfan's checks over plain HTTP: ERNIE message order, stop words, ranges, v1 tokens and endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.emulator import Emulator

from .raw import call

V2 = "/v2/chat/completions"
V1 = "/rpc/2.0/ai_custom/v1/wenxinworkshop"
U, A = {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}
SYSTEM = {"role": "system", "content": "s"}
CALL = {"role": "assistant", "content": "", "tool_calls": [
    {"id": "0123", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}
TOOL = {"role": "tool", "tool_call_id": "0123", "content": "r"}


def v2(messages: list[Any], model: str = "ernie-4.5-turbo-32k", **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": messages, **fields}


def token(emulator: Emulator, ak: str = "ak", sk: str = "sk") -> str:
    path = f"/oauth/2.0/token?grant_type=client_credentials&client_id={ak}&client_secret={sk}"
    return str(call(emulator.url, path, key=None).json()["access_token"])


@pytest.mark.parametrize(
    "messages",
    [
        pytest.param([U], id="user"),
        pytest.param([SYSTEM, U, A, U], id="system-then-alternating"),
        pytest.param([U, CALL, TOOL], id="tool-result-last"),
        pytest.param([U, CALL, TOOL, TOOL, A, U], id="two-tool-results-then-on"),
    ],
)
def test_v2_accepts_ernie_order(emulator: Emulator, messages: list[Any]) -> None:
    assert call(emulator.url, V2, v2(messages)).status == 200


@pytest.mark.parametrize(
    ("messages", "fragment"),
    [
        pytest.param([A, U], "first message", id="assistant-first"),
        pytest.param([SYSTEM, A, U], "first message", id="greeting-after-system"),
        pytest.param([U, A, SYSTEM, U], "may only be the first", id="system-mid-history"),
        pytest.param([U, U], "alternate", id="two-users"),
        pytest.param([U, A], "last message", id="assistant-last"),
        pytest.param([SYSTEM, SYSTEM, U], "first message", id="two-systems"),
        pytest.param([U, TOOL], "tool message must follow", id="orphan-tool"),
        pytest.param([U, CALL, U], "answered by tool", id="unanswered-call"),
        pytest.param([U, A, {"role": "user", "content": "  "}], "blank", id="blank-last"),
    ],
)
def test_v2_refuses_out_of_order_histories(emulator: Emulator, messages: list[Any], fragment: str) -> None:
    r = call(emulator.url, V2, v2(messages))
    error = r.json()["error"]
    assert (r.status, error["code"]) == (400, "invalid_messages") and fragment in error["message"]
    assert r.json()["id"].startswith("as-")


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        pytest.param({"stop": ["a", "b", "c", "d", "e"]}, "stop", id="five-stop-words"),
        pytest.param({"stop": ["x" * 21]}, "stop", id="long-stop-word"),
        pytest.param({"temperature": 0}, "temperature", id="ernie-temperature-0"),
        pytest.param({"temperature": 1.5}, "temperature", id="ernie-temperature-1.5"),
        pytest.param({"seed": 0}, "seed", id="seed-0"),
        pytest.param({"max_tokens": 100_000}, "max_tokens", id="max-tokens"),
    ],
)
def test_v2_refuses_bad_values(emulator: Emulator, fields: dict[str, Any], fragment: str) -> None:
    r = call(emulator.url, V2, v2([U], **fields))
    assert (r.status, r.json()["error"]["code"]) == (400, "invalid_argument") and fragment in r.text()


def test_v2_keys_and_models(emulator: Emulator) -> None:
    r = call(emulator.url, V2, v2([U]), key="invalid")
    assert (r.status, r.json()["error"]["code"]) == (401, "invalid_iam_token")
    r = call(emulator.url, V2, v2([U], model="gpt-4o"))
    assert (r.status, r.json()["error"]["code"]) == (401, "invalid_model")
    assert call(emulator.url, V2, v2([U], model="deepseek-v3", temperature=1.5)).status == 200


def test_v2_stream_framing(emulator: Emulator) -> None:
    chunks = call(emulator.url, V2, v2([U], stream=True)).data()
    assert chunks[-1] == "[DONE]"
    assert all(c["object"] == "chat.completion.chunk" and c["usage"] is None for c in chunks[:-1])
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all("role" not in c["choices"][0]["delta"] for c in chunks[1:-1])
    assert all(c["choices"][0]["flag"] == 0 for c in chunks[:-1])


def test_v2_embeddings_batch_limit(emulator: Emulator) -> None:
    r = call(emulator.url, "/v2/embeddings", {"model": "embedding-v1", "input": ["a"] * 17})
    assert (r.status, r.json()["error"]["code"]) == (400, "invalid_argument")


def test_v1_token_shape_and_determinism(emulator: Emulator) -> None:
    path = "/oauth/2.0/token?grant_type=client_credentials&client_id=ak&client_secret=sk"
    first, second = (call(emulator.url, path, key=None).json() for _ in range(2))
    assert first == second and first["expires_in"] == 2592000 and first["access_token"].startswith("24.")
    assert token(emulator, "other") != first["access_token"]


@pytest.mark.parametrize(
    ("query", "description"),
    [
        pytest.param("grant_type=client_credentials&client_id=invalid&client_secret=sk", "unknown client id",
                     id="bad-ak"),
        pytest.param("grant_type=client_credentials&client_id=ak&client_secret=invalid",
                     "Client authentication failed", id="bad-sk"),
    ],
)
def test_v1_token_errors(emulator: Emulator, query: str, description: str) -> None:
    r = call(emulator.url, f"/oauth/2.0/token?{query}", key=None)
    assert r.status == 401 and r.json() == {"error": "invalid_client", "error_description": description}


def test_v1_token_errors_are_http_200(emulator: Emulator) -> None:
    good = token(emulator)
    for access, code in (("", 110), ("24.unknown", 110)):
        r = call(emulator.url, f"{V1}/chat/completions?access_token={access}", {"messages": [U]}, key=None)
        assert (r.status, r.json()["error_code"]) == (200, code)
    emulator.expire_tokens()
    r = call(emulator.url, f"{V1}/chat/completions?access_token={good}", {"messages": [U]}, key=None)
    assert (r.status, r.json()["error_code"]) == (200, 111)
    r = call(emulator.url, f"{V1}/chat/completions?access_token={token(emulator)}", {"messages": [U]}, key=None)
    assert r.json()["result"] == "Echo from ernie-3.5-8k: u"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param({"messages": [SYSTEM, U]}, "top-level \"system\"", id="system-in-messages"),
        pytest.param({"messages": [U, A]}, "odd number", id="even-count"),
        pytest.param({"messages": [U, U, U]}, "alternate", id="no-alternation"),
        pytest.param({"messages": [U], "max_output_tokens": 1}, "max_output_tokens", id="max-output-1"),
        pytest.param({"messages": [U], "penalty_score": 3}, "penalty_score", id="penalty"),
    ],
)
def test_v1_refuses_bad_bodies(emulator: Emulator, body: dict[str, Any], fragment: str) -> None:
    r = call(emulator.url, f"{V1}/chat/completions_pro?access_token={token(emulator)}", body, key=None)
    assert (r.status, r.json()["error_code"]) == (200, 336003) and fragment in r.json()["error_msg"]


def test_v1_endpoints_pick_the_model(emulator: Emulator) -> None:
    access = token(emulator)
    for endpoint, model in (("completions_pro", "ernie-4.0-8k"), ("ernie-4.0-turbo-8k", "ernie-4.0-turbo-8k"),
                            ("ernie_speed", "ernie-speed-8k"), ("eb-instant", "ernie-lite-8k-0922")):
        r = call(emulator.url, f"{V1}/chat/{endpoint}?access_token={access}", {"messages": [U]}, key=None)
        assert r.json()["result"] == f"Echo from {model}: u"
    r = call(emulator.url, f"{V1}/chat/gpt-4o?access_token={access}", {"messages": [U]}, key=None)
    assert (r.status, r.json()["error_code"]) == (200, 336005)


def test_v1_system_field_and_iam_signature(emulator: Emulator) -> None:
    body = {"messages": [U], "system": "persona"}
    signed = {"Authorization": "bce-auth-v1/ak/2026-01-01T00:00:00Z/1800/host/abcdef"}
    r = call(emulator.url, f"{V1}/chat/completions", body, headers=signed, key=None)
    assert r.json()["result"] == "Echo from ernie-3.5-8k: u"


def test_v1_embeddings(emulator: Emulator) -> None:
    access = token(emulator)
    r = call(emulator.url, f"{V1}/embeddings/bge_large_zh?access_token={access}", {"input": ["a", "b"]}, key=None)
    assert r.json()["object"] == "embedding_list" and [len(d["embedding"]) for d in r.json()["data"]] == [1024] * 2
    r = call(emulator.url, f"{V1}/embeddings/tao_8k?access_token={access}", {"input": ["a", "b"]}, key=None)
    assert r.json()["error_code"] == 336003
