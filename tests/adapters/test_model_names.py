"""Model names as real code writes them, resolved by the family rules: the rules alone, then over real
HTTP against the emulator, sync and async, on every provider."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI, catalogue
from adapters.emulator import Emulator
from tests.adapters.scenarios import KEYS

PROVIDERS = ("dashscope", "qianfan", "zhipu")

#: A name as code writes it -> the catalogue entry the rules resolve it to.
RULES = {
    "gpt-4o": "gpt-4o",
    "GPT-4o": "gpt-4o",
    "openai/gpt-4o": "gpt-4o",                       # GitHub Models, OpenRouter
    "openrouter/openai/gpt-4o-mini": "gpt-4o-mini",
    "azure/gpt-4o": "gpt-4o",
    "gpt-4o-2024-08-06": "gpt-4o",
    "gpt-4o-mini-2024-07-18": "gpt-4o-mini",
    "chatgpt-4o-latest": "gpt-4o",
    "gpt-4-0613": "gpt-4",
    "gpt-4-32k": "gpt-4",
    "gpt-4-1106-preview": "gpt-4",
    "gpt-4-turbo-preview": "gpt-4-turbo",
    "gpt-4-turbo-2024-04-09": "gpt-4-turbo",
    "gpt-4-vision-preview": "gpt-4-vision-preview",
    "gpt-3.5-turbo-16k": "gpt-3.5-turbo",
    "gpt-3.5-turbo-0125": "gpt-3.5-turbo",
    "gpt-3.5-turbo-16k-0613": "gpt-3.5-turbo",
    "gpt-35-turbo": "gpt-3.5-turbo",                 # Azure's spelling
    "gpt-35-turbo-16k": "gpt-3.5-turbo",
    "gpt-4.5-preview": "gpt-4.5",
    "gpt-4.1-2025-04-14": "gpt-4.1",
    "gpt-5": "gpt-5",
    "gpt-5-2025-08-07": "gpt-5",
    "gpt-5.1": "gpt-5",
    "gpt-5.5": "gpt-5",
    "gpt-5-mini": "gpt-5-mini",
    "gpt-5.2-mini": "gpt-5-mini",
    "gpt-5-nano": "gpt-5-nano",
    "gpt-5-pro": "gpt-5-pro",
    "gpt-5.2-pro": "gpt-5-pro",
    "gpt-5-chat-latest": "gpt-5-chat",
    "gpt-5.1-chat-latest": "gpt-5-chat",
    "gpt-5.1-codex-max": "gpt-5-codex",
    "gpt-5.6-luna": "gpt-5",                         # the openai-agents SDK's default model
    "gpt-5-luna": "gpt-5",
    "o1": "o1",
    "o1-preview": "o1",
    "o1-preview-2024-09-12": "o1",
    "o1-pro": "o1-pro",
    "o1-mini": "o1-mini",
    "o3-pro": "o3-pro",
    "o3-mini-2025-01-31": "o3-mini",
    "o4-mini": "o4-mini",
    "o4-mini-deep-research": "o4-mini",
    "gpt-4o-search-preview": "gpt-4o",
    "gpt-4o-mini-audio-preview": "gpt-4o-mini",
    "gpt-3.5-turbo-instruct": "gpt-3.5-turbo-instruct",
    "gpt-3.5-turbo-instruct-0914": "gpt-3.5-turbo-instruct",
    "text-davinci-003": "text-davinci-003",
    "text-davinci-002": "davinci-002",
    "davinci-002": "davinci-002",
    "babbage-002": "babbage-002",
    "text-curie-001": "davinci-002",
    "dall-e-3": "dall-e-3",
    "gpt-image-1": "gpt-image-1",
    "gpt-image-1-mini": "gpt-image-1",
    "whisper-1": "whisper-1",
    "gpt-4o-transcribe": "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe": "gpt-4o-mini-transcribe",
    "tts-1": "tts-1",
    "tts-1-hd": "tts-1-hd",
    "gpt-4o-mini-tts": "gpt-4o-mini-tts",
    "text-embedding-3-small": "text-embedding-3-small",
}
#: OpenAI-looking names no rule resolves: refused before any call.
UNRESOLVED = ("gpt-7-ultra", "gpt-4o-realtime-preview", "gpt-5-realtime", "gpt-5.6-realtime", "omni-moderation-latest", "openai/whatever-model",
              "computer-use-preview")
#: Not OpenAI's: sent as they are.
PASSED = ("ft:gpt-4o-mini-2024-07-18:acme:support:9abc", "my-gpt4-deployment", "gpt-oss-120b", "azure/support-bot")


@pytest.mark.parametrize(("name", "entry"), sorted(RULES.items()))
def test_family_rules_resolve_real_code_names(name: str, entry: str) -> None:
    assert catalogue.canonical(name) == entry
    for provider in PROVIDERS:
        target = catalogue.openai_models()[entry][provider]
        assert catalogue.map_model(name, provider) == (target or name)


@pytest.mark.parametrize("name", UNRESOLVED)
def test_openai_looking_names_without_a_rule_are_refused_naming_the_way_out(name: str) -> None:
    assert catalogue.canonical(name) is None and catalogue.looks_openai(name)
    for provider in PROVIDERS:
        with pytest.raises(catalogue.UnknownModel) as caught:
            catalogue.resolve(name, provider)
        assert name in str(caught.value) and provider in str(caught.value)
        assert "model_map=" in str(caught.value) and "--model-map" in str(caught.value)
        assert catalogue.map_model(name, provider) == name  # the codemods leave it (and mark it)


@pytest.mark.parametrize("name", PASSED)
def test_fine_tunes_deployments_and_other_hosts_models_pass(name: str) -> None:
    for provider in PROVIDERS:
        assert catalogue.resolve(name, provider) == name


def test_provider_names_pass_even_when_they_look_like_openai_words() -> None:
    for provider in PROVIDERS:
        for name in catalogue.provider_models(provider):
            assert catalogue.resolve(name, provider) == name
    assert catalogue.resolve("glm-4.6", "dashscope") == "glm-4.6"  # another provider's name: theirs to judge
    assert catalogue.resolve("gpt-4o", "zhipu", {"gpt-4o": "glm-4-plus"}) == "glm-4-plus"  # the user's map wins
    assert catalogue.resolve("gpt-7-ultra", "zhipu", {"gpt-7-ultra": "glm-5.1"}) == "glm-5.1"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_entry_maps_to_a_described_model_of_the_same_kind(provider: str) -> None:
    for name, entry in catalogue.openai_models().items():
        target = entry[provider]
        if target is None:
            assert entry["kind"] in ("image", "transcription", "speech"), name
            continue
        info = catalogue.provider_model(provider, target)
        assert info is not None and info["kind"] == entry["kind"], (name, target)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_reasoning_names_go_to_models_that_can_think(provider: str) -> None:
    reasoning = [name for name, entry in catalogue.openai_models().items() if entry.get("reasoning")]
    assert {"o1", "o3", "o1-pro", "o3-pro", "o4-mini", "gpt-5", "gpt-5-mini"} <= set(reasoning)
    for name in reasoning:
        info = catalogue.provider_model(provider, catalogue.map_model(name, provider)) or {}
        # reasoning: always thinks (or thinks on request on Zhipu/Qianfan); thinking_default: DashScope's hybrids
        assert info.get("reasoning") or "thinking_default" in info, name


@pytest.mark.parametrize("provider", PROVIDERS)
def test_text_models_name_a_vision_counterpart_that_sees(provider: str) -> None:
    models = catalogue.provider_models(provider)
    for name, entry in catalogue.openai_models().items():
        target = entry[provider]
        if entry["kind"] != "chat" or target is None:
            continue
        counterpart = catalogue.vision_counterpart(provider, target)
        assert models[counterpart]["vision"] and models[counterpart]["kind"] == "chat", (name, target)


# -- over HTTP ------------------------------------------------------------------------------------


def call(provider: str, emulator: Emulator, sync: bool, fn: Callable[[Any], Any], **options: Any) -> Any:
    kwargs = dict(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider), max_retries=0,
                  **options)
    if sync:
        with OpenAI(**kwargs) as client:
            return fn(client)

    async def run() -> Any:
        async with AsyncOpenAI(**kwargs) as client:
            return await fn(client)

    return asyncio.run(run())


each_provider = pytest.mark.parametrize("provider", PROVIDERS)
sync_and_async = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


def chat_model(emulator: Emulator) -> str:
    return str(emulator.requests[-1].json.get("model") or emulator.requests[-1].path.rsplit("/", 1)[-1])


@each_provider
@sync_and_async
@pytest.mark.parametrize("name", ["openai/gpt-4o", "gpt-35-turbo", "gpt-4-1106-preview", "gpt-5.2",
                                  "chatgpt-4o-latest", "o1-preview", "gpt-3.5-turbo-instruct"])
def test_real_code_names_reach_the_provider_as_its_model(provider: str, sync: bool, emulator: Emulator,
                                                          name: str) -> None:
    reply = call(provider, emulator, sync, lambda c: c.chat.completions.create(
        model=name, messages=[{"role": "user", "content": "hello"}]))
    target = catalogue.map_model(name, provider)
    assert target != name and reply.model == target
    assert reply.choices[0].message.content == f"Echo from {target}: hello"
    assert chat_model(emulator) == target


@each_provider
@sync_and_async
def test_reasoning_names_answer_with_reasoning(provider: str, sync: bool, emulator: Emulator) -> None:
    reply = call(provider, emulator, sync, lambda c: c.chat.completions.create(
        model="o3-mini", messages=[{"role": "user", "content": "why?"}]))
    assert (reply.choices[0].message.model_extra or {}).get("reasoning_content")


@each_provider
@sync_and_async
@pytest.mark.parametrize("name", ["gpt-4o-mini", "openai/gpt-4.1", "o3"])
def test_images_on_a_name_mapped_to_a_text_model_go_to_the_vision_counterpart(
        provider: str, sync: bool, emulator: Emulator, name: str) -> None:
    content = [{"type": "text", "text": "what is this?"},
               {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]
    reply = call(provider, emulator, sync, lambda c: c.chat.completions.create(
        model=name, messages=[{"role": "user", "content": content}]))
    counterpart = catalogue.vision_counterpart(provider, catalogue.map_model(name, provider))
    assert counterpart != catalogue.map_model(name, provider)
    assert reply.model == counterpart and reply.choices[0].message.content == f"Echo from {counterpart}: what is this?"
    # the same name without images stays on the text model
    plain = call(provider, emulator, sync, lambda c: c.chat.completions.create(
        model=name, messages=[{"role": "user", "content": "hi"}]))
    assert plain.model == catalogue.map_model(name, provider)


@each_provider
@sync_and_async
@pytest.mark.parametrize("name", ["gpt-7-ultra", "openai/whatever-model"])
def test_an_unresolved_openai_name_is_refused_before_any_call(provider: str, sync: bool, emulator: Emulator,
                                                             name: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        call(provider, emulator, sync, lambda c: c.chat.completions.create(
            model=name, messages=[{"role": "user", "content": "hi"}]))
    message = str(caught.value)
    assert repr(name) in message and provider in message and "model_map=" in message and "--model-map" in message
    assert caught.value.code == "model_not_found"
    assert not emulator.requests
    # the user's map is the way out
    reply = call(provider, emulator, sync, lambda c: c.chat.completions.create(
        model=name, messages=[{"role": "user", "content": "hi"}]), model_map={name: catalogue.map_model("gpt-4o", provider)})
    assert reply.model == catalogue.map_model("gpt-4o", provider)


@sync_and_async
def test_fine_tunes_and_deployment_names_are_sent_unchanged(sync: bool, emulator: Emulator) -> None:
    for name in ("ft:gpt-4o-mini-2024-07-18:acme:support:9abc", "my-gpt4-deployment"):
        emulator.clear()
        with pytest.raises(openai.APIStatusError):  # the emulator, like the provider, knows no such model
            call("zhipu", emulator, sync, lambda c, n=name: c.chat.completions.create(
                model=n, messages=[{"role": "user", "content": "hi"}]))
        assert [r.json["model"] for r in emulator.requests] == [name]


@sync_and_async
def test_embedding_snapshots_keep_their_size(sync: bool, emulator: Emulator) -> None:
    reply = call("dashscope", emulator, sync, lambda c: c.embeddings.create(
        model="openai/text-embedding-3-small", input=["a", "b"]))
    assert len(reply.data) == 2 and len(reply.data[0].embedding) == 1536
