"""Environment variable reads and writes: ``os.environ["X"]``, ``os.environ.get("X", d)``,
``os.getenv("X")``, ``os.environ.setdefault(...)``, ``"X" in os.environ`` (``from os import
environ, getenv`` too), and building the provider's own reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ._facts import Facts
from ._literals import make_string, string_value, with_value

__all__ = ["ACCOUNT_VARS", "BASE_URL_VARS", "KEY_VARS", "EnvAccess", "env_access", "environ_get",
           "environ_item", "is_openai_key_var", "renamed"]

KEY_VARS = frozenset({"OPENAI_API_KEY"})
AZURE_KEY_VARS = frozenset({"AZURE_OPENAI_API_KEY"})
BASE_URL_VARS = frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE"})
ACCOUNT_VARS = frozenset({"OPENAI_ORG_ID", "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID"})



def is_openai_key_var(var: str) -> bool:
    """An OpenAI key variable: ``OPENAI_API_KEY``, ``AZURE_OPENAI_API_KEY``, and the app's own
    ``OPENAI_*KEY*`` / ``OPENAI_*TOKEN*`` names (``OPENAI_KEY``, ``OPENAI_API_KEY_2``)."""
    if var in KEY_VARS or var in AZURE_KEY_VARS:
        return True
    return var.startswith("OPENAI_") and ("KEY" in var or "TOKEN" in var)


_READS = frozenset({"os.environ.get", "os.getenv"})
_WRITES = frozenset({"os.environ.setdefault", "os.environ.pop"})


@dataclass(frozen=True)
class EnvAccess:
    """One access: the variable, its literal, a default (reads with a default) and whether it writes."""

    var: str
    literal: cst.SimpleString
    default: cst.BaseExpression | None
    write: bool


def _var_literal(expr: cst.BaseExpression) -> tuple[str, cst.SimpleString] | None:
    value = string_value(expr)
    if value is None or not isinstance(expr, cst.SimpleString):
        return None
    return value, expr


def env_access(expr: cst.BaseExpression, facts: Facts) -> EnvAccess | None:
    """The environment access ``expr`` is, if it is one with a literal variable name."""
    if isinstance(expr, cst.Subscript):
        if facts.resolve(expr.value) != "os.environ" or len(expr.slice) != 1:
            return None
        index = expr.slice[0].slice
        found = _var_literal(index.value) if isinstance(index, cst.Index) else None
        return EnvAccess(found[0], found[1], None, False) if found else None
    if isinstance(expr, cst.Call) and expr.args and expr.args[0].keyword is None:
        func = facts.resolve(expr.func)
        if func not in _READS and func not in _WRITES:
            return None
        found = _var_literal(expr.args[0].value)
        if not found:
            return None
        default = expr.args[1].value if len(expr.args) > 1 else None
        return EnvAccess(found[0], found[1], default, func in _WRITES)
    if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
        target = expr.comparisons[0]
        if isinstance(target.operator, cst.In | cst.NotIn) and \
                facts.resolve(target.comparator) == "os.environ":
            found = _var_literal(expr.left)
            return EnvAccess(found[0], found[1], None, False) if found else None
    return None


def renamed(updated: cst.BaseExpression, var: str, *, drop_default: bool = False,
            default: cst.BaseExpression | None = None) -> cst.BaseExpression:
    """``updated`` (an access) reading ``var`` instead; optionally without or with another default."""
    if isinstance(updated, cst.Subscript):
        index = updated.slice[0].slice
        assert isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString)
        element = updated.slice[0].with_changes(slice=index.with_changes(value=with_value(index.value, var)))
        return updated.with_changes(slice=[element])
    if isinstance(updated, cst.Comparison):
        assert isinstance(updated.left, cst.SimpleString)
        return updated.with_changes(left=with_value(updated.left, var))
    assert isinstance(updated, cst.Call)
    first = updated.args[0]
    assert isinstance(first.value, cst.SimpleString)
    args = [first.with_changes(value=with_value(first.value, var)), *updated.args[1:]]
    if drop_default and len(args) > 1:
        args = [args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    elif default is not None and len(args) > 1:
        args[1] = args[1].with_changes(value=default)
    return updated.with_changes(args=args)


#: The name written for the ``os`` module in code the codemods insert; ``_imports.bind_os`` turns it
#: into ``os``, or into an alias of ``import os`` where the module binds ``os`` to something else.
OS_PLACEHOLDER = "__qianyi_os__"


def _os() -> cst.Name:
    return cst.Name(OS_PLACEHOLDER)


def environ_item(var: str) -> cst.Subscript:
    """``os.environ["VAR"]`` (the caller adds "os" to ``need_modules``: ``import os`` is made sure of,
    and the name is one that is certainly the module)."""
    return cst.Subscript(value=cst.Attribute(_os(), cst.Name("environ")),
                         slice=[cst.SubscriptElement(cst.Index(make_string(var)))])


def environ_get(var: str, default: str) -> cst.Call:
    """``os.environ.get("VAR", "default")``."""
    func = cst.Attribute(cst.Attribute(_os(), cst.Name("environ")), cst.Name("get"))
    return cst.Call(func, args=[cst.Arg(make_string(var)), cst.Arg(make_string(default))])
