"""The application's own keys (DESIGN.md, "Keys"), over real HTTP against the emulator.

A key the app supplies at run time is the user's provider key and is sent; a plainly-OpenAI key is
refused before any request with ``openai.AuthenticationError`` naming the provider's variable; the
shim sends the keys given to ``openai.OpenAI`` unless they are OpenAI's. Keys never show.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI, registry
from adapters.emulator import Emulator
from tests.adapters.conftest import install_shim
from tests.adapters.scenarios import KEYS

OPENAI_ENV_KEY = "sk-openai-env-key-never-sent-0001"
OPENAI_SHAPED = ["sk-proj-abcdefghijklmnopqrstuvwxyz0123456789", "sk-svcacct-abcdefghijklmnop0123456789",
                 "sk-admin-abcdefghijklmnop0123456789", "sk-abcdefghijklmnopqrsT3BlbkFJabcdefghijklmnopqrst",
                 OPENAI_ENV_KEY]
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_ENV_KEY)


def ask(sync: bool, **kwargs: Any) -> str:
    """One chat request through a client built with ``kwargs`` (the way the app builds it)."""
    if sync:
        with OpenAI(max_retries=0, **kwargs) as client:
            return client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content or ""

    async def run() -> str:
        async with AsyncOpenAI(max_retries=0, **kwargs) as client:
            reply = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            return reply.choices[0].message.content or ""

    return asyncio.run(run())


def sent_credentials(emulator: Emulator) -> list[str]:
    return [r.headers.get("authorization", "") for r in emulator.requests]


def test_a_key_the_app_supplies_is_sent_even_with_provider_variables_set(
        provider: str, sync: bool, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(registry.get(provider).KEY_VARS[0], "a-different-provider-key-from-env")
    config = {"api_key": KEYS[provider] + "\n"}  # read from a config file, trailing newline and all
    assert ask(sync, provider=provider, api_key=config["api_key"], base_url=emulator.base_url(provider))
    assert sent_credentials(emulator) == [f"Bearer {KEYS[provider]}"]


@pytest.mark.parametrize("key", OPENAI_SHAPED, ids=["project", "service-account", "admin", "legacy", "env-value"])
def test_an_openai_key_is_refused_before_any_request(provider: str, sync: bool, key: str, emulator: Emulator,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    variable = registry.get(provider).KEY_VARS[0]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(openai.AuthenticationError, match=f"Set {variable} to your {provider} key") as info:
        ask(sync, provider=provider, api_key=key, base_url=emulator.base_url(provider))
    assert not emulator.requests
    err = info.value
    assert err.status_code == 401 and err.code == "openai_key_refused"
    shown = str(err) + repr(err) + repr(err.body) + err.response.text + caplog.text
    assert key not in shown and key[10:30] not in shown


def test_a_sent_key_never_shows_in_debug_logs_or_reprs(provider: str, sync: bool, emulator: Emulator,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # openai, httpx, httpcore and qianyi's own loggers, all of them
    key = KEYS[provider]
    assert ask(sync, provider=provider, api_key=key, base_url=emulator.base_url(provider))
    assert sent_credentials(emulator) == [f"Bearer {key}"]
    with OpenAI(provider=provider, api_key=key, base_url=emulator.base_url(provider)) as client:
        shown = repr(client) + repr(vars(client)) + repr(client._client) + repr(client._client._transport)
    assert caplog.records and key not in caplog.text and key not in shown
    assert key.split(".")[-1] not in caplog.text + shown  # Zhipu's secret half


def test_the_refusal_comes_at_the_request_as_openai_refuses_a_wrong_key(provider: str, sync: bool,
                                                                        emulator: Emulator) -> None:
    """Apps build the client at start-up and catch AuthenticationError around their calls."""
    kwargs = dict(provider=provider, api_key=OPENAI_SHAPED[0], base_url=emulator.base_url(provider), max_retries=3)
    client: Any = OpenAI(**kwargs) if sync else AsyncOpenAI(**kwargs)  # no error yet
    assert OPENAI_SHAPED[0] not in repr(client._client._transport) + repr(vars(client))

    async def models() -> Any:
        async with client:
            return await client.models.list()

    with pytest.raises(openai.AuthenticationError, match="Set .* to your") as info:
        client.models.list() if sync else asyncio.run(models())  # even what is answered locally
    assert info.value.status_code == 401 and not emulator.requests
    if sync:
        client.close()


def test_an_openai_key_in_the_provider_variable_is_refused_naming_it(
        provider: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    variable = registry.get(provider).KEY_VARS[0]
    monkeypatch.setenv(variable, OPENAI_SHAPED[0])
    with pytest.raises(openai.AuthenticationError, match=f"The value of {variable} is an OpenAI project key"):
        ask(True, provider=provider, base_url=emulator.base_url(provider))
    assert not emulator.requests


def test_provider_variables_with_a_trailing_newline_work(provider: str, sync: bool, emulator: Emulator,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(registry.get(provider).KEY_VARS[0], f"  {KEYS[provider]}\r\n")
    assert ask(sync, provider=provider, base_url=emulator.base_url(provider))
    assert sent_credentials(emulator) == [f"Bearer {KEYS[provider]}"]


def test_qianfan_v1_ak_sk_are_stripped_and_openai_keys_refused(emulator: Emulator) -> None:
    base = emulator.base_url("qianfan-v1")
    assert ask(True, provider="qianfan", api_version="v1", api_key="qianfan-ak-0001\n",
               secret_key=" qianfan-sk-secret-0001\n", base_url=base)
    token_request = emulator.requests[0].query
    assert (token_request["client_id"], token_request["client_secret"]) == ("qianfan-ak-0001", "qianfan-sk-secret-0001")
    with pytest.raises(openai.AuthenticationError, match="QIANFAN_AK"):
        ask(True, provider="qianfan", api_version="v1", api_key=OPENAI_SHAPED[0], secret_key="s", base_url=base)


PLACEHOLDERS = ["EMPTY", "sk-xxx", "not-needed", "sk-no-key-required", "YOUR_API_KEY_HERE"]


@pytest.mark.parametrize("key", PLACEHOLDERS)
def test_a_placeholder_key_means_no_key_the_provider_variable_is_sent(
        provider: str, sync: bool, key: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Code written for a local server (vLLM's ``api_key="EMPTY"``) runs on the provider's variable."""
    monkeypatch.setenv(registry.get(provider).KEY_VARS[0], KEYS[provider])
    emulator.add_key(provider, KEYS[provider])  # a placeholder sent would be the provider's 401
    assert ask(sync, provider=provider, api_key=key, base_url=emulator.base_url(provider))
    assert sent_credentials(emulator) == [f"Bearer {KEYS[provider]}"]


