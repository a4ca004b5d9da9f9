"""Fixtures the adapter tests share: every installed provider, both call styles, the shim on one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters import registry, shim
from adapters.emulator import Emulator
from tests.adapters.scenarios import KEYS

PROVIDERS = [p for p in ("dashscope", "qianfan", "zhipu") if p in registry.names()]
#: Qianfan's legacy v1 API: AK/SK, the emulator's ``qianfan-v1`` address.
V1 = {"api_key": "qianfan-ak-0001", "secret_key": "qianfan-sk-secret-0001", "api_version": "v1"}


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=[True, False], ids=["sync", "async"])
def sync(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def install_shim(target: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shim on ``target`` (a provider, or ``qianfan-v1``) with its variables pointing at the emulator."""
    if target == "qianfan-v1":
        monkeypatch.setenv("QIANFAN_AK", V1["api_key"])
        monkeypatch.setenv("QIANFAN_SK", V1["secret_key"])
        monkeypatch.setenv("QIANFAN_BASE_URL", emulator.base_url(target))
        provider = "qianfan"
    else:
        backend = registry.get(target)
        monkeypatch.setenv(backend.KEY_VARS[0], KEYS[target])
        monkeypatch.setenv(backend.BASE_URL_VAR, emulator.base_url(target))
        provider = target
    shim.install(provider=provider)
    try:
        yield
    finally:
        shim.uninstall()
