"""Which imported thing an expression names, read from the module's own import statements.

Cheaper than LibCST's ``QualifiedNameProvider`` (no scope analysis): ``import openai as oa`` makes
``oa.OpenAI`` resolve to ``openai.OpenAI``; ``from os import environ`` makes ``environ.get`` resolve
to ``os.environ.get``. Shadowing by a local of the same name is not tracked: the names we look
for (``openai``, ``OpenAI``, ``os``) are rarely rebound, and every rewrite re-checks its shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

__all__ = ["ImportTable", "dotted"]


def dotted(expr: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of names, else ``None``."""
    parts: list[str] = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if not isinstance(expr, cst.Name):
        return None
    parts.append(expr.value)
    return ".".join(reversed(parts))


def _alias_target(name: cst.Attribute | cst.Name) -> str:
    found = dotted(name)
    assert found is not None  # import names are always dotted names
    return found


@dataclass
class ImportTable:
    """Local name -> the qualified name it was imported as."""

    names: dict[str, str] = field(default_factory=dict)
    statements: list[cst.Import | cst.ImportFrom] = field(default_factory=list)

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        self.statements.append(node)
        if isinstance(node, cst.Import):
            for alias in node.names:
                target = _alias_target(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.names.setdefault(alias.asname.name.value, target)
                else:
                    head = target.split(".")[0]
                    self.names.setdefault(head, head)
            return
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = _alias_target(node.module)
        for alias in node.names:
            name = _alias_target(alias.name)
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) \
                else name
            self.names.setdefault(local, f"{module}.{name}")

    def resolve(self, expr: cst.BaseExpression) -> str | None:
        """The qualified name ``expr`` refers to, if it starts with an imported name."""
        found = dotted(expr)
        if found is None:
            return None
        head, _, rest = found.partition(".")
        target = self.names.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def locals_for(self, qualified: str) -> list[str]:
        """Local names bound to exactly ``qualified``."""
        return [local for local, target in self.names.items() if target == qualified]

    def imports_module(self, *modules: str) -> bool:
        """Whether anything is imported from one of ``modules`` (or a submodule)."""
        return any(target.split(".")[0] in modules for target in self.names.values())
