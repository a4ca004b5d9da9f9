"""Image models as the emulator checks them: which exist, which sizes they make (the reference's rules).

The rules are the catalogue's data (``sizes``, ``side``, ``pixels``, ``ratio``, ``multiple``,
``max_n``); a name missing there but of an image family is served with the loosest rule. A prompt
containing ``[refuse]`` stands for one the provider's content filter refuses.
"""

from __future__ import annotations

from typing import Any

from .. import catalogue

__all__ = ["REFUSE", "image_model", "size_problem"]

REFUSE = "[refuse]"
_FAMILIES = {"dashscope": ("wan", "qwen-image"), "zhipu": ("cogview", "glm-image"), "qianfan": ("irag", "flux")}


def image_model(provider: str, name: Any) -> dict[str, Any] | None:
    if not isinstance(name, str) or not name:
        return None
    info = catalogue.provider_model(provider, name)
    if info is not None:
        return dict(info) if info.get("kind") == "image" else None
    if name.startswith(_FAMILIES.get(provider, ())):
        return {"kind": "image", "api": "task", "side": [512, 1440], "max_n": 4}
    return None


def size_problem(info: dict[str, Any], width: int, height: int) -> str | None:
    """Why ``width`` x ``height`` is refused by the model (``None``: it is allowed)."""
    sizes = info.get("sizes")
    if sizes:
        return None if f"{width}x{height}" in sizes else f"size must be one of {', '.join(sizes)}"
    low, high = info.get("side") or (1, 1 << 15)
    if not (low <= width <= high and low <= height <= high):
        return f"width and height must be within [{low}, {high}]"
    pixels = info.get("pixels")
    if pixels and not pixels[0] <= width * height <= pixels[1]:
        return f"total pixels must be within [{pixels[0]}, {pixels[1]}]"
    ratio = info.get("ratio")
    if ratio and not ratio[0] <= width / height <= ratio[1]:
        return f"aspect ratio must be within [{ratio[0]}, {ratio[1]}]"
    step = info.get("multiple")
    if step and (width % step or height % step):
        return f"width and height must be multiples of {step}"
    return None


def parse_size(text: Any, sep: str) -> tuple[int, int] | None:
    width, found, height = str(text).partition(sep)
    return (int(width), int(height)) if found and width.isdigit() and height.isdigit() else None
