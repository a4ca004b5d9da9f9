"""Run several transforms as one pass over one parsed module.

Each transform is a ``Rule``: plain ``visit_<Node>`` / ``leave_<Node>`` hooks, as on a LibCST
``CSTTransformer``. ``run_rules`` walks the tree once, calling every rule's hook for a node in
rule order (a rule reads ``original_node`` to decide and builds on ``updated_node``, so rules
compose). The LibCST codemod framework is not used for the composed run: it would deep-copy the
tree and keep matcher bookkeeping for every node. ``RuleCodemod`` wraps rules as an ordinary
``libcst.codemod.Codemod`` so each transform also runs alone under ``python -m libcst.tool codemod``.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import libcst as cst
from libcst.codemod import Codemod, CodemodContext

from . import _imports
from ._facts import Facts, collect
from ._lines import lines_of, newline_of, to_input
from ._results import Finding, Todo
from ._target import Options, ProviderFacts, Style, provider_facts
from ._todo import add_todos

__all__ = ["FileState", "Outcome", "Rule", "RuleCodemod", "run_phases", "run_rules"]

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
Hook = Callable[..., Any]


_HOOKS: dict[type[Rule], tuple[tuple[str, type[cst.CSTNode], str], ...]] = {}


def _hooks(rule: type[Rule]) -> tuple[tuple[str, type[cst.CSTNode], str], ...]:
    """``(visit|leave, node class, method name)`` for each hook a rule class defines (cached)."""
    if rule not in _HOOKS:
        found = []
        for name in dir(rule):
            kind, _, node_name = name.partition("_")
            if kind in ("visit", "leave") and node_name and isinstance(getattr(cst, node_name, None), type):
                found.append((kind, getattr(cst, node_name), name))
        _HOOKS[rule] = tuple(found)
    return _HOOKS[rule]


class _ComposedPass(cst.CSTTransformer):
    def __init__(self, state: FileState, rules: Sequence[Rule]) -> None:
        super().__init__()
        self.state = state
        self.visits: dict[type[cst.CSTNode], list[Hook]] = defaultdict(list)
        self.leaves: dict[type[cst.CSTNode], list[Hook]] = defaultdict(list)
        for rule in rules:
            for kind, node_type, name in _hooks(type(rule)):
                table = self.visits if kind == "visit" else self.leaves
                table[node_type].append(getattr(rule, name))

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _STATEMENTS):
            self.state.stack.append(node)
        for hook in self.visits.get(type(node), ()):
            hook(node)
        return True

    # No rule uses per-field hooks (visit_Call_func...): skip LibCST's lookup of them for every field.
    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result: Any = updated_node
        for hook in self.leaves.get(type(original_node), ()):
            result = hook(original_node, result)
            if type(result) is not type(original_node):
                break  # removed or replaced: later rules have nothing of this shape to change
        if isinstance(original_node, _STATEMENTS):
            self.state.stack.pop()
            notes = self.state.pending.pop(id(original_node), None)
            if notes and isinstance(result, _STATEMENTS):
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
        result = module.visit(_ComposedPass(state, [rule(state) for rule in active]))
        if state.need_modules:
            result, added = _imports.ensure_modules(result, sorted(state.need_modules))
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


class RuleCodemod(Codemod):
    """A LibCST codemod made of rules, runnable alone (``-x`` and the module path outside this repository):

        python -m libcst.tool codemod env_vars.RewriteEnvVars --provider zhipu FILE
    """

    RULES: ClassVar[tuple[type[Rule], ...]] = ()

    def __init__(self, context: CodemodContext, provider: str, style: Style = "adapter",
                 keep_models: bool = False) -> None:
        super().__init__(context)
        self.options = Options(provider=provider, style=style, keep_models=keep_models)

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--provider", required=True, help="dashscope, qianfan or zhipu")
        arg_parser.add_argument("--style", choices=("adapter", "compat"), default="adapter")
        arg_parser.add_argument("--keep-models", action="store_true", dest="keep_models")

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        outcome = run_rules(tree, self.RULES, self.options)
        for todo in outcome.todos:
            self.warn(f"line {todo.line}: TODO(migrate:{todo.code}): {todo.message}")
        return outcome.module
