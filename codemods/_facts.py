"""One read-only walk over a module that collects what every transform needs to decide.

The transforms rewrite in a single pass afterwards; decisions that depend on the whole file
("does ``MODEL`` flow anywhere but ``model=``?", "is ``client`` an OpenAI client?", "is
``OpenAI`` used other than to build a client?") are answered here, by name, without scope
analysis. Where a name is ambiguous the answer is the conservative one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst

from ._api_calls import ADAPTER_CLIENTS, CLIENT_CLASSES, ApiCall, keyword, split_api_call
from ._literals import string_value
from ._model_flow import Flow, FlowFacts, Leaf, Symbol, keyed, option_dest, origins, unwrap_default
from ._qualnames import ImportTable, dotted
from ._walk import Visitor

__all__ = ["Facts", "collect"]

OPENAI_CLIENTS = frozenset(f"openai.{name}" for name in CLIENT_CLASSES)
_CLIENT_COPIES = frozenset({"with_options", "copy"})
_OPTIONS = frozenset({"add_argument", "option"})  # argparse, click
_TOKENIZERS = frozenset({"encoding_for_model", "encoding_name_for_model", "from_tiktoken_encoder"})


@dataclass
class Facts:
    """What one module holds, by name."""

    imports: ImportTable = field(default_factory=ImportTable)
    loads: Counter[str] = field(default_factory=Counter)
    attr_loads: Counter[str] = field(default_factory=Counter)
    #: (name, attribute) for every ``name.attribute``.
    name_attrs: set[tuple[str, str]] = field(default_factory=set)
    stores: Counter[str] = field(default_factory=Counter)
    attr_stores: Counter[str] = field(default_factory=Counter)
    call_funcs: Counter[str] = field(default_factory=Counter)
    provider_calls: Counter[str] = field(default_factory=Counter)
    assigned_calls: dict[str, list[cst.Call]] = field(default_factory=lambda: defaultdict(list))
    attr_assigned_calls: dict[str, list[cst.Call]] = field(default_factory=lambda: defaultdict(list))
    annotations: dict[str, list[cst.BaseExpression]] = field(default_factory=lambda: defaultdict(list))
    module_constants: dict[str, cst.SimpleString] = field(default_factory=dict)
    class_constants: dict[str, list[cst.SimpleString]] = field(default_factory=lambda: defaultdict(list))
    flow: FlowFacts = field(default_factory=FlowFacts)
    #: Model names given to tokenizers (``tiktoken.encoding_for_model``): literal nodes by id, and
    #: how often each variable is given to one.
    tokenizer_literals: set[int] = field(default_factory=set)
    tokenizer_names: Counter[str] = field(default_factory=Counter)

    def tokenizer_only(self, node: cst.BaseExpression) -> bool:
        """Whether a literal is a tokenizer's model name, given to one or held by a module constant
        that only tokenizers use: no provider call's model."""
        if id(node) in self.tokenizer_literals:
            return True
        names = [name for name, literal in self.module_constants.items() if literal is node]
        return bool(names) and all(0 < self.tokenizer_names[name] == self.loads[name] for name in names)

    @property
    def uses_openai(self) -> bool:
        """Whether the module imports openai (or adapters, once migrated)."""
        return self.imports.imports_module("openai", "adapters")

    def resolve(self, expr: cst.BaseExpression) -> str | None:
        return self.imports.resolve(expr)

    def client_constructor(self, call: cst.Call) -> str | None:
        """``openai.OpenAI``-like or ``adapters.OpenAI``-like name of the class ``call`` builds."""
        name = self.resolve(call.func)
        return name if name in OPENAI_CLIENTS or name in ADAPTER_CLIENTS else None

    def _built_by(self, calls: list[cst.Call], annotations: list[cst.BaseExpression]) -> bool | None:
        kinds = {self.client_constructor(call) is not None for call in calls}
        kinds |= {self.resolve(a) in OPENAI_CLIENTS or self.resolve(a) in ADAPTER_CLIENTS
                  for a in annotations if self.resolve(a) is not None}
        if True in kinds:
            return True
        if calls and all(self.resolve(call.func) is not None for call in calls):
            return False  # built by something imported from elsewhere (Groq(), ZhipuAI(), ...)
        return None

    def is_client(self, expr: cst.BaseExpression) -> bool | None:
        """True: an OpenAI client (or the openai module's own); False: surely not; None: unknown."""
        if isinstance(expr, cst.Call):
            if self.client_constructor(expr) is not None:
                return True
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in _CLIENT_COPIES:
                return self.is_client(expr.func.value)
            return None
        resolved = self.resolve(expr)
        if resolved == "openai":
            return True  # the module-level client
        if resolved is not None:
            return None  # imported from elsewhere: `from app.llm import client` may well be one
        if isinstance(expr, cst.Name):
            return self._built_by(self.assigned_calls.get(expr.value, []),
                                  self.annotations.get(expr.value, []))
        if isinstance(expr, cst.Attribute):
            return self._built_by(self.attr_assigned_calls.get(expr.attr.value, []), [])
        return None

    def api_call(self, call: cst.Call) -> ApiCall | None:
        """The OpenAI API call ``call`` makes, when it surely (or very plausibly) is one."""
        api = split_api_call(call.func)
        if api is None:
            return None
        known = self.is_client(api.receiver)
        if known is not None:
            return api if known else None
        if not api.distinctive:
            return None
        if self.uses_openai or api.endpoint in {"chat.completions", "embeddings"}:
            return api
        return None

    @cached_property
    def model_flow(self) -> Flow:
        """The literals that reach the ``model=`` of this module's OpenAI calls (``_model_flow``)."""
        self.flow.define_keywords()
        sinks: list[tuple[cst.Call, list[Leaf]]] = []
        splats: Counter[str] = Counter()
        for call, expr in self.flow.sinks:
            if self.api_call(call) is not None:
                sinks.append((call, list(origins(expr, self.resolve))))
        for call, name in self.flow.splats:
            if self.api_call(call) is not None:
                sinks.append((call, [Leaf(call, ("item", name, "model"))]))
                splats[name] += 1

        def uses(symbol: Symbol) -> int:
            if symbol[0] == "name":
                return self.loads[symbol[1]] - self.flow.declared[symbol[1]]
            if symbol[0] == "attr":
                return self.attr_loads[symbol[1]]
            return self.flow.item_uses[(symbol[1], symbol[2])] + (splats[symbol[1]] if symbol[2] == "model" else 0)

        def contained(name: str) -> bool:
            return self.loads[name] - self.flow.declared[name] == self.flow.keyed_loads[name] + splats[name]

        return Flow.build(self.flow, sinks, uses, contained, self.resolve)


