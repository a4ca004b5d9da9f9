"""Placeholder until this provider's wire format lands."""

from __future__ import annotations

NAME = "x"


def endpoint(path: str) -> str | None:  # noqa: ARG001  (placeholder)
    return None
