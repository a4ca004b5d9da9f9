"""Warnings that point at the user's line, not at the adapter's internals.

A warning raised while the openai SDK drives the transport is many frames away from the call that
caused it; ``warn`` walks out of adapters/openai/httpx frames so the default "once per location"
filter shows it once per user call site, and the message names the user's file and line.
"""

from __future__ import annotations

import sys
import warnings

_INTERNAL = frozenset({"adapters", "openai", "httpx", "httpx2", "httpcore", "httpcore2", "anyio", "asyncio",
                       "contextlib", "functools", "concurrent", "threading"})


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` at the first frame outside the libraries the request passes through."""
    frame = sys._getframe(1)
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] in _INTERNAL:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level if frame is not None else 2)
