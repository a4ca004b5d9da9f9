"""Walk a LibCST tree in source order, rebuilding only the nodes whose children changed.

    new_tree = walk(tree, on_visit, on_leave)   # on_visit(node) -> bool (False: skip its children)
                                                # on_leave(original, updated) -> replacement node
    class Finder(Visitor):                      # read-only, LibCST's CSTVisitor hooks
        def visit_Call(self, node): ...         # False: do not enter the node
    Finder().visit(tree)

LibCST's own ``node.visit(visitor)`` builds a new copy of every node it passes (a read-only
visitor's too) and visits every space, comma and bracket; on a typical module that is most of a
rewrite's time. ``walk`` visits the same nodes in the same order as LibCST, except trivia
(whitespace, comments, punctuation, operators), which no rule of ours reads, and gives
``on_leave`` the original node itself as ``updated`` when nothing below it changed. Hooks may
replace a node, not remove it or flatten a sequence into its parent (none of ours does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, cast

import libcst as cst

__all__ = ["TRIVIA", "Visitor", "hooks_of", "walk"]

#: Node classes ``walk`` never enters (nor reports to the hooks).
TRIVIA: tuple[type[cst.CSTNode], ...] = (
    cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Newline, cst.Comment,
    cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp,
    cst.ImportStar, cst.ParamStar, cst.ParamSlash, cst.Asynchronous,
)

OnVisit = Callable[[cst.CSTNode], bool]
OnLeave = Callable[[cst.CSTNode, cst.CSTNode], Any]

#: Node class -> the names of its fields in source order; None for trivia.
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...] | None] = {}
#: Any class met in a field -> what ``walk`` does with it (``CSTNode`` is an ABC: ``isinstance``
#: on it costs several times a dictionary lookup, once per field of every node).
_ENTER, _SKIP, _SEQUENCE = 1, 2, 3
_ROLES: dict[type, int] = {}


def _role(kind: type) -> int:
    if kind not in _ROLES:
        if issubclass(kind, cst.CSTNode):
            _ROLES[kind] = _SKIP if issubclass(kind, TRIVIA) else _ENTER
        else:
            _ROLES[kind] = _SEQUENCE if issubclass(kind, tuple | list) else 0
    return _ROLES[kind]


class _FieldOrder(cst.CSTVisitor):
    """Notes the order in which LibCST visits one node's fields, without entering them."""

    def __init__(self, node: cst.CSTNode) -> None:
        self.node, self.names = node, list[str]()

    def on_visit(self, _node: cst.CSTNode) -> bool:
        return False

    def on_leave(self, _original_node: cst.CSTNode) -> None:
        pass

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.node:
            self.names.append(attribute)

    def on_leave_attribute(self, _original_node: cst.CSTNode, _attribute: str) -> None:
        pass


def _fields(node: cst.CSTNode) -> tuple[str, ...] | None:
    kind = type(node)
    if kind not in _FIELDS:
        if issubclass(kind, TRIVIA):
            _FIELDS[kind] = None
        else:
            order = _FieldOrder(node)
            node._visit_and_replace_children(order)  # a copy, made once per node class
            names = list(dict.fromkeys(order.names))
            # Fields LibCST skips while they are None (a format spec) come last, as they stand in code.
            names += [field.name for field in dataclasses.fields(node) if field.name not in names]
            _FIELDS[kind] = tuple(names)
    return _FIELDS[kind]


def walk(node: cst.CSTNode, on_visit: OnVisit, on_leave: OnLeave) -> cst.CSTNode:
    """``node`` with ``on_leave``'s replacements; ``node`` itself when nothing was replaced."""
    fields = _FIELDS[type(node)] if type(node) in _FIELDS else _fields(node)
    if fields is None:
        raise TypeError(f"walk() does not enter {type(node).__name__} nodes")
    updated = node
    if on_visit(node):
        changes: dict[str, Any] = {}
        for name in fields:
            value = getattr(node, name)
            role = _ROLES.get(type(value)) or _role(type(value))
            if role == _ENTER:
                new = walk(value, on_visit, on_leave)
                if new is not value:
                    changes[name] = new
            elif role == _SEQUENCE and value:
                items: list[Any] | None = None
                for index, child in enumerate(value):
                    if (_ROLES.get(type(child)) or _role(type(child))) == _ENTER:
                        new = walk(child, on_visit, on_leave)
                        if new is not child:
                            items = items or list(value)
                            items[index] = new
                if items is not None:
                    changes[name] = tuple(items)
        if changes:
            updated = node.with_changes(**changes)
    result = on_leave(node, updated)
    if (_ROLES.get(type(result)) or _role(type(result))) not in (_ENTER, _SKIP):
        raise TypeError(f"a hook returned {type(result).__name__} for a {type(node).__name__}: "
                        f"walk() only replaces nodes")
    return cast(cst.CSTNode, result)


Hook = Callable[..., Any]


def hooks_of(cls: type) -> tuple[tuple[str, type[cst.CSTNode], str], ...]:
    """``(visit|leave, node class, method name)`` for each ``visit_<Node>``/``leave_<Node>`` of ``cls``;
    a ``TypeError`` for a hook on trivia, which ``walk`` never visits."""
    found: list[tuple[str, type[cst.CSTNode], str]] = []
    for name in dir(cls):
        kind, _, node_name = name.partition("_")
        node_type = getattr(cst, node_name, None) if kind in ("visit", "leave") and node_name else None
        if isinstance(node_type, type) and issubclass(node_type, cst.CSTNode):
            if issubclass(node_type, TRIVIA):
                raise TypeError(f"{cls.__name__}.{name}: walk() does not visit {node_name} nodes")
            found.append((kind, node_type, name))
    return tuple(found)


class Visitor:
    """A read-only visitor: ``visit_<Node>(node)`` (returning False: do not enter the node) and
    ``leave_<Node>(node)`` methods, as on LibCST's ``CSTVisitor``, called by ``walk``."""

    _VISITS: ClassVar[dict[type[cst.CSTNode], Hook]] = {}
    _LEAVES: ClassVar[dict[type[cst.CSTNode], Hook]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._VISITS, cls._LEAVES = {}, {}
        for kind, node_type, name in hooks_of(cls):
            (cls._VISITS if kind == "visit" else cls._LEAVES)[node_type] = getattr(cls, name)

    def visit(self, node: cst.CSTNode) -> None:
        """Walk ``node`` and everything below it."""
        walk(node, self._on_visit, self._on_leave)

    def _on_visit(self, node: cst.CSTNode) -> bool:
        hook = self._VISITS.get(type(node))
        return hook is None or hook(self, node) is not False

    def _on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        hook = self._LEAVES.get(type(original))
        if hook is not None:
            hook(self, original)
        return updated
