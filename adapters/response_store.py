"""Past responses kept per client, so ``previous_response_id`` works on providers without server state.

Bounded (the oldest is forgotten first), in memory, never shared between clients. A response made
with ``store=False`` is not kept, as OpenAI does not keep it; an unknown id is the caller's
``NotFoundError``. The store also answers what OpenAI answers from its own storage, without a call
to the provider (``stored_request``): ``responses.retrieve``, ``delete``, ``input_items.list`` and
``cancel``, and it resolves ``item_reference`` input items (``Stored.items`` carry ids for that).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from .native import ErrorInfo

__all__ = ["LIMIT", "ResponseStore", "Stored", "input_item_page", "stored_request"]

#: Responses one client remembers (each holds its whole conversation as items).
LIMIT = 512
#: ``input_items.list``: OpenAI's default and largest page.
PAGE, MOST_PER_PAGE = 20, 100
_PREFIXES = {"message": "msg", "function_call": "fc", "function_call_output": "fco", "reasoning": "rs"}


class Stored:
    """One kept response: the conversation up to and including its output (``items``), and the object
    itself. The conversation is put together when first asked for (most responses are never
    continued nor listed), once: its input items get their ids then, and keep them."""

    def __init__(self, given: Sequence[Mapping[str, Any]], response: Mapping[str, Any], native: bool = False) -> None:
        self.response = response
        #: Made by a provider's own Responses endpoint, which keeps the conversation server-side too.
        self.native = native
        #: How many of ``items`` were the response's input (earlier turns included); the rest is its output.
        self.inputs = len(given)
        self._given: Sequence[Mapping[str, Any]] | None = given
        self._items: tuple[Mapping[str, Any], ...] = ()
        self._lock = threading.Lock()

    @property
    def items(self) -> tuple[Mapping[str, Any], ...]:
        if self._given is not None:
            with self._lock:
                if self._given is not None:
                    inputs = (_identified(item) for item in self._given)
                    self._items = (*inputs, *(_as_input(item) for item in self.response.get("output") or []))
                    self._given = None
        return self._items


class ResponseStore:
    """id -> ``Stored``, at most ``limit`` of them; safe to share between threads."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._kept: OrderedDict[str, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def put(self, response: Mapping[str, Any], items: Sequence[Mapping[str, Any]], *, native: bool = False) -> None:
        """Keep ``response`` with the conversation that led to it (its output is appended). Input items
        without an id get one, so ``input_items.list`` can page by id and ``item_reference`` find them."""
        stored = Stored(items, response, native)
        with self._lock:
            self._kept[str(response["id"])] = stored
            self._kept.move_to_end(str(response["id"]))
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)

    def get(self, ident: str) -> Stored | None:
        with self._lock:
            return self._kept.get(ident)

    def delete(self, ident: str) -> bool:
        with self._lock:
            return self._kept.pop(ident, None) is not None

    def item(self, ident: str) -> Mapping[str, Any] | None:
        """The input or output item with id ``ident`` in any kept conversation (the newest first)."""
        with self._lock:
            kept = list(self._kept.values())
        for stored in reversed(kept):
            for item in stored.items:
                if item.get("id") == ident:
                    return item
        return None


def _identified(item: Mapping[str, Any]) -> Mapping[str, Any]:
    if item.get("id"):
        return item
    kind = str(item.get("type") or "message")
    return {**item, "type": kind, "id": f"{_PREFIXES.get(kind, 'item')}_{os.urandom(16).hex()}"}