def _string_constant(statement: cst.BaseStatement) -> tuple[str, cst.SimpleString] | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None
    if isinstance(target, cst.Name) and isinstance(value, cst.SimpleString) and string_value(value):
        return target.value, value
    return None


def _tokenizer_args(call: cst.Call) -> list[cst.BaseExpression]:
    """The model names a tokenizer call is given (``encoding_for_model("gpt-4o")``,
    ``from_tiktoken_encoder(model_name=...)``, ``tiktoken_model_name=``)."""
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    if name in _TOKENIZERS:
        return [a.value for a in call.args if a.keyword is None and not a.star or
                a.keyword is not None and a.keyword.value in ("model", "model_name")]
    return [a.value for a in call.args if a.keyword is not None and a.keyword.value == "tiktoken_model_name"]


def _field(statement: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    """``(name, value)`` of a class body's ``name = value`` / ``name: T = value``."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value
    if isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
        return small.target.value, small.value
    return None


class _Collector(Visitor):
    def __init__(self) -> None:
        self.facts = Facts()

    # imports: recorded, not counted as uses
    def visit_Import(self, node: cst.Import) -> bool:
        self.facts.imports.add(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.facts.imports.add(node)
        return False

    def visit_Module(self, node: cst.Module) -> None:
        for statement in node.body:
            found = _string_constant(statement)
            if found:
                self.facts.module_constants.setdefault(found[0], found[1])

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.facts.flow.declared[node.name.value] += 1
        self.facts.flow.callables[node.name.value] = "class"
        if not isinstance(node.body, cst.IndentedBlock):
            return
        for statement in node.body.body:
            found = _string_constant(statement)
            if found:
                self.facts.class_constants[found[0]].append(found[1])
            field_ = _field(statement)
            if field_:
                self.facts.flow.define(("attr", field_[0]), unwrap_default(field_[1]))
                if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.AnnAssign):
                    self.facts.flow.settable.add(("attr", field_[0]))  # a dataclass / pydantic field

    def visit_Name(self, node: cst.Name) -> None:
        self.facts.loads[node.value] += 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.facts.flow.declared[node.name.value] += 1
        self.facts.flow.callables.setdefault(node.name.value, "function")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.facts.flow.note_keyed(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.facts.attr_loads[node.attr.value] += 1
        if isinstance(node.value, cst.Name):
            self.facts.name_attrs.add((node.value.value, node.attr.value))
        self.visit(node.value)
        return False  # `attr` is not a use of a variable of that name

    def visit_Arg(self, node: cst.Arg) -> bool:
        self.visit(node.value)
        return False  # the keyword is not a use either

    def _store(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> bool:
        """Record a store; True when the target needs no further visiting."""
        flow = self.facts.flow
        if isinstance(target, cst.Name):
            self.facts.stores[target.value] += 1
            if isinstance(value, cst.Call):
                self.facts.assigned_calls[target.value].append(value)
            flow.define(("name", target.value), value)
            if value is not None:
                flow.define_dict(target.value, value)
            return True
        if isinstance(target, cst.Attribute):
            self.facts.attr_stores[target.attr.value] += 1
            if isinstance(value, cst.Call):
                self.facts.attr_assigned_calls[target.attr.value].append(value)
            flow.define(("attr", target.attr.value), value)
            self.visit(target.value)
            return True
        item = keyed(target) if isinstance(target, cst.Subscript) else None
        if item is not None:  # d["k"] = value: a definition, not a use of the item
            assert isinstance(target, cst.Subscript)
            flow.define(("item", *item), value)
            flow.keyed_loads[item[0]] += 1
            self.visit(target.value)
            return True
        return False

    def visit_Assign(self, node: cst.Assign) -> bool:
        for target in node.targets:
            if not self._store(target.target, node.value):
                self.visit(target)
        self.visit(node.value)
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        if isinstance(node.target, cst.Name):
            self.facts.annotations[node.target.value].append(node.annotation.annotation)
        if not self._store(node.target, node.value):
            self.visit(node.target)
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
        return False

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.facts.stores[node.target.value] += 1  # and a load: visited as a Name too

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name) and \
                isinstance(node.item, cst.Call):
            self.facts.assigned_calls[node.asname.name.value].append(node.item)

    def visit_Param(self, node: cst.Param) -> None:
        if node.annotation is not None:
            self.facts.annotations[node.name.value].append(node.annotation.annotation)
        self.facts.flow.declared[node.name.value] += 1
        self.facts.flow.settable.add(("name", node.name.value))
        if node.default is not None:
            self.facts.flow.define(("name", node.name.value), unwrap_default(node.default))

    def _tokenizer(self, node: cst.Call) -> None:
        for value in _tokenizer_args(node):
            if isinstance(value, cst.SimpleString | cst.ConcatenatedString):
                self.facts.tokenizer_literals.add(id(value))
            elif isinstance(value, cst.Name):
                self.facts.tokenizer_names[value.value] += 1

    def visit_Call(self, node: cst.Call) -> None:
        func = dotted(node.func)
        if func is not None:
            self.facts.call_funcs[func] += 1
            provider = keyword(node, "provider")
            if provider is not None and string_value(provider.value) is None:
                self.facts.provider_calls[func] += 1  # openai's own provider= object
        self._tokenizer(node)
        flow = self.facts.flow
        flow.note_keyed(node)
        if split_api_call(node.func) is not None:
            model = keyword(node, "model")
            if model is not None:
                flow.sinks.append((node, model.value))
            flow.splats += [(node, arg.value.value) for arg in node.args
                            if arg.star == "**" and isinstance(arg.value, cst.Name)]
            return
        callee = node.func.attr.value if isinstance(node.func, cst.Attribute) else \
            node.func.value if isinstance(node.func, cst.Name) else None
        if callee is not None:  # maybe this module's own function or class: see FlowFacts.define_keywords
            flow.keywords += [(callee, arg.keyword.value, arg.value) for arg in node.args if arg.keyword is not None]
        if isinstance(node.func, cst.Attribute) and callee in _OPTIONS:
            default = keyword(node, "default")
            dest = option_dest(node) if default is not None else None
            if dest is not None and default is not None:  # argparse: args.<dest>; click: a parameter
                kind = "attr" if callee == "add_argument" else "name"
                flow.define((kind, dest), default.value)
                flow.settable.add((kind, dest))


def collect(module: cst.Module) -> Facts:
    """Walk ``module`` once and return its facts."""
    collector = _Collector()
    collector.visit(module)
    return collector.facts
