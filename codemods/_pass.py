"""Run several transforms as one pass over one parsed module.

Each transform is a ``Rule``: plain ``visit_<Node>`` / ``leave_<Node>`` hooks, as on a LibCST
``CSTTransformer``. ``run_rules`` walks the tree once, calling every rule's hook for a node in
rule order (a rule reads ``original_node`` to decide and builds on ``updated_node``, so rules
compose). Neither the LibCST codemod framework nor LibCST's own visit drives it (they copy every
node of the tree); ``_walk.walk`` does, rebuilding only what a rule changed. A ``Transform`` names
one concern's rules; its ``codemod()`` (``_codemod.py``, built on first use) wraps them as an
ordinary ``libcst.codemod.Codemod`` so each transform also runs alone under
``python -m libcst.tool codemod``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard

import libcst as cst

from . import _imports
from ._env import OS_PLACEHOLDER
from ._facts import Facts, collect
from ._lines import lines_of, newline_of, to_input
from ._results import Finding, Todo
from ._target import Options, ProviderFacts, provider_facts
from ._todo import add_todos
from ._walk import hooks_of, walk

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

__all__ = ["FileState", "Outcome", "Rule", "Transform", "run_phases", "run_rules"]

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement | cst.ExceptHandler


@dataclass
class FileState:
    """What the rules of one run share: options, facts, and what they report and need."""

    module: cst.Module
    options: Options
    facts: Facts
    target: ProviderFacts
    edits: int = 0
    todos: list[tuple[cst.CSTNode, str, str]] = field(default_factory=list)
    findings: list[tuple[cst.CSTNode, str, str]] = field(default_factory=list)
    pending: dict[int, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    stack: list[Statement] = field(default_factory=list)
    need_modules: set[str] = field(default_factory=set)
    dropped_refs: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def provider(self) -> str:
        return self.target.name

    @property
    def endpoints(self) -> frozenset[str]:
        """The endpoints the migrated calls reach in this run's style (``ProviderFacts.endpoints_for``)."""
        return self.target.endpoints_for(self.options.style)

    def edited(self) -> None:
        self.edits += 1

    def todo(self, node: cst.CSTNode, code: str, message: str) -> None:
        """Mark the statement being visited with a TODO about ``node`` (an original node)."""
        self.todos.append((node, code, message))
        if self.stack:
            notes = self.pending[id(self.stack[-1])]
            for i, (known, text) in enumerate(notes):
                if known == code:
                    if message not in text.split("; "):
                        notes[i] = (code, f"{text}; {message}")
                    return
            notes.append((code, message))

    def find(self, node: cst.CSTNode, kind: str, detail: str) -> None:
        self.findings.append((node, kind, detail))


class Rule:
    """One transform's hooks. Subclasses define ``visit_X(node)`` and ``leave_X(original, updated)``."""

    def __init__(self, state: FileState) -> None:
        self.state = state
        self.facts = state.facts
        self.options = state.options

    @classmethod
    def applies(cls, facts: Facts) -> bool:
        """Whether the rule has anything to look for in a module with these facts."""
        del facts
        return True


#: Nodes a TODO comment can stand above (an ``except`` clause too: its own line).
_STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement, cst.ExceptHandler)
_IS_STATEMENT: dict[type, bool] = {}  # by class: isinstance on LibCST's abstract classes is slow


def _is_statement(node: object) -> TypeGuard[Statement]:
    kind = type(node)
    if kind not in _IS_STATEMENT:
        _IS_STATEMENT[kind] = issubclass(kind, _STATEMENTS)
    return _IS_STATEMENT[kind]

Hook = Callable[..., Any]


_HOOKS: dict[type[Rule], tuple[tuple[str, type[cst.CSTNode], str], ...]] = {}


def _hooks(rule: type[Rule]) -> tuple[tuple[str, type[cst.CSTNode], str], ...]:
    """``(visit|leave, node class, method name)`` for each hook a rule class defines (cached)."""
    if rule not in _HOOKS:
        _HOOKS[rule] = hooks_of(rule)
    return _HOOKS[rule]


