"""Build provider clients where the code builds OpenAI clients.

    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], organization="org-1")
      ->  client = OpenAI(provider="dashscope", api_key=os.environ["DASHSCOPE_API_KEY"])
    client = AzureOpenAI(azure_endpoint=EP, api_version="2024-06-01", api_key=key)
      ->  # TODO(migrate:AZURE): ...
          # TODO(migrate:API_KEY): ...
          client = AzureOpenAI(provider="dashscope", api_key=os.environ["DASHSCOPE_API_KEY"])
    OpenAI(base_url="https://open.bigmodel.cn/api/paas/v4", api_key=os.environ["ZHIPUAI_API_KEY"])
      ->  OpenAI(provider="zhipu", api_key=os.environ["ZHIPUAI_API_KEY"])   # whatever --provider says

Only the arguments change here; ``RewriteImports`` (run after it) makes the callee
``adapters.OpenAI``. ``api_key``: an ``OPENAI_API_KEY`` read becomes the provider's key variable
read; anything else (a literal, a config value) is replaced by ``os.environ["<KEY VAR>"]`` and kept
in a TODO (literal keys redacted, and reported as ``literal_key``). ``base_url`` is dropped (a
provider's own region host becomes ``region=``), a non-OpenAI one kept in a TODO. ``organization``
and ``project`` go (an ``ORGANIZATION`` TODO says so); Azure's ``azure_endpoint``/``api_version``/``azure_deployment``/``azure_ad_*``
go with an ``AZURE`` TODO. With ``--style compat`` the client stays openai's and gets
``api_key=os.environ["<KEY VAR>"], base_url=os.environ.get("<COMPAT VAR>", "<compatible URL>")``.

Leaves alone: clients built with openai's own ``provider=`` object (marked ``OPENAI_PROVIDER``),
clients already given a provider name, anything that is not openai's client class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import libcst as cst

from adapters.keys import has_openai_shape, is_placeholder_key

from . import _env
from ._api_calls import keyword_arg, laid_out
from ._facts import Facts
from ._literals import REDACTED, describe, make_string, redact_url, string_value
from ._pass import FileState, Rule, Transform
from ._target import ProviderFacts, provider_facts, provider_for_url, provider_for_var

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteClientConstruction: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteClientConstruction", "client_provider", "openai_provider_object", "rebuild_client"]

_ACCOUNT = frozenset({"organization", "project"})
_AZURE = frozenset({"azure_endpoint", "api_version", "azure_deployment", "azure_ad_token",
                    "azure_ad_token_provider"})
_OPENAI_HOSTS = ("api.openai.com",)

Note = Callable[[str, str], None]


def openai_provider_object(call: cst.Call) -> bool:
    """Whether ``call`` passes openai's own ``provider=`` (an object, not a provider name)."""
    return any(arg.keyword is not None and arg.keyword.value == "provider" and string_value(arg.value) is None
               for arg in call.args)


def _has_provider_name(call: cst.Call) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == "provider" and string_value(arg.value)
               for arg in call.args)


def _url_of(expr: cst.BaseExpression, facts: Facts) -> str | None:
    """A URL written in ``expr``: a literal, or the literal default of an environment read."""
    value = string_value(expr)
    if value is not None:
        return value
    access = _env.env_access(expr, facts)
    return string_value(access.default) if access and access.default is not None else None


def client_provider(call: cst.Call, facts: Facts) -> tuple[str, str | None] | None:
    """The provider (and region) a client is already pointed at, by its base URL or variables."""
    for arg in call.args:
        name = arg.keyword.value if arg.keyword else None
        if name == "base_url":
            url = _url_of(arg.value, facts)
            found = provider_for_url(url) if url else None
            if found:
                return found
        if name in ("base_url", "api_key"):
            access = _env.env_access(arg.value, facts)
            owner = provider_for_var(access.var) if access else None
            if owner:
                return owner, None
    return None


