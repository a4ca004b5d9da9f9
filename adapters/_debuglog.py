"""What a debugging user sees: the native calls, logged beside the openai SDK's own debug lines.

The openai SDK logs the OpenAI-shaped request it made (``.../api/v1/chat/completions``, a URL that
does not exist on the provider) at DEBUG on ``openai._base_client``. This module logs, at DEBUG
on ``openai.qianyi`` (the same ``openai`` logger family, so ``OPENAI_LOG=debug`` or configuring
``logging.getLogger("openai")`` shows both), the native URL the transport called, its status and
the provider's request id (for a stream whose id comes in its events, once they give it):

    Sending native HTTP Request: POST https://dashscope.aliyuncs.com/api/v1/services/aigc/... (dashscope)
    Native HTTP Response: POST https://dashscope.aliyuncs.com/api/v1/services/... "200 OK" request_id=... (dashscope)

Never a key: no header is logged, credentials in a URL are dropped and every query value is masked
(Qianfan v1 sends its ``access_token`` in the query, the token request its AK/SK).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["enabled", "log", "received", "request_id", "safe_url", "sending", "stream_id"]

log = logging.getLogger("openai.qianyi")

#: Where the providers put the request id: response headers first, then the JSON body.
_ID_HEADERS = ("x-request-id", "x-dashscope-request-id", "x-bce-request-id", "x-log-id")
_ID_FIELDS = ("request_id", "id", "log_id")


def safe_url(url: object) -> str:
    """``url`` without user info, and with every query value replaced by ``***``."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = "&".join(f"{name}=***" for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def request_id(headers: Mapping[str, str], payload: Any = None) -> str | None:
    """The provider's request id from a reply's headers or its JSON body (``None`` if it has none)."""
    for name in _ID_HEADERS:
        if headers.get(name):
            return str(headers[name])
    if isinstance(payload, Mapping):
        for name in _ID_FIELDS:
            value = payload.get(name)
            if isinstance(value, str | int) and value != "":
                return str(value)
    return None


def enabled() -> bool:
    """Whether native calls are logged (DEBUG on ``openai.qianyi``)."""
    return log.isEnabledFor(logging.DEBUG)


def sending(method: str, url: object, provider: str) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug("Sending native HTTP Request: %s %s (%s)", method, safe_url(url), provider)


def received(method: str, url: object, status: int, reason: str, headers: Mapping[str, str], payload: Any,
             provider: str) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug('Native HTTP Response: %s %s "%i %s" request_id=%s (%s)', method, safe_url(url), status, reason,
                  request_id(headers, payload), provider)


def stream_id(provider: str, stream_id: str) -> None:
    """The id a native stream's events carry (Zhipu and Qianfan send the request id there only)."""
    if log.isEnabledFor(logging.DEBUG):
        log.debug("Native stream: request_id=%s (%s)", stream_id, provider)
