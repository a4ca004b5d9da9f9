"""HTTP headers both ways between the openai SDK and a provider (pure).

Request: what the user adds (``extra_headers=``, ``default_headers=``: a DashScope workspace, a
Qianfan ``appid``, tracing headers) reaches the provider. Never forwarded: hop-by-hop and framing
headers, credentials (the backend authenticates; an ``Authorization`` here holds the client's
placeholder or an OpenAI key; Azure's ``api-key`` and API Management key), OpenAI's own headers
(``OpenAI-Organization``, ``OpenAI-Project``, any ``OpenAI-*``) and the openai SDK's bookkeeping
(``X-Stainless-*``, its ``User-Agent``; a provider client leaves the SDK's platform headers out of
its requests to begin with, ``client.PLATFORM_HEADERS``).

Reply: the provider's headers (request ids, Qianfan's ``X-Ratelimit-*``) are kept on the OpenAI
response (``with_raw_response.headers``), except those describing the provider's framing of a body
the adapter rewrote (length, encoding, type) and cookies.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["forwarded", "kept"]

Raw = Iterable[tuple[bytes, bytes]]  # httpx's ``Headers.raw``: (name, value) as sent, any case

_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization",
                         b"proxy-connection", b"te", b"trailer", b"trailers", b"transfer-encoding", b"upgrade",
                         b"host", b"content-length"})
#: Request headers the adapter or the backend sets, or that must never leave for another provider:
#: credentials (OpenAI's, Azure's ``api-key``, an Azure API Management subscription key) and cookies.
_NOT_FORWARDED = _HOP_BY_HOP | frozenset({
    b"authorization", b"api-key", b"x-api-key", b"ocp-apim-subscription-key", b"cookie",
    b"content-type", b"accept", b"accept-encoding", b"user-agent", b"x-dashscope-sse", b"x-dashscope-async"})
#: Header families never forwarded: the openai SDK's bookkeeping and OpenAI's account headers.
_NOT_FORWARDED_PREFIXES = (b"x-stainless-", b"openai-")
#: Reply headers about the provider's body, which the adapter replaces, or that a client must not store.
_NOT_KEPT = _HOP_BY_HOP | frozenset({b"content-type", b"content-encoding", b"set-cookie", b"x-should-retry"})


def forwarded(raw: Raw) -> dict[str, bytes]:
    """The request headers that go on to the provider (names as the user wrote them).

    Works on the raw byte pairs, values kept as bytes: this runs once per request (decoding every
    header the openai SDK adds only to drop most of them is a visible share of a loopback request),
    and a value is passed on exactly as it came, whatever its encoding."""
    out: dict[str, bytes] = {}
    for name, value in raw:
        lower = name.lower()
        if lower not in _NOT_FORWARDED and not lower.startswith(_NOT_FORWARDED_PREFIXES):
            out[name.decode("latin-1")] = value
    return out


def kept(raw: Raw) -> dict[str, bytes]:
    """The provider's reply headers that the OpenAI response keeps (lower-case names, values as sent:
    a provider's non-ASCII header must not break the response)."""
    return {name.lower().decode("latin-1"): value for name, value in raw if name.lower() not in _NOT_KEPT}
