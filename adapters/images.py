"""``client.images.generate`` on a provider: the parts every backend shares (pure functions).

    {"model": "dall-e-3", "prompt", "n": 2, "size": "1792x1024", "response_format": "b64_json"}
      -> read(): the prompt, n, the nearest size the provider's model offers (``ImageSizeWarning``
         when it differs), the answer format, quality; what has no counterpart goes through the
         unsupported= policy, what would change the result's kind (``stream``, ``output_format``
         other than png) is refused
      -> the backend's native calls (a task polled until done, or one call per image), whose image
         URLs are noted with ``add_results``
      -> ``fetches()``: for ``b64_json`` (and gpt-image models, which always answer base64) the
         provider's URLs are fetched through the same HTTP client, without credentials
      -> ``response()``: OpenAI's ``ImagesResponse`` ``{"created", "data": [{"url" | "b64_json",
         "revised_prompt"?}]}``

Provider URLs are temporary (DashScope: 24 hours); ask for ``b64_json`` to keep the image.
Size rules come from the catalogue entry of the provider's model: ``sizes`` (a fixed list), or
``side`` [min, max] per side, ``pixels`` [min, max] in total, ``ratio`` [min, max] width/height and
``multiple`` (each side a multiple of it); ``max_n`` images per native call.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import catalogue
from ._warn import warn
from .capabilities import Refused
from .native import Context, FileReply, NativeRequest

__all__ = ["ImageRequest", "ImageSizeWarning", "add_results", "fetches", "fit", "openai_like", "read", "response"]

MOST_IMAGES = 10  # OpenAI's own limit for n
_NOTE = "images"
#: OpenAI quality values that ask for more than a provider's default (the others are its default).
_HIGH_QUALITY = frozenset({"hd", "high"})


class ImageSizeWarning(UserWarning):
    """The provider's model cannot make images of the asked size: the nearest size it offers was used."""


@dataclass(frozen=True)
class ImageRequest:
    """An OpenAI image request, checked and fitted to the provider's model."""

    prompt: str
    n: int
    width: int
    height: int
    quality: str | None
    user: str | None
    info: Mapping[str, Any]

    def size(self, sep: str = "x") -> str:
        return f"{self.width}{sep}{self.height}"

    @property
    def per_call(self) -> int:
        """Images one native call may make."""
        return max(1, int(self.info.get("max_n") or 1))


def read(body: Mapping[str, Any], ctx: Context, *, quality: bool = False, user: bool = False) -> ImageRequest:
    """The request checked for ``ctx.model``; ``quality``/``user``: the provider has a counterpart."""
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise Refused("images.generate needs a prompt (a non-empty string).", param="prompt")
    if body.get("stream"):
        raise Refused(f"{ctx.provider} cannot stream partial images; call images.generate without stream=True.",
                      param="stream")
    fmt = body.get("output_format")
    if fmt not in (None, "png"):
        raise Refused(f"{ctx.provider} makes PNG images only; output_format={fmt!r} cannot be honoured. Ask for "
                      f"'png' and convert the image yourself.", param="output_format")
    n = int(body.get("n") or 1)
    if not 1 <= n <= MOST_IMAGES:
        raise Refused(f"n must be between 1 and {MOST_IMAGES}, not {n}.", param="n")
    for name in ("style", "background", "moderation", "output_compression", "partial_images"):
        if body.get(name) is not None:
            ctx.policy.unsupported(name, f"(images on {ctx.model})")
    asked_quality = body.get("quality")
    if asked_quality in _HIGH_QUALITY and not quality:
        ctx.policy.unsupported("quality", f"value {asked_quality!r} (images on {ctx.model})")
    if body.get("user") is not None and not user:
        ctx.policy.unsupported("user", "(images)")
    info = catalogue.provider_model(ctx.provider, ctx.model) or {}
    width, height = _size(body.get("size"), info, ctx)
    wanted = body.get("response_format") or ("b64_json" if ctx.requested_model.startswith("gpt-image") else "url")
    if wanted not in ("url", "b64_json"):
        raise Refused(f"response_format must be 'url' or 'b64_json', not {wanted!r}.", param="response_format")
    ctx.notes[_NOTE] = {"format": wanted, "results": []}
    return ImageRequest(prompt, n, width, height, asked_quality if quality else None,
                        body.get("user") if user else None, info)


def _size(size: Any, info: Mapping[str, Any], ctx: Context) -> tuple[int, int]:
    default = _parse(str(info.get("default_size") or "1024x1024")) or (1024, 1024)
    if size in (None, "", "auto"):
        return default
    asked = _parse(str(size))
    if asked is None:
        raise Refused(f"size must look like '1024x1024', not {size!r}.", param="size")
    got = fit(*asked, info)
    if got != asked:
        warn(f"{ctx.provider} model {ctx.model!r} cannot make {asked[0]}x{asked[1]} images; it makes "
             f"{got[0]}x{got[1]}, the nearest size it offers.", ImageSizeWarning)
    return got


