"""The LibCST codemod classes: each transform's rules, runnable alone under ``python -m libcst.tool codemod``.

Only this module imports ``libcst.codemod`` (~0.25 s here, most of it ``libcst.matchers``), and
only when a codemod class is asked for (``Transform.codemod``): ``migrate rewrite`` runs the rules
in one composed pass and never needs it.
"""

from __future__ import annotations

import argparse
from functools import cache
from typing import TYPE_CHECKING, ClassVar

import libcst as cst
from libcst.codemod import Codemod, CodemodContext

from ._target import Options, Style

if TYPE_CHECKING:
    from ._pass import Rule, Transform

__all__ = ["RuleCodemod", "codemod_class"]


class RuleCodemod(Codemod):
    """A LibCST codemod made of rules, runnable alone (``-x`` and the module path outside this repository):

        python -m libcst.tool codemod env_vars.RewriteEnvVars --provider zhipu FILE
    """

    RULES: ClassVar[tuple[type[Rule], ...]] = ()
    #: The transform the class was built for (``Transform.run`` runs its rules: this module needs
    #: nothing from ``_pass`` at run time, which imports it lazily, so the two never import each other).
    TRANSFORM: ClassVar[Transform]

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
        outcome = self.TRANSFORM.run(tree, self.options)
        for todo in outcome.todos:
            self.warn(f"line {todo.line}: TODO(migrate:{todo.code}): {todo.message}")
        return outcome.module


@cache
def codemod_class(transform: Transform) -> type[RuleCodemod]:
    """``transform``'s codemod class, named and placed as if its module defined it (one per transform)."""
    namespace = {"DESCRIPTION": transform.description, "RULES": transform.rules, "TRANSFORM": transform,
                 "__module__": transform.module, "__qualname__": transform.name,
                 "__doc__": transform.description}
    return type(transform.name, (RuleCodemod,), namespace)
