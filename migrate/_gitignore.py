"""``.gitignore`` files read the simple way git reads them.

Supported: comments, ``!`` negation, a trailing ``/`` for folders only, anchoring by a leading or
inner ``/``, ``*``, ``?``, ``[...]`` and ``**``; the last matching rule wins; a rule applies below
the folder of its file. Brackets follow git's wildmatch: ``[!...]``/``[^...]`` negate, a ``]``
first is literal, ``[[:alpha:]]`` and the other POSIX classes, a reversed range ``[z-a]`` matches
its first character only, and a pattern with an unclosed bracket (``[!]``) or an unknown class matches nothing. Not supported: ``core.excludesFile`` and the rule that tracked files are
never ignored (an ignored file that git tracks is skipped here all the same).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["IgnoreRules", "parse"]


@dataclass(frozen=True)
class _Rule:
    base: str  # absolute posix folder the rule's file sits in
    pattern: re.Pattern[str]
    negate: bool
    folders_only: bool


_NOTHING = "(?!)"  # a regex that matches nothing
_POSIX = {"alnum": "A-Za-z0-9", "alpha": "A-Za-z", "blank": " \\t", "cntrl": "\\x00-\\x1f\\x7f",
          "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
          "space": " \\t\\n\\r\\f\\v", "upper": "A-Z", "xdigit": "0-9A-Fa-f"}


def _bracket(glob: str, start: int) -> tuple[str | None, int]:
    """The regex for the bracket expression at ``glob[start]`` (a ``[``) and the index after it;
    ``None`` when git's wildmatch would make the whole pattern match nothing."""
    i = start + 1
    negate = i < len(glob) and glob[i] in "!^"
    i += negate
    items: list[str] = []
    first = True
    while i < len(glob):
        char = glob[i]
        if char == "]" and not first:
            break
        first = False
        if glob.startswith("[:", i):
            end = glob.find(":]", i + 2)
            if end != -1:
                known = _POSIX.get(glob[i + 2 : end])
                if known is None:
                    return None, len(glob)
                items.append(known)
                i = end + 2
                continue
        if char == "\\" and i + 1 < len(glob):
            i += 1
            char = glob[i]
        if i + 2 < len(glob) and glob[i + 1] == "-" and glob[i + 2] != "]":
            high_at = i + 2 + (glob[i + 2] == "\\" and i + 3 < len(glob))
            high = glob[high_at]
            # as wildmatch: the low end is a member in any case; the range only if it is not reversed
            items.append(f"{re.escape(char)}-{re.escape(high)}" if char <= high else re.escape(char))
            i = high_at + 1
            continue
        items.append(re.escape(char))
        i += 1
    else:
        return None, len(glob)  # no closing bracket
    body = "".join(items)
    if negate:
        return f"[^/{body}]", i + 1
    return (f"(?!/)[{body}]" if body else _NOTHING), i + 1


def _translate(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[":
            bracket, i = _bracket(glob, i)
            if bracket is None:
                return _NOTHING
            out.append(bracket)
        elif glob[i] == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def parse(text: str, base: Path) -> list[_Rule]:
    """The rules of one ignore file whose folder is ``base``."""
    rules = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        line = line[1:] if negate else line
        line = line[1:] if line.startswith("\\") else line
        folders_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        prefix = "" if anchored else "(?:.*/)?"
        pattern = re.compile(prefix + _translate(line) + r"\Z", re.DOTALL)
        rules.append(_Rule(base.as_posix(), pattern, negate, folders_only))
    return rules


@dataclass
class IgnoreRules:
    """Rules gathered from the ignore files met so far; ``ignored(path, is_dir)`` asks them."""

    rules: list[_Rule] = field(default_factory=list)

    def load(self, folder: Path, name: str = ".gitignore") -> None:
        """Add the rules of ``folder/name`` if that file exists and can be read."""
        try:
            text = (folder / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        self.rules.extend(parse(text, folder))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """Whether ``path`` (absolute) is ignored by the rules; the last rule that matches decides."""
        text = path.as_posix()
        verdict = False
        for rule in self.rules:
            if rule.folders_only and not is_dir:
                continue
            if not text.startswith(rule.base.rstrip("/") + "/"):
                continue
            if rule.pattern.match(text[len(rule.base.rstrip("/")) + 1 :]):
                verdict = not rule.negate
        return verdict
