"""``migrate providers`` and ``migrate models --provider P``: what is installed and mapped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import api, render
from .._outcome import Outcome
from ._options import Provider, out


def providers() -> Outcome:
    """List the installed provider backends: API root, variables, endpoints."""
    out().print(render.providers_table(api.providers()))
    return Outcome()


def models(
    names: Annotated[list[str] | None, typer.Argument(metavar="[NAME]...", show_default=False,
                                                      help="Model names to resolve, as your code writes them.")] = None,
    provider: Provider = None,
    model_map: Annotated[Path | None, typer.Option(metavar="FILE", show_default=False,
                                                   help="JSON or TOML: OpenAI model = provider model.")] = None,
) -> Outcome:
    """What model names become on a provider (the rules the runtime, rewrite and scan share); without
    names, the provider's catalogue models, then what the rules give for names as real code writes them."""
    if not provider:
        raise api.UsageError("pass --provider (or set MIGRATE_PROVIDER)")
    name = api.check_provider(provider.strip().lower())
    mapping = api.load_model_map(model_map) if model_map is not None else None
    if names:
        out().print(render.names_table(name, api.resolve_names(name, names, mapping), f"model names on {name}"))
        return Outcome()
    out().print(render.models_table(name, api.models(name)))
    out().print(render.names_table(name, api.resolve_names(name, api.EXAMPLE_NAMES, mapping),
                                   f"what the rules give for names as code writes them "
                                   f"(`migrate models -p {name} NAME...` for yours)"))
    return Outcome()
