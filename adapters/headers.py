"""HTTP headers both ways between the openai SDK and a provider (pure).

Request: what the user adds (``extra_headers=``, ``default_headers=``: a DashScope workspace, a
Qianfan ``appid``, tracing headers) reaches the provider. Never forwarded: hop-by-hop and framing
headers, credentials (the backend authenticates; an ``Authorization`` here holds the client's
placeholder or an OpenAI key), OpenAI account headers (``OpenAI-Organization``, ``OpenAI-Project``)
and the openai SDK's own bookkeeping (``X-Stainless-*``, its ``User-Agent``).

Reply: the provider's headers (request ids, Qianfan's ``X-Ratelimit-*``) are kept on the OpenAI
response (``with_raw_response.headers``), except those describing the provider's framing of a body
the adapter rewrote (length, encoding, type) and cookies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["forwarded", "kept"]

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
                         "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length"})
#: Request headers the adapter or the backend sets, or that must never leave for another provider.
_NOT_FORWARDED = _HOP_BY_HOP | frozenset({
    "authorization", "api-key", "x-api-key", "cookie", "openai-organization", "openai-project", "openai-beta",
    "content-type", "accept", "accept-encoding", "user-agent", "x-dashscope-sse", "x-dashscope-async"})
#: Reply headers about the provider's body, which the adapter replaces, or that a client must not store.
_NOT_KEPT = _HOP_BY_HOP | frozenset({"content-type", "content-encoding", "set-cookie", "x-should-retry"})


def forwarded(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The request headers (``(name, value)`` pairs, any case) that go on to the provider."""
    out: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        if lower not in _NOT_FORWARDED and not lower.startswith("x-stainless-"):
            out[name] = value
    return out


def kept(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """The provider's reply headers that the OpenAI response keeps (lower-case names)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name.lower(): value for name, value in items if name.lower() not in _NOT_KEPT}
