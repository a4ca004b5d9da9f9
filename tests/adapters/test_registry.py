"""Backends are found through the ``qianyi.backends`` entry-point group, ours included."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from adapters import registry

GROUP = registry.GROUP


def test_builtins_are_installed_as_entry_points() -> None:
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group=GROUP)}
    assert {"dashscope", "qianfan", "zhipu"} <= names


def test_a_third_party_backend_is_discovered() -> None:
    found = registry.discover([EntryPoint("acme", "tests.adapters.acme", GROUP)])
    assert list(found) == ["acme"] and found["acme"].DEFAULT_BASE_URL == "https://api.acme.example/v1"


def test_a_broken_backend_is_reported_not_fatal() -> None:
    eps = [EntryPoint("broken", "tests.adapters.no_such_module", GROUP),
           EntryPoint("acme", "tests.adapters.acme", GROUP)]
    with pytest.warns(registry.BackendLoadWarning, match="'broken'.*failed to load"):
        found = registry.discover(eps)
    assert list(found) == ["acme"]


def test_a_module_without_the_backend_shape_is_ignored_with_a_reason() -> None:
    with pytest.warns(registry.BackendLoadWarning, match="lacks NAME"):
        assert registry.discover([EntryPoint("json", "json", GROUP)]) == {}


def test_unknown_names_list_the_installed_ones_and_say_how_to_add_one() -> None:
    with pytest.raises(registry.UnknownProvider, match=r"Installed: .*dashscope.*entry point in the 'qianyi.backends'"):
        registry.get("moonshot")


def test_the_provider_comes_from_the_argument_then_migrate_provider() -> None:
    assert registry.resolve_name("ZhiPu", {}) == "zhipu"
    assert registry.resolve_name(None, {"MIGRATE_PROVIDER": "qianfan"}) == "qianfan"
    with pytest.raises(registry.UnknownProvider, match="MIGRATE_PROVIDER"):
        registry.resolve_name(None, {})


def test_a_third_party_backend_serves_a_real_client(emulator, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from adapters import OpenAI

    found = registry.discover([EntryPoint("acme", "tests.adapters.acme", GROUP)])
    monkeypatch.setattr(registry, "_installed", lambda: {**registry.discover(), **found})
    monkeypatch.setenv("ACME_API_KEY", "acme-key-123456")
    with OpenAI(provider="acme", base_url=emulator.base_url("dashscope")) as client:
        reply = client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == "Echo from qwen-plus: hi"
