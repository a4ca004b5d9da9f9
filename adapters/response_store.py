"""Past responses kept per client, so ``previous_response_id`` works on providers without server state.

Bounded (the oldest is forgotten first), in memory, never shared between clients. A response made
with ``store=False`` is not kept, as OpenAI does not keep it; an unknown id is the caller's
``NotFoundError``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LIMIT", "ResponseStore", "Stored"]

#: Responses one client remembers (each holds its whole conversation as items).
LIMIT = 512


@dataclass(frozen=True)
class Stored:
    """One kept response: the conversation up to and including its output, and the object itself."""

    items: tuple[Mapping[str, Any], ...]
    response: Mapping[str, Any]
    #: Made by a provider's own Responses endpoint, which keeps the conversation server-side too.
    native: bool = False


class ResponseStore:
    """id -> ``Stored``, at most ``limit`` of them; safe to share between threads."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._kept: OrderedDict[str, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def put(self, response: Mapping[str, Any], items: Sequence[Mapping[str, Any]], *, native: bool = False) -> None:
        """Keep ``response`` with the conversation that led to it (its output is appended)."""
        conversation = (*items, *(_as_input(item) for item in response.get("output") or []))
        with self._lock:
            self._kept[str(response["id"])] = Stored(conversation, response, native)
            self._kept.move_to_end(str(response["id"]))
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)

    def get(self, ident: str) -> Stored | None:
        with self._lock:
            return self._kept.get(ident)

    def delete(self, ident: str) -> bool:
        with self._lock:
            return self._kept.pop(ident, None) is not None


def _as_input(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """An output item as the input item that replays it (the status is output-only)."""
    return {k: v for k, v in item.items() if k != "status"}
