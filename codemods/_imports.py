"""Adding ``import X`` statements where a module needs them, in the places people put them.

``os`` goes before the first top-level import (standard library first); ``adapters`` after the
last top-level openai import, else after the last import; with no imports, both go after the
docstring and ``from __future__`` imports. Whatever the rule says, a module is imported before
the first top-level statement that uses it (an openai import rewritten away, as in
``import os, openai`` -> ``import os``, leaves no openai import to follow, and the last import of
the file may come after the first use): then it goes after the last import above that use, else
right above the use, taking its comments (a notebook's cell marker: it stays in the using cell). The statement that used to stand first keeps the
blank lines and comments above it above the new import. Inserted ``os.environ`` code names the
module ``os`` only where nothing else in the file is called ``os`` (``bind_os``): else an alias.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

import libcst as cst

from ._qualnames import dotted
from ._walk import Visitor, walk

__all__ = ["bind_os", "ensure_modules", "import_of", "imported_modules"]


def import_of(statement: cst.BaseStatement) -> cst.Import | cst.ImportFrom | None:
    """The import a top-level statement line consists of (one import alone on its line)."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and \
            isinstance(statement.body[0], cst.Import | cst.ImportFrom):
        return statement.body[0]
    return None


def _module_name(node: cst.Import | cst.ImportFrom) -> str:
    if isinstance(node, cst.ImportFrom):
        return "" if node.module is None else dotted(node.module) or ""
    return dotted(node.names[0].name) or ""


def imported_modules(module: cst.Module) -> set[str]:
    """Modules bound by plain top-level ``import X`` (no alias)."""
    bound: set[str] = set()
    for statement in module.body:
        node = import_of(statement)
        if isinstance(node, cst.Import):
            bound.update((dotted(a.name) or "").split(".")[0] for a in node.names if a.asname is None)
    return bound


def _is_preamble(statement: cst.BaseStatement) -> bool:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString | cst.ConcatenatedString):
            return True
        if isinstance(small, cst.ImportFrom) and _module_name(small) == "__future__":
            return True
    return False


class _Uses(Visitor):
    """Whether a node reads the name ``name``."""

    def __init__(self, name: str) -> None:
        self.name, self.found = name, False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value == self.name

    def on(self, node: cst.CSTNode) -> bool:
        self.visit(node)
        return self.found


def _first_use(body: Sequence[cst.BaseStatement], name: str) -> int | None:
    """Index of the first top-level statement naming ``name`` (imports aside)."""
    for index, statement in enumerate(body):
        if import_of(statement) is None and _Uses(name).on(statement):
            return index
    return None


def _position(body: Sequence[cst.BaseStatement], name: str) -> tuple[int, bool]:
    """Index to insert at, and whether the statement there gives up its leading lines."""
    index, take_lines = _by_rule(body, name)
    use = _first_use(body, name) if index > 0 else None
    if use is None or use >= index:
        return index, take_lines
    above = [i for i in range(use) if import_of(body[i]) is not None and not _is_preamble(body[i])]
    return (above[-1] + 1, False) if above else (use, True)


def _by_rule(body: Sequence[cst.BaseStatement], name: str) -> tuple[int, bool]:
    """``_position`` by the import rules alone."""
    preamble = 0
    while preamble < len(body) and _is_preamble(body[preamble]):
        preamble += 1
    imports = [i for i, s in enumerate(body) if i >= preamble and import_of(s) is not None]
    if name == "os" and imports:
        return imports[0], True
    if name == "adapters":
        openai = [i for i in imports if "openai" in _tops(body[i])]
        if openai:
            return openai[-1] + 1, False
        if imports:
            return imports[-1] + 1, False
    return preamble, preamble < len(body)


def _tops(statement: cst.BaseStatement) -> set[str]:
    """The top-level packages an import line imports from (every name of ``import os, openai``)."""
    node = import_of(statement)
    if isinstance(node, cst.Import):
        return {(dotted(alias.name) or "").split(".")[0] for alias in node.names}
    return {_module_name(node).split(".")[0]} if node is not None else set()


def ensure_modules(module: cst.Module, names: Sequence[str]) -> tuple[cst.Module, int]:
    """``module`` with ``import NAME`` added for each name it does not import yet; and how many.

    It looks at the module as it is now: the original imports may have been rewritten.
    """
    bound = imported_modules(module)
    body = list(module.body)
    added = 0
    for name in names:
        if name in bound:
            continue
        _insert(body, name, cst.ImportAlias(cst.Name(name)))
        added += 1
    return module.with_changes(body=body), added


def _insert(body: list[cst.SimpleStatementLine | cst.BaseCompoundStatement], name: str,
            alias: cst.ImportAlias) -> None:
    """``import <alias>`` put where ``name``'s import goes (``_position``)."""
    index, take_lines = _position(body, name)
    new = cst.SimpleStatementLine([cst.Import(names=[alias])])
    if take_lines and index < len(body):
        following = body[index]
        assert isinstance(following, cst.SimpleStatementLine | cst.BaseCompoundStatement)
        new = new.with_changes(leading_lines=following.leading_lines)
        body[index] = following.with_changes(leading_lines=[])
    body.insert(index, new)


def _binds(tree: ast.AST, name: str) -> bool:
    """Whether ``name`` is bound anywhere in ``tree`` to something other than the module ``name``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, ast.arg) and node.arg == name:
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name:
            return True
        if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name == name:
            return True
        if isinstance(node, ast.Import) and any(a.asname == name and a.name != name for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            return True
    return False


def bind_os(module: cst.Module, placeholder: str) -> tuple[cst.Module, int]:
    """``module`` with the ``placeholder`` names (the ``os`` of inserted ``os.environ``) made a name
    certainly bound to the module ``os``: ``os`` itself (``import os`` added if missing), or, where
    the module binds ``os`` to something else (a parameter, a class attribute, a function...), the
    alias of an added ``import os as _os``. Returns the module and how many imports were added."""
    code = module.code
    try:
        tree: ast.AST | None = ast.parse(code.replace(placeholder, "os"))
    except SyntaxError:
        tree = None
    name = "os"
    if tree is None or _binds(tree, "os"):
        name = next(n for n in ("_os", "_os_module", "_qianyi_os") if tree is None or not _any_use(tree, n))
    result = walk(module, lambda _node: True, _renamer(placeholder, name))
    assert isinstance(result, cst.Module)
    if name == "os":
        return ensure_modules(result, ["os"])
    body = list(result.body)
    _insert(body, "os", cst.ImportAlias(cst.Name("os"), asname=cst.AsName(cst.Name(name))))
    return result.with_changes(body=body), 1


def _any_use(tree: ast.AST, name: str) -> bool:
    return any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(tree)) or _binds(tree, name)


def _renamer(placeholder: str, name: str) -> Callable[[cst.CSTNode, cst.CSTNode], cst.CSTNode]:
    def leave(_original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        if isinstance(updated, cst.Name) and updated.value == placeholder:
            return updated.with_changes(value=name)
        return updated

    return leave
