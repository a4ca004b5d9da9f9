"""The HTTP library the installed openai SDK is built on: ``httpx2`` (openai 3.x) or ``httpx`` (1.x/2.x)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import openai

if TYPE_CHECKING:
    import httpx2 as http
elif hasattr(openai, "DefaultHttpx2Client"):
    import httpx2 as http
else:
    import httpx as http

__all__ = ["http"]
