"""Shared fixtures: a clean environment and loopback-only networking for every test (the emulator
fixtures come from the ``qianyi_emulator`` pytest plugin, ``adapters/emulator/pytest_plugin.py``)."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
_PROVIDER_VARS = re.compile(
    r"^(OPENAI_|DASHSCOPE_|QIANFAN_|ZHIPUAI_|MIGRATE_)"
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No key, base URL or provider choice leaks in from the machine running the tests."""
    for name in list(os.environ):
        if _PROVIDER_VARS.match(name):
            monkeypatch.delenv(name, raising=False)
    yield


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reaches the internet: resolving or connecting to any host but the loopback fails.

    Subprocesses a test starts are pointed at the emulator explicitly; in case one is not, every
    HTTP client that reads the proxy variables (httpx, the openai SDK, requests) sends anything not
    for the loopback to a closed port on it, where it fails without leaving the machine.
    """
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, _DEAD_PROXY)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, ",".join(sorted(_LOOPBACK)))
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in _LOOPBACK and host is not None:
            raise OSError(f"test tried to reach {host!r}; only the emulator on 127.0.0.1 is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in _LOOPBACK:
            raise OSError(f"test tried to connect to {address!r}; only 127.0.0.1 is allowed")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
