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

Leaves alone: arguments of OpenAI client constructions (``RewriteClientConstruction`` owns
them), variables read through a name (``os.getenv(VAR)``), other ``OPENAI_*`` variables, and
OpenAI's URLs in a file that mocks HTTP (a test: the URL is what its mock answers; ``_http_mocks``).
Marks with TODO(migrate): writes (``os.environ["OPENAI_API_KEY"] = ...``: the value is an OpenAI
key, it must not become the provider's; the write is kept and marked ``API_KEY``), a key written
as a read's default (dropped, ``API_KEY``, reported as ``literal_key``), a base-URL default that
is not OpenAI's (``BASE_URL``), and ``OPENAI_ORG_ID``/``OPENAI_PROJECT_ID`` reads
(``ORGANIZATION``: the provider has none).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from . import _env
from ._http_mocks import mocks_http
from ._literals import REDACTED, make_string, redact_url, string_value, with_value
from ._pass import FileState, Rule, Transform

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteEnvVars: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteEnvVars"]

_OWNED_ARGS = frozenset({"api_key", "base_url", "organization", "project"})
_OPENAI_ROOT = re.compile(r"^https?://api\.openai\.com/v1(?=/|$)")


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
        """OpenAI's URL written in a file without the SDK -> the provider's compatible root."""
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
