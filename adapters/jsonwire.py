"""JSON in and out, as the adapter reads and writes every body and stream event.

``json.loads``/``json.dumps`` spend more time on their own checks (encoding detection, whitespace
matching, a new encoder object per call) than on a small body; a request crosses four of them, a
stream one per event. These go straight to the C scanner and encoder the json module itself uses,
and hand anything unusual (leading or trailing whitespace, a byte-order mark, a non-UTF-8 body,
invalid JSON) to ``json.loads``, so the results and errors are exactly the json module's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import decoder, encoder, scanner
from typing import Any

__all__ = ["dumps", "dumps_text", "loads"]

_SCAN: Callable[[str, int], tuple[Any, int]] = scanner.make_scanner(decoder.JSONDecoder())  # type: ignore[arg-type]
_ENCODER = encoder.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _make_dumps() -> Callable[[Any], str]:
    """The C encoder, built once (``JSONEncoder.encode`` builds one per call); the Python encoder
    where the C one is missing. Only ever given what the adapter built: trees, never cycles."""
    make: Any = getattr(encoder, "c_make_encoder", None)  # (not in the json module's type stubs)
    if make is None:  # pragma: no cover - CPython always has _json
        return _ENCODER.encode
    chunks = make(None, _ENCODER.default, encoder.encode_basestring, None, ":", ",", False, False, True)

    def dumps_text(value: Any) -> str:
        if isinstance(value, str):
            return encoder.encode_basestring(value)
        return "".join(chunks(value, 0))

    return dumps_text


#: ``value`` as compact JSON text, non-ASCII characters kept as they are.
dumps_text: Callable[[Any], str] = _make_dumps()


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON bytes."""
    return dumps_text(value).encode()


def loads(data: bytes | str) -> Any:
    """The JSON value in ``data``, as ``json.loads`` reads it (its ``ValueError`` for invalid JSON)."""
    try:
        text = data if isinstance(data, str) else data.decode()
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):  # not plain UTF-8 JSON from its first byte: the json module decides
        return json.loads(data)
    if end != len(text):  # trailing whitespace, or more after the value
        return json.loads(data)
    return value
