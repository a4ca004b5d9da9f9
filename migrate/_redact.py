"""Keep API keys out of every diff and report.

Two layers. ``literal_keys(source, lines)`` finds the string literals the codemods flagged as keys
(``Finding(kind="literal_key")`` gives the statement's line; the literal itself may sit lines
below, so every key-like string of that statement counts, and each fragment of a literal split
over several quoted parts), and ``redact(text, secrets)`` blanks them wherever they appear.
Independently, ``redact`` blanks on every line (diff headers apart):

- anything shaped like a key: ``sk-...``, Zhipu's ``<32 hex>.<secret>``, ``Bearer <token>``,
  Qianfan's ``bce-v3/...``, ``AKIA...`` access keys;
- the value of a setting whose name ends in KEY, SECRET, TOKEN, PASSWORD (PASSWD, PWD) or is
  ``api-key``/``authorization``: ``NAME=value`` in dotenv files, ``NAME = "value"``, ``name="value"``
  and ``"name": "value"`` in Python;
- credentials in URLs (``https://user:password@host``) and key-like query parameters;
- long high-entropy words: 24+ hex digits, or 24+ characters mixing upper case, lower case and
  digits (base64 secrets, Qianfan AK/SK, Azure keys);

but not placeholders that stand where no key is needed (``api_key="EMPTY"``,
``sk-no-key-required``: ``adapters.keys.is_placeholder_key``), so such a file's diff still applies.
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
from collections import Counter
from collections.abc import Collection, Iterable

from adapters.keys import is_placeholder_key

__all__ = ["REDACTED", "literal_keys", "redact"]

REDACTED = "<redacted>"
_SHAPES = re.compile(
    r"\bsk-[A-Za-z0-9_\-]{8,}"                                    # OpenAI-style, DashScope
    r"|\b[0-9a-f]{32}\.[A-Za-z0-9]{8,}"                           # Zhipu id.secret
    r"|(?<=[Bb]earer )[A-Za-z0-9._~+/\-]{8,}=*"                   # bearer tokens
    r"|\bbce-v3/[A-Za-z0-9/_\-]{8,}"                              # Qianfan v2 keys
    r"|\bAKIA[0-9A-Z]{16}\b"
)
_SECRET_NAME = r"[A-Za-z0-9_.\-]*(?:key|KEY|Key|secret|SECRET|Secret|token|TOKEN|Token|password|PASSWORD|Password|passwd|PASSWD|pwd|PWD|authorization|Authorization|AUTHORIZATION)"
_SECRET_UPPER = r"[A-Z0-9_.\-]*(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD)"
# NAME=value at the start of a (diff) line: a dotenv setting (an unquoted value; not a Python expression).
_ENV_SETTING = re.compile(r"^(?P<head>[ +\-]?\s*(?:export\s+)?" + _SECRET_UPPER + r"\s*=\s*)"
                          r"(?P<value>[^\s#'\"()\[\]{}]+)(?=\s|#|$)", re.MULTILINE)
# name = "value", name="value", "name": "value", os.environ["NAME"] = "value", getenv("NAME", "value").
_QUOTED_SETTING = re.compile(r"(?P<head>\b(?P<name>" + _SECRET_NAME + r")(?:[\"']\]?\s*[:=,]|\]?\s*[:=])\s*"
                             r"[rRbBuU]?(?P<q>[\"']))(?P<value>[^\"'\n]+)(?P=q)")
# A lower-case name ending in "key" that is not an API key's (sort_key, primary_key, cache_key) holds
# a secret only when its value looks like one: 8+ characters, no spaces. SETTING_KEY names always do.
_PLAIN_KEY = re.compile(r"(?i).*key")
_API = re.compile(r"(?i)api|access|secret|private|auth")
_URL_CREDENTIALS = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^/\s:@\"']*:[^/\s@\"']+@")
_URL_PARAMETER = re.compile(r"(?P<head>[?&](?:[A-Za-z0-9_\-]*(?:key|token|secret|password|sig|signature|auth))=)"
                            r"[^&#\s\"']+", re.IGNORECASE)
_LONG_WORD = re.compile(r"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{24,}={0,2}")
_HEADER = re.compile(r"^(?:--- |\+\+\+ |diff --git |@@ )")
_TOKENISH = re.compile(r"[A-Za-z0-9_\-.:/+=]{8,}")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def redact(text: str, secrets: Collection[str] = ()) -> str:
    """``text`` with each of ``secrets`` and anything shaped like a key replaced by ``<redacted>``
    (diff header lines keep their paths)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    if "\n" not in text.rstrip("\n"):
        return _line(text)
    return "".join(line if _HEADER.match(line) else _line(line) for line in text.splitlines(keepends=True))


