"""The ``migrate`` command line: the typer app, and the one place that knows the exit codes.

    0  done (a dry run that shows a diff is still 0)
    1  --check: something would change; scan --fail-on: a site is not supported
    2  usage error: bad option, unknown provider, missing path (also: uncommitted changes refused)
    3  finished, but some files could not be read or parsed (each reported), or the report could
       not be written; wins over 1

Each command returns an ``Outcome``; ``_command`` turns it (or a ``UsageError``) into the code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import typer

from ._errors import UsageError
from ._results import Changed, Failed, FileResult

__all__ = ["Outcome", "app", "exit_code", "main"]

OK, WOULD_CHANGE, USAGE, UNREADABLE = 0, 1, 2, 3


@dataclass(frozen=True)
class Outcome:
    """What a command did, as far as its exit code cares."""

    results: Iterable[FileResult] = ()
    check: bool = False
    blocked: bool = False  # scan --fail-on unsupported found a site that is not supported
    incomplete: bool = False  # finished, but something asked for (the report) could not be done


def exit_code(results: Iterable[FileResult] = (), *, check: bool = False, blocked: bool = False,
              usage_error: bool = False, incomplete: bool = False) -> int:
    """DESIGN.md's table: usage error 2; unreadable or unparsable files 3 (wins over 1); ``--check``
    with a change, or ``blocked`` (scan --fail-on), 1; otherwise 0."""
    if usage_error:
        return USAGE
    results = list(results)
    if incomplete or any(isinstance(result, Failed) for result in results):
        return UNREADABLE
    if blocked or (check and any(isinstance(result, Changed) for result in results)):
        return WOULD_CHANGE
    return OK


def _command(func: Callable[..., Outcome | None]) -> Callable[..., None]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            outcome = func(*args, **kwargs) or Outcome()
        except UsageError as exc:
            from rich.console import Console
            from rich.markup import escape

            Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(exit_code(usage_error=True)) from None
        raise typer.Exit(exit_code(outcome.results, check=outcome.check, blocked=outcome.blocked,
                                   incomplete=outcome.incomplete))

    return run


app = typer.Typer(
    name="migrate",
    help="Move code written against the OpenAI Python SDK onto DashScope, Qianfan or Zhipu.",
    pretty_exceptions_show_locals=False,  # locals may hold keys
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)


def _register() -> None:
    from .commands import emulate, providers, rewrite, run, scan, status

    app.command("scan")(_command(scan.scan))
    app.command("rewrite")(_command(rewrite.rewrite))
    app.command("status")(_command(status.status))
    app.command("providers")(_command(providers.providers))
    app.command("models")(_command(providers.models))
    app.command("emulate")(_command(emulate.emulate))
    # the program's exit code is the command's: run raises typer.Exit itself
    app.command("run", context_settings={"allow_interspersed_args": False})(_command(run.run))


_register()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="migrate")
    sys.exit(0)  # not reached: typer exits itself
