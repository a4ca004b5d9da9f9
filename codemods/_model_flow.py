"""Which string literals flow into the ``model=`` of an OpenAI call, and through what.

    MODEL = os.getenv("CHAT_MODEL", "gpt-4o")          # an environment read's default
    MODEL = os.getenv("CHAT_MODEL") or "gpt-4o"        # `x or "literal"`, `a if c else b`
    def ask(q, model="gpt-4o"): ...                    # a parameter's default (typer.Option too)
    class Settings: model: str = Field("gpt-4o")       # a dataclass / pydantic field
    parser.add_argument("--model", default="gpt-4o")   # argparse (args.model), click.option
    CONFIG = {"model": "gpt-4o"}                       # a config dict: CONFIG["model"], **CONFIG
    self.model = model or "gpt-4o"                     # an attribute set from any of these
    client.chat.completions.create(model=MODEL, ...)   # the sink

Names are followed by name, file-wide, without scope analysis (``_facts`` says why): a variable
``model``, an attribute ``.model``, an item ``CONFIG["model"]``. A literal is *mapped* (rewritten
like a literal at the call) when every use of every name on its way is a ``model=`` of an OpenAI
call or feeds such a name; otherwise it is *kept*: it also feeds something else (a tokenizer, a
log line), so it keeps its OpenAI name and the runtime maps it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from ._literals import string_value

__all__ = ["Flow", "FlowFacts", "Symbol", "option_dest", "origins", "unwrap_default"]

#: ("name", n) a variable; ("attr", a) an attribute; ("item", d, k) the item ``k`` of a dict ``d``.
Symbol = tuple[str, ...]
Literal = cst.SimpleString | cst.ConcatenatedString
Resolve = Callable[[cst.BaseExpression], "str | None"]

_READS = frozenset({"os.environ.get", "os.getenv"})
#: Wrappers whose first argument (or ``default=``) is a field's or parameter's default.
_DEFAULT_WRAPPERS = frozenset({"Field", "field", "Option", "Argument"})


def unwrap_default(expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """The default inside ``Field("x")`` / ``field(default="x")`` / ``typer.Option("x")``, else ``expr``."""
    if not isinstance(expr, cst.Call):
        return expr
    func = expr.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) \
        else None
    if name not in _DEFAULT_WRAPPERS:
        return expr
    for arg in expr.args:
        if arg.keyword is not None and arg.keyword.value == "default":
            return arg.value
    first = expr.args[0] if expr.args else None
    if first is not None and first.keyword is None and not first.star and name != "field":
        return first.value
    return None


def option_dest(call: cst.Call) -> str | None:
    """The attribute (argparse) or parameter (click) a command-line option stores into."""
    names: list[str] = []
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "dest":
            return string_value(arg.value)
        if arg.keyword is None and not arg.star:
            value = string_value(arg.value)
            if value is not None:
                names.append(value)
    long = [n for n in names if n.startswith("--")]
    plain = [n for n in names if not n.startswith("-") and n.isidentifier()]
    chosen = long[0] if long else plain[0] if plain else None
    return chosen.lstrip("-").replace("-", "_") if chosen else None


@dataclass
class FlowFacts:
    """What the facts walk gathers for the flow (``_facts._Collector`` fills it)."""

    #: (call, the value of its ``model=``) for every call shaped like an OpenAI call.
    sinks: list[tuple[cst.Call, cst.BaseExpression]] = field(default_factory=list)
    #: (call, d) for every ``**d`` given to a call shaped like an OpenAI call.
    splats: list[tuple[cst.Call, str]] = field(default_factory=list)
    defs: dict[Symbol, list[cst.BaseExpression]] = field(default_factory=lambda: defaultdict(list))
    #: Name nodes that declare (parameters, def and class names): not uses.
    declared: Counter[str] = field(default_factory=Counter)
    #: Symbols whose value the code outside this file (or the command line, or the environment for a
    #: settings class) may set at run time: parameters, command-line options, annotated class fields.
    settable: set[Symbol] = field(default_factory=set)
    #: Loads of ``d`` as ``d["k"]`` / ``d.get("k", ...)``, and item uses by (d, k).
    keyed_loads: Counter[str] = field(default_factory=Counter)
    item_uses: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Functions and classes this module defines, and (callee, keyword, value) of every call's
    #: keyword arguments: ``ask(q, model="gpt-4o")`` defines ``ask``'s parameter ``model``.
    callables: dict[str, str] = field(default_factory=dict)
    keywords: list[tuple[str, str, cst.BaseExpression]] = field(default_factory=list)

    def define_keywords(self) -> None:
        """Keyword arguments given to this module's functions define their parameters (and, for a
        class, its fields); call once, before the flow is built."""
        for callee, name, value in self.keywords:
            kind = self.callables.get(callee)
            if kind is not None:
                self.define(("name", name), value)
                if kind == "class":
                    self.define(("attr", name), value)
        self.keywords = []

    def define(self, symbol: Symbol, value: cst.BaseExpression | None) -> None:
        if value is not None:
            self.defs[symbol].append(value)

    def define_dict(self, name: str, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Dict):
            for element in value.elements:
                key = string_value(element.key) if isinstance(element, cst.DictElement) else None
                if key is not None and isinstance(element, cst.DictElement):
                    self.define(("item", name, key), element.value)

    def note_keyed(self, expr: cst.BaseExpression) -> None:
        """Count ``d["k"]`` and ``d.get("k", ...)`` (``expr`` is a Subscript or a Call)."""
        found = keyed(expr)
        if found is not None:
            self.keyed_loads[found[0]] += 1
            self.item_uses[found] += 1


def keyed(expr: cst.BaseExpression) -> tuple[str, str] | None:
    """``(d, k)`` for ``d["k"]`` or ``d.get("k"[, default])``."""
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name) and len(expr.slice) == 1:
        index = expr.slice[0].slice
        key = string_value(index.value) if isinstance(index, cst.Index) else None
        return (expr.value.value, key) if key is not None else None
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get" \
            and isinstance(expr.func.value, cst.Name) and expr.args and expr.args[0].keyword is None:
        key = string_value(expr.args[0].value)
        return (expr.func.value.value, key) if key is not None else None
    return None


@dataclass(frozen=True)
class Leaf:
    """Where a value may come from: a literal, or a name to follow."""

    node: cst.BaseExpression
    symbol: Symbol | None  # None: ``node`` is a literal


def origins(expr: cst.BaseExpression, resolve: Resolve) -> Iterator[Leaf]:
    """The literals and names ``expr``'s value may come from (nothing for what is computed)."""
    if isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
        if string_value(expr):
            yield Leaf(expr, None)
    elif isinstance(expr, cst.Name):
        if expr.value not in ("None", "True", "False"):
            yield Leaf(expr, ("name", expr.value))
    elif isinstance(expr, cst.Attribute):
        yield Leaf(expr, ("attr", expr.attr.value))
    elif isinstance(expr, cst.BooleanOperation):
        yield from origins(expr.left, resolve)
        yield from origins(expr.right, resolve)
    elif isinstance(expr, cst.IfExp):
        yield from origins(expr.body, resolve)
        yield from origins(expr.orelse, resolve)
    elif isinstance(expr, cst.Subscript):
        found = keyed(expr)
        if found is not None:
            yield Leaf(expr, ("item", *found))
    elif isinstance(expr, cst.Call):
        found = keyed(expr)
        if found is not None:
            yield Leaf(expr, ("item", *found))
        if found is not None or resolve(expr.func) in _READS:
            if len(expr.args) > 1 and expr.args[1].keyword is None:
                yield from origins(expr.args[1].value, resolve)


