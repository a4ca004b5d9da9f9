"""Shared fixtures: a clean environment for every test (the emulator fixtures come from the
``qianyi_emulator`` pytest plugin, ``adapters/emulator/pytest_plugin.py``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

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
