"""Which DashScope models think, and which answer only streams: family rules, the catalogue as override.

    thinking_mode("qwen3-32b", {})      -> "default_on"   (open-weight Qwen3: thinks unless told not to)
    thinking_mode("qwen-plus", {...})   -> "optional"     (hybrid, off by default)
    thinking_mode("qwq-32b", {})        -> "always"       (and stream_only)
    thinking_mode("qwen-max", {...})    -> "never"

Thinking is stream-only on DashScope (reference dashscope.md §3.2): a non-stream call to a model
that thinks by default must send ``enable_thinking: false``, and one that asks for thinking (or to a
model that always thinks) is streamed and joined. The catalogue wins where it says something:
``thinking_default`` (hybrid, on or off), ``reasoning: true`` without it (always thinks),
``stream_only``. The family lists follow dashscope.md and models-2026.md; which snapshots of the
commercial families are hybrid is unconfirmed per snapshot (the families are, since Qwen3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["Mode", "stream_only", "thinking_mode"]

Mode = Literal["never", "optional", "default_on", "always"]

#: Dedicated reasoners (QwQ, QVQ, the ``-thinking`` snapshots): always think, answer only streams.
_ALWAYS = re.compile(r"^(qwq|qvq)|-thinking(-|$)")
#: Open-weight Qwen3 sizes (``qwen3-32b``, ``qwen3-235b-a22b``, ``qwen3.5-397b-a17b``): hybrid, on by default.
_DEFAULT_ON = re.compile(r"^qwen3(\.\d+)?-\d+(\.\d+)?b(-a\d+(\.\d+)?b)?$")
#: Commercial hybrids: off by default, ``enable_thinking`` turns thinking on.
_OPTIONAL = re.compile(r"^(qwen-plus|qwen-flash|qwen-turbo|qwen3-max|qwen3(\.\d+)?-(plus|flash|max)|qwen3-vl-(plus|flash)"
                       r"|deepseek-v3\.[12])")
#: Omni models answer only streams (and do not think).
_STREAM_ONLY = re.compile(r"omni")


def thinking_mode(model: str, info: Mapping[str, Any]) -> Mode:
    """How ``model`` thinks: ``never``, ``optional`` (off unless asked), ``default_on`` or ``always``."""
    if "thinking_default" in info:
        return "default_on" if info["thinking_default"] else "optional"
    if info.get("reasoning"):
        return "always"
    name = model.lower()
    if "-instruct" in name:
        return "never"
    if _ALWAYS.search(name):
        return "always"
    if _DEFAULT_ON.match(name):
        return "default_on"
    if _OPTIONAL.match(name):
        return "optional"
    return "never"


def stream_only(model: str, info: Mapping[str, Any]) -> bool:
    """Whether ``model`` refuses non-stream calls (the catalogue's ``stream_only`` wins)."""
    if "stream_only" in info:
        return bool(info["stream_only"])
    name = model.lower()
    return bool(_ALWAYS.search(name) or _STREAM_ONLY.search(name)) and "-instruct" not in name
