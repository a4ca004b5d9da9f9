"""The HTTP library the installed openai SDK runs on: ``httpx2`` (openai 3.x) or ``httpx`` (1.x/2.x).

Decided by the class of the client openai builds (``SyncHttpxClientWrapper``, the base of its
default client), not by the names openai exports: openai 2.47-2.54 export ``DefaultHttpx2Client``
as an opt-in while their clients still run on ``httpx``. ``openai._base_client`` is imported by
``import openai`` already, so asking it costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = ["LIBRARIES", "http", "library"]

#: The HTTP libraries an openai release can be built on.
LIBRARIES = ("httpx2", "httpx")


def library() -> str:
    """The top-level name of the HTTP library the openai SDK's own client class derives from."""
    from openai._base_client import SyncHttpxClientWrapper

    for cls in SyncHttpxClientWrapper.__mro__:
        root = cls.__module__.partition(".")[0]
        if root in LIBRARIES:
            return root
    raise ImportError(  # pragma: no cover - an openai we have never seen
        f"the installed openai's HTTP client ({SyncHttpxClientWrapper.__mro__}) derives from neither httpx nor httpx2"
    )


if TYPE_CHECKING:
    import httpx2 as http
else:
    http = importlib.import_module(library())
