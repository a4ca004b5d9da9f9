"""The ``migrate`` command line: the typer app, assembled from ``commands/``.

Each command returns an ``Outcome`` (``_outcome.py``, the one place that knows the exit codes);
``_command`` turns it (or a ``UsageError``) into the code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from ._errors import UsageError
from ._outcome import Outcome, exit_code

__all__ = ["Outcome", "app", "exit_code", "main"]

def _command(func: Callable[..., Outcome | None]) -> Callable[..., None]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            outcome = func(*args, **kwargs) or Outcome()
        except UsageError as exc:
            from rich.console import Console
            from rich.markup import escape

            from .render import visible  # a path in the message may hold control characters

            Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(visible(str(exc)))}",
                                                        soft_wrap=True)
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


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("qianyi")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown (not installed)"
        typer.echo(f"migrate (qianyi) {number}")
        raise typer.Exit(0)


@app.callback()
def _options(show_version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False) -> None:
    """Move code written against the OpenAI Python SDK onto DashScope, Qianfan or Zhipu."""


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
