"""pytest fixtures for the provider emulator (entry point ``pytest11: qianyi_emulator``).

    def test_my_app(emulator):                     # a started, freshly cleared Emulator
        client = OpenAI(provider="zhipu", api_key="id.secret", base_url=emulator.base_url("zhipu"))

``qianyi_emulator`` is the session-wide server (started once, stopped at the end); ``emulator``
hands it to one test after ``clear()``, so scripts, faults and recorded requests never leak
between tests. This module imports nothing but pytest until a fixture runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .server import Emulator

__all__ = ["emulator", "qianyi_emulator"]


@pytest.fixture(scope="session")
def qianyi_emulator() -> Iterator[Emulator]:
    """The emulator for the whole session, on 127.0.0.1 and a free port."""
    from .server import Emulator

    with Emulator() as emu:
        yield emu


@pytest.fixture
def emulator(qianyi_emulator: Emulator) -> Emulator:
    """The session emulator, cleared of earlier tests' requests, scripts, faults and keys."""
    qianyi_emulator.clear()
    return qianyi_emulator
