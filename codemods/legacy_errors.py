"""Name openai>=1's exception classes where code names openai 0.x's ``openai.error`` ones.

    except openai.error.RateLimitError:          ->  except openai.RateLimitError:
    except openai.error.InvalidRequestError:     ->  except openai.BadRequestError:
    from openai.error import InvalidRequestError ->  from openai import BadRequestError as InvalidRequestError
    import openai.error                          ->  import openai

A renamed class imported by name keeps its old local name (an alias), so the code using it needs no
other change. Marks with TODO(migrate:LEGACY_ERROR): 0.x exceptions openai>=1 does not have
(``SignatureVerificationError``...), left as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from adapters.legacy_names import LEGACY_ERRORS

from ._facts import Facts
from ._pass import Rule, Transform
from ._qualnames import dotted
from .legacy_calls import is_legacy

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteLegacyErrors: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteLegacyErrors"]


class LegacyErrorsRule(Rule):
    @classmethod
    def applies(cls, facts: Facts) -> bool:
        return is_legacy(facts)

    def leave_Attribute(self, original_node: cst.Attribute,
                        updated_node: cst.BaseExpression) -> cst.BaseExpression:
        name = self.facts.resolve(original_node)
        if name is None or not name.startswith("openai.error.") or name.count(".") != 2:
            return updated_node
        old = name.rsplit(".", 1)[1]
        new = LEGACY_ERRORS.get(old)
        if new is None:
            self.state.todo(original_node, "LEGACY_ERROR", f"openai.error.{old} does not exist in openai>=1: "
                                                            f"catch openai.OpenAIError or remove the handler")
            return updated_node
        if not isinstance(original_node.value, cst.Attribute):  # `error.X` after `from openai import error`
            self.state.need_modules.add("openai")
            self.state.edited()
            return cst.Attribute(cst.Name("openai"), cst.Name(new))
        self.state.edited()
        assert isinstance(updated_node, cst.Attribute) and isinstance(updated_node.value, cst.Attribute)
        return updated_node.with_changes(value=updated_node.value.value, attr=cst.Name(new))

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if original_node.relative or original_node.module is None or \
                dotted(original_node.module) != "openai.error" or isinstance(original_node.names, cst.ImportStar):
            return updated_node
        aliases = []
        for alias in updated_node.names if not isinstance(updated_node.names, cst.ImportStar) else ():
            old = dotted(alias.name) or ""
            new = LEGACY_ERRORS.get(old)
            if new is None:
                self.state.todo(original_node, "LEGACY_ERROR", f"openai.error.{old} does not exist in "
                                                                f"openai>=1: catch openai.OpenAIError instead")
                return updated_node
            if new != old and alias.asname is None:
                alias = alias.with_changes(name=cst.Name(new), asname=cst.AsName(cst.Name(old)))
            elif new != old:
                alias = alias.with_changes(name=cst.Name(new))
            aliases.append(alias)
        self.state.edited()
        return updated_node.with_changes(module=cst.Name("openai"), names=aliases)

    def leave_Import(self, _original: cst.Import, updated_node: cst.Import) -> cst.Import:
        names = list(updated_node.names)
        changed = False
        for i, alias in enumerate(names):
            if dotted(alias.name) == "openai.error" and alias.asname is None:
                names[i] = alias.with_changes(name=cst.Name("openai"))
                changed = True
        if not changed:
            return updated_node
        self.state.edited()
        return updated_node.with_changes(names=names)


TRANSFORM = Transform(
    "RewriteLegacyErrors", (LegacyErrorsRule,),
    "Name openai>=1's exception classes where openai.error's were named.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