@dataclass
class Reach:
    """A literal that reaches ``model=``: the calls it reaches, and whether this run maps it."""

    node: Literal
    calls: list[cst.Call]
    mapped: bool
    owner: Symbol | None  #: the name whose definition holds it (None: written at the call)

    @property
    def via(self) -> str | None:
        """The name the literal reaches ``model=`` through, as code spells it."""
        if self.owner is None:
            return None
        return f'{self.owner[1]}["{self.owner[2]}"]' if self.owner[0] == "item" else self.owner[1]


@dataclass
class Flow:
    """The literals reaching each OpenAI call's ``model=``, by literal and by call (node ids)."""

    literals: dict[int, Reach] = field(default_factory=dict)
    by_call: dict[int, list[Reach]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, raw: FlowFacts, sinks: list[tuple[cst.Call, list[Leaf]]], uses: Callable[[Symbol], int],
              contained: Callable[[str], bool], resolve: Resolve) -> Flow:
        """``sinks``: each OpenAI call with the leaves of its ``model=`` (``**d`` too); ``uses``: how
        often a name is used in the file; ``contained(d)``: every load of ``d`` is keyed or a splat."""
        def_leaves = {symbol: [leaf for value in values for leaf in origins(value, resolve)]
                      for symbol, values in raw.defs.items()}
        at_sinks: Counter[Symbol] = Counter(leaf.symbol for _, leaves in sinks for leaf in leaves if leaf.symbol)
        # symbol -> each use of it that feeds definitions (one use may feed several: a keyword
        # argument of a class defines the field and the __init__ parameter) -> what it feeds
        consumers: dict[Symbol, dict[int, list[Symbol]]] = defaultdict(lambda: defaultdict(list))
        for owner, leaves in def_leaves.items():
            for leaf in leaves:
                if leaf.symbol is not None:
                    consumers[leaf.symbol][id(leaf.node)].append(owner)
        pure = set(at_sinks) | set(consumers) | set(def_leaves)
        changed = True
        while changed:  # the greatest set whose every use is a sink or feeds members only
            changed = False
            for symbol in list(pure):
                fed = consumers[symbol].values() if symbol in consumers else ()
                ok = at_sinks[symbol] + sum(1 for owners in fed if all(owner in pure for owner in owners))
                if ok != uses(symbol) or (symbol[0] == "item" and not contained(symbol[1])):
                    pure.discard(symbol)
                    changed = True
        flow = cls()
        for call, leaves in sinks:
            seen: set[Symbol] = set()
            todo: list[tuple[Leaf, Symbol | None]] = [(leaf, None) for leaf in leaves]
            while todo:
                leaf, holder = todo.pop()
                if leaf.symbol is None:
                    assert isinstance(leaf.node, cst.SimpleString | cst.ConcatenatedString)
                    flow._reach(leaf.node, call, holder is None or holder in pure, holder)
                elif leaf.symbol not in seen:
                    seen.add(leaf.symbol)
                    todo += [(found, leaf.symbol) for found in def_leaves.get(leaf.symbol, ())]
        return flow

    def _reach(self, node: Literal, call: cst.Call, mapped: bool, owner: Symbol | None) -> None:
        reach = self.literals.get(id(node))
        if reach is None:
            reach = self.literals[id(node)] = Reach(node, [], mapped, owner)
        if not any(known is call for known in reach.calls):
            reach.calls.append(call)
            self.by_call[id(call)].append(reach)