@pytest.mark.parametrize("lazy", [False, True], ids=["client", "lazy"])
def test_a_placeholder_key_without_the_variable_is_the_missing_key_error(
        provider: str, lazy: bool, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters import LazyOpenAI

    backend = registry.get(provider)
    for name in backend.KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    for name in ("QIANFAN_AK", "QIANFAN_SK"):
        monkeypatch.delenv(name, raising=False)
    factory: Any = LazyOpenAI if lazy else OpenAI
    with pytest.raises(openai.OpenAIError, match=f"{backend.KEY_VARS[0]}.*api_key given to the client is a local "
                                                 f"server's placeholder") as info:
        client = factory(provider=provider, api_key="EMPTY", base_url=emulator.base_url(provider))
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert "EMPTY" not in str(info.value) and not emulator.requests


def test_a_placeholder_ak_or_sk_on_qianfan_v1_reads_the_variables(emulator: Emulator,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIANFAN_AK", "qianfan-ak-0001")
    monkeypatch.setenv("QIANFAN_SK", "qianfan-sk-secret-0001")
    assert ask(True, provider="qianfan", api_version="v1", api_key="EMPTY", secret_key="sk-xxx",
               base_url=emulator.base_url("qianfan-v1"))
    token_request = emulator.requests[0].query
    assert (token_request["client_id"], token_request["client_secret"]) == ("qianfan-ak-0001", "qianfan-sk-secret-0001")


def test_a_key_with_a_marker_word_inside_its_random_part_is_a_key(provider: str, emulator: Emulator) -> None:
    """``is_placeholder_key`` looks for words such as "here" and "fake": inside a real key's random run they
    are chance, and the key is sent."""
    key = {"dashscope": "sk-7here0123456789abcdef01234567ab", "zhipu": "0123456789abcdef0123456789abcdef.fake9Ab3Cd4Ef5Gh",
           "qianfan": "bce-v3/ALTAK-your0Ab3Cd4Ef5Gh6/0123456789abcdef"}[provider]
    emulator.add_key(provider, key)
    assert ask(True, provider=provider, api_key=key, base_url=emulator.base_url(provider))
    assert sent_credentials(emulator) == [f"Bearer {key}"]


# -- the shim -----------------------------------------------------------------------------------


@pytest.fixture
def installed(provider: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for _ in install_shim(provider, emulator, monkeypatch):
        yield provider


def shim_ask(sync: bool, key: str | None) -> str:
    if sync:
        with openai.OpenAI(api_key=key, max_retries=0) as client:
            return client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content or ""

    async def run() -> str:
        async with openai.AsyncOpenAI(api_key=key, max_retries=0) as client:
            reply = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            return reply.choices[0].message.content or ""

    return asyncio.run(run())


def test_the_shim_sends_a_key_the_app_gives_openai(installed: str, sync: bool, emulator: Emulator) -> None:
    typed_in_the_ui = "user-typed-provider-key-0001 "
    assert shim_ask(sync, typed_in_the_ui)
    assert sent_credentials(emulator) == ["Bearer user-typed-provider-key-0001"]


@pytest.mark.parametrize("key", [*OPENAI_SHAPED[::2], "EMPTY", "sk-no-key-required"],
                         ids=["project", "admin", "env-value", "placeholder", "placeholder-sk"])
def test_the_shim_replaces_an_openai_key_or_a_placeholder_by_the_provider_variable(installed: str, sync: bool, key: str,
                                                                  emulator: Emulator) -> None:
    assert shim_ask(sync, key)
    assert sent_credentials(emulator) == [f"Bearer {KEYS[installed]}"]


def test_the_shim_applies_the_rule_to_0x_keys(installed: str, emulator: Emulator) -> None:
    openai.api_key = OPENAI_ENV_KEY  # the usual 0.x line: an OpenAI key, replaced
    assert openai.ChatCompletion.create(model="gpt-4o", messages=MESSAGES)["choices"][0]["message"]["content"]
    openai.api_key = "key-from-settings-page-0001"  # a key the app's user typed in: sent
    assert openai.ChatCompletion.create(model="gpt-4o", messages=MESSAGES)["choices"][0]["message"]["content"]
    reply = openai.ChatCompletion.create(model="gpt-4o", messages=MESSAGES, api_key="per-call-key-0001")
    assert reply.choices[0].message.content

    async def run() -> Any:
        return await openai.ChatCompletion.acreate(model="gpt-4o", messages=MESSAGES, api_key=OPENAI_SHAPED[0])

    assert asyncio.run(run()).choices[0].message.content
    assert sent_credentials(emulator) == [f"Bearer {KEYS[installed]}", "Bearer key-from-settings-page-0001",
                                          "Bearer per-call-key-0001", f"Bearer {KEYS[installed]}"]


# -- keys given after the client was built ------------------------------------------------------

TENANT_KEYS = {"dashscope": "sk-dashscope-tenant-key-0002", "zhipu": "fedcba9876543210fedcba9876543210.tenantPart",
               "qianfan": "bce-v3/ALTAK-tenant/fedcba9876543210"}


def ask_each(sync: bool, client_kwargs: dict[str, Any], variants: list[Any]) -> list[str]:
    """One chat request per variant (a function of the client giving the client to ask) on one client."""
    if sync:
        with OpenAI(max_retries=0, **client_kwargs) as client:
            return [v(client).chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content
                    for v in variants]

    async def run() -> list[str]:
        async with AsyncOpenAI(max_retries=0, **client_kwargs) as client:
            return [(await v(client).chat.completions.create(model="gpt-4o", messages=MESSAGES)).choices[0].message
                    .content for v in variants]

    return asyncio.run(run())


def given_key(key: str) -> Any:
    def set_key(client: Any) -> Any:
        client.api_key = key  # a multi-tenant app switching keys on one client
        return client
    return set_key


def test_a_key_given_with_with_options_or_set_on_the_client_is_sent(provider: str, sync: bool,
                                                                   emulator: Emulator) -> None:
    tenant = TENANT_KEYS[provider]
    replies = ask_each(sync, {"provider": provider, "api_key": KEYS[provider], "base_url": emulator.base_url(provider)},
                       [lambda c: c, lambda c: c.with_options(api_key=tenant),
                        lambda c: c.with_options(api_key=tenant).with_options(timeout=20),  # a copy of the copy
                        lambda c: c.with_options(api_key="EMPTY"),  # a placeholder: the client's own key
                        lambda c: c, given_key(tenant + " \n")])
    assert all(replies)
    assert sent_credentials(emulator) == [f"Bearer {KEYS[provider]}", f"Bearer {tenant}", f"Bearer {tenant}",
                                          f"Bearer {KEYS[provider]}", f"Bearer {KEYS[provider]}", f"Bearer {tenant}"]


def test_an_openai_key_given_with_with_options_is_refused_and_not_sent(provider: str, sync: bool,
                                                                      emulator: Emulator) -> None:
    key = OPENAI_SHAPED[0]
    with pytest.raises(openai.AuthenticationError) as raised:
        ask_each(sync, {"provider": provider, "api_key": KEYS[provider], "base_url": emulator.base_url(provider)},
                 [lambda c: c.with_options(api_key=key)])
    assert "OpenAI" in str(raised.value) and key not in str(raised.value) and key[8:] not in str(raised.value)
    assert emulator.requests == []


def test_a_client_refused_at_construction_works_with_a_provider_key_given_later(provider: str,
                                                                               emulator: Emulator) -> None:
    """A client built with the OpenAI key from the environment is refused; a copy given the user's key works."""
    replies = ask_each(True, {"provider": provider, "api_key": OPENAI_ENV_KEY, "base_url": emulator.base_url(provider)},
                       [lambda c: c.with_options(api_key=TENANT_KEYS[provider])])
    assert replies[0] and sent_credentials(emulator) == [f"Bearer {TENANT_KEYS[provider]}"]


def test_the_shim_sends_a_key_given_with_with_options_unless_it_is_openai_s(installed: str, sync: bool,
                                                                           emulator: Emulator) -> None:
    tenant = TENANT_KEYS[installed]
    if sync:
        with openai.OpenAI(max_retries=0) as client:
            for copy in (client.with_options(api_key=tenant), client.with_options(api_key=OPENAI_SHAPED[0])):
                assert copy.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content
    else:
        async def run() -> None:
            async with openai.AsyncOpenAI(max_retries=0) as client:
                for copy in (client.with_options(api_key=tenant), client.with_options(api_key=OPENAI_SHAPED[0])):
                    assert (await copy.chat.completions.create(model="gpt-4o", messages=MESSAGES)).choices
        asyncio.run(run())
    assert sent_credentials(emulator) == [f"Bearer {tenant}", f"Bearer {KEYS[installed]}"]


def test_a_v2_key_given_to_a_v1_client_is_refused_saying_what_to_do(emulator: Emulator,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A client on v1 because only QIANFAN_AK/SK are set cannot send a v2 key given later: its requests
    are translated for v1. Refused at the call (nothing sent), naming the way out."""
    monkeypatch.delenv("QIANFAN_API_KEY", raising=False)
    monkeypatch.setenv("QIANFAN_AK", "qianfan-ak-0001")
    monkeypatch.setenv("QIANFAN_SK", "qianfan-sk-secret-0001")
    with pytest.raises(openai.AuthenticationError, match=r"for its v2 API, and the client was built for v1: build "
                                                         r"a client with that key") as raised:
        ask_each(True, {"provider": "qianfan", "base_url": emulator.base_url("qianfan-v1")},
                 [lambda c: c.with_options(api_key=TENANT_KEYS["qianfan"])])
    assert TENANT_KEYS["qianfan"] not in str(raised.value) and emulator.requests == []
