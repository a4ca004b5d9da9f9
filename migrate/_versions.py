"""Whether a version constraint leaves any version in a range: PEP 440 specifiers and Poetry's.

    allows("==0.28.0", SUPPORTED)      -> False   (the migrated code cannot get an openai it runs on)
    allows(">=1.2", SUPPORTED)         -> True
    allows_poetry("^0.28", SUPPORTED)  -> False   (^0.28 is >=0.28,<0.29)

Versions are read as their release numbers (``0.28.0rc1`` as ``0.28.0``); ``!=`` clauses and
markers are ignored (they never empty a range in practice). Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Range", "allows", "allows_poetry", "parse"]

Version = tuple[int, ...]
_CLAUSE = re.compile(r"^\s*(===|==|~=|!=|>=|<=|>|<)\s*([0-9][0-9A-Za-z.*+!-]*)\s*$")


def parse(text: str) -> Version | None:
    """``"1.40.2"`` -> ``(1, 40, 2)``; the release numbers of a version, ``None`` if there are none."""
    found = re.match(r"^v?(\d+(?:\.\d+)*)", text.strip())
    return tuple(int(part) for part in found.group(1).split(".")) if found else None


def _pad(a: Version, b: Version) -> tuple[Version, Version]:
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)), b + (0,) * (width - len(b))


def _less(a: Version, b: Version) -> bool:
    left, right = _pad(a, b)
    return left < right


def _bump(version: Version) -> Version:
    """The first version past every ``version.*``: ``(0, 28)`` -> ``(0, 29)``."""
    return (*version[:-1], version[-1] + 1) if version else (1,)


@dataclass(frozen=True)
class Range:
    """``low`` (inclusive or not) up to ``high`` (``None``: no end)."""

    low: Version
    high: Version | None
    low_inclusive: bool = True
    high_inclusive: bool = False

    def above(self, version: Version, inclusive: bool) -> Range:
        if _less(self.low, version) or (not _less(version, self.low) and not inclusive):
            return Range(version, self.high, inclusive, self.high_inclusive)
        return self

    def below(self, version: Version, inclusive: bool) -> Range:
        if self.high is None or _less(version, self.high) or (not _less(self.high, version) and not inclusive):
            return Range(self.low, version, self.low_inclusive, inclusive)
        return self

    @property
    def empty(self) -> bool:
        if self.high is None:
            return False
        if _less(self.low, self.high):
            return False
        return _less(self.high, self.low) or not (self.low_inclusive and self.high_inclusive)


def _narrowed(span: Range, operator: str, text: str) -> Range | None:
    """``span`` within one clause; ``None`` when the clause cannot be read."""
    wildcard = text.endswith(".*")
    version = parse(text.removesuffix(".*"))
    if version is None:
        return None
    if operator in ("==", "===") and wildcard:
        return span.above(version, True).below(_bump(version), False)
    if operator in ("==", "==="):
        return span.above(version, True).below(version, True)
    if operator == "~=":
        return span.above(version, True).below(_bump(version[:-1]) if len(version) > 1 else (10**9,), False)
    if operator in (">=", ">"):
        return span.above(version, operator == ">=")
    if operator in ("<=", "<"):
        return span.below(version, operator == "<=")
    return span  # != leaves almost everything


def allows(specifier: str, span: Range) -> bool | None:
    """Whether some version in ``span`` satisfies the PEP 440 ``specifier`` (``""``: any);
    ``None`` when the specifier cannot be read (then nothing is changed)."""
    text = specifier.strip().strip("()").strip()
    if not text:
        return True
    for clause in text.split(","):
        found = _CLAUSE.match(clause)
        narrowed = _narrowed(span, found.group(1), found.group(2)) if found else None
        if narrowed is None:
            return None
        span = narrowed
    return not span.empty


def allows_poetry(constraint: str, span: Range) -> bool | None:
    """``allows`` for a Poetry constraint: ``^1.2``, ``~1.2``, ``1.2.3``, ``*``, ``>=1,<2``, ``a || b``."""
    answers = []
    for alternative in constraint.split("||"):
        text = alternative.strip()
        if text in ("", "*"):
            return True
        clauses = []
        for part in re.split(r"[,\s]+(?=[<>=!~^0-9])", text):
            part = part.strip().rstrip(",")
            version = parse(part.lstrip("^~=v"))
            if part.startswith("^") and version is not None:
                first = next((i for i, n in enumerate(version) if n), len(version) - 1)
                clauses += [f">={part[1:]}", f"<{'.'.join(map(str, _bump(version[:first + 1])))}"]
            elif part.startswith("~") and not part.startswith("~=") and version is not None:
                kept = version[:2] if len(version) > 1 else version
                clauses += [f">={part[1:]}", f"<{'.'.join(map(str, _bump(kept)))}"]
            elif part[:1].isdigit():
                clauses.append(f"=={part}")
            else:
                clauses.append(part)
        answers.append(allows(",".join(clauses), span))
    if any(answer is True for answer in answers):
        return True
    return None if None in answers else False
