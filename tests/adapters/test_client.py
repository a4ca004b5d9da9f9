"""Client construction: provider, key and root resolution, without a network call."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI
from adapters.capabilities import UnsupportedParameterWarning


def test_the_beijing_root_is_the_default_and_regions_are_a_setting() -> None:
    with OpenAI(provider="dashscope", api_key="sk-test-00000001") as client:
        assert str(client.base_url) == "https://dashscope.aliyuncs.com/api/v1/"
    with OpenAI(provider="dashscope", api_key="sk-test-00000001", region="intl") as client:
        assert str(client.base_url) == "https://dashscope-intl.aliyuncs.com/api/v1/"
    with pytest.raises(openai.OpenAIError, match="Unknown region 'mars'; known regions: .*ap-southeast-1"):
        OpenAI(provider="dashscope", api_key="sk-test-00000001", region="mars")


def test_base_url_precedence_argument_then_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", "http://127.0.0.1:1/api/v1/")
    with OpenAI(provider="dashscope", api_key="sk-test-00000001") as client:
        assert str(client.base_url) == "http://127.0.0.1:1/api/v1/"
    with OpenAI(provider="dashscope", api_key="sk-test-00000001", base_url="http://127.0.0.1:2/api/v1") as client:
        assert str(client.base_url) == "http://127.0.0.1:2/api/v1/"


def test_the_missing_key_error_reads_like_the_openai_sdks() -> None:
    with pytest.raises(openai.OpenAIError, match=r"^The api_key client option must be set either by passing "
                                                 r"api_key to the client or by setting the DASHSCOPE_API_KEY"):
        AsyncOpenAI(provider="dashscope")


def test_openai_account_options_are_dropped_with_a_warning_and_sdk_options_kept() -> None:
    with pytest.warns(UnsupportedParameterWarning) as seen:
        client = OpenAI(provider="dashscope", api_key="sk-test-00000001", organization="org-1", project="p",
                        max_retries=5, timeout=3.0)
    assert [str(w.message).split(":")[0] for w in seen] == ["organization= is not used on dashscope",
                                                           "project= is not used on dashscope"]
    assert "an OpenAI account option" in str(seen[0].message) and seen[0].filename == __file__
    with client:
        assert client.max_retries == 5 and client.timeout == 3.0
        assert client.organization is None and client.project is None


@pytest.mark.parametrize("client_class", [OpenAI, AsyncOpenAI])
def test_openai_only_options_quiet_when_unset_or_under_drop(client_class: Any) -> None:
    made = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made.append(client_class(provider="zhipu", api_key="id.secret", organization=None, project=None))
        made.append(client_class(provider="zhipu", api_key="id.secret", organization="org-1", unsupported="drop"))
    with pytest.warns(UnsupportedParameterWarning, match="webhook_secret= is not used on zhipu: it is the key "
                                                          "of OpenAI's webhooks"):
        made.append(client_class(provider="zhipu", api_key="id.secret", webhook_secret="whsec_x"))
    for client in made:
        closed = client.close()
        if asyncio.iscoroutine(closed):
            asyncio.run(closed)


def test_unsupported_policy_is_validated() -> None:
    with pytest.raises((ValueError, openai.OpenAIError), match="unsupported= must be"):
        OpenAI(provider="dashscope", api_key="sk-test-00000001", unsupported="ignore")  # type: ignore[arg-type]
