"""``migrate scan PATH...``: what will break on which provider, before anything is rewritten.

Exit codes (DESIGN.md, through ``cli.exit_code``): 0 done; 1 with ``--fail-on unsupported`` when a
site is not supported on a chosen provider (``Outcome.blocked``); 2 usage error; 3 some files could
not be read or parsed (wins over 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .. import api
from .._outcome import Outcome
from ._options import Exclude, MaxFileSize, Paths, err, out, size_limit

__all__ = ["scan"]

FAIL_ON = ("unsupported",)


def scan(
    paths: Paths,
    provider: Annotated[list[str] | None, typer.Option(
        "--provider", "-p", show_default=False,
        help="Judge for this provider only (repeatable); default: every installed provider.")] = None,
    format: Annotated[str, typer.Option(  # noqa: A002  (the option is --format)
        "--format", "-f", metavar="table|json|sarif|markdown", help="Output format (on stdout).")] = "table",
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", metavar="unsupported", show_default=False,
        help="Exit 1 when a site is not supported on a chosen provider (for CI).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", show_default=False,
                                             help="Worker processes (default: all cores).")] = None,
    model_map: Annotated[Path | None, typer.Option(metavar="FILE", show_default=False,
                                                   help="JSON or TOML: OpenAI model = provider model.")] = None,
    exclude: Exclude = None,
    max_file_size: MaxFileSize = None,
    force: Annotated[bool, typer.Option("--force", help="Scan even if the import name `adapters` is taken "
                                                        "in this project or environment.")] = False,
) -> Outcome:
    """List every OpenAI SDK usage under PATH... and whether it works on each provider (writes nothing)."""
    from .. import scan_render  # here, not above: the other commands need not load the scan's codemods
    from ..scan import scan as scan_tree

    if format not in scan_render.FORMATS:
        raise api.UsageError(f"unknown format {format!r}; use one of {', '.join(scan_render.FORMATS)}")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise api.UsageError(f"--fail-on takes {', '.join(FAIL_ON)}, not {fail_on!r}")
    defaults = api.load_defaults(paths)
    mapping = api.load_model_map(model_map) if model_map is not None else defaults.model_map
    run = scan_tree(paths, providers=provider or None, model_map=mapping,
                    exclude=(*defaults.exclude, *(exclude or ())), jobs=jobs if jobs is not None else defaults.jobs,
                    max_file_size=size_limit(max_file_size), force=force)
    stdout, stderr = out(), err()
    if format == "table":
        scan_render.table(run, stdout)
    elif format == "markdown":
        stdout.file.write(scan_render.markdown(run))
    else:
        document = scan_render.json_document(run) if format == "json" else scan_render.sarif_document(run)
        stdout.file.write(scan_render.json_text(document))
    stdout.file.flush()
    for failed in run.failed:
        stderr.print(f"[red]not scanned:[/] {escape(failed.display)}: {escape(failed.reason)}", soft_wrap=True)
    return Outcome(run.failed, blocked=fail_on == "unsupported" and bool(run.blocked()))
