"""OpenAI embeddings requests planned for a provider: batches, dimensions, and the merged reply.

Stored vector indexes depend on the vector size, so the OpenAI model's size is kept where the
provider can produce it, and a loud warning says so where it cannot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import catalogue, openai_wire
from ._warn import warn
from .capabilities import Capabilities, Refused
from .native import Context

__all__ = ["EmbeddingSizeWarning", "batches", "dimension", "inputs", "merge_openai_like", "plan"]


class EmbeddingSizeWarning(UserWarning):
    """The provider cannot produce the vector size the OpenAI model had: re-embed stored vectors."""


def inputs(body: Mapping[str, Any], ctx: Context) -> list[str]:
    """The texts to embed; token-id input (lists of ints) has no provider equivalent."""
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else list(raw or [])
    if not texts or not all(isinstance(t, str) for t in texts):
        raise Refused(f"{ctx.provider} embeds text only: pass input as a string or a list of strings "
                      f"(token-id input is not supported).", param="input")
    return texts


def batches(texts: Sequence[str], limit: int) -> list[list[str]]:
    """``texts`` split into provider-sized batches, order kept."""
    step = max(1, limit)
    return [list(texts[i:i + step]) for i in range(0, len(texts), step)]


def dimension(body: Mapping[str, Any], ctx: Context) -> int | None:
    """The vector size to ask for: ``dimensions=`` if given, else the OpenAI model's own size.

    ``None`` means: let the provider use its default (it cannot produce the wanted size).
    """
    info = catalogue.provider_model(ctx.provider, ctx.model) or {}
    sizes: list[int] = list(info.get("dimensions") or [])
    asked = body.get("dimensions")
    wanted = asked if isinstance(asked, int) else catalogue.openai_dimensions(ctx.requested_model)
    if wanted is None or not sizes or wanted in sizes:
        return wanted
    default = info.get("default_dimension", sizes[0])
    if isinstance(asked, int):
        raise Refused(f"{ctx.provider} model {ctx.model!r} cannot produce {asked}-dimensional vectors; "
                      f"it offers {', '.join(map(str, sizes))}.", param="dimensions")
    warn(
        f"{ctx.requested_model!r} produced {wanted}-dimensional vectors, but {ctx.provider} model "
        f"{ctx.model!r} produces {default}: vectors stored from the OpenAI model must be re-embedded, "
        f"or pass model_map= to pick a model with {wanted} dimensions.",
        EmbeddingSizeWarning)
    return None


def batch_limit(ctx: Context, fallback: int) -> int:
    info = catalogue.provider_model(ctx.provider, ctx.model) or {}
    limit = info.get("max_batch")
    return limit if isinstance(limit, int) else fallback


def plan(body: Mapping[str, Any], caps: Capabilities, ctx: Context,
         fallback_batch: int) -> tuple[list[list[str]], int | None]:
    """The common request side: policy applied, texts in provider-sized batches, and the vector size
    to ask for (``dimension()``); the wanted ``encoding_format`` is noted for the reply."""
    ctx.policy.strip(body, caps, embeddings=True)
    texts = inputs(body, ctx)
    size = dimension(body, ctx)
    ctx.notes["encoding_format"] = body.get("encoding_format") or "float"
    return batches(texts, batch_limit(ctx, fallback_batch)), size


def merge_openai_like(replies: Sequence[Mapping[str, Any]], ctx: Context) -> dict[str, Any]:
    """One OpenAI reply from the batches' OpenAI-shaped replies (``data[].index``, ``usage``), in order."""
    vectors: list[list[float]] = []
    used = 0
    for reply in replies:
        rows = sorted(reply.get("data") or [], key=lambda row: int(row.get("index", 0)))
        vectors += [row["embedding"] for row in rows]
        usage = reply.get("usage") or {}
        used += int(usage.get("prompt_tokens") or usage.get("total_tokens") or 0)
    return openai_wire.embedding_response(vectors, model=ctx.model, prompt_tokens=used,
                                          encoding_format=ctx.notes.get("encoding_format"))