def _line(text: str) -> str:
    text = _SHAPES.sub(_blank, text)
    text = _ENV_SETTING.sub(lambda m: m[0] if is_placeholder_key(m["value"]) else m["head"] + REDACTED, text)
    text = _QUOTED_SETTING.sub(_quoted_setting, text)
    text = _URL_CREDENTIALS.sub(lambda m: m["head"] + REDACTED + "@", text)
    text = _URL_PARAMETER.sub(lambda m: m["head"] + REDACTED, text)
    return _LONG_WORD.sub(_high_entropy, text)


def _blank(match: re.Match[str]) -> str:
    # A placeholder ("sk-no-key-required", api_key="EMPTY") is no secret: kept, so a diff of such a
    # file still applies with `git apply`.
    return match[0] if is_placeholder_key(match[0]) else REDACTED


def _quoted_setting(match: re.Match[str]) -> str:
    name, value = match["name"], match["value"]
    if is_placeholder_key(value):
        return match[0]
    if (_PLAIN_KEY.fullmatch(name) and not name.isupper() and not _API.search(name)
            and (len(value) < 8 or " " in value)):
        return match[0]
    return match["head"] + REDACTED + match["q"]


def _high_entropy(match: re.Match[str]) -> str:
    word = match[0].rstrip("=")
    if all(c in "0123456789abcdefABCDEF" for c in word):
        secret = any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
    else:
        core = word.replace("-", "").replace("_", "")
        secret = (any(c.isdigit() for c in core) and any(c.isupper() for c in core)
                  and any(c.islower() for c in core) and _entropy(core) >= 3.5 and not _words(word))
    return REDACTED if secret else match[0]


_WORD = re.compile(r"[0-9]+|[A-Z]?[a-z]+|[A-Z]+")


def _words(word: str) -> bool:
    """Whether ``word`` is made of words joined by ``_`` or ``-`` (``5_Chat_with_user_feedback``,
    a file or function name), not the random mix of a secret."""
    parts = re.split(r"[-_/]+", word)
    return len(parts) > 2 and all(_WORD.fullmatch(part) for part in parts if part)


def _entropy(word: str) -> float:
    counts = Counter(word)
    return -sum(n / len(word) * math.log2(n / len(word)) for n in counts.values())


def literal_keys(source: str, lines: Iterable[int]) -> frozenset[str]:
    """The key-like string literals of the statements starting or running through ``lines``."""
    wanted = set(lines)
    if not wanted:
        return frozenset()
    try:
        tree = ast.parse(source.lstrip("\ufeff"))
    except (SyntaxError, ValueError):
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        # A compound statement counts by its header only (its body holds statements of its own).
        end = body[0].lineno - 1 if isinstance(body, list) and body else (node.end_lineno or node.lineno)
        if not any(node.lineno <= line <= end for line in wanted):
            continue
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Constant) and isinstance(inner.value, str) and inner.lineno <= end
                    and _looks_like_key(inner.value)):
                found.add(inner.value)
                found.update(_fragments(ast.get_source_segment(source.lstrip("\ufeff"), inner) or ""))
    return frozenset(found)


def _fragments(segment: str) -> set[str]:
    """The text between the quotes of each part of a literal written in several parts
    (``"sk-abc" "def"``), as the source (so the diff) shows them; parts under 4 characters are kept."""
    parts: set[str] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(segment).readline))
    except (tokenize.TokenError, SyntaxError):
        return parts
    for token in tokens:
        if token.type == tokenize.STRING:
            body = token.string.lstrip("rRbBuUfF")
            quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
            inner = body[len(quote):len(body) - len(quote)]
            if len(inner) >= 4:
                parts.add(inner)
    return parts


def _looks_like_key(value: str) -> bool:
    return (_TOKENISH.fullmatch(value) is not None and "://" not in value
            and _ENV_NAME.fullmatch(value) is None)
