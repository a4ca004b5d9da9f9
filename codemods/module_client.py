"""Give a module its own provider client where it used openai's module-level client (v1 style).

    import openai                                  import adapters
    openai.api_key = os.getenv("OPENAI_API_KEY")   client = adapters.LazyOpenAI(provider="dashscope",
    openai.max_retries = 5                  ->                                  api_key=os.getenv("DASHSCOPE_API_KEY"), max_retries=5)
    openai.chat.completions.create(...)            client.chat.completions.create(...)

The settings assigned at module level (``api_key``, ``base_url``, ``timeout``, ``max_retries``, ...)
become the client's arguments, handled as ``RewriteClientConstruction`` handles them; the client
takes the place of the first setting (or follows the imports) and is named ``client`` unless that
name is taken. The client is built on first use (``adapters.LazyOpenAI``), as openai's module client
was, so importing the module still needs no key. With ``--style compat`` (no runtime of ours) the
client is plain code, a cached function built at the first request (``_first_use``): ``client()``.

instructor 0.x patched openai's module (``instructor.patch()``) so ``create`` took ``response_model=``;
such a file gets an instructor client around its own one, and the calls passing ``response_model``
use it (built on first use as well):

    instructor.patch()                         ->  instructor_client = adapters.lazy(instructor.from_openai, client)
    openai.chat.completions.create(response_model=User, ...)
                                               ->  instructor_client.chat.completions.create(response_model=User, ...)

Leaves alone: files without a module-level API call (settings alone, as configuration modules for
other modules, are legacy territory), the 0.x API (``openai.ChatCompletion``).
Marks with TODO(migrate:MODULE_CLIENT): settings assigned inside functions or blocks. They no longer
configure the client, except ``openai.api_key`` in adapter style when the client was given no key of
its own (or its key is None at run time): ``adapters.LazyOpenAI`` takes that key at the first request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from . import _env
from ._api_calls import RESOURCES, keyword_arg
from ._first_use import built_on_first_use, reference, set_apart
from ._literals import string_value
from ._pass import FileState, Rule, Transform
from ._todo import add_todos
from ._walk import Visitor
from .client_construction import rebuild_client

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteModuleClient: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteModuleClient"]

SETTINGS = ("api_key", "organization", "project", "base_url", "timeout", "max_retries",
            "default_headers", "default_query", "http_client", "websocket_base_url", "webhook_secret",
            "api_version", "azure_endpoint", "azure_ad_token", "azure_ad_token_provider")
_NAMES = ("client", "llm_client", "provider_client")
_INSTRUCTOR_NAMES = ("instructor_client", "structured_client", "instructor_openai_client")


class _Refs(Visitor):
    def __init__(self, names: set[str]) -> None:
        self.names, self.count = names, 0

    def visit_Name(self, node: cst.Name) -> None:
        self.count += node.value in self.names


class ModuleClientRule(Rule):
    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        self.aliases = set(self.facts.imports.locals_for("openai"))
        self.used = any(attr in RESOURCES and name in self.aliases
                        for (name, attr) in self.facts.name_attrs)
        self.settings: dict[int, tuple[str, cst.Assign]] = {}
        self.name = next((n for n in _NAMES if not (self.facts.loads[n] or self.facts.stores[n]
                                                    or n in self.facts.imports.names)), "openai_client")
        if self.used:
            for index, statement in enumerate(state.module.body):
                found = self._setting(statement)
                if found:
                    self.settings[index] = found
        # instructor 0.x: `instructor.patch()` (no client) patched the openai module itself.
        self.patches = [s for s in state.module.body if self.used and self._instructor_patch(s) is not None]
        self.instructor = next((n for n in _INSTRUCTOR_NAMES if not (self.facts.loads[n] or self.facts.stores[n])),
                               "instructor_client_")

    def _instructor_patch(self, statement: cst.CSTNode) -> cst.Call | None:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        expr = statement.body[0]
        call = expr.value if isinstance(expr, cst.Expr) else None
        if not isinstance(call, cst.Call) or self.facts.resolve(call.func) != "instructor.patch" or \
                any(arg.keyword is None for arg in call.args):
            return None
        return call

    def _setting(self, statement: cst.CSTNode) -> tuple[str, cst.Assign] | None:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        assign = statement.body[0]
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
            return None
        target = assign.targets[0].target
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and \
                target.value.value in self.aliases and target.attr.value in SETTINGS:
            return target.attr.value, assign
        return None

    def leave_Attribute(self, original_node: cst.Attribute,
                        updated_node: cst.BaseExpression) -> cst.BaseExpression:
        if not self.used or not isinstance(original_node.value, cst.Name) or \
                original_node.value.value not in self.aliases or \
                original_node.attr.value not in RESOURCES:
            return updated_node
        assert isinstance(updated_node, cst.Attribute)
        if self.options.style != "compat":  # compat's client is openai.OpenAI: openai stays in use
            self.state.dropped_refs[original_node.value.value] += 1
        self.state.edited()
        return updated_node.with_changes(value=self._client_ref(self.name))

    def _client_ref(self, name: str) -> cst.BaseExpression:
        """The module's client (or instructor client) where it is used: compat's is a function."""
        return reference(name, self.options.style == "compat")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.BaseExpression) -> cst.BaseExpression:
        """A call passing ``response_model`` goes through the instructor client (instructor.patch() files)."""
        if not self.patches or not isinstance(updated_node, cst.Call) or \
                not any(arg.keyword is not None and arg.keyword.value == "response_model" for arg in original_node.args):
            return updated_node
        chain: list[cst.Attribute] = []
        func: cst.BaseExpression = updated_node.func
        while isinstance(func, cst.Attribute):
            chain.append(func)
            func = func.value
        if isinstance(func, cst.Call) and not func.args:  # compat: client()
            func = func.func
        if not (isinstance(func, cst.Name) and func.value == self.name and chain and chain[-1].attr.value == "chat"):
            self.state.todo(original_node, "LEGACY_API", "response_model= needs an instructor client (instructor.patch() "
                                                         "patched openai 0.x itself): call it through "
                                                         "instructor.from_openai(<this client>)")
            return updated_node
        rebuilt: cst.BaseExpression = self._client_ref(self.instructor)
        for attribute in reversed(chain):
            rebuilt = attribute.with_changes(value=rebuilt)
        self.state.edited()
        return updated_node.with_changes(func=rebuilt)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        found = self._setting(original_node) if self.used and len(self.state.stack) > 1 else None
        if found:
            self.state.todo(original_node, "MODULE_CLIENT", self._inner_setting(found[0]))
        return updated_node

    def _inner_setting(self, name: str) -> str:
        """What a setting made inside a function still does: the lazy client (adapter style) takes
        ``openai.api_key`` at first use when it was given no key of its own; nothing else reaches it."""
        compat = self.options.style == "compat"
        client = f"`{self.name}()`" if compat else f"`{self.name}`"
        key_var, provider = self.state.target.key_var, self.state.provider
        moved = "pass it to the client where it is built"
        if name != "api_key" or self.options.style == "compat":
            return f"this setting no longer configures the module's client {client}: {moved}"
        own = next((assign.value for setting, assign in self.settings.values() if setting == "api_key"), None)
        if own is None:
            return (f"the module's client {client} has no key of its own: it takes this openai.api_key (in "
                    f"preference to {key_var}) once, at its first request, so this must run before that and "
                    f"hold a {provider} key; later changes are not seen")
        access = _env.env_access(own, self.facts)
        if isinstance(own, cst.Subscript) or (access is not None and access.default is not None):
            return f"the module's client {client} is given its own key where it is built, so this setting " \
                   f"no longer applies: {moved}"
        when = f"{key_var} is unset" if string_value(own) is not None or \
            (access is not None and _env.is_openai_key_var(access.var)) else "that key is None"
        return (f"the module's client {client} is given its own key where it is built; this setting is taken "
                f"(once, at the first request) only when {when}: {moved}")

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.used:
            return updated_node
        body: list[cst.BaseStatement] = list(updated_node.body)
        notes: list[tuple[str, str]] = []
        anchor: cst.CSTNode = original_node.body[min(self.settings)] if self.settings else original_node

        def note(code: str, message: str) -> None:
            notes.append((code, message))
            self.state.todos.append((anchor, code, message))

        args = [keyword_arg(name, assign.value) for name, assign in self.settings.values()]
        compat = self.options.style == "compat"
        # compat: built through the module's own top-level openai import (`oa.OpenAI`), never a second one
        top = self._top_aliases(original_node)
        module = ("openai" if "openai" in top or not top else min(top)) if compat else "adapters"
        call = cst.Call(cst.Attribute(cst.Name(module), cst.Name("OpenAI")), args=args)
        call = rebuild_client(call, call, self.state, note, site=anchor)
        if not compat:  # built on first use, as openai's module client was: importing needs no key
            call = call.with_changes(func=cst.Attribute(cst.Name("adapters"), cst.Name("LazyOpenAI")),
                                     args=[self._lazy_key(arg) for arg in call.args])
        if module not in top:
            self.state.need_modules.add(module)
        client: cst.SimpleStatementLine | cst.FunctionDef = \
            built_on_first_use(self.state, self.name, call, f"{module}.OpenAI") if compat else \
            cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(self.name))], call)])
        for index in sorted(self.settings, reverse=True):
            counter = _Refs(self.aliases)
            counter.visit(original_node.body[index])
            for alias in self.aliases if self.options.style != "compat" else ():
                self.state.dropped_refs[alias] += counter.count  # over-counts only if two aliases
            removed = body.pop(index)
            assert isinstance(removed, cst.SimpleStatementLine)
            client = client.with_changes(leading_lines=removed.leading_lines)
        position = min(self.settings) if self.settings else self._after_imports(body)
        if not self.settings and position < len(body):
            following = body[position]
            if isinstance(following, cst.SimpleStatementLine | cst.BaseCompoundStatement) and \
                    following.leading_lines:
                client = client.with_changes(leading_lines=[cst.EmptyLine()])  # set apart from the imports
        if isinstance(client, cst.FunctionDef):
            client, body = set_apart(client, body, position)
        body.insert(position, add_todos(client, notes))
        if self.patches:
            body = self._instructor_client(body, position)
        self.state.find(anchor, "module_client", f"openai's module-level client -> {self.name}")
        self.state.edited()
        return updated_node.with_changes(body=body)

    def _lazy_key(self, arg: cst.Arg) -> cst.Arg:
        """``api_key=os.environ["K"]`` written for a key that was not read so (a literal, a config value)
        -> ``os.environ.get("K")``: a subscript would fail at import, where the module failed only at
        the first request; the adapter reads K itself when it builds the client."""
        value = arg.value
        if arg.keyword is None or arg.keyword.value != "api_key" or not isinstance(value, cst.Subscript):
            return arg
        if any(name == "api_key" and isinstance(assign.value, cst.Subscript) for name, assign in self.settings.values()):
            return arg  # the module read the variable at import already (and failed there without it)
        # Built by rebuild_client (maybe with an `import os` still to come): read by shape.
        environ = value.value
        is_environ = (isinstance(environ, cst.Attribute) and environ.attr.value == "environ") or \
            (isinstance(environ, cst.Name) and environ.value == "environ")
        index = value.slice[0].slice if len(value.slice) == 1 else None
        literal = index.value if isinstance(index, cst.Index) else None
        if not is_environ or not isinstance(literal, cst.SimpleString) or \
                string_value(literal) not in self.state.target.key_vars:
            return arg
        get = cst.Attribute(environ, cst.Name("get"))
        return arg.with_changes(value=cst.Call(get, args=[cst.Arg(literal)]))

    def _instructor_client(self, body: list[cst.BaseStatement], client_at: int) -> list[cst.BaseStatement]:
        """``instructor.patch()`` removed; the instructor client built right after the module's client."""
        patch = self._instructor_patch(self.patches[0])
        assert patch is not None and isinstance(self.patches[0], cst.SimpleStatementLine)
        kept = [s for s in body if not any(s is p for p in self.patches)]
        client_at -= sum(1 for s in body[:client_at] if any(s is p for p in self.patches))
        options = [arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in patch.args]
        aliases = self.facts.imports.locals_for("instructor")
        if not aliases:  # `from instructor import patch`
            self.state.need_modules.add("instructor")
        instructor = cst.Attribute(cst.Name(aliases[0] if aliases else "instructor"), cst.Name("from_openai"))
        line: cst.SimpleStatementLine | cst.FunctionDef
        if self.options.style == "compat":
            value: cst.BaseExpression = cst.Call(instructor, args=[cst.Arg(self._client_ref(self.name)), *options])
            line = built_on_first_use(self.state, self.instructor, value, None)
            line, kept = set_apart(line, kept, client_at + 1)
        else:
            lazy = cst.Attribute(cst.Name("adapters"), cst.Name("lazy"))
            value = cst.Call(lazy, args=[cst.Arg(instructor), cst.Arg(cst.Name(self.name)), *options])
            line = self.patches[0].with_changes(body=[cst.Assign([cst.AssignTarget(cst.Name(self.instructor))], value)])
            line = line.with_changes(leading_lines=[e for e in line.leading_lines if e.comment is not None])
        kept.insert(client_at + 1, line)
        self.state.find(self.patches[0], "library", "instructor.patch() -> instructor.from_openai(client)")
        return kept

    @staticmethod
    def _top_aliases(module: cst.Module) -> set[str]:
        """Local names the module's top-level ``import openai [as x]`` statements bind."""
        from ._imports import import_of

        found: set[str] = set()
        for statement in module.body:
            node = import_of(statement)
            if isinstance(node, cst.Import):
                found.update(alias.evaluated_alias or "openai" for alias in node.names
                             if alias.evaluated_name == "openai")
        return found

    @staticmethod
    def _after_imports(body: Sequence[cst.BaseStatement]) -> int:
        from ._imports import import_of

        last = [i for i, s in enumerate(body) if import_of(s) is not None]
        return last[-1] + 1 if last else 0


TRANSFORM = Transform(
    "RewriteModuleClient", (ModuleClientRule,),
    "Build a provider client where the module used openai's module-level client.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
