"""Read the provider's environment variables where the code reads OpenAI's.

    os.environ["OPENAI_API_KEY"]               ->  os.environ["DASHSCOPE_API_KEY"]
    os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
                                               ->  os.getenv("DASHSCOPE_HTTP_BASE_URL", "https://dashscope.aliyuncs.com/api/v1")
    "OPENAI_API_KEY" in os.environ             ->  "DASHSCOPE_API_KEY" in os.environ

The key variable is the backend's first ``KEY_VARS``; the base URL variable is its
``BASE_URL_VAR`` (``COMPAT_BASE_URL_VAR`` with ``--style compat``). ``from os import environ,
getenv`` is understood.

In a file that does not use the SDK (no ``import openai``/``adapters``: code that sends HTTP
requests itself, or hands the URL to another library), the base URL is the provider's
OpenAI-compatible root whatever the style, so ``f"{BASE}/chat/completions"`` still lands on a path
that exists, and OpenAI's own URLs written there move too (marked ``RAW_HTTP``):

    BASE = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")
      ->  BASE = os.environ.get("DASHSCOPE_COMPAT_BASE_URL", "https://dashscope.aliyuncs.com/compatible-mode/v1")
    requests.post("https://api.openai.com/v1/embeddings", ...)
      ->  requests.post("https://dashscope.aliyuncs.com/compatible-mode/v1/embeddings", ...)

Messages naming ``OPENAI_API_KEY`` (``print("Set OPENAI_API_KEY first")``, an argparse ``help=``,
``st.error(...)``, f-strings too) name the provider's key variable instead, in a file where a read
of ``OPENAI_API_KEY`` was rewritten: the message is about the variable the code now reads.

Leaves alone: arguments of OpenAI client constructions (``RewriteClientConstruction`` owns
them), variables read through a name (``os.getenv(VAR)``), other ``OPENAI_*`` variables, and
OpenAI's URLs in a file that mocks HTTP (a test: the URL is what its mock answers; ``_http_mocks``).
Marks with TODO(migrate): writes (``os.environ["OPENAI_API_KEY"] = ...``: the value is an OpenAI
key, it must not become the provider's; the write is kept and marked ``API_KEY``), a key written
as a read's default (dropped, ``API_KEY``, reported as ``literal_key``), a base-URL default that
is not OpenAI's (``BASE_URL``), and ``OPENAI_ORG_ID``/``OPENAI_PROJECT_ID`` reads
(``ORGANIZATION``: the provider has none). Strings that are the name alone (a lookup, a list of
required names: code), docstrings and comments (documentation), and messages in files that read no
``OPENAI_API_KEY`` are left alone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

import libcst as cst

from . import _env
from ._facts import Facts
from ._http_mocks import mocks_http
from ._literals import REDACTED, make_string, redact_url, string_value, with_value
from ._pass import FileState, Rule, Transform
from ._walk import Visitor

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteEnvVars: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteEnvVars"]

_OWNED_ARGS = frozenset({"api_key", "base_url", "organization", "project"})
_OPENAI_ROOT = re.compile(r"^https?://api\.openai\.com/v1(?=/|$)")
_KEY_TOKEN = re.compile(r"(?<![A-Za-z0-9_])OPENAI_API_KEY(?![A-Za-z0-9_])")
Text = TypeVar("Text", cst.SimpleString, cst.FormattedStringText)


class _KeyReads(Visitor):
    """Finds a read of OPENAI_API_KEY (writes do not count: they are kept and marked)."""

    def __init__(self, facts: Facts) -> None:
        self.facts, self.found, self.written = facts, False, set[int]()

    def visit_Assign(self, node: cst.Assign) -> None:
        self.written.update(id(target.target) for target in node.targets)

    def _check(self, node: cst.BaseExpression) -> None:
        access = _env.env_access(node, self.facts) if not self.found and id(node) not in self.written else None
        self.found = self.found or (access is not None and access.var in _env.KEY_VARS and not access.write)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._check(node)

    def visit_Call(self, node: cst.Call) -> None:
        self._check(node)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self._check(node)


def _reads_openai_key(module: cst.Module, facts: Facts) -> bool:
    finder = _KeyReads(facts)
    finder.visit(module)
    return finder.found


class EnvVarsRule(Rule):
    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        self.owned: set[int] = set()
        self.writes: dict[int, bool] = {}  # assignment target -> whether a literal is assigned
        # No SDK in the file: requests are OpenAI-shaped HTTP, which the compatible endpoint takes.
        self.raw = not state.facts.uses_openai
        compat = self.options.style == "compat" or self.raw
        target = state.target
        self.base_var = target.compat_base_url_var if compat else target.base_url_var
        self.base_root = target.compat_base_url if compat else target.default_base_url
        self.defaults: set[int] = set()  # defaults of environment reads (rewritten with the read)
        self.mocking: bool | None = None  # whether the module mocks HTTP: found at the first OpenAI URL
        self.key_read: bool | None = None  # whether an OPENAI_API_KEY read is rewritten: found when needed

    def visit_Call(self, node: cst.Call) -> None:
        access = _env.env_access(node, self.facts) if self.raw else None
        if access is not None and access.default is not None:
            self.defaults.add(id(access.default))
        if self.facts.client_constructor(node) is not None:
            self.owned.update(id(arg.value) for arg in node.args
                              if arg.keyword is not None and arg.keyword.value in _OWNED_ARGS)

    def visit_Assign(self, node: cst.Assign) -> None:
        literal = bool(string_value(node.value))
        self.writes.update((id(target.target), literal) for target in node.targets)

    def leave_Subscript(self, original_node: cst.Subscript,
                        updated_node: cst.BaseExpression) -> cst.BaseExpression:
        return self._access(original_node, updated_node)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.BaseExpression) -> cst.BaseExpression:
        return self._access(original_node, updated_node)

    def leave_Comparison(self, original_node: cst.Comparison,
                         updated_node: cst.BaseExpression) -> cst.BaseExpression:
        return self._access(original_node, updated_node)

    def leave_SimpleString(self, original_node: cst.SimpleString,
                           updated_node: cst.BaseExpression) -> cst.BaseExpression:
        """OpenAI's URL written in a file without the SDK -> the provider's compatible root; a message
        naming OPENAI_API_KEY, where the code now reads the provider's variable -> that variable."""
        if _KEY_TOKEN.search(original_node.value) and isinstance(updated_node, cst.SimpleString):
            return self._message(original_node, updated_node)
        value = string_value(original_node) if self.raw and id(original_node) not in self.defaults else None
        found = _OPENAI_ROOT.match(value) if value else None
        if value is None or found is None or not isinstance(updated_node, cst.SimpleString):
            return updated_node
        if self.mocking is None:
            self.mocking = mocks_http(self.state.module, self.facts)
        if self.mocking:
            return updated_node  # what a test's mock answers (RewriteMockTargets marks it HTTP_MOCK)
        new = self.base_root.rstrip("/") + value[found.end():]
        self.state.find(original_node, "env_var", f"{found.group(0)} -> {self.base_root}")
        self._raw_http(original_node, f"OpenAI's URL was replaced by {self.state.provider}'s OpenAI-compatible "
                                      f"root ({self.base_var} names it elsewhere)")
        self.state.edited()
        return with_value(updated_node, new)

    def leave_FormattedStringText(self, original_node: cst.FormattedStringText,
                                  updated_node: cst.FormattedStringText) -> cst.FormattedStringText:
        if not _KEY_TOKEN.search(original_node.value):
            return updated_node
        return self._message(original_node, updated_node)

    def _message(self, original: Text, updated: Text) -> Text:
        """``print("Set OPENAI_API_KEY first")`` in a file whose key reads now read the provider's variable:
        the message names that variable. A string that is the name alone (``"OPENAI_API_KEY"``: a
        lookup, a write, a list of required names) is code, not a message; docstrings and byte strings
        are left (documentation, data)."""
        if isinstance(original, cst.SimpleString) and (string_value(original) in (None, *_env.KEY_VARS)):
            return updated
        statement = self.state.stack[-1] if self.state.stack else None
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Expr) and \
                isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString):
            return updated  # a docstring (or a bare string used as a comment)
        if self.key_read is None:
            self.key_read = _reads_openai_key(self.state.module, self.facts)
        if not self.key_read:
            return updated
        key_var = self.state.target.key_var
        self.state.find(original, "env_var", f"a message naming OPENAI_API_KEY -> {key_var}")
        self.state.edited()
        return updated.with_changes(value=_KEY_TOKEN.sub(key_var, updated.value))

    def _raw_http(self, node: cst.CSTNode, what: str) -> None:
        self.state.todo(node, "RAW_HTTP", f"{what}: this file sends its own requests; use "
                                          f"{self.state.provider} model names and check each parameter")

    def _access(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        if id(original) in self.owned:
            return updated
        access = _env.env_access(original, self.facts)
        if access is None:
            return updated
        var, target = access.var, self.state.target
        if var in _env.ACCOUNT_VARS:
            self.state.find(original, "env_var", f"{var} (no {target.name} equivalent)")
            self.state.todo(original, "ORGANIZATION", f"{var} has no {target.name} equivalent: remove it")
            return updated
        if var in _env.KEY_VARS:
            return self._key(original, updated, access)
        if var in _env.BASE_URL_VARS:
            return self._base_url(original, updated, access)
        return updated

    def _key(self, original: cst.BaseExpression, updated: cst.BaseExpression,
             access: _env.EnvAccess) -> cst.BaseExpression:
        key_var, provider = self.state.target.key_var, self.state.provider
        if access.write or id(original) in self.writes:
            self.state.find(original, "env_var", f"{access.var} set in the source")
            if self.writes.get(id(original)) or (access.write and string_value(access.default)):
                self.state.find(original, "literal_key", f"key written in the source for {access.var} ({REDACTED})")
            self.state.todo(original, "API_KEY", f"{access.var} is set here; the adapter reads "
                                                 f"{key_var}: set that to a {provider} key outside the "
                                                 f"source (an OpenAI key must not reach {provider})")
            return updated
        self.state.find(original, "env_var", f"{access.var} -> {key_var}")
        self.state.edited()
        default = string_value(access.default) if access.default is not None else None
        if default:
            self.state.find(original, "literal_key", f"key written as the default of {access.var} ({REDACTED})")
            self.state.todo(original, "API_KEY", f"a key written in the source ({REDACTED}) was the default "
                                                 f"of {access.var}; it was removed: set {key_var}")
            return _env.renamed(updated, key_var, drop_default=True)
        return _env.renamed(updated, key_var)

    def _base_url(self, original: cst.BaseExpression, updated: cst.BaseExpression,
                  access: _env.EnvAccess) -> cst.BaseExpression:
        provider = self.state.provider
        if access.write or id(original) in self.writes:
            self.state.find(original, "env_var", f"{access.var} set in the source")
            self.state.todo(original, "BASE_URL", f"{access.var} is set here; {provider} is reached "
                                                  f"through {self.base_var} (default {self.base_root})")
            return updated
        self.state.find(original, "env_var", f"{access.var} -> {self.base_var}")
        self.state.edited()
        if self.raw:
            self._raw_http(original, f"{access.var} became {self.base_var}, {provider}'s OpenAI-compatible root")
        default = string_value(access.default) if access.default is not None else None
        if default is None or default == self.base_root:
            return _env.renamed(updated, self.base_var)
        if "api.openai.com" not in default:
            self.state.todo(original, "BASE_URL", f"the default base URL {redact_url(default)} was "
                                                  f"replaced by {provider}'s root")
        root = with_value(access.default, self.base_root) if isinstance(access.default, cst.SimpleString) \
            else make_string(self.base_root)
        return _env.renamed(updated, self.base_var, default=root)


TRANSFORM = Transform(
    "RewriteEnvVars", (EnvVarsRule,),
    "Read the provider's key and base-URL variables where OpenAI's were read.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
