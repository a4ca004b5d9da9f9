"""Line numbers: where nodes start in a tree, and which input line a line of a rewritten tree was.

    lines_of(module, nodes)        {id(node): 1-based line of the node's first token}
    to_input(source, rewritten)    line of ``rewritten`` -> line of ``source`` it came from

``lines_of`` runs LibCST's codegen once, counting line breaks only before the wanted nodes, and
stops at the last of them (far cheaper than ``PositionProvider``). ``to_input`` matches the two texts line by line: a kept line
maps to itself, a rewritten one to its counterpart in the input, an added one (a client built
for the module, a TODO comment) to the input line it follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from difflib import SequenceMatcher

import libcst as cst
from libcst._nodes.internal import CodegenState

__all__ = ["lines_of", "newline_of", "to_input"]


def newline_of(module: cst.Module) -> str:
    """The character that ends each line of ``module``'s code (``\\r\\n`` ends in ``\\n``)."""
    return "\r" if module.default_newline == "\r" else "\n"


class _AllFound(Exception):
    pass


class _LineState(CodegenState):  # LibCST's own PositionProvider subclasses it too
    """Codegen that notes the line where each wanted node starts."""

    def __init__(self, module: cst.Module, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.wanted, self.lines = wanted, dict[int, int]()
        self._line, self._counted = 1, 0
        self._newline = newline_of(module)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self._line += "".join(self.tokens[self._counted:]).count(self._newline)
            self._counted = len(self.tokens)
            self.lines[id(node)] = self._line + _leading_line_count(node)
            if len(self.lines) == len(self.wanted):
                raise _AllFound  # the rest of the code is not needed


def _leading_line_count(node: cst.CSTNode) -> int:
    if isinstance(node, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        return len(node.leading_lines)
    return 0


def lines_of(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, int]:
    """The 1-based line where each of ``nodes`` (nodes of ``module``) starts, by ``id``; a statement's
    line is that of its code, below the comments above it."""
    wanted = {id(node) for node in nodes}
    if not wanted:
        return {}
    state = _LineState(module, wanted)
    try:
        module._codegen(state)
    except _AllFound:
        pass
    return state.lines


def to_input(source: str, rewritten: str, newline: str = "\n") -> Callable[[int], int]:
    """Map a 1-based line of ``rewritten`` to the line of ``source`` it came from (0 stays 0)."""
    old, new = source.split(newline), rewritten.split(newline)
    mapped = [0] * (len(new) + 1)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        for j in range(j1, j2):
            if tag == "equal":
                mapped[j + 1] = i1 + (j - j1) + 1
            elif tag == "replace":
                mapped[j + 1] = i1 + min(j - j1, i2 - i1 - 1) + 1
            else:  # inserted: the input line it follows (the first line when nothing precedes it)
                mapped[j + 1] = max(i1, 1)
    return lambda line: mapped[line] if 0 < line < len(mapped) else 0
