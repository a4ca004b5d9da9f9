"""Import the adapters' client factories where the code imported openai's client classes.

    from openai import OpenAI, APIError      ->  from adapters import OpenAI
                                                 from openai import APIError
    from openai import AzureOpenAI           ->  from adapters import OpenAI      (calls renamed)
    import openai                            ->  import adapters
    client = openai.OpenAI()                 ->  client = adapters.OpenAI()
    import openai as oa; oa.AsyncOpenAI()    ->  import adapters; adapters.AsyncOpenAI()

Keeps the user's style: a name imported with ``from`` stays imported with ``from`` (aliases kept);
a module import stays a module import. ``import openai`` stays while anything else of openai is
used (exception classes, ``openai.types``). A client class name that is also used other than to
build a client (``isinstance``, annotations, subclassing) keeps its openai import, and only its
constructions become ``adapters.OpenAI(...)``. With ``--style compat`` the classes stay openai's;
only Azure ones become ``OpenAI`` / ``AsyncOpenAI``.

Leaves alone: constructions with openai's own ``provider=`` object, imports inside functions and
other blocks (their constructions are qualified instead), relative imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from ._api_calls import CLIENT_CLASSES
from ._imports import import_of, imported_modules
from ._pass import FileState, Rule, Transform
from ._qualnames import dotted
from .client_construction import openai_provider_object

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteImports: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteImports"]

_COMPAT_CLASSES = {"AzureOpenAI": "OpenAI", "AsyncAzureOpenAI": "AsyncOpenAI"}


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return dotted(alias.name) or ""


def _ending_like(aliases: list[cst.ImportAlias], original: Sequence[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """``aliases`` whose last one ends as ``original``'s last did (no comma, or the trailing one)."""
    if aliases:
        aliases[-1] = aliases[-1].with_changes(comma=original[-1].comma)
    return aliases


