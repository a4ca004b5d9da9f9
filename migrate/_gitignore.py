"""``.gitignore`` files read the simple way git reads them.

Supported: comments, ``!`` negation, a trailing ``/`` for folders only, anchoring by a leading or
inner ``/``, ``*``, ``?``, ``[...]`` and ``**``; the last matching rule wins; a rule applies below
the folder of its file. Not supported: ``core.excludesFile`` and the rule that tracked files are
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
        elif glob[i] == "[" and (end := glob.find("]", i + 2)) != -1:
            body = glob[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body[:1] == "!" else body).replace("\\", "\\\\") + "]")
            i = end + 1
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
