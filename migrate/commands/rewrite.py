"""``migrate rewrite PATH... --provider P``: rewrite OpenAI SDK code, or show the diff."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from .. import api, render
from .._outcome import Outcome
from ._options import Exclude, MaxFileSize, Paths, Provider, err, out, size_limit

#: A progress bar appears (on a terminal) from this many files to parse.
PROGRESS_FROM = 200


@contextmanager
def _progress(console: Console) -> Iterator[Callable[[int, int], None]]:
    from rich.progress import Progress

    bar: Progress | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None and console.is_terminal and total >= PROGRESS_FROM:
            bar = Progress(console=console, transient=True)
            bar.start()
            task = bar.add_task("rewriting", total=total)
        if bar is not None and task is not None:
            bar.update(task, completed=done)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def rewrite(
    paths: Paths,
    provider: Provider = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the unified diff; write nothing.")] = False,
    report: Annotated[Path | None, typer.Option(metavar="FILE.md|.json|.html", show_default=False,
                                                help="Also write a report.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if anything would change.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", show_default=False,
                                             help="Worker processes (default: all cores).")] = None,
    style: Annotated[str | None, typer.Option(metavar="adapter|compat", show_default=False,
                                              help="adapter (default): import qianyi's adapters; compat: keep "
                                                   "openai, point it at the provider's compatible endpoint.")] = None,
    model_map: Annotated[Path | None, typer.Option(metavar="FILE", show_default=False,
                                                   help="JSON or TOML: OpenAI model = provider model.")] = None,
    keep_models: Annotated[bool | None, typer.Option("--keep-models/--map-models", show_default=False,
                                                     help="Leave OpenAI model names (the runtime maps them).")] = None,
    exclude: Exclude = None,
    deps: Annotated[Path | None, typer.Option(metavar="FILE", show_default=False,
                                              help="The requirements file or pyproject.toml to add qianyi to.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rewrite files with uncommitted changes (or when git cannot tell, or "
                                                    "the import name `adapters` is taken) too.")] = False,
    env_files: Annotated[bool, typer.Option(
        "--env-files", help="Also rewrite OPENAI_* settings in dotenv files (.env.example, *.env) that are "
                            "not git-ignored; key values are never carried over.")] = False,
    max_file_size: MaxFileSize = None,
) -> Outcome:
    """Rewrite OpenAI SDK code under PATH... for a provider (--dry-run to only see the diff)."""
    defaults = api.load_defaults(paths)
    chosen = provider or defaults.provider
    if not chosen:
        names = ", ".join(row.name for row in api.providers())
        raise api.UsageError(f"no provider chosen: pass --provider ({names}), set MIGRATE_PROVIDER, or set "
                             f"provider in [tool.migrate]")
    if report is not None:
        render.check_report_path(report)
    mapping = api.load_model_map(model_map) if model_map is not None else defaults.model_map
    stderr = err()
    interrupted: int | None = None
    with _progress(stderr) as progress, _signals_interrupt(), _interrupted() as stopped:
        run = api.rewrite(
            paths, provider=api.check_provider(chosen.strip().lower()), write=not (dry_run or check),
            style=style or defaults.style or "adapter", model_map=mapping,
            keep_models=keep_models if keep_models is not None else bool(defaults.keep_models),
            exclude=(*defaults.exclude, *(exclude or ())), jobs=jobs if jobs is not None else defaults.jobs, force=force, deps=deps,
            env_files=env_files, verdicts=report is not None, progress=progress,
            max_file_size=size_limit(max_file_size),
        )
    if stopped:
        run, interrupted = stopped[0].run, stopped[0].signum
    # The files are written: from here on nothing can change that, only say it.
    problems: list[str] = []
    if dry_run:
        render.diff(run.diff, out())
    if report is not None:
        try:
            render.write_report(run, report)
        except OSError as exc:
            problems.append(f"the report could not be written to {report}: {exc.strerror or exc}")
    with contextlib.suppress(OSError):  # stderr gone: the exit code still tells
        stderr.print(render.summary_table(run))
        for note in run.notes:  # a package that needs openai 0.x keeps the project from installing: loudly
            label = "[bold red]warning:[/]" if note.startswith("openai 0.x only:") else "[yellow]note:[/]"
            stderr.print(f"{label} {escape(note)}", soft_wrap=True)
        for problem in problems:
            stderr.print(f"[bold red]error:[/] {escape(problem)}", soft_wrap=True)
        if interrupted is not None:
            stderr.print(render.interrupted(run, interrupted), soft_wrap=True)
    if interrupted is not None:
        raise typer.Exit(128 + interrupted)  # as a shell reports a process a signal stopped
    return Outcome(run.results, check=check, incomplete=bool(problems))


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the run the way Ctrl-C does (an exception, so that workers are
    stopped and temporary files removed), instead of killing the process where it stands."""

    def stop(signum: int, _frame: object) -> None:
        raise api.Interrupted(signum)

    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    try:
        previous = {signum: signal.signal(signum, stop) for signum in wanted}
    except ValueError:  # not the main thread: leave signals alone
        previous = {}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _interrupted() -> Iterator[list[api.RunInterrupted]]:
    """Catch a ``RunInterrupted`` (handed over in the yielded list) so the summary can say what was written."""
    stopped: list[api.RunInterrupted] = []
    try:
        yield stopped
    except api.RunInterrupted as exc:
        stopped.append(exc)