class ImportsRule(Rule):
    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        compat = self.options.style == "compat"
        self.target = "openai" if compat else "adapters"
        self.classes = _COMPAT_CLASSES if compat else CLIENT_CLASSES
        table, facts = self.facts.imports, self.facts
        top = {_local(a) for s in state.module.body if isinstance(node := import_of(s), cst.ImportFrom)
               and not node.relative and node.module is not None and dotted(node.module) == "openai"
               and not isinstance(node.names, cst.ImportStar) for a in node.names}
        self.switch: dict[str, tuple[str, str]] = {}  # local -> (new class, new local)
        self.qualify: dict[str, str] = {}  # local -> new class
        for local, qualified in table.names.items():
            module, _, cls = qualified.partition(".")
            if module != "openai" or cls not in self.classes:
                continue
            new = self.classes[cls]
            calls, own = facts.call_funcs[local], facts.provider_calls[local]
            if local in top and facts.loads[local] == calls and own == 0 and calls:
                self.switch[local] = (new, self._free(local, cls, new))
            elif calls > own:
                self.qualify[local] = new
        self.module_aliases = set(table.locals_for("openai"))

    def _free(self, local: str, cls: str, new: str) -> str:
        """The local name for the new import: the class's own name when nothing else holds it."""
        if local != cls:
            return local
        bound = self.facts.imports.names.get(new)
        if bound is None and not self.facts.loads[new] and not self.facts.stores[new]:
            return new
        return new if bound == f"openai.{new}" else local

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = original_node.func
        if openai_provider_object(original_node):
            return updated_node
        new_func: cst.BaseExpression | None = None
        if isinstance(func, cst.Name) and func.value in self.switch:
            new_local = self.switch[func.value][1]
            new_func = func.with_changes(value=new_local) if new_local != func.value else None
        elif isinstance(func, cst.Name) and func.value in self.qualify:
            new_func = cst.Attribute(cst.Name(self.target), cst.Name(self.qualify[func.value]))
            self.state.need_modules.add(self.target)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and \
                func.value.value in self.module_aliases and func.attr.value in self.classes:
            new = self.classes[func.attr.value]
            if self.target == "openai":
                new_func = func.with_changes(attr=cst.Name(new))
            else:
                new_func = cst.Attribute(cst.Name(self.target), cst.Name(new))
                self.state.need_modules.add(self.target)
                self.state.dropped_refs[func.value.value] += 1
        if new_func is None:
            return updated_node
        self.state.edited()
        return updated_node.with_changes(func=new_func)

    def leave_Module(self, _original: cst.Module, updated_node: cst.Module) -> cst.Module:
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        changed = False
        for statement in updated_node.body:
            node = import_of(statement)
            replacement: list[cst.BaseStatement] | cst.BaseStatement | None = statement
            if isinstance(node, cst.ImportFrom):
                replacement = self._from_import(statement, node)
            elif isinstance(node, cst.Import):
                replacement = self._import(statement, node, updated_node)
            if replacement is statement:
                if carried:
                    assert isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement)
                    statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])
                    carried = []
                body.append(statement)
                continue
            changed = True
            if replacement is None:
                assert isinstance(statement, cst.SimpleStatementLine)
                carried.extend(statement.leading_lines)
                continue
            assert isinstance(replacement, list)
            body.extend(replacement)
        if not changed:
            return updated_node
        self.state.edited()
        return updated_node.with_changes(body=body)

    def _from_import(self, statement: cst.BaseStatement,
                     node: cst.ImportFrom) -> list[cst.BaseStatement] | cst.BaseStatement:
        if node.relative or node.module is None or dotted(node.module) != "openai" or \
                isinstance(node.names, cst.ImportStar):
            return statement
        names = list(node.names)
        moved = [a for a in names if _local(a) in self.switch]
        if not moved:
            return statement
        assert isinstance(statement, cst.SimpleStatementLine)
        new_aliases: list[cst.ImportAlias] = []
        seen: set[tuple[str, str]] = set()
        for alias in moved:
            cls, local = self.switch[_local(alias)]
            if (cls, local) in seen:
                continue
            seen.add((cls, local))
            asname = cst.AsName(cst.Name(local)) if local != cls else None
            new_aliases.append(cst.ImportAlias(cst.Name(cls), asname=asname))
        remaining = [a for a in names if a not in moved]
        if self.target == "openai":  # compat: rename in place
            kept = {_local(a) for a in remaining}
            added = [a for a in new_aliases if _local(a) not in kept]
            aliases = _ending_like([*remaining, *added], names)
            return [statement.with_changes(body=[node.with_changes(names=aliases)])]
        new = cst.SimpleStatementLine(
            [cst.ImportFrom(module=cst.Name(self.target), names=new_aliases)],
            leading_lines=statement.leading_lines)
        if not remaining:
            return [new]
        rest = node.with_changes(names=_ending_like(remaining, names))
        return [new, statement.with_changes(body=[rest], leading_lines=[])]

    def _import(self, statement: cst.BaseStatement, node: cst.Import,
                module: cst.Module) -> list[cst.BaseStatement] | cst.BaseStatement | None:
        names = list(node.names)
        unused = [a for a in names if dotted(a.name) == "openai" and self._unused(_local(a))]
        if not unused:
            return statement
        remaining = _ending_like([a for a in names if a not in unused], names)
        assert isinstance(statement, cst.SimpleStatementLine)
        if remaining:
            return [statement.with_changes(body=[node.with_changes(names=remaining)])]
        if self.target in self.state.need_modules and self.target not in imported_modules(module):
            self.state.need_modules.discard(self.target)
            alias = cst.ImportAlias(cst.Name(self.target))
            return [statement.with_changes(body=[cst.Import(names=[alias])])]
        return None

    def _unused(self, local: str) -> bool:
        dropped = self.state.dropped_refs.get(local, 0)
        return dropped > 0 and self.facts.loads[local] <= dropped


TRANSFORM = Transform(
    "RewriteImports", (ImportsRule,),
    "Import adapters' OpenAI/AsyncOpenAI where openai's client classes were imported.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