def _as_input(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """An output item as the input item that replays it (the status is output-only)."""
    return {k: v for k, v in item.items() if k != "status"}


# -- what OpenAI answers from its storage ---------------------------------------------------------


def stored_request(store: ResponseStore, method: str, tail: Sequence[str], query: str,
                   provider: str) -> tuple[int, dict[str, Any]] | ErrorInfo:
    """The answer to ``METHOD responses/<id>[/<action>]``: retrieve, delete, input_items, cancel."""
    ident = tail[1] if len(tail) > 1 else ""
    action = "/".join(tail[2:])
    stored = store.get(ident)
    if stored is None:
        return ErrorInfo(404, "not_found", f"Response with id {ident!r} not found: qianyi keeps the last {LIMIT} "
                         f"responses of this client in memory (not those made with store=False, nor another "
                         f"client's).", provider)
    if (method, action) == ("GET", "") and "true" in parse_qs(query).get("stream", []):
        return ErrorInfo(400, "invalid_request_error", f"responses.retrieve(stream=True) replays the events of a "
                         f"background response; background=True is not available on {provider}, so response "
                         f"{ident!r} is complete: retrieve it without stream=True.", provider, param="stream")
    if (method, action) == ("GET", ""):
        return 200, dict(stored.response)
    if (method, action) == ("DELETE", ""):
        store.delete(ident)
        return 200, {"id": ident, "object": "response.deleted", "deleted": True}
    if (method, action) == ("GET", "input_items"):
        return input_item_page(stored, parse_qs(query), provider)
    if (method, action) == ("POST", "cancel"):
        # OpenAI cancels background responses only; qianyi refuses background=True, so every kept
        # response was answered synchronously and is already complete.
        return ErrorInfo(400, "invalid_request_error", f"Only responses created with background=True can be "
                         f"cancelled; response {ident!r} was answered synchronously and is "
                         f"{stored.response.get('status') or 'completed'} (background=True is not available "
                         f"on {provider}).", provider)
    return ErrorInfo(400, "unsupported_endpoint", f"{method} responses/{{id}}/{action} is not available on "
                     f"{provider}: qianyi answers retrieve, delete, input_items.list and cancel from its own store.",
                     provider)


def input_item_page(stored: Stored, query: Mapping[str, list[str]],
                    provider: str) -> tuple[int, dict[str, Any]] | ErrorInfo:
    """One page of ``input_items.list``: the input items in ``order`` (default ``desc``, as OpenAI's),
    ``limit`` of them (1-100, default 20) after the item with id ``after``."""
    order = (query.get("order") or ["desc"])[-1]
    if order not in ("asc", "desc"):
        return ErrorInfo(400, "invalid_value", f"order must be 'asc' or 'desc', not {order!r}.", provider,
                         param="order")
    try:
        limit = int((query.get("limit") or [str(PAGE)])[-1])
    except ValueError:
        limit = 0
    if not 1 <= limit <= MOST_PER_PAGE:
        return ErrorInfo(400, "invalid_value", f"limit must be an integer from 1 to {MOST_PER_PAGE}.", provider,
                         param="limit")
    items = [listed(item) for item in stored.items[:stored.inputs]]
    if order == "desc":
        items.reverse()
    after = (query.get("after") or [""])[-1]
    if after:
        at = next((i for i, item in enumerate(items) if item["id"] == after), None)
        if at is None:
            return ErrorInfo(404, "not_found", f"No input item with id {after!r} in response "
                             f"{stored.response.get('id')!r} (after=).", provider, param="after")
        items = items[at + 1:]
    page = items[:limit]
    return 200, {"object": "list", "data": page, "first_id": page[0]["id"] if page else None,
                 "last_id": page[-1]["id"] if page else None, "has_more": len(items) > limit}


def listed(item: Mapping[str, Any]) -> dict[str, Any]:
    """An input item as OpenAI lists it: messages with content parts and a status."""
    out = dict(item)
    if out.get("type") != "message":
        out.setdefault("status", "completed")
        return out
    role = out.get("role") or "user"
    content = out.get("content")
    if isinstance(content, str):
        part = "output_text" if role == "assistant" else "input_text"
        content = [{"type": part, "text": content, **({"annotations": []} if role == "assistant" else {})}]
    out.update(role=role, content=content or [], status=out.get("status") or "completed")
    return out
