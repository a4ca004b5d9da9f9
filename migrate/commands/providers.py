"""``migrate providers`` and ``migrate models --provider P``: what is installed and mapped."""

from __future__ import annotations

from .. import api, render
from ..cli import Outcome
from ._options import Provider, out


def providers() -> Outcome:
    """List the installed provider backends: API root, variables, endpoints."""
    out().print(render.providers_table(api.providers()))
    return Outcome()


def models(provider: Provider = None) -> Outcome:
    """List a provider's catalogue models and the OpenAI names mapped to each."""
    if not provider:
        raise api.UsageError("pass --provider (or set MIGRATE_PROVIDER)")
    name = api.check_provider(provider.strip().lower())
    out().print(render.models_table(name, api.models(name)))
    return Outcome()
