"""``.env``-style files (``.env.example``, ``.env.local``, ``app.env``), rewritten only when asked.

    OPENAI_API_KEY=sk-...            ->  # migrate: was OPENAI_API_KEY; an OpenAI key does not work on dashscope
                                         DASHSCOPE_API_KEY=
    # OPENAI_API_KEY=sk-...          ->  # OPENAI_API_KEY=sk-...
                                         # DASHSCOPE_API_KEY=
    OPENAI_BASE_URL=https://relay    ->  # OPENAI_BASE_URL=https://relay  (migrate: dropped; ...)
    OPENAI_ORG_ID=org-...            ->  # OPENAI_ORG_ID=org-...  (migrate: no dashscope equivalent)
    OPENAI_MODEL=gpt-4o              ->  # migrate: OPENAI_MODEL was gpt-4o, an OpenAI model; dashscope's counterpart:
                                         OPENAI_MODEL=qwen-max
    OPENAI_TEMPERATURE=0.2           ->  (unchanged: the application reads it, not the SDK)

Settings the openai SDK reads are turned into the provider's (or commented out); every other
``OPENAI_*`` setting is the application's own, read by code the rewrite keeps, so it stays readable:
an OpenAI model name in it is mapped, a key in it is emptied. Key values are never carried over (an
OpenAI key must not reach the provider). ``export`` prefixes, quotes and indentation are kept;
comment lines are left alone, so a second run changes nothing. Pure text functions.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable

__all__ = ["is_env_file", "rewritten"]

_PATTERNS = (".env", ".env.*", "*.env")
_LINE = re.compile(r"^(?P<indent>\s*)(?P<export>export\s+)?(?P<name>OPENAI_[A-Z0-9_]+)(?P<eq>\s*=)(?P<value>.*)$")
_COMMENTED_KEY = re.compile(r"^(?P<indent>\s*)#\s*(?P<export>export\s+)?OPENAI_API_KEY\s*=")
_VALUE = re.compile(r"^(?P<lead>\s*)(?P<quote>[\"']?)(?P<text>[^\"'#\s]*)(?P=quote)(?P<rest>\s*(#.*)?)$")
_BASE_URLS = frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE"})
_ACCOUNT = frozenset({"OPENAI_ORG_ID", "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID"})
#: Other variables the openai SDK (1.x, or 0.x and Azure) reads itself.
_SDK = frozenset({"OPENAI_API_TYPE", "OPENAI_API_VERSION", "OPENAI_LOG", "OPENAI_WEBHOOK_SECRET",
                  "OPENAI_ADMIN_KEY", "OPENAI_API_KEY_PATH", "OPENAI_PROXY"})
_KEY_NAME = re.compile(r"(KEY|TOKEN|SECRET)$")

ModelMap = Callable[[str], str]


def is_env_file(name: str) -> bool:
    """Whether a file name is a dotenv file (``.env``, ``.env.example``, ``prod.env``)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _PATTERNS)


def rewritten(text: str, *, provider: str, key_var: str, base_url_var: str,
              model_of: ModelMap | None = None) -> str | None:
    """``text`` with OPENAI_* settings turned into the provider's, or ``None`` if nothing changes.

    ``model_of`` maps a model name for the provider (``None``: model values are left as written).
    """
    out: list[str] = []
    # One provider key line: the one an active OPENAI_API_KEY line becomes, or one written already.
    has_key_line = re.search(rf"^\s*#?\s*(export\s+)?({re.escape(key_var)}|(?<!# )OPENAI_API_KEY)\s*=", text,
                             re.MULTILINE) is not None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        commented = _COMMENTED_KEY.match(body)
        if commented and not has_key_line:
            out += [line, f"{commented['indent']}# {commented['export'] or ''}{key_var}={ending or chr(10)}"]
            has_key_line = True
            continue
        match = _LINE.match(body)
        out += [line] if match is None else _setting(match, ending, provider, key_var, base_url_var, model_of)
    new = "".join(out)
    return new if new != text else None


def _setting(match: re.Match[str], ending: str, provider: str, key_var: str, base_url_var: str,
             model_of: ModelMap | None) -> list[str]:
    """The lines one ``OPENAI_*=`` line becomes."""
    indent, export, name, body = match["indent"], match["export"] or "", match["name"], match.group(0)
    newline = ending or "\n"
    if name == "OPENAI_API_KEY":
        return [f"{indent}# migrate: was OPENAI_API_KEY; an OpenAI key does not work on {provider}: "
                f"put your {provider} key here{newline}",
                f"{indent}{export}{key_var}{match['eq']}{_empty_like(match['value'])}{ending}"]
    if name in _BASE_URLS:
        return [f"{indent}# {body.strip()}  (migrate: dropped; {provider} is reached at its own API "
                f"root, {base_url_var} overrides it){ending}"]
    if name in _ACCOUNT:
        return [f"{indent}# {body.strip()}  (migrate: no {provider} equivalent){ending}"]
    if name in _SDK:
        return [f"{indent}# {body.strip()}  (migrate: an OpenAI setting; check whether {provider} "
                f"needs one){ending}"]
    return _app_setting(match, ending, provider, model_of)


def _app_setting(match: re.Match[str], ending: str, provider: str, model_of: ModelMap | None) -> list[str]:
    """The application's own setting: kept, with a key emptied and an OpenAI model mapped."""
    indent, name, body = match["indent"], match["name"], match.group(0)
    value = _VALUE.match(match["value"])
    text = value["text"] if value else match["value"].strip()
    if not text:
        return [body + ending]
    prefix = body[: match.start("value")]
    if _KEY_NAME.search(name) or text.startswith("sk-"):
        return [f"{indent}# migrate: {name} held a key; an OpenAI key does not work on {provider}: put "
                f"your {provider} key here{ending or chr(10)}",
                f"{prefix}{_empty_like(match['value'])}{ending}"]
    mapped = model_of(text) if model_of is not None and value is not None else text
    if mapped == text or value is None:
        return [body + ending]
    return [f"{indent}# migrate: {name} was {text}, an OpenAI model; {provider}'s counterpart:{ending or chr(10)}",
            f"{prefix}{value['lead']}{value['quote']}{mapped}{value['quote']}{value['rest']}{ending}"]


def _empty_like(value: str) -> str:
    """An empty value in the original's quoting (``""``, ``''`` or nothing)."""
    stripped = value.strip()
    return stripped[0] * 2 if stripped[:1] in ('"', "'") else ""
