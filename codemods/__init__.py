"""LibCST transforms that move OpenAI SDK code onto a provider, and one call that runs them all.

    rewrite = rewrite_source(code, provider="dashscope")   # parse once, one composed pass
    rewrite.code, rewrite.changed, rewrite.todos, rewrite.findings

``CODEMODS`` is the ordered tuple ``migrate rewrite`` runs: ``LEGACY_CODEMODS`` (openai 0.x ->
1.x, a first pass only in files that use 0.x names) then ``MODERN_CODEMODS`` (one composed pass);
the file is parsed once. ``rewrite_source`` runs their rules (``LEGACY_TRANSFORMS``,
``MODERN_TRANSFORMS``) without the codemod classes, which are built on first use. Each transform
also runs alone, by name inside this repository (its ``.libcst.codemod.yaml`` lists
``codemods``), by module path (``-x``) anywhere it is installed:

    python -m libcst.tool codemod env_vars.RewriteEnvVars --provider zhipu app.py
    python -m libcst.tool codemod -x codemods.env_vars.RewriteEnvVars --provider zhipu --no-format app.py

``Rewrite.code`` keeps a BOM as a leading U+FEFF; ``Rewrite.data`` (from ``rewrite_bytes``) is in
the file's own encoding. TODO codes and their meaning: ``TODO_CODES``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from adapters import catalogue

from . import (
    _source,
    agents_sdk,
    client_construction,
    env_vars,
    imports,
    legacy_calls,
    legacy_errors,
    legacy_responses,
    mock_targets,
    model_names,
    module_client,
    unsupported_features,
)
from ._codegen import code_of
from ._pass import Rule, Transform, run_phases
from ._results import Finding, Rewrite, SourceError, Todo
from ._target import Options, Style, provider_facts
from ._todo import TODO_CODES

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

__all__ = ["CODEMODS", "LEGACY_CODEMODS", "LEGACY_TRANSFORMS", "MODERN_CODEMODS", "MODERN_TRANSFORMS",
           "TODO_CODES", "Finding", "MarkUnsupportedFeatures", "Rewrite", "RewriteAgentsClient", "RewriteLegacyCalls",
           "RewriteLegacyErrors", "RewriteLegacyResponses", "RewriteClientConstruction", "RewriteEnvVars",
           "RewriteImports", "RewriteMockTargets", "RewriteModelNames", "RewriteModuleClient", "RuleCodemod", "SourceError", "Style",
           "Todo", "Transform", "rewrite_bytes", "rewrite_source"]

#: Modernising transforms for openai 0.x code: a first pass, only in files that use 0.x names.
LEGACY_TRANSFORMS: tuple[Transform, ...] = (
    legacy_calls.TRANSFORM,
    legacy_errors.TRANSFORM,
    legacy_responses.TRANSFORM,
)
#: The transforms for openai>=1 code, in the order they compose (arguments before callees, imports last).
MODERN_TRANSFORMS: tuple[Transform, ...] = (
    module_client.TRANSFORM,
    client_construction.TRANSFORM,
    env_vars.TRANSFORM,
    model_names.TRANSFORM,
    agents_sdk.TRANSFORM,
    unsupported_features.TRANSFORM,
    mock_targets.TRANSFORM,
    imports.TRANSFORM,
)
_PHASES: tuple[tuple[type[Rule], ...], ...] = tuple(
    tuple(rule for transform in group for rule in transform.rules)
    for group in (LEGACY_TRANSFORMS, MODERN_TRANSFORMS))


def __getattr__(name: str) -> Any:
    """The LibCST codemod classes, built on first use (``_codemod.py`` says why):

    ``CODEMODS`` (everything ``migrate rewrite`` runs, in order), ``LEGACY_CODEMODS``,
    ``MODERN_CODEMODS``, each ``Rewrite...`` class by name, and their base ``RuleCodemod``.
    """
    if name == "RuleCodemod":
        from ._codemod import RuleCodemod

        return RuleCodemod
    groups = {"LEGACY_CODEMODS": LEGACY_TRANSFORMS, "MODERN_CODEMODS": MODERN_TRANSFORMS,
              "CODEMODS": LEGACY_TRANSFORMS + MODERN_TRANSFORMS}
    if name in groups:
        return tuple(transform.codemod() for transform in groups[name])
    for transform in LEGACY_TRANSFORMS + MODERN_TRANSFORMS:
        if transform.name == name:
            return transform.codemod()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    CODEMODS: tuple[type[RuleCodemod], ...]
    LEGACY_CODEMODS: tuple[type[RuleCodemod], ...]
    MODERN_CODEMODS: tuple[type[RuleCodemod], ...]


@cache
def _model_names() -> tuple[str, ...]:
    return catalogue.OPENAI_PREFIXES  # how every name the family rules resolve starts (any case)


def _worth_parsing(text: str, model_map: Mapping[str, str]) -> bool:
    """Whether any transform could act: exact, so skipping the others changes no result."""
    lowered = text.lower()
    if "openai" in lowered or "adapters" in lowered or "from agents" in lowered or "import agents" in lowered:
        return True  # (the Agents SDK's default client is OpenAI's with no "openai" written)
    names = (*_model_names(), *model_map)
    pattern = "[\"'](?:" + "|".join(re.escape(name) for name in names) + ")"
    return re.search(pattern, text, re.IGNORECASE) is not None


def rewrite_source(source: str, *, provider: str, style: Style = "adapter",
                   model_map: Mapping[str, str] | None = None, keep_models: bool = False,
                   path: str | None = None) -> Rewrite:
    """Run every transform over ``source``; a file with nothing to do comes back identical.

    Raises ``SourceError`` when ``source`` does not parse, and
    ``adapters.registry.UnknownProvider`` for an unknown provider.
    """
    options = Options(provider=provider, style=style, model_map=dict(model_map or {}),
                      keep_models=keep_models)
    provider_facts(provider)  # an unknown provider fails here, whatever the file holds
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    text = source[len(bom):]
    if not _worth_parsing(text, options.model_map):
        return Rewrite(source, False, (), ())
    module = _source.parse(text, path)
    try:
        outcome = run_phases(module, _PHASES, options)
    except RecursionError:  # LibCST's visitors recurse per nesting level, like its parser
        where = f"{path}: " if path else ""
        raise SourceError(f"{where}too deeply nested for the transforms") from None
    if not outcome.changed:
        return Rewrite(source, False, outcome.todos, outcome.findings)
    code, generated = code_of(outcome.module, module, text)
    if code != text:
        _check_parses(generated, source, path)
    return Rewrite(bom + code, code != text, outcome.todos, outcome.findings)


def _check_parses(generated: str, source: str, path: str | None) -> None:
    """Refuse an output that does not compile (only where the input did): never write broken code.

    ``generated`` is the output's new beginning (whole top-level statements); the rest is the
    input's own end, which parses wherever the input does.
    """
    try:
        ast.parse(generated)
    except SyntaxError:
        try:
            ast.parse(source)
        except SyntaxError:
            return  # newer syntax than this interpreter's ast: LibCST's parse is the judge
        where = f"{path}: " if path else ""
        raise SourceError(f"{where}internal error: the rewrite did not parse; file left unchanged. "
                          f"Please report it.") from None


def rewrite_bytes(data: bytes, **kwargs: Any) -> Rewrite:
    """``rewrite_source`` on a file's bytes: decoded by its coding cookie or BOM, encoded back the
    same way (``.data``). Raises ``SourceError`` for undecodable or unparsable input."""
    text, encoding = _source.decode(data)
    if encoding == "utf-8-sig":
        text, encoding = "\ufeff" + text, "utf-8"
    result = rewrite_source(text, **kwargs)
    if not result.changed:
        return replace(result, data=data)
    return replace(result, data=_source.encode(result.code, encoding))
