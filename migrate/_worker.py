"""One file through the codemods: bytes in, a ``FileResult`` out (runs in worker processes too).

Pure apart from nothing: no disk, no printing. The parent reads the file and writes the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import _diff, _redact
from ._results import Changed, Failed, FileResult, Unchanged

__all__ = ["Job", "Options", "rewrite_file", "rewrite_files", "warm_up"]


@dataclass(frozen=True)
class Options:
    """The codemods' arguments for a run."""

    provider: str
    style: str = "adapter"
    model_map: Mapping[str, str] = field(default_factory=dict)
    keep_models: bool = False


@dataclass(frozen=True)
class Job:
    path: Path
    display: str
    data: bytes = field(repr=False)


def warm_up(provider: str) -> None:
    """Load the codemods and their tables for ``provider`` (a worker process does it as it starts)."""
    import codemods

    codemods.rewrite_source("import openai\nopenai.OpenAI()\n", provider=provider)


def rewrite_file(job: Job, options: Options) -> FileResult:
    """``job``'s file rewritten: ``Changed`` (with a redacted diff), ``Unchanged`` or ``Failed``."""
    import codemods

    try:
        result = codemods.rewrite_bytes(job.data, provider=options.provider, style=options.style,  # type: ignore[arg-type]
                                        model_map=options.model_map, keep_models=options.keep_models,
                                        path=job.display)
    except codemods.SourceError as exc:
        return Failed(job.path, job.display, _redact.redact(exc.reason))
    except RecursionError:
        return Failed(job.path, job.display, "too deeply nested for the parser")
    if not result.changed or result.data is None:
        return Unchanged(job.path, job.display, result.todos, result.findings)
    old = _diff.decode(job.data)
    key_lines = [finding.line for finding in result.findings if finding.kind == "literal_key"]
    secrets = _redact.literal_keys(old, key_lines)
    diff = _redact.redact(_diff.unified(old, result.code.lstrip("\ufeff"), job.display), secrets)
    todos = tuple(type(todo)(todo.code, todo.line, _redact.redact(todo.message, secrets)) for todo in result.todos)
    return Changed(job.path, job.display, diff, todos, result.findings, data=result.data)


def rewrite_files(jobs: list[Job], options: Options) -> list[FileResult]:
    """Several files in one call (one round trip to a worker process per chunk)."""
    return [rewrite_file(job, options) for job in jobs]
