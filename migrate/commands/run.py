"""``migrate run --provider P -- COMMAND...``: run a program with the shim installed, unedited.

The program's Python processes import a ``sitecustomize`` from a temporary folder this command puts
first on ``PYTHONPATH``; it calls ``adapters.shim.install(provider=P)`` and then the
``sitecustomize`` the interpreter would have imported otherwise. Nothing else activates the shim:
the folder exists only for this run. The exit code is the program's own (128 + N when a signal N
killed it); 127 when the command is not found and 126 when it cannot be run, as shells do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from .. import api
from ._options import Provider

SITECUSTOMIZE = '''\
"""Installed by `migrate run` for this run only: the qianyi shim, then any other sitecustomize."""
import importlib.machinery
import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
try:
    from adapters import shim

    shim.install(provider=os.environ["QIANYI_RUN_PROVIDER"])
except Exception as exc:  # the parent checked the setup; say so if this interpreter cannot
    sys.stderr.write(f"migrate run: the qianyi shim could not be installed here: {exc}\\n")
    raise SystemExit(2) from None
_others = [p for p in sys.path if os.path.abspath(p or ".") != _here]
_spec = importlib.machinery.PathFinder.find_spec("sitecustomize", _others)
if _spec is not None and _spec.loader is not None:  # the one this interpreter would have run
    _spec.loader.exec_module(importlib.util.module_from_spec(_spec))
'''


def run(command: Annotated[list[str], typer.Argument(metavar="-- COMMAND...", show_default=False,
                                                      help="The program to run, after --.")],
        provider: Provider = None) -> None:
    """Run COMMAND with openai clients (and openai 0.x names) served by PROVIDER's API."""
    if not provider:
        raise api.UsageError("pass --provider (or set MIGRATE_PROVIDER)")
    name = api.check_provider(provider.strip().lower())
    _check_setup(name)
    with tempfile.TemporaryDirectory(prefix="qianyi-run-") as folder:
        Path(folder, "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        package_root = str(Path(__file__).resolve().parents[2])  # where adapters is importable from
        path = os.pathsep.join(p for p in (folder, package_root, os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "PYTHONPATH": path, "QIANYI_RUN_PROVIDER": name}
        try:
            code = subprocess.call(command, env=env)
        except FileNotFoundError:
            code = _cannot_run(command[0], "command not found", NOT_FOUND)
        except OSError as exc:  # not executable, a folder, a bad interpreter line...
            code = _cannot_run(command[0], exc.strerror or str(exc), CANNOT_EXECUTE)
        except KeyboardInterrupt:
            code = 128 + signal.SIGINT
    # A child killed by a signal: 128 + its number, as shells report it (143 for SIGTERM), not -15 & 255.
    raise typer.Exit(128 - code if code < 0 else code)


NOT_FOUND, CANNOT_EXECUTE = 127, 126  # as shells exit


def _cannot_run(program: str, why: str, code: int) -> int:
    from rich.markup import escape

    from ._options import err

    err().print(f"[bold red]error:[/] cannot run {escape(program)!r}: {escape(why)}", soft_wrap=True)
    return code


def _check_setup(provider: str) -> None:
    """Fail here on an unknown provider or a bad setting, rather than in every child process. A
    missing key is the program's business: it may give its clients keys of its own."""
    import openai

    from adapters.client import configure
    from adapters.shim import CHECK_KEY

    try:
        configure(provider, CHECK_KEY, None)
    except openai.OpenAIError as exc:
        raise api.UsageError(str(exc)) from None