class _Builder:
    """Rebuilds one constructor call's arguments."""

    def __init__(self, state: FileState, note: Note, node: cst.CSTNode) -> None:
        self.state, self.note, self.node = state, note, node
        self.facts = state.facts
        self.compat = state.options.style == "compat"

    def api_key(self, arg: cst.Arg, updated: cst.Arg, target: ProviderFacts, converted: bool) -> cst.Arg:
        """DESIGN.md's Keys rule: replace what is certainly OpenAI's (a read of an OpenAI key
        variable, a key written in the source); keep a key the application supplies, marked."""
        value = arg.value
        access = _env.env_access(value, self.facts)
        if access is not None and not access.write and _env.is_openai_key_var(access.var):
            self.state.find(self.node, "env_var", f"{access.var} -> {target.key_var}")
            written = string_value(access.default) if access.default is not None else None
            dropped = bool(written) and not is_placeholder_key(written or "")
            if dropped:
                self.state.find(self.node, "literal_key", f"key written as the default of {access.var} ({REDACTED})")
                self.note("API_KEY", f"a key written in the source ({REDACTED}) was the default of "
                                     f"{access.var}; it was removed: set {target.key_var}")
            if self.compat and (access.default is None or dropped) and not isinstance(value, cst.Subscript):
                # A plain openai client given api_key=None reads OPENAI_API_KEY: OpenAI's key would reach
                # the provider. Read the variable so that a missing one is a KeyError naming it.
                self.state.need_modules.add("os")
                return updated.with_changes(value=_env.environ_item(target.key_var))
            return updated.with_changes(value=_env.renamed(updated.value, target.key_var, drop_default=dropped))
        if access is not None and access.var in target.key_vars:
            return updated
        literal = string_value(value)
        if literal is None and converted:
            return updated  # already a key of the provider the client points at
        if literal is None:
            why = f"an OpenAI key must not reach {target.name}" if self.compat else "the adapter refuses OpenAI keys"
            self.note("API_KEY", f"api_key `{describe(value, self.state.module)}` is supplied by the application: "
                                 f"it must now hold a {target.name} key ({why})")
            return updated
        if is_placeholder_key(literal):
            self.note("API_KEY", f"api_key was the placeholder {literal!r} (no key); it now reads "
                                 f"{target.key_var}: set that variable")
        else:
            kind = "an OpenAI key" if has_openai_shape(literal) else "a key"
            self.state.find(self.node, "literal_key", f"api_key written in the source ({REDACTED})")
            self.note("API_KEY", f"api_key was {kind} written in the source ({REDACTED}); it now reads "
                                 f"{target.key_var}: set that variable, and revoke the written key")
        self.state.need_modules.add("os")
        return updated.with_changes(value=_env.environ_item(target.key_var))

    def base_url(self, arg: cst.Arg, target: ProviderFacts, converted: bool) -> None:
        """Note what a dropped ``base_url`` held, unless it was OpenAI's or the provider's."""
        if converted:
            return
        value = arg.value
        url = string_value(value)
        if url is not None:
            if any(host in url for host in _OPENAI_HOSTS):
                return
            shown = redact_url(url)
        else:
            access = _env.env_access(value, self.facts)
            shown = f"read from {access.var}" if access else f"`{describe(value, self.state.module)}`"
        var = target.compat_base_url_var if self.compat else target.base_url_var
        self.note("BASE_URL", f"base_url {shown} was dropped; {target.name} is reached at its own "
                              f"API root ({var} overrides it)")

    def compat_url(self, arg: cst.Arg | None, target: ProviderFacts) -> bool:
        access = _env.env_access(arg.value, self.facts) if arg is not None else None
        return access is not None and access.var == target.compat_base_url_var


