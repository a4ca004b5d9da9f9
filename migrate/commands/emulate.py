"""``migrate emulate --provider P [--port N]``: run the provider emulator on 127.0.0.1."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer

from .. import api
from .._outcome import Outcome
from ._options import Provider, out


def emulate(provider: Provider = None,
            port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 0) -> Outcome:
    """Serve the provider's native API (and its OpenAI-compatible one) on 127.0.0.1 until Ctrl+C."""
    if not provider:
        raise api.UsageError("pass --provider (or set MIGRATE_PROVIDER)")
    if not 0 <= port <= 65535:
        raise api.UsageError(f"--port must be between 0 and 65535, not {port}")
    name = api.check_provider(provider.strip().lower())
    row = next(r for r in api.providers() if r.name == name)
    # The emulator serves each API under the path its real host uses.
    root, compat = urlsplit(row.base_url).path, urlsplit(row.compat_base_url).path
    console = out()

    def ready(url: str) -> None:
        console.print(f"{name} emulator listening at {url}{root}  (Ctrl+C stops it)")
        console.print(f"  export {row.base_url_var}={url}{root}")
        if compat:
            console.print(f"  OpenAI-compatible endpoint: {url}{compat}")
        console.print(f"  any key is accepted, e.g. export {row.key_vars[0]}=test-key")
        console.file.flush()

    from adapters.emulator import serve_forever

    try:
        serve_forever(host="127.0.0.1", port=port, ready=ready)
    except OSError as exc:
        raise api.UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    return Outcome()