def _parse(size: str) -> tuple[int, int] | None:
    width, sep, height = size.lower().replace("*", "x").partition("x")
    if not sep or not width.strip().isdigit() or not height.strip().isdigit():
        return None
    return int(width), int(height)


def fit(width: int, height: int, rule: Mapping[str, Any]) -> tuple[int, int]:
    """The size nearest to ``width`` x ``height`` that ``rule`` allows (see the module docstring)."""
    sizes = [s for s in (_parse(str(text)) for text in rule.get("sizes") or ()) if s]
    if _allowed(width, height, rule):
        return width, height
    if sizes:  # a fixed list: the nearest shape first, then the nearest area
        return min(sizes, key=lambda s: (abs(math.log(s[0] / s[1]) - math.log(width / height)),
                                         abs(math.log(s[0] * s[1]) - math.log(width * height))))
    low_ratio, high_ratio = rule.get("ratio") or (0.0, math.inf)
    ratio = min(max(width / height, low_ratio), high_ratio)
    area = float(width * height)
    low_side, high_side = rule.get("side") or (1, 1 << 15)
    low_pixels, high_pixels = rule.get("pixels") or (0, math.inf)
    area = min(max(area, low_pixels), high_pixels)
    w, h = math.sqrt(area * ratio), math.sqrt(area / ratio)
    grow = max(1.0, low_side / min(w, h))
    w, h = w * grow, h * grow
    shrink = min(1.0, high_side / max(w, h), math.sqrt(high_pixels / (w * h)))
    w, h = w * shrink, h * shrink
    step = int(rule.get("multiple") or 1)
    return _round(w, step, low_side, high_side), _round(h, step, low_side, high_side)


def _round(value: float, step: int, low: int, high: int) -> int:
    rounded = int(round(value / step)) * step
    while rounded > high:
        rounded -= step
    while rounded < low:
        rounded += step
    return rounded


def _allowed(width: int, height: int, rule: Mapping[str, Any]) -> bool:
    sizes = rule.get("sizes")
    if sizes:
        return f"{width}x{height}" in sizes
    low_side, high_side = rule.get("side") or (1, 1 << 15)
    low_pixels, high_pixels = rule.get("pixels") or (0, math.inf)
    low_ratio, high_ratio = rule.get("ratio") or (0.0, math.inf)
    step = int(rule.get("multiple") or 1)
    return (low_side <= min(width, height) and max(width, height) <= high_side
            and low_pixels <= width * height <= high_pixels and low_ratio <= width / height <= high_ratio
            and width % step == 0 and height % step == 0)


def add_results(ctx: Context, items: Sequence[Mapping[str, Any]]) -> None:
    """Note the images a native reply made: ``{"url" or "b64_json", "revised_prompt"?}`` each."""
    ctx.notes[_NOTE]["results"].extend(dict(item) for item in items if item.get("url") or item.get("b64_json"))


def fetches(ctx: Context) -> Generator[NativeRequest, Any, None]:
    """The file fetches a ``b64_json`` answer needs (one per image the provider gave as a URL)."""
    note = ctx.notes[_NOTE]
    if note["format"] != "b64_json":
        return
    for item in note["results"]:
        if item.get("url") and not item.get("b64_json"):
            yield NativeRequest("GET", "", url=str(item["url"]), file=True)


def openai_like(requests: Sequence[NativeRequest], ctx: Context) -> Generator[NativeRequest, Any, None]:
    """A plan for providers answering OpenAI's shape (``data[].url``): the calls, then the fetches."""
    for native in requests:
        reply = yield native
        add_results(ctx, [d for d in (reply or {}).get("data") or [] if isinstance(d, Mapping)])
    yield from fetches(ctx)


def response(replies: Sequence[Any], ctx: Context) -> dict[str, Any]:
    """OpenAI's ``ImagesResponse`` from the noted results (and the fetched files, in order)."""
    note = ctx.notes[_NOTE]
    files = iter([r for r in replies if isinstance(r, FileReply)])
    data = []
    for item in note["results"]:
        row: dict[str, Any] = {}
        if note["format"] == "b64_json":
            row["b64_json"] = item.get("b64_json") or base64.b64encode(next(files).content).decode("ascii")
        else:
            row["url"] = item["url"]
        if item.get("revised_prompt"):
            row["revised_prompt"] = item["revised_prompt"]
        data.append(row)
    if not data:
        raise ValueError("the provider answered without any image")
    return {"created": ctx.created, "data": data}
