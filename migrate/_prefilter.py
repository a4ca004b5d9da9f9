"""A cheap test on a file's bytes: could any transform change this file?

Conservative by construction: a file passes when it mentions ``openai`` or ``adapters`` in any
case (``OPENAI_*`` variables included), opens a string the way OpenAI model names open
(``catalogue.OPENAI_PREFIXES``: every name the family rules resolve) or with a key of the user's
model map (in any case; the transforms only rewrite names in string literals), declares a coding
cookie, or is not valid UTF-8 (the codemods then decode it, or report why they cannot). Everything the codemods could act on passes, so a run
gives the same results with the prefilter as without it (``tests/migrate/test_api.py`` checks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["Prefilter"]

_COOKIE = re.compile(rb"^[ \t\f]*#[^\r\n]*?coding[:=]", re.MULTILINE)
_WORDS = (b"openai", b"adapters", b"from agents", b"import agents")  # the Agents SDK: OpenAI unnamed


@lru_cache(maxsize=8)
def _names_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[bytes], ...]:
    if not names:
        return ()
    # Searched in the lower-cased bytes, once per quote character: a case-sensitive pattern that
    # starts with a literal lets the regex engine skip ahead to that byte (five times faster here
    # than one pattern starting with [\"'], which tries every position).
    alternatives = b"|".join(re.escape(name.lower().encode("utf-8")) for name in sorted(names, key=len, reverse=True))
    return tuple(re.compile(quote + b"(?:" + alternatives + b")") for quote in (b'"', b"'"))


class Prefilter:
    """``Prefilter(extra_names)(data)`` is True when the file must go through the codemods."""

    def __init__(self, extra_names: Iterable[str] = ()) -> None:
        from adapters import catalogue

        self.names = _names_patterns(tuple(sorted({*catalogue.OPENAI_PREFIXES, *extra_names})))

    def __call__(self, data: bytes) -> bool:
        lowered = data.lower()
        if any(word in lowered for word in _WORDS):
            return True
        head = b"\n".join(data.split(b"\n", 2)[:2])
        if _COOKIE.search(head):
            return True
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return True
        return any(pattern.search(lowered) is not None for pattern in self.names)
