"""Which models each emulated provider serves, and what they can do.

The catalogue (``adapters/catalogue.json``) is the source; a name it lacks is still served when it
belongs to the provider's own families (``qwen-max``, ``glm-4-air``, ``ernie-4.0-8k``...) with
plain chat abilities, so users' own model choices work offline. OpenAI names never do: a request
that still says ``gpt-4o`` gets the provider's model-not-found error, as it would live.
"""

from __future__ import annotations

import re
from typing import Any

from .. import catalogue

__all__ = ["chat_model", "embedding_model"]

_FAMILIES = {
    "dashscope": ("qwen", "qwq", "qvq", "deepseek-", "kimi", "moonshot", "minimax"),
    "zhipu": ("glm-", "chatglm", "codegeex"),
    "qianfan": ("ernie", "deepseek-", "qianfan-", "qwq", "qwen", "llama"),
}
_QWEN3_OPEN = re.compile(r"qwen3(\.\d+)?-\d+(\.\d+)?b(-a\d+(\.\d+)?b)?$")
_EMBEDDING_FAMILIES = {
    "dashscope": (("text-embedding-v", 1024, 10),),
    "zhipu": (("embedding-", 1024, 64),),
    "qianfan": (("embedding-", 384, 16), ("bge-", 1024, 16), ("tao-", 1024, 1)),
}


def chat_model(provider: str, name: Any) -> dict[str, Any] | None:
    """The catalogue entry of a chat model (a family default when unlisted); ``None`` if unknown."""
    if not isinstance(name, str) or not name:
        return None
    info = catalogue.provider_model(provider, name)
    if info is not None:
        return dict(info) if info.get("kind") == "chat" else None
    lowered = name.lower()
    if not lowered.startswith(_FAMILIES.get(provider, ())):
        return None
    vision = any(tag in lowered for tag in ("-vl", "vision", "omni", "qvq", "4v", "5v"))
    thinker = lowered.startswith(("qwq", "qvq")) or "-thinking" in lowered
    out = {
        "kind": "chat", "tools": not vision, "vision": vision, "json_mode": True,
        "reasoning": thinker or "-r1" in lowered or "-x1" in lowered,
        "stream_only": thinker or "omni" in lowered,
        "multimodal": vision,
    }
    if provider == "dashscope" and _QWEN3_OPEN.match(lowered):
        out["thinking_default"] = True  # open-weight Qwen3 think unless told not to (dashscope.md §3.2)
    return out


def embedding_model(provider: str, name: Any) -> dict[str, Any] | None:
    """The catalogue entry of an embedding model (a family default when unlisted), or ``None``."""
    if not isinstance(name, str) or not name:
        return None
    info = catalogue.provider_model(provider, name)
    if info is not None:
        return dict(info) if info.get("kind") == "embedding" else None
    for prefix, dimension, batch in _EMBEDDING_FAMILIES.get(provider, ()):
        if name.lower().startswith(prefix):
            return {"kind": "embedding", "dimensions": [dimension], "default_dimension": dimension,
                    "max_batch": batch}
    return None
