"""Which keys are plainly OpenAI's (DESIGN.md, "Keys"): the one test the runtime and the codemods share.

    openai_key_reason("sk-proj-...")                         -> "an OpenAI project key (sk-proj-...)"
    openai_key_reason(k, {"OPENAI_API_KEY": k})              -> "the value of OPENAI_API_KEY"
    openai_key_reason("sk-0123456789abcdef0123456789abcdef") -> None   (DashScope, DeepSeek... keys)

A key is OpenAI's when it equals ``OPENAI_API_KEY``'s value or has one of OpenAI's key shapes: the
``sk-proj-``, ``sk-svcacct-`` and ``sk-admin-`` prefixes, or the ``T3BlbkFJ`` marker (base64 of
"OpenAI") inside a legacy ``sk-`` key. A bare ``sk-`` prefix proves nothing: DashScope's keys start
with it too. ``is_placeholder_key`` tells the values local servers take instead of a key
(``"EMPTY"``, ``"ollama"``, ``"sk-no-key-required"``): not secrets, never redacted. Nothing here
returns, logs or formats the key itself. This module imports nothing heavy (no openai, no libcst)
so the codemods can use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["OPENAI_KEY_VARIABLE", "clean_key", "has_openai_shape", "is_openai_key", "is_placeholder_key",
           "openai_key_reason", "unsendable_reason"]

OPENAI_KEY_VARIABLE = "OPENAI_API_KEY"

#: OpenAI's current key prefixes and what each names.
OPENAI_PREFIXES = (
    ("sk-proj-", "an OpenAI project key (sk-proj-...)"),
    ("sk-svcacct-", "an OpenAI service-account key (sk-svcacct-...)"),
    ("sk-admin-", "an OpenAI admin key (sk-admin-...)"),
)
#: base64 of "OpenAI", inside OpenAI's legacy ``sk-`` keys (and most newer ones).
LEGACY_MARKER = "T3BlbkFJ"


def clean_key(key: str) -> str:
    """``key`` without surrounding whitespace (a key read from a file ends with a newline)."""
    return key.strip()


def unsendable_reason(key: str) -> str | None:
    """Why ``key`` cannot go into an HTTP header (a phrase naming a position, never the key), or ``None``.

    A key with a line break or a non-ASCII character inside (pasted with a quote mark, two keys read
    from one file) would otherwise fail deep in the HTTP library, whose error prints the header.
    """
    for position, char in enumerate(key, 1):
        if not char.isascii():
            return f"has a non-ASCII character at position {position}"
        if not char.isprintable():
            return f"has a control character (such as a line break) at position {position}"
    return None


def _shape_reason(key: str) -> str | None:
    for prefix, reason in OPENAI_PREFIXES:
        if key.startswith(prefix):
            return reason
    if key.startswith("sk-") and LEGACY_MARKER in key:
        return "an OpenAI key (sk-... with OpenAI's T3BlbkFJ marker)"
    return None


def openai_key_reason(key: str, env: Mapping[str, str] | None = None) -> str | None:
    """Why ``key`` is plainly OpenAI's (a phrase without the key), or ``None`` when it may be any key."""
    key = clean_key(key)
    if not key:
        return None
    openai_key = clean_key((env or {}).get(OPENAI_KEY_VARIABLE) or "")
    if openai_key and key == openai_key:
        return f"the value of {OPENAI_KEY_VARIABLE}"
    return _shape_reason(key)


def has_openai_shape(key: str) -> bool:
    """True when ``key`` (e.g. a string literal in source) has one of OpenAI's key shapes."""
    return _shape_reason(clean_key(key)) is not None


def is_openai_key(key: str, env: Mapping[str, str] | None = None) -> bool:
    """True when ``key`` is plainly OpenAI's: its shape, or equal to ``env["OPENAI_API_KEY"]``."""
    return openai_key_reason(key, env) is not None


#: Words local OpenAI-compatible servers and their docs use instead of a key (vLLM, Ollama, llama.cpp,
#: LM Studio, LocalAI, text-generation-webui), lowercased.
_PLACEHOLDERS = frozenset({"", "empty", "none", "null", "ollama", "lm-studio", "lmstudio", "localai",
                           "llama.cpp", "vllm", "dummy", "fake", "test", "placeholder", "not-needed",
                           "notneeded", "nokeyneeded", "no-key", "nokey", "no_key", "sk-no-key-required",
                           "sk-1234", "sk-123456", "1234", "123456", "key", "api-key", "apikey", "x", "xxx",
                           "changeme", "unused", "not-used", "anything", "local", "sk-local"})

_FILLER = re.compile(r"(sk-)?[x.*<>_\- ]+")
_MARKERS = ("your", "here", "replace", "dummy", "fake", "placeholder", "changeme", "no-key", "nokey", "not-needed",
            "not_needed", "notneeded", "key-required", "no_key")
#: A run of letters and digits as long as a secret's: a marker word found inside one is chance
#: (``"...a9here3f..."`` in a Zhipu or Qianfan key), not a placeholder.
_RANDOM_RUN = re.compile(r"[a-z0-9]{16,}")


def is_placeholder_key(value: str) -> bool:
    """True when ``value`` (an ``api_key`` written in source) stands where no key is needed rather
    than being a secret: a known placeholder word, filler (``"sk-xxxx"``, ``"sk-..."``), or text
    that says so (``"YOUR_API_KEY"``, ``"replace-me"``, ``"no-key-required"``)."""
    lowered = clean_key(value).lower()
    if lowered in _PLACEHOLDERS or _FILLER.fullmatch(lowered) is not None:
        return True
    return any(marker in lowered for marker in _MARKERS) and not _has_random_run(lowered)


def _has_random_run(lowered: str) -> bool:
    """True when ``lowered`` holds a secret-like run: 16+ letters and digits, both kinds present."""
    return any(not run.isalpha() and not run.isdigit() for run in _RANDOM_RUN.findall(lowered))
