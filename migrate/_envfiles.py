"""``.env``-style files (``.env.example``, ``.env.local``, ``app.env``), rewritten only when asked.

    OPENAI_API_KEY=sk-...            ->  # migrate: was OPENAI_API_KEY; an OpenAI key does not work on dashscope
                                         DASHSCOPE_API_KEY=
    OPENAI_BASE_URL=https://relay    ->  # OPENAI_BASE_URL=https://relay  (migrate: dropped; ...)
    OPENAI_ORG_ID=org-...            ->  # OPENAI_ORG_ID=org-...  (migrate: no dashscope equivalent)

The key's value is never carried over (an OpenAI key must not reach the provider). ``export``
prefixes and indentation are kept; comment lines are left alone, so a second run changes nothing.
Pure text functions.
"""

from __future__ import annotations

import fnmatch
import re

__all__ = ["is_env_file", "rewritten"]

_PATTERNS = (".env", ".env.*", "*.env")
_LINE = re.compile(r"^(?P<indent>\s*)(?P<export>export\s+)?(?P<name>OPENAI_[A-Z0-9_]+)(?P<eq>\s*=)(?P<value>.*)$")
_BASE_URLS = frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE"})
_ACCOUNT = frozenset({"OPENAI_ORG_ID", "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID"})


def is_env_file(name: str) -> bool:
    """Whether a file name is a dotenv file (``.env``, ``.env.example``, ``prod.env``)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _PATTERNS)


def rewritten(text: str, *, provider: str, key_var: str, base_url_var: str) -> str | None:
    """``text`` with OPENAI_* settings turned into the provider's, or ``None`` if nothing changes."""
    out: list[str] = []
    changed = False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        match = _LINE.match(body)
        if match is None:
            out.append(line)
            continue
        changed = True
        indent, export, name = match["indent"], match["export"] or "", match["name"]
        if name == "OPENAI_API_KEY":
            out.append(f"{indent}# migrate: was OPENAI_API_KEY; an OpenAI key does not work on {provider}: "
                       f"put your {provider} key here{ending or chr(10)}")
            out.append(f"{indent}{export}{key_var}{match['eq']}{_empty_like(match['value'])}{ending}")
        elif name in _BASE_URLS:
            out.append(f"{indent}# {body.strip()}  (migrate: dropped; {provider} is reached at its own API "
                       f"root, {base_url_var} overrides it){ending}")
        elif name in _ACCOUNT:
            out.append(f"{indent}# {body.strip()}  (migrate: no {provider} equivalent){ending}")
        else:
            out.append(f"{indent}# {body.strip()}  (migrate: an OpenAI setting; check whether {provider} "
                       f"needs one){ending}")
    return "".join(out) if changed else None


def _empty_like(value: str) -> str:
    """An empty value in the original's quoting (``""``, ``''`` or nothing)."""
    stripped = value.strip()
    return stripped[0] * 2 if stripped[:1] in ('"', "'") else ""
