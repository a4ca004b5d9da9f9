"""The library behind ``migrate``: typed results, no printing, no typer.

    run = rewrite([Path("src")], provider="zhipu", write=False)     # a dry run
    run.changed[0].diff, run.todos, run.failed
    status([Path("src")]).markers                                     # TODO(migrate:...) left
    providers(), models("zhipu")                                      # what is installed

Errors that stop a run before it writes are ``UsageError``s (``UncommittedChanges``,
``GitCannotAnswer``, ``NameClash`` among them); a file that cannot be read, decoded or parsed (or
that crashes the parser) is a ``Failed`` result and the run goes on. A run stopped by Ctrl-C (or by
SIGTERM/SIGHUP, which the CLI turns into ``Interrupted``) raises ``RunInterrupted`` holding what it
wrote; it leaves no temporary file.
"""

from __future__ import annotations

from ._config import Defaults, load_defaults, load_model_map
from ._errors import GitCannotAnswer, Interrupted, NameClash, RunInterrupted, UncommittedChanges, UsageError
from ._jobs import FILES_PER_PROCESS, MAX_FILE_SIZE
from ._paths import EMPTY_PATH, check_paths, check_provider, display_path
from ._providers import EXAMPLE_NAMES, ModelRow, NameRow, ProviderRow, models, providers, resolve_names
from ._results import Changed, Failed, FileResult, RewriteRun, Skipped, Unchanged
from ._status import Marker, StatusReport, status
from .rewrite import STYLES, Progress, rewrite

__all__ = ["EMPTY_PATH", "EXAMPLE_NAMES", "FILES_PER_PROCESS", "MAX_FILE_SIZE", "STYLES", "Changed", "Defaults",
           "Failed", "FileResult", "GitCannotAnswer", "Interrupted", "Marker", "ModelRow", "NameClash", "NameRow",
           "Progress", "ProviderRow", "RewriteRun", "RunInterrupted", "Skipped", "StatusReport", "Unchanged",
           "UncommittedChanges", "UsageError", "check_paths", "check_provider", "display_path", "load_defaults",
           "load_model_map", "models", "providers", "resolve_names", "rewrite", "status"]
