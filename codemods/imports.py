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

A function's own imports are treated in place: ``from openai import OpenAI`` inside a function
switches like a module's; an ``import openai`` the rewrite left unused is dropped, and a function
that now uses ``adapters.OpenAI`` imports ``adapters`` where it imported openai (no module-level
import is added for it).

Leaves alone: constructions with openai's own ``provider=`` object, imports inside other blocks
(``try``/``if``: their constructions are qualified instead), relative imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from ._api_calls import CLIENT_CLASSES
from ._imports import import_of, imported_modules
from ._pass import FileState, Rule, Transform
from ._qualnames import dotted
from ._walk import Visitor
from .client_construction import openai_provider_object
from .legacy_calls import LEGACY_CLASSES

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteImports: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteImports"]

#: openai 0.x names: openai>=1 keeps them only as stubs that raise when used.
_LEGACY_NAMES = LEGACY_CLASSES | {"error", "api_resources", "openai_object", "OpenAIObject"}
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
        statements = [*state.module.body, *_function_statements(state.module.body)]
        top = {_local(a) for s in statements if isinstance(node := import_of(s), cst.ImportFrom)
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
        self.local_refs = 0  # references to `self.target` inside functions that now import it themselves

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

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        """A function's own openai imports: switched like the module's, dropped when the rewrite left
        them unused; the function then imports what it uses itself (``import adapters`` in their place)."""
        if not isinstance(updated_node.body, cst.IndentedBlock) or \
                not any(_imports_openai(statement) for statement in updated_node.body.body):
            return updated_node
        uses = _NameCount(self.target).count(updated_node) if self.target != "openai" else 0
        need = uses > 0 and not _imports_here(updated_node.body.body, self.target)
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []  # comments above a dropped import go to what follows
        changed = False
        for statement in updated_node.body.body:
            node = import_of(statement)
            replacement: list[cst.BaseStatement] | cst.BaseStatement | None = statement
            if isinstance(node, cst.ImportFrom):
                replacement = self._from_import(statement, node)
            if _imports_openai(statement):
                replacement = self._unused_here(replacement, original_node, updated_node)
            changed |= replacement is not statement
            added = [] if replacement is None else replacement if isinstance(replacement, list) else [replacement]
            if need and _imports_openai(statement):  # the function imports what it uses, where it did
                assert isinstance(statement, cst.SimpleStatementLine)
                new = cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name(self.target))])])
                added = [*added, new] if added else [new.with_changes(leading_lines=statement.leading_lines)]
                need, changed = False, True
            elif not added:
                assert isinstance(statement, cst.SimpleStatementLine)
                carried += statement.leading_lines
                continue
            if carried:
                first = added[0]
                assert isinstance(first, cst.SimpleStatementLine | cst.BaseCompoundStatement)
                added = [first.with_changes(leading_lines=[*carried, *first.leading_lines]), *added[1:]]
                carried = []
            body.extend(added)
        if not changed:
            return updated_node
        self.local_refs += uses
        self.state.edited()
        if not body:  # the function held nothing but the import
            body = [cst.SimpleStatementLine([cst.Pass()], leading_lines=carried)]
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def _unused_here(self, replacement: list[cst.BaseStatement] | cst.BaseStatement | None,
                     original: cst.FunctionDef, updated: cst.FunctionDef) -> list[cst.BaseStatement] | cst.BaseStatement | None:
        """``replacement`` without the openai names this function no longer uses since the rewrite."""
        if replacement is None:
            return None
        statements = replacement if isinstance(replacement, list) else [replacement]
        kept: list[cst.BaseStatement] = []
        for statement in statements:
            node = import_of(statement)
            if node is None or isinstance(node.names, cst.ImportStar) or \
                    (isinstance(node, cst.ImportFrom) and (node.module is None or dotted(node.module) != "openai")):
                kept.append(statement)
                continue
            names = [a for a in node.names if not (_from_openai(node, a) and self._gone(_local(a), original, updated))]
            if len(names) == len(node.names):
                kept.append(statement)
            elif names:
                assert isinstance(statement, cst.SimpleStatementLine)
                kept.append(statement.with_changes(body=[node.with_changes(names=_ending_like(names, node.names))]))
        if len(kept) == len(statements) and all(a is b for a, b in zip(kept, statements, strict=True)):
            return replacement
        return kept or None

    @staticmethod
    def _gone(local: str, original: cst.FunctionDef, updated: cst.FunctionDef) -> bool:
        return _NameCount(local).count(original) > 0 and _NameCount(local).count(updated) == 0

    def leave_Module(self, _original: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.local_refs and self.target in self.state.need_modules and \
                _NameCount(self.target).count(updated_node) == self.local_refs:
            self.state.need_modules.discard(self.target)  # every use imports it where it is
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        changed = False
        seen: set[str] = set()  # openai module aliases imported so far
        for statement in updated_node.body:
            node = import_of(statement)
            replacement: list[cst.BaseStatement] | cst.BaseStatement | None = statement
            if isinstance(node, cst.ImportFrom):
                trimmed = self._without_legacy_names(statement, node)
                trimmed_node = import_of(trimmed) if trimmed is not None else None
                if trimmed is None or not isinstance(trimmed_node, cst.ImportFrom):
                    replacement = None
                else:
                    replacement = self._from_import(trimmed, trimmed_node)
                    if replacement is trimmed and trimmed is not statement:
                        replacement = [trimmed]
            elif isinstance(node, cst.Import):
                replacement = self._import(statement, node, updated_node)
                if replacement is statement and self._repeats(node, seen):
                    replacement = None  # `import openai` twice (`import openai.error` became one)
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

    def _repeats(self, node: cst.Import, seen: set[str]) -> bool:
        """Whether ``node`` only imports openai under aliases imported before, in a file being changed."""
        aliases = [_local(a) for a in node.names if dotted(a.name) == "openai"]
        if len(aliases) != len(node.names):
            return False
        repeated = all(alias in seen for alias in aliases)
        seen.update(aliases)
        return repeated and self.state.edits > 0

    def _without_legacy_names(self, statement: cst.BaseStatement, node: cst.ImportFrom) -> cst.BaseStatement | None:
        """``statement`` without openai 0.x names nothing uses any more (``from openai import
        ChatCompletion`` after its calls were rewritten): in openai>=1 they are stubs that raise."""
        if node.relative or node.module is None or dotted(node.module) != "openai" or \
                isinstance(node.names, cst.ImportStar):
            return statement
        names = [a for a in node.names
                 if not (dotted(a.name) in _LEGACY_NAMES and not self.facts.loads[_local(a)])]
        if len(names) == len(node.names):
            return statement
        self.state.edited()
        if not names:
            return None
        assert isinstance(statement, cst.SimpleStatementLine)
        return statement.with_changes(body=[node.with_changes(names=_ending_like(names, node.names))])

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


def _function_statements(body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """The statements directly in the bodies of the functions (at any depth) among ``body``."""
    found: list[cst.BaseStatement] = []
    for statement in body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            if isinstance(statement, cst.FunctionDef):
                found += statement.body.body
            found += _function_statements(statement.body.body)
    return found


def _imports_openai(statement: cst.BaseStatement) -> bool:
    """Whether a statement line is ``import openai[ as x]`` or ``from openai import ...``."""
    node = import_of(statement)
    if isinstance(node, cst.Import):
        return any(dotted(alias.name) == "openai" for alias in node.names)
    return isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None and \
        dotted(node.module) == "openai" and not isinstance(node.names, cst.ImportStar)


def _from_openai(node: cst.Import | cst.ImportFrom, alias: cst.ImportAlias) -> bool:
    return isinstance(node, cst.ImportFrom) or dotted(alias.name) == "openai"


def _imports_here(body: Sequence[cst.BaseStatement], module: str) -> bool:
    return any(isinstance(node := import_of(s), cst.Import) and
               any(dotted(a.name) == module and a.asname is None for a in node.names) for s in body)


class _NameCount(Visitor):
    """How often ``name`` is used (not as an attribute, keyword or import) below a node."""

    def __init__(self, name: str) -> None:
        self.name, self.found = name, 0

    def count(self, node: cst.CSTNode) -> int:
        self.found = 0
        self.visit(node)
        return self.found

    def visit_Name(self, node: cst.Name) -> None:
        self.found += node.value == self.name

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.visit(node.value)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        self.visit(node.value)
        return False

    def visit_Import(self, _node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, _node: cst.ImportFrom) -> bool:
        return False


TRANSFORM = Transform(
    "RewriteImports", (ImportsRule,),
    "Import adapters' OpenAI/AsyncOpenAI where openai's client classes were imported.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
