"""``codemods._walk`` (LibCST's visiting order without its copies), the facts walk built on it, and
``codemods._codegen`` (generating only what changed)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest

import codemods
from codemods import _source
from codemods._codegen import code_of
from codemods._facts import collect
from codemods._pass import Rule, run_phases, run_rules
from codemods._target import Options
from codemods._walk import TRIVIA, Visitor, walk

from .harness import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*FIXTURES.rglob("*.py"), *(ROOT / "examples").rglob("*.py"), *(ROOT / "codemods").glob("*.py")])


class _Order(cst.CSTVisitor):
    def __init__(self) -> None:
        self.seen: list[int] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, TRIVIA):
            self.seen.append(id(node))
        return True


def _keep(_original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
    return updated


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_walk_visits_what_libcst_visits_in_its_order_and_copies_nothing(path: Path) -> None:
    module = cst.parse_module(path.read_bytes())
    expected = _Order()
    module.visit(expected)
    seen: list[int] = []

    def on_visit(node: cst.CSTNode) -> bool:
        seen.append(id(node))
        return True

    assert walk(module, on_visit, _keep) is module
    assert seen == expected.seen
    assert seen


def test_a_replacement_rebuilds_its_ancestors_only() -> None:
    module = cst.parse_module("a = 1\nb = x  # keep\n\nc = [x, y]\n")

    def rename(original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        return cst.Name("z") if isinstance(original, cst.Name) and original.value == "x" else updated

    result = walk(module, lambda node: True, rename)
    assert isinstance(result, cst.Module)
    assert result.code == "a = 1\nb = z  # keep\n\nc = [z, y]\n"
    assert result.body[0] is module.body[0]
    assert result.body[1] is not module.body[1]
    first, second = result.body[1], module.body[1]
    assert isinstance(first, cst.SimpleStatementLine) and isinstance(second, cst.SimpleStatementLine)
    assert first.trailing_whitespace is second.trailing_whitespace


def test_skipping_children_and_refusing_removal() -> None:
    module = cst.parse_module("def f():\n    return x\n")
    names: list[str] = []

    def on_visit(node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name):
            names.append(node.value)
        return not isinstance(node, cst.IndentedBlock)

    walk(module, on_visit, _keep)
    assert names == ["f"]
    with pytest.raises(TypeError, match="only replaces nodes"):
        walk(module, lambda node: True,
             lambda original, updated: cst.RemoveFromParent() if isinstance(original, cst.Return) else updated)
    with pytest.raises(TypeError, match="does not enter"):
        walk(cst.Comma(), lambda node: True, _keep)


def test_a_rule_cannot_hook_trivia() -> None:
    class CommaRule(Rule):
        def leave_Comma(self, original_node: cst.Comma, updated_node: cst.Comma) -> cst.Comma:
            return updated_node

    rules: ClassVar = (CommaRule,)
    with pytest.raises(TypeError, match="does not visit Comma"):
        run_rules(cst.parse_module("f(a, b)\n"), rules, Options(provider="dashscope"))


def test_facts_count_uses_in_every_kind_of_target() -> None:
    facts = collect(cst.parse_module(
        "table[key]: int = make()\n"
        "obj.attr = other.value\n"
        "name: Client = OpenAI()\n"
        "f(keyword=arg)\n"
    ))
    assert facts.loads["table"] == facts.loads["key"] == facts.loads["make"] == 1
    assert facts.loads["other"] == facts.loads["obj"] == facts.loads["arg"] == 1
    assert facts.loads["keyword"] == facts.loads["attr"] == 0  # a keyword and an attribute name are no uses
    assert facts.stores["name"] == 1 and facts.attr_stores["attr"] == 1
    assert [call.func for call in facts.assigned_calls["name"]][0].deep_equals(cst.Name("OpenAI"))


SAMPLES = [
    "import openai\nopenai.api_key = 'k'\nopenai.chat.completions.create(model='gpt-4o', messages=[])\n\n\ndef f():\n    return 1\n",
    "# header comment\nfrom openai import OpenAI\nclient = OpenAI()\nclient.files.create(file=f)\nx = 1",  # no final newline
    "from openai import OpenAI\r\n\r\nclient = OpenAI()\r\n\r\n# tail comment\r\n",
    "x = 1\ny = 2\nfrom openai import OpenAI\nOpenAI().moderations.create(input='x')\n",
]


@pytest.mark.parametrize("source", [*SAMPLES, *(_source.decode(p.read_bytes())[0] for p in SOURCES)])
@pytest.mark.parametrize("style", ["adapter", "compat"])
def test_generating_only_the_changed_beginning_gives_the_whole_code(source: str, style: str) -> None:
    module = cst.parse_module(source)
    outcome = run_phases(module, codemods._PHASES, Options(provider="zhipu", style=style))  # noqa: SLF001
    code, generated = code_of(outcome.module, module, source)
    assert code == outcome.module.code
    assert code.startswith(generated)


def test_the_untouched_end_is_not_generated_again() -> None:
    source = SAMPLES[0]
    module = cst.parse_module(source)
    outcome = run_phases(module, codemods._PHASES, Options(provider="dashscope"))  # noqa: SLF001
    code, generated = code_of(outcome.module, module, source)
    assert code.endswith("\n\ndef f():\n    return 1\n") and not generated.endswith("return 1\n")
    # A changed last statement leaves nothing to reuse: all of it is generated.
    module = cst.parse_module(SAMPLES[3])
    outcome = run_phases(module, codemods._PHASES, Options(provider="dashscope"))  # noqa: SLF001
    assert code_of(outcome.module, module, SAMPLES[3]) == (outcome.module.code, outcome.module.code)


def test_a_visitor_gets_libcsts_hooks_in_libcsts_order() -> None:
    module = cst.parse_module("f(g(1), [h(2)])\ndef k():\n    return m(3)\n")

    class Hooks:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def visit_Call(self, node: cst.Call) -> None:
            self.seen.append(f"> {cst.Module([]).code_for_node(node.func)}")

        def leave_Call(self, original_node: cst.Call) -> None:
            self.seen.append(f"< {cst.Module([]).code_for_node(original_node.func)}")

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

    class Calls(Hooks, cst.CSTVisitor):  # LibCST's own visit
        pass

    class FastCalls(Hooks, Visitor):  # the same hooks, driven by walk()
        pass

    expected, fast = Calls(), FastCalls()
    module.visit(expected)
    fast.visit(module)
    assert fast.seen == expected.seen == ["> f", "> g", "< g", "> h", "< h", "< f"]
    with pytest.raises(TypeError, match="does not visit Comma"):
        type("CommaCounter", (Visitor,), {"visit_Comma": lambda self, node: None})
