"""The OpenAI-key test the runtime and the codemods share (DESIGN.md, "Keys")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from adapters.keys import clean_key, has_openai_shape, is_openai_key, openai_key_reason

LEGACY = "sk-" + "a1B2c3D4e5F6g7H8i9J0" + "T3BlbkFJ" + "k1L2m3N4o5P6q7R8s9T0"


@pytest.mark.parametrize("key", [
    "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
    "sk-svcacct-abcdefghijklmnopqrstuvwxyz0123",
    "sk-admin-abcdefghijklmnopqrstuvwxyz0123",
    LEGACY,
    f"  {LEGACY}\n",  # read from a file
    "sk-proj-abc\r\n",
])
def test_openai_key_shapes_are_recognised(key: str) -> None:
    assert has_openai_shape(key) and is_openai_key(key)
    reason = openai_key_reason(key)
    assert reason and key.strip() not in reason


@pytest.mark.parametrize("key", [
    "sk-0123456789abcdef0123456789abcdef",  # DashScope and DeepSeek keys start with sk- too
    "0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOp",  # Zhipu id.secret
    "bce-v3/ALTAK-abc/0123456789abcdef",  # Qianfan v2
    "my-provider-key", "", "   ", "T3BlbkFJ-without-sk", "proj-sk-T3BlbkFJ",
])
def test_other_keys_are_not_openai_keys(key: str) -> None:
    assert not has_openai_shape(key) and not is_openai_key(key) and openai_key_reason(key) is None


def test_the_value_of_openai_api_key_is_an_openai_key_whatever_its_shape() -> None:
    env = {"OPENAI_API_KEY": "relay-key-0001\n"}
    assert openai_key_reason("relay-key-0001", env) == "the value of OPENAI_API_KEY"
    assert not has_openai_shape("relay-key-0001")  # the shape alone says nothing
    assert not is_openai_key("other-key", env)
    assert not is_openai_key("anything", {"OPENAI_API_KEY": ""})


def test_clean_key_strips_surrounding_whitespace_only() -> None:
    assert clean_key(" \tk-1 2\r\n") == "k-1 2"


def test_the_module_is_cheap_to_import() -> None:
    code = "import sys, adapters.keys; print(sorted(m for m in ('openai', 'libcst', 'httpx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("value", ["EMPTY", "ollama", "sk-no-key-required", "nokeyneeded", "not-needed", "lm-studio",
                                   "sk-xxxxxxxxxxxxxxxx", "YOUR_OPENAI_API_KEY", "sk-...", "", "sk-1234", " EMPTY\n"])
def test_placeholders_are_not_keys(value: str) -> None:
    from adapters.keys import is_placeholder_key

    assert is_placeholder_key(value) and not has_openai_shape(value)


@pytest.mark.parametrize("value", [LEGACY, "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
                                   "sk-0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef.AbCdEfGh1234"])
def test_keys_are_not_placeholders(value: str) -> None:
    from adapters.keys import is_placeholder_key

    assert not is_placeholder_key(value)


def test_a_key_without_digits_is_still_a_key() -> None:
    from adapters.keys import is_placeholder_key

    assert not is_placeholder_key("sk-abcdefghijklmnop")
