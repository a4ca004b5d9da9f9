"""Turn openai 0.x calls and module settings into openai>=1 module-client code (detected per file).

    openai.api_base = BASE                       ->  openai.base_url = BASE
    openai.ChatCompletion.create(engine="gpt-4", messages=m, request_timeout=30)
                                                 ->  openai.chat.completions.create(model="gpt-4", messages=m, timeout=30)
    await openai.Embedding.acreate(model=M, input=x)
                                                 ->  await aclient.embeddings.create(model=M, input=x)
                                                     (with ``aclient = adapters.LazyAsyncOpenAI(...)`` once per module,
                                                     built on first use; with ``--style compat`` a cached
                                                     function ``aclient()`` building ``openai.AsyncOpenAI``)

The result is openai>=1 code on the module-level client, which the modern transforms then move to
the provider like any other (``RewriteModuleClient`` gives the module its own client). Only files
that use a 0.x name are touched.

Leaves alone: openai>=1 code. Marks with TODO(migrate): 0.x APIs with no 1.x equivalent
(``LEGACY_API``: ``openai.Edit``, ``openai.FineTune``, ``openai.Engine``..., imports of the removed
``openai.embeddings_utils``), per-call
``api_key``/``api_base``/``api_type``/``api_version``/``organization`` (``LEGACY_ARGS``: dropped,
configure the client instead), ``openai.api_key_path`` and ``openai.api_type`` (``LEGACY_SETTING``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ._api_calls import keyword_arg
from ._facts import Facts
from ._first_use import built_on_first_use, reference, set_apart
from ._imports import import_of
from ._pass import FileState, Rule, Transform
from ._qualnames import dotted

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteLegacyCalls: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "ASYNC_METHODS", "LEGACY_CALLS", "RewriteLegacyCalls", "is_legacy", "legacy_call"]

#: 0.x ``openai.<Class>.<method>`` -> openai>=1 resource path.
LEGACY_CALLS = {
    "ChatCompletion.create": "chat.completions.create",
    "Completion.create": "completions.create",
    "Embedding.create": "embeddings.create",
    "Model.list": "models.list",
    "Model.retrieve": "models.retrieve",
    "Model.delete": "models.delete",
    "Image.create": "images.generate",
    "Image.create_edit": "images.edit",
    "Image.create_variation": "images.create_variation",
    "Moderation.create": "moderations.create",
    "File.create": "files.create",
    "File.list": "files.list",
    "File.retrieve": "files.retrieve",
    "File.delete": "files.delete",
    "File.download": "files.content",
    "FineTuningJob.create": "fine_tuning.jobs.create",
    "FineTuningJob.list": "fine_tuning.jobs.list",
    "FineTuningJob.retrieve": "fine_tuning.jobs.retrieve",
    "FineTuningJob.cancel": "fine_tuning.jobs.cancel",
    "FineTuningJob.list_events": "fine_tuning.jobs.list_events",
    "Audio.transcribe": "audio.transcriptions.create",
    "Audio.translate": "audio.translations.create",
}
#: 0.x async method -> its sync name.
ASYNC_METHODS = {"acreate": "create", "alist": "list", "aretrieve": "retrieve", "adelete": "delete",
                 "atranscribe": "transcribe", "atranslate": "translate", "acreate_edit": "create_edit",
                 "acreate_variation": "create_variation", "adownload": "download", "acancel": "cancel"}
LEGACY_CLASSES = frozenset({name.split(".")[0] for name in LEGACY_CALLS} |
                           {"Edit", "FineTune", "Engine", "Deployment", "Customer", "ErrorObject"})
_RENAMED_SETTINGS = {"api_base": "base_url"}
_DROPPED_SETTINGS = frozenset({"api_type", "api_key_path", "app_info", "requestssession", "proxy",
                               "enable_telemetry", "debug", "log", "verify_ssl_certs"})
_CALL_ONLY = frozenset({"api_key", "api_base", "api_type", "api_version", "organization"})
_AUDIO_POSITIONAL = ("model", "file")


def is_legacy(facts: Facts) -> bool:
    """Whether the module uses anything of openai 0.x."""
    if any(target.startswith(("openai.error", "openai.embeddings_utils")) or
           target.split(".")[1:2] and target.split(".")[1] in LEGACY_CLASSES
           for target in facts.imports.names.values() if target.startswith("openai.")):
        return True
    aliases = set(facts.imports.locals_for("openai"))
    return any(name in aliases and (attr in LEGACY_CLASSES or attr == "error" or attr in _RENAMED_SETTINGS
                                    or attr in _DROPPED_SETTINGS)
               for name, attr in facts.name_attrs)


def legacy_call(call: cst.Call, facts: Facts) -> tuple[str, bool] | None:
    """``("Class.method", is_async)`` for a 0.x API call (sync name for an async method)."""
    name = facts.resolve(call.func)
    if name is None or not name.startswith("openai."):
        return None
    parts = name.split(".")[1:]
    if len(parts) != 2 or parts[0] not in LEGACY_CLASSES:
        return None
    method = ASYNC_METHODS.get(parts[1], parts[1])
    return f"{parts[0]}.{method}", method != parts[1]


def _kw(name: str, value: cst.BaseExpression, like: cst.Arg) -> cst.Arg:
    return like.with_changes(keyword=cst.Name(name), value=value, star="",
                             equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


class LegacyCallsRule(Rule):
    @classmethod
    def applies(cls, facts: Facts) -> bool:
        return is_legacy(facts)

    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        aliases = self.facts.imports.locals_for("openai")
        self.alias = aliases[0] if aliases else "openai"
        taken = set(self.facts.loads) | set(self.facts.stores) | set(self.facts.imports.names)
        self.async_name = next(n for n in ("aclient", "async_client", "openai_async_client") if n not in taken)
        self.async_used = False

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        found = legacy_call(original_node, self.facts)
        if found is None:
            return updated_node
        name, is_async = found
        path = LEGACY_CALLS.get(name)
        if path is None:
            self.state.find(original_node, "unsupported", f"openai.{name} (0.x, no 1.x equivalent)")
            self.state.todo(original_node, "LEGACY_API", f"openai.{name} has no openai>=1 equivalent: "
                                                         f"rewrite it with chat.completions or remove it")
            return updated_node
        receiver: cst.BaseExpression = cst.Name(self.alias)
        if is_async:
            receiver = reference(self.async_name, self.options.style == "compat")
            self.async_used = True
        self.state.need_modules.add("openai")  # present already unless only `from openai import X` was used
        func: cst.BaseExpression = receiver
        for part in path.split("."):
            func = cst.Attribute(func, cst.Name(part))
        self.state.edited()
        return updated_node.with_changes(func=func, args=self._args(original_node, updated_node, name))

    def _args(self, original: cst.Call, updated: cst.Call, name: str) -> list[cst.Arg]:
        args: list[cst.Arg] = []
        dropped: list[str] = []
        has_model = any(a.keyword is not None and a.keyword.value == "model" for a in original.args)
        for index, arg in enumerate(updated.args):
            keyword = arg.keyword.value if arg.keyword else None
            if keyword is None and not arg.star and name.startswith("Audio.") and index < len(_AUDIO_POSITIONAL):
                args.append(_kw(_AUDIO_POSITIONAL[index], arg.value, arg))
            elif keyword in ("engine", "deployment_id"):
                if not has_model:
                    args.append(arg.with_changes(keyword=cst.Name("model")))
                    has_model = True
            elif keyword == "request_timeout":
                args.append(arg.with_changes(keyword=cst.Name("timeout")))
            elif keyword in _CALL_ONLY:
                dropped.append(keyword)
            else:
                args.append(arg)
        if dropped:
            self.state.todo(original, "LEGACY_ARGS", f"{', '.join(dropped)} per call is not accepted by "
                                                     f"openai>=1 and was dropped: configure the client")
        if args and len(args) < len(updated.args):
            args[-1] = args[-1].with_changes(comma=updated.args[-1].comma)
        return args

    def leave_Attribute(self, original_node: cst.Attribute,
                        updated_node: cst.BaseExpression) -> cst.BaseExpression:
        if not isinstance(original_node.value, cst.Name) or self.facts.resolve(original_node.value) != "openai":
            return updated_node
        new = _RENAMED_SETTINGS.get(original_node.attr.value)
        if new is None or not isinstance(updated_node, cst.Attribute):
            return updated_node
        self.state.edited()
        return updated_node.with_changes(attr=cst.Name(new))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted(node.module) if node.module is not None and not node.relative else None
        if module == "openai.embeddings_utils":
            self._embeddings_utils(node)

    def visit_Import(self, node: cst.Import) -> None:
        if any(dotted(alias.name) == "openai.embeddings_utils" for alias in node.names):
            self._embeddings_utils(node)

    def _embeddings_utils(self, node: cst.CSTNode) -> None:
        self.state.find(node, "unsupported", "openai.embeddings_utils (0.x, removed in openai>=1)")
        self.state.todo(node, "LEGACY_API", "openai.embeddings_utils does not exist in openai>=1: copy the "
                                            "helpers you use (cosine_similarity is a dot product) and embed "
                                            "with client.embeddings.create")

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        setting = _setting(original_node, self.facts)
        if setting in _DROPPED_SETTINGS:
            self.state.todo(original_node, "LEGACY_SETTING",
                            f"openai.{setting} does not exist in openai>=1: configure the client instead "
                            f"(an Azure api_type needs no setting on the provider)")
        elif setting == "api_base" and len(self.state.stack) > 1:  # in a function or block: no client takes it
            target = self.state.target
            self.state.todo(original_node, "BASE_URL",
                            f"openai.api_base (0.x) becomes openai.base_url, which only openai's own module "
                            f"client reads: the migrated clients reach {target.name} at its own API root "
                            f"({target.base_url_var} overrides it), so the root, relay or proxy set here is not "
                            f"used; drop this setting, or set {target.base_url_var} where it comes from")
        return updated_node

    def leave_Module(self, _original: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.async_used:
            return updated_node
        body = list(updated_node.body)
        settings = [i for i, s in enumerate(self.state.module.body) if _setting(s, self.facts)]
        args = []
        for i in settings:
            line = self.state.module.body[i]
            assert isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], cst.Assign)
            name = _setting(line, self.facts) or ""
            name = _RENAMED_SETTINGS.get(name, name)
            if name not in _DROPPED_SETTINGS:
                args.append(keyword_arg(name, line.body[0].value))
        # Built on first use, as the 0.x module was configured: importing needs no key.
        compat = self.options.style == "compat"
        owner, cls = ("openai", "AsyncOpenAI") if compat else ("adapters", "LazyAsyncOpenAI")
        func = cst.Attribute(cst.Name(self.alias if owner == "openai" else owner), cst.Name(cls))
        imports = [i for i, s in enumerate(body) if import_of(s) is not None]
        position = max([*settings, *imports], default=-1) + 1
        client: cst.SimpleStatementLine | cst.FunctionDef
        if compat:  # plain code: a cached function
            client = built_on_first_use(self.state, self.async_name, cst.Call(func, args=args),
                                        f"{self.alias}.AsyncOpenAI")
            client, body = set_apart(client, body, position)
        else:
            client = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(self.async_name))],
                                                         cst.Call(func, args=args))])
        body.insert(position, client)
        self.state.need_modules.add(owner)
        self.state.edited()
        return updated_node.with_changes(body=body)


def _setting(statement: cst.BaseStatement, facts: Facts) -> str | None:
    """The openai module setting a module-level ``openai.X = ...`` line assigns."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    assign = statement.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    target = assign.targets[0].target
    if isinstance(target, cst.Attribute) and facts.resolve(target.value) == "openai" and \
            isinstance(target.value, cst.Name):
        return target.attr.value
    return None


TRANSFORM = Transform(
    "RewriteLegacyCalls", (LegacyCallsRule,),
    "Turn openai 0.x API calls and settings into openai>=1 module-client code.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