class _ComposedPass:
    """Every active rule's hooks, called node by node in one ``_walk.walk``."""

    def __init__(self, state: FileState, rules: Sequence[Rule]) -> None:
        self.state = state
        self.visits: dict[type[cst.CSTNode], list[Hook]] = defaultdict(list)
        self.leaves: dict[type[cst.CSTNode], list[Hook]] = defaultdict(list)
        for rule in rules:
            for kind, node_type, name in _hooks(type(rule)):
                table = self.visits if kind == "visit" else self.leaves
                table[node_type].append(getattr(rule, name))

    def on_visit(self, node: cst.CSTNode) -> bool:
        if _is_statement(node):
            self.state.stack.append(node)
        for hook in self.visits.get(type(node), ()):
            hook(node)
        return True

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result: Any = updated_node
        for hook in self.leaves.get(type(original_node), ()):
            result = hook(original_node, result)
            if type(result) is not type(original_node):
                break  # removed or replaced: later rules have nothing of this shape to change
        if _is_statement(original_node):
            self.state.stack.pop()
            notes = self.state.pending.pop(id(original_node), None)
            if notes and _is_statement(result):
                first = bool(self.state.module.body) and self.state.module.body[0] is original_node
                marked = add_todos(result, notes, self.state.module.header if first else ())
                if marked is not result:
                    self.state.edited()
                result = marked
        return result


@dataclass(frozen=True)
class Outcome:
    module: cst.Module
    changed: bool
    todos: tuple[Todo, ...]
    findings: tuple[Finding, ...]


def run_rules(module: cst.Module, rules: Sequence[type[Rule]], options: Options) -> Outcome:
    """Apply ``rules`` to ``module`` in one walk (plus one read-only walk for the facts)."""
    return run_phases(module, [rules], options)


def run_phases(module: cst.Module, phases: Sequence[Sequence[type[Rule]]], options: Options) -> Outcome:
    """Each phase is one composed pass over the previous phase's tree (parsed once, never again).

    A phase none of whose rules ``applies`` costs nothing but the facts walk. Every TODO's and
    finding's line counts in ``module``, the input, whichever phase reported it (a later phase's
    lines are matched back through what the earlier phases changed: ``_lines.to_input``).
    """
    source = module
    todos: list[Todo] = []
    findings: list[Finding] = []
    changed = False
    target = provider_facts(options.provider)
    facts: Facts | None = None
    for phase in phases:
        facts = collect(module) if facts is None else facts
        active = [rule for rule in phase if rule.applies(facts)]
        if not active:
            continue
        state = FileState(module=module, options=options, facts=facts, target=target)
        composed = _ComposedPass(state, [rule(state) for rule in active])
        result = walk(module, composed.on_visit, composed.on_leave)
        assert isinstance(result, cst.Module)
        if "os" in state.need_modules:  # inserted os.environ: a name certainly bound to the module
            result, added = _imports.bind_os(result, OS_PLACEHOLDER)
            state.edits += added
        if state.need_modules - {"os"}:
            result, added = _imports.ensure_modules(result, sorted(state.need_modules - {"os"}))
            state.edits += added
        lines = lines_of(module, [node for node, *_ in [*state.todos, *state.findings]])
        if lines and module is not source:  # an earlier phase rewrote the tree
            back = to_input(source.code, module.code, newline_of(source))
            lines = {key: back(line) for key, line in lines.items()}
        todos += [Todo(code, lines.get(id(node), 0), message) for node, code, message in state.todos]
        findings += [Finding(kind, lines.get(id(node), 0), detail) for node, kind, detail in state.findings]
        if state.edits:
            changed, module, facts = True, result, None  # the next phase needs the new tree's facts
    todos.sort(key=lambda todo: todo.line)
    findings.sort(key=lambda finding: finding.line)
    return Outcome(module, changed, tuple(dict.fromkeys(todos)), tuple(dict.fromkeys(findings)))


@dataclass(frozen=True)
class Transform:
    """One concern's rules, and the LibCST codemod (``name``, in ``module``) that runs them alone.

    A transform module defines ``TRANSFORM = Transform(...)`` and ``__getattr__ = TRANSFORM.attribute``
    (PEP 562): the codemod class exists once something asks for it.
    """

    name: str
    rules: tuple[type[Rule], ...]
    description: str
    module: str

    def run(self, module: cst.Module, options: Options) -> Outcome:
        """This transform's rules over ``module`` alone (what its codemod class does)."""
        return run_rules(module, self.rules, options)

    def codemod(self) -> type[RuleCodemod]:
        from ._codemod import codemod_class

        return codemod_class(self)

    def attribute(self, name: str) -> type[RuleCodemod]:
        """A transform module's lazy attribute: its codemod class."""
        if name == self.name:
            return self.codemod()
        raise AttributeError(f"module {self.module!r} has no attribute {name!r}")