def rebuild_client(original: cst.Call, updated: cst.Call, state: FileState, note: Note,
                   site: cst.CSTNode | None = None) -> cst.Call:
    """``updated`` (an OpenAI client construction) with arguments for the provider; findings are
    placed at ``site`` (default ``original``: a call built by a transform is in no line)."""
    facts = state.facts
    found = client_provider(original, facts)
    target = provider_facts(found[0]) if found else state.target
    region = found[1] if found else None
    build = _Builder(state, note, original if site is None else site)
    args: list[cst.Arg] = []
    azure = facts.resolve(original.func) in ("openai.AzureOpenAI", "openai.AsyncAzureOpenAI")
    has_key = False
    account: list[str] = []
    base_arg = next((a for a in original.args if a.keyword is not None and a.keyword.value == "base_url"), None)
    for arg, new in zip(original.args, updated.args, strict=True):
        name = arg.keyword.value if arg.keyword else None
        if arg.star == "**":
            note("CLIENT_KWARGS", f"check the options in `**{describe(arg.value, state.module)}`: an "
                                  f"api_key or base_url in them must be {target.name}'s")
        if name == "api_key":
            has_key = True
            args.append(build.api_key(arg, new, target, found is not None))
            if build.compat and not build.compat_url(base_arg, target):
                args.append(keyword_arg("base_url", _env.environ_get(target.compat_base_url_var, target.compat_base_url)))
        elif name == "base_url":
            if build.compat and build.compat_url(arg, target):
                args.append(new)
            else:
                build.base_url(arg, target, found is not None)
        elif name in _ACCOUNT:
            account.append(f"{name}=`{describe(arg.value, state.module)}`")
        elif name in _AZURE:
            azure = True
        elif name == "http_client" and not build.compat:
            note("HTTP_CLIENT", "the adapter replaces this http_client with its own transport: move "
                                "proxy or TLS settings to the environment")
            args.append(new)
        else:
            args.append(new)
    if account:
        note("ORGANIZATION", f"{' and '.join(account)} removed: {target.name} has no OpenAI organization or "
                             f"project (its key decides the account); drop the setting where it comes from")
    if azure:
        note("AZURE", f"Azure OpenAI settings were removed; deployment names used as model= must "
                      f"become {target.name} models (--model-map)")
    if build.compat:
        front = [] if has_key else [keyword_arg("api_key", _env.environ_item(target.key_var))]
        if not has_key and not build.compat_url(base_arg, target):
            front.append(keyword_arg("base_url", _env.environ_get(target.compat_base_url_var, target.compat_base_url)))
        state.need_modules.add("os")
        args = [*front, *args]
    else:
        extra = [keyword_arg("region", make_string(region))] if region else []
        args = [keyword_arg("provider", make_string(target.name)), *extra, *args]
    return updated.with_changes(args=laid_out(args, updated))


class ClientConstructionRule(Rule):
    def _on_compat(self, call: cst.Call) -> bool:
        found = client_provider(call, self.facts)
        target = provider_facts(found[0]) if found else self.state.target
        base = next((a for a in call.args if a.keyword is not None and a.keyword.value == "base_url"), None)
        access = _env.env_access(base.value, self.facts) if base is not None else None
        return access is not None and access.var == target.compat_base_url_var

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        built = self.facts.client_constructor(original_node)
        if built is None:
            return updated_node
        if openai_provider_object(original_node):
            self.state.find(original_node, "openai_provider", "client built with openai's own provider=")
            self.state.todo(original_node, "OPENAI_PROVIDER",
                            f"this client uses openai's own provider= object and was left alone: "
                            f"switch it to adapters.OpenAI(provider=\"{self.state.provider}\") by hand "
                            f"if it should run on {self.state.provider}")
            return updated_node
        if _has_provider_name(original_node):
            return updated_node  # already built for a provider
        if self.options.style == "compat" and (built.startswith("adapters.") or self._on_compat(original_node)):
            return updated_node  # already pointed at the compatible endpoint
        result = rebuild_client(original_node, updated_node, self.state,
                                lambda code, message: self.state.todo(original_node, code, message))
        self.state.find(original_node, "client", f"{built.rsplit('.', 1)[1]} client")
        if result.deep_equals(updated_node):
            return updated_node
        self.state.edited()
        return result


TRANSFORM = Transform(
    "RewriteClientConstruction", (ClientConstructionRule,),
    "Give OpenAI client constructions the provider, its key variable and no OpenAI-only options.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
