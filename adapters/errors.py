"""Provider errors -> the HTTP status and OpenAI error body the openai SDK turns into its exceptions.

    status  openai exception            OpenAI error ``type``
    400     BadRequestError             invalid_request_error
    401     AuthenticationError         authentication_error
    403     PermissionDeniedError       permission_error
    404     NotFoundError               not_found_error
    409     ConflictError               conflict_error
    422     UnprocessableEntityError    invalid_request_error
    429     RateLimitError              rate_limit_error / insufficient_quota
    >=500   InternalServerError         server_error

Backends declare ``ERRORS``: native code -> ``(status, OpenAI code)``. The message keeps the
provider's own code, message and request id, so a user can quote them to the provider's support.
Content-filter and context-length errors get OpenAI's codes (``content_filter``,
``context_length_exceeded``) so code can tell them from other 400s.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from .jsonwire import loads
from .native import ErrorInfo

__all__ = ["ERROR_TYPES", "error_body", "error_headers", "lookup", "nested_error", "redact", "unsupported_endpoint"]

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}

#: OpenAI codes that mean "your account cannot pay": never worth a retry.
NOT_RETRIED = frozenset({"insufficient_quota", "billing_not_active", "account_overdue"})


def lookup(
    table: Mapping[str, tuple[int, str]],
    native_code: str | None,
    status: int,
    message: str,
    *,
    provider: str,
    request_id: str | None = None,
) -> ErrorInfo:
    """Map a native error through a backend's table; unknown codes keep the HTTP status."""
    mapped = table.get(native_code or "")
    if mapped is None:
        status = status if status >= 400 else 500
        code = native_code or ERROR_TYPES.get(status, "server_error")
    else:
        status, code = mapped
    return ErrorInfo(
        status=status,
        code=code,
        message=message,
        provider=provider,
        native_code=native_code,
        request_id=request_id,
        type="insufficient_quota" if code == "insufficient_quota" else None,
        retry=False if code in NOT_RETRIED else None,
    )


def nested_error(payload: Any) -> tuple[str, str] | None:
    """``(code, message)`` of an OpenAI-style ``{"error": {"code", "message"}}`` body, else ``None``."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("error"), Mapping):
        return None
    error = payload["error"]
    return str(error.get("code") or error.get("type") or ""), str(error.get("message") or "")


def error_body(info: ErrorInfo) -> dict[str, Any]:
    """The ``{"error": {...}}`` body the openai SDK parses into ``exc.body`` / ``exc.code``."""
    native = f" {info.native_code}" if info.native_code else ""
    rid = f" (request id {info.request_id})" if info.request_id else ""
    return {
        "error": {
            "message": f"[{info.provider}{native}] {redact(info.message)}{rid}",
            "type": info.type or ERROR_TYPES.get(info.status, "server_error"),
            "param": info.param,
            "code": info.code,
            "provider": info.provider,
            "provider_code": info.native_code,
            "request_id": info.request_id,
        }
    }


def error_headers(info: ErrorInfo) -> dict[str, str]:
    headers = {"content-type": "application/json"}
    if info.request_id:
        headers["x-request-id"] = info.request_id
    if info.retry is not None:
        headers["x-should-retry"] = "true" if info.retry else "false"
    if info.retry_after:
        headers["retry-after"] = info.retry_after
    return headers


def unsupported_endpoint(endpoint: str, provider: str) -> ErrorInfo:
    """The clear refusal for an OpenAI API area the provider does not have."""
    return ErrorInfo(
        status=400,
        code="unsupported_endpoint",
        message=(
            f"The OpenAI '{endpoint}' API is not supported by {provider}: qianyi has no translation "
            f"for it. Keep this call on another client, or see `migrate scan` for alternatives."
        ),
        provider=provider,
    )


_SECRET_PATTERNS = (
    r"(access_token=)[^&\s\"']+",
    r"(client_secret=)[^&\s\"']+",
    r"(?i)(bearer\s+)[A-Za-z0-9._\-]{8,}",
    r"\b(sk-)[A-Za-z0-9_\-]{8,}",
    r"\b([0-9a-f]{32}\.)[A-Za-z0-9]{8,}",  # Zhipu id.secret keys
    r"\b(bce-v3/)[A-Za-z0-9/_\-]{8,}",  # Qianfan v2 keys
    r"\b(ALTAK-)[A-Za-z0-9/_\-]{8,}",  # Baidu access-key ids, also inside v2 keys
    r"\b(AKIA)[0-9A-Z]{16}\b",
)


@functools.cache
def _secrets() -> tuple[re.Pattern[str], ...]:
    """``_SECRET_PATTERNS`` compiled on first use (not at import, where compiling is a visible share)."""
    return tuple(re.compile(pattern) for pattern in _SECRET_PATTERNS)


def redact(text: str) -> str:
    """``text`` with anything that looks like a key, token or signed query value masked."""
    for pattern in _secrets():
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


def parse_json(raw: bytes) -> Any:
    """JSON or ``None``: error bodies are not always JSON (DashScope may answer SSE frames)."""
    try:
        return loads(raw)
    except ValueError:  # (UnicodeDecodeError is one)
        return None
