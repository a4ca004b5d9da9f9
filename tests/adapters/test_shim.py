"""The shim: unrewritten code (1.x and 0.x) runs on a provider; uninstall restores openai exactly."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from adapters import shim
from adapters.capabilities import UnsupportedParameterWarning
from adapters.emulator import Emulator
from adapters.legacy import LegacyCompletionWarning

KEY = "sk-dashscope-shim-test-0001"


def _snapshot() -> dict[str, Any]:
    names = ("ChatCompletion", "Completion", "Embedding", "Model", "error", "api_key", "api_base", "api_type",
             "api_version", "organization", "_client", "http_client", "base_url")
    state = {name: getattr(openai, name, "<absent>") for name in names}
    state["OpenAI.__init__"] = openai.OpenAI.__init__
    state["AsyncOpenAI.__init__"] = openai.AsyncOpenAI.__init__
    state["sys.modules[openai.error]"] = sys.modules.get("openai.error", "<absent>")
    return state


@pytest.fixture
def installed(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", emulator.base_url("dashscope"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-never-sent-0000")
    shim.install(provider="dashscope")
    try:
        yield emulator
    finally:
        shim.uninstall()


def test_uninstall_restores_openai_exactly(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot()
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    shim.install(provider="dashscope")
    shim.install(provider="dashscope")  # idempotent
    assert shim.installed() and _snapshot() != before
    shim.uninstall()
    shim.uninstall()
    assert not shim.installed()
    assert _snapshot() == before


def test_install_fails_early_on_a_bad_setting_but_not_on_a_missing_key() -> None:
    with pytest.raises(openai.OpenAIError, match="unknown provider|Unknown provider"):
        shim.install(provider="no-such-provider")
    assert not shim.installed()
    shim.install(provider="dashscope")  # no DASHSCOPE_API_KEY: the code may bring its own key
    try:
        with pytest.raises(openai.OpenAIError, match="DASHSCOPE_API_KEY"):
            openai.OpenAI()  # no key anywhere: refused when built, as openai itself refuses it
    finally:
        shim.uninstall()


def test_a_key_the_code_supplies_is_enough(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", emulator.base_url("dashscope"))
    shim.install(provider="dashscope")
    try:
        client = openai.OpenAI(api_key="typed-into-the-ui-0001", max_retries=0)
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        assert reply.choices[0].message.content
        assert emulator.requests[-1].bearer == "typed-into-the-ui-0001"
        client.close()
    finally:
        shim.uninstall()


def test_clients_built_by_third_party_code_run_on_the_provider(installed: Emulator) -> None:
    class ThirdPartyChatModel:  # how LangChain's ChatOpenAI builds its client
        def __init__(self, openai_api_key: str, model_name: str) -> None:
            self.client = openai.OpenAI(api_key=openai_api_key, organization="org-123", max_retries=1)
            self.model_name = model_name

        def invoke(self, text: str) -> str:
            reply = self.client.chat.completions.create(model=self.model_name,
                                                        messages=[{"role": "user", "content": text}])
            return reply.choices[0].message.content or ""

    with pytest.warns(UnsupportedParameterWarning, match="organization= is not used on dashscope"):
        model = ThirdPartyChatModel("sk-openai-never-sent-0000", "gpt-4o-mini")
    assert model.invoke("hi") == "Echo from qwen-flash: hi"
    model.client.close()
    auth = [r.headers.get("authorization", "") for r in installed.requests]
    assert auth == [f"Bearer {KEY}"]
    assert not any("openai-organization" in {k.lower() for k in r.headers} for r in installed.requests)


def test_async_clients_and_the_module_client_are_covered(installed: Emulator) -> None:
    async def run() -> str:
        async with openai.AsyncOpenAI() as client:
            reply = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "a"}])
            return reply.choices[0].message.content or ""

    assert asyncio.run(run()) == "Echo from qwen-plus: a"
    module_reply = openai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "b"}])
    assert module_reply.choices[0].message.content == "Echo from qwen-plus: b"


def test_legacy_chat_completion_answers_dict_and_attribute_access(installed: Emulator) -> None:
    openai.api_key = "sk-openai-never-sent-0000"  # 0.x settings are accepted and ignored
    response = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hey"}])
    assert response["choices"][0]["message"]["content"] == "Echo from qwen-turbo: hey"
    assert response.choices[0].message.content == response["choices"][0]["message"]["content"]
    chunks = list(openai.ChatCompletion.create(engine="gpt-3.5-turbo", stream=True,
                                               messages=[{"role": "user", "content": "one two"}]))
    text = "".join(c["choices"][0]["delta"].get("content", "") or "" for c in chunks if c["choices"])
    assert text == "Echo from qwen-turbo: one two"


def test_legacy_completion_goes_through_chat_with_a_warning(installed: Emulator) -> None:
    with pytest.warns(LegacyCompletionWarning, match="chat API"):
        response = openai.Completion.create(engine="text-davinci-003", prompt="finish this", max_tokens=40,
                                            stop=["\n\n"])
    assert response.choices[0].text == "Echo from qwen-flash: finish this"
    assert response["object"] == "text_completion" and response["id"].startswith("cmpl-")
    sent = installed.requests[-1].json
    assert sent["model"] == "qwen-flash" and sent["input"]["messages"] == [{"role": "user", "content": "finish this"}]
    assert sent["parameters"]["max_tokens"] == 40 and sent["parameters"]["stop"] == ["\n\n"]

    with pytest.warns(LegacyCompletionWarning):
        chunks = list(openai.Completion.create(model="text-davinci-003", prompt="one two", stream=True))
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == "Echo from qwen-flash: one two"
    assert all(c["object"] == "text_completion" for c in chunks)

    async def run() -> Any:
        return await openai.Completion.acreate(engine="text-davinci-003", prompt="async")

    with pytest.warns(LegacyCompletionWarning):
        assert asyncio.run(run()).choices[0].text == "Echo from qwen-flash: async"


def test_legacy_embeddings_async_forms_and_errors(installed: Emulator) -> None:
    response = openai.Embedding.create(model="text-embedding-ada-002", input=["a", "b"])
    assert len(response["data"]) == 2 and len(response.data[0].embedding) == 1536

    async def run() -> Any:
        return await openai.ChatCompletion.acreate(model="gpt-4o", messages=[{"role": "user", "content": "x"}])

    assert asyncio.run(run()).choices[0].message.content == "Echo from qwen-plus: x"
    import openai.error as legacy_errors  # type: ignore[import-not-found]

    installed.fail("dashscope", status=429, code="Throttling.RateQuota", message="slow down", times=3,
                   retry_after="0")
    with pytest.raises(legacy_errors.RateLimitError):
        openai.ChatCompletion.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])


def test_install_and_uninstall_are_thread_safe(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot()
    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    barrier = threading.Barrier(8)

    def flip() -> None:
        barrier.wait()
        for _ in range(20):
            shim.install(provider="dashscope")
            shim.uninstall()

    threads = [threading.Thread(target=flip) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not shim.installed() and _snapshot() == before


def test_an_azure_client_left_unrewritten_runs_on_the_provider(installed: Emulator) -> None:
    client = openai.AzureOpenAI(api_key="azure-key", api_version="2024-06-01",
                                azure_endpoint="https://contoso.openai.azure.com")
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "az"}])
    client.close()
    assert reply.choices[0].message.content == "Echo from qwen-plus: az"


def test_0x_image_and_moderation_names_run_on_the_provider(installed: Emulator) -> None:
    """openai.Image (which the rewrite converts too) and openai.Moderation exist again under the shim."""
    picture = openai.Image.create(prompt="a cat", n=1, size="512x512")  # type: ignore[attr-defined]
    assert picture["data"][0]["url"].startswith(installed.url)
    with pytest.raises(openai.BadRequestError, match="moderations"):
        openai.Moderation.create(input="is this fine?")  # type: ignore[attr-defined]
