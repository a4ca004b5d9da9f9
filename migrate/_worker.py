"""One file through the codemods: bytes in, a ``FileResult`` out (runs in worker processes too).

Pure apart from nothing: no disk, no printing. The parent reads the file and writes the result.
With ``Options.verdicts`` (a run that writes a report) the sites the rewrite touched or marked
are judged too, by ``migrate.scan.verdicts_for`` on the input: one more parse per file with
findings, so a plain ``--dry-run`` does not pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from . import _diff, _redact
from ._jobs import Job, nul_byte
from ._results import Changed, Failed, FileResult, Unchanged

if TYPE_CHECKING:
    from codemods import Rewrite, Style

    from ._verdicts import ScannedSite

__all__ = ["Options", "rewrite_file", "warm_up"]


@dataclass(frozen=True)
class Options:
    """The codemods' arguments for a run."""

    provider: str
    style: Style = "adapter"
    model_map: Mapping[str, str] = field(default_factory=dict)
    keep_models: bool = False
    verdicts: bool = False  # judge the touched and marked sites (for the report)


_WARM: set[str] = set()  # providers this process has warmed up for


def warm_up(provider: str) -> None:
    """Load the codemods and their tables for ``provider`` (a worker process does it as it starts;
    once per process and provider)."""
    if provider in _WARM:
        return
    import gc

    collecting = gc.isenabled()
    gc.disable()  # loading makes objects that live on, not garbage: no collections meanwhile
    try:
        import codemods

        codemods.rewrite_source("import openai\nopenai.OpenAI()\n", provider=provider)
        _WARM.add(provider)
    finally:
        gc.freeze()  # what is loaded now lives as long as the process: the collector need not scan it again
        if collecting:
            gc.enable()


def rewrite_file(job: Job, options: Options) -> FileResult:
    """``job``'s file rewritten: ``Changed`` (with a redacted diff), ``Unchanged`` or ``Failed``."""
    try:
        return _rewrite_file(job, options)
    except Exception as exc:  # noqa: BLE001 - a bug of ours on one file must not take the run down
        return Failed(job.path, job.display, f"the rewriter failed on this file ({type(exc).__name__}: "
                                             f"{_redact.redact(str(exc))}); left as it is: please report it")


def _rewrite_file(job: Job, options: Options) -> FileResult:
    import codemods
    from codemods import notebooks

    if (why := nul_byte(job.data)) is not None:
        return Failed(job.path, job.display, why)
    notebook = notebooks.is_notebook(job.path.name)
    rewrite = notebooks.rewrite_notebook if notebook else codemods.rewrite_bytes
    try:
        result = rewrite(job.data, provider=options.provider, style=options.style, model_map=options.model_map,
                         keep_models=options.keep_models, path=job.display)
    except codemods.SourceError as exc:
        return Failed(job.path, job.display, _redact.redact(exc.reason))
    except RecursionError:
        return Failed(job.path, job.display, "too deeply nested for the parser")
    # A notebook's sites are judged by cell in `migrate scan`; the report's per-line verdicts are for .py files.
    verdicts = _verdicts(job, options, result) if options.verdicts and not notebook else ()
    if not result.changed or result.data is None:
        return Unchanged(job.path, job.display, result.todos, result.findings, verdicts)
    old = _diff.decode(job.data)
    key_lines = [finding.line for finding in result.findings if finding.kind == "literal_key"]
    # A notebook's findings count in its code cells joined as one module: look for the keys there.
    secrets = _redact.literal_keys(notebooks.read(job.data).module if notebook else old, key_lines)
    diff = _diff.unified(job.data, result.data, job.display)
    if notebook:
        diff = notebooks.name_cells(diff, result.code)
    diff = _redact.redact(diff, secrets)
    todos = tuple(replace(todo, message=_redact.redact(todo.message, secrets)) for todo in result.todos)
    return Changed(job.path, job.display, diff, todos, result.findings, verdicts, data=result.data)


def _verdicts(job: Job, options: Options, result: Rewrite) -> tuple[ScannedSite, ...]:
    """The sites of ``job``'s input on the lines of the rewrite's findings and TODOs, judged.

    Those lines count in the input, as the sites' do. In a file with openai 0.x calls every site is
    kept, as the rewrite touches every 0.x call.
    """
    from codemods import SourceError

    from . import scan

    lines = {finding.line for finding in result.findings} | {todo.line for todo in result.todos}
    lines.discard(0)  # a finding the codemods could not place
    if not lines:
        return ()
    try:
        sites = scan.verdicts_for(job.data, options.provider, path=job.display, model_map=options.model_map)
    except (SourceError, RecursionError):
        return ()  # the codemods parsed it, so this does not happen; the rewrite stands either way
    if any(site.site.category == "legacy" for site in sites):
        return tuple(sites)
    return tuple(site for site in sites if site.site.line in lines)
