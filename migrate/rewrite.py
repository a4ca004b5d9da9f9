"""``migrate rewrite`` as a library call: find, read, rewrite (in worker processes), check, write.

    run = rewrite([Path("src")], provider="zhipu", write=False)     # a dry run
    run.changed[0].diff, run.todos, run.failed

Errors that stop a run before it writes are ``UsageError``s (``UncommittedChanges``,
``GitCannotAnswer``, ``NameClash`` among them); a file that cannot be read, decoded or parsed (or
that crashes the parser) is a ``Failed`` result and the run goes on. A run stopped by Ctrl-C (or by
SIGTERM/SIGHUP, which the CLI turns into ``Interrupted``) raises ``RunInterrupted`` holding what it
wrote; it leaves no temporary file. A sibling of ``scan`` and ``_status``; ``api`` gathers them.
"""


from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from . import _clash, _deps, _diff, _envfiles, _fs, _git, _lock, _overlap, _redact
from ._discover import Discovery, discover
from ._errors import Interrupted, NameClash, RunInterrupted, UncommittedChanges, UsageError
from ._isolate import run_isolated
from ._jobs import FILES_PER_PROCESS, MAX_FILE_SIZE, Job, check_max_file_size, not_read, size_limit_for
from ._paths import EMPTY_PATH, check_paths, check_provider, display_path
from ._prefilter import Prefilter
from ._results import Changed, Failed, FileResult, RewriteRun, Skipped, Unchanged
from ._worker import Options, rewrite_file, warm_up

if TYPE_CHECKING:
    from codemods import Style

__all__ = ["STYLES", "Progress", "rewrite"]

STYLES = ("adapter", "compat")
Progress = Callable[[int, int], None]


def rewrite(paths: Sequence[Path | str], *, provider: str, write: bool = False, style: str = "adapter",
            model_map: Mapping[str, str] | None = None, keep_models: bool = False,
            exclude: Sequence[str] = (), jobs: int | None = None, force: bool = False,
            deps: Path | str | None = None, prefilter: bool = True, gitignore: bool = True,
            env_files: bool = False, verdicts: bool = False, progress: Progress | None = None,
            max_file_size: int | None = MAX_FILE_SIZE) -> RewriteRun:
    """Rewrite the Python files under ``paths`` for ``provider``; write them only if ``write``.

    ``jobs``: worker processes (default: all cores). ``deps``: the dependency file to add ``qianyi``
    to (default: ``requirements*.txt`` / ``pyproject.toml`` found inside ``paths``). ``env_files``:
    also rewrite the OPENAI_* settings of dotenv files (``.env.example``...) found there. ``verdicts``:
    judge the sites each file's rewrite touched or marked, as ``migrate scan`` does (``verdicts`` of
    ``Changed``/``Unchanged``, for the report; one more parse per such file). ``max_file_size``:
    larger files (bytes) are ``Skipped`` unread (``None``: no limit; LibCST needs ~800x a file's
    size). ``prefilter`` and ``gitignore`` exist so tests can turn them off. Raises ``UsageError``
    for a bad argument; unless ``force``, ``NameClash`` when the changed code would import an
    ``adapters`` that is not qianyi's, ``UncommittedChanges`` when writing would touch files git
    reports as uncommitted, ``GitCannotAnswer`` when git cannot tell. Nothing is written then.
    """
    if any(isinstance(p, str) and not p.strip() for p in paths):
        raise UsageError(EMPTY_PATH)
    roots = [Path(p) for p in paths]
    check_paths(roots)
    check_provider(provider)
    if style not in STYLES:
        raise UsageError(f"unknown style {style!r}; use one of {', '.join(STYLES)}")
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {jobs}")
    check_max_file_size(max_file_size)
    deps_file = Path(os.path.abspath(deps)) if deps is not None else None
    if deps_file is not None and not deps_file.is_file():
        raise UsageError(f"dependency file not found: {deps}")
    options = Options(provider, cast("Style", style), dict(model_map or {}), keep_models, verdicts)  # checked above

    state = _State([], [])
    try:
        with _lock.held(roots) if write else contextlib.nullcontext():
            return _rewrite(roots, options, write=write, style=style, exclude=exclude, jobs=jobs, force=force,
                            deps_file=deps_file, prefilter=prefilter, gitignore=gitignore, env_files=env_files,
                            verdicts=verdicts, progress=progress, max_file_size=max_file_size, state=state)
    except (KeyboardInterrupt, Interrupted) as exc:
        _fs.remove_temporaries()
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        pending: list[FileResult] = [
            Skipped(r.path, r.display, "not written: the run was interrupted") if isinstance(r, Changed) else r
            for r in state.pending]
        partial = RewriteRun(provider, style, write, tuple(state.done + pending), judged=verdicts)
        raise RunInterrupted(signum, partial) from None


@dataclass
class _State:
    """How far a writing run got: the results handled by ``_write`` and those still to handle."""

    done: list[FileResult]
    pending: list[FileResult]


def _rewrite(roots: list[Path], options: Options, *, write: bool, style: str, exclude: Sequence[str],
             jobs: int | None, force: bool, deps_file: Path | None, prefilter: bool, gitignore: bool,
             env_files: bool, verdicts: bool, progress: Progress | None, max_file_size: int | None,
             state: _State) -> RewriteRun:
    provider = options.provider
    cores = min(jobs or os.cpu_count() or 1, 64)
    # With more than one core, a forked child finds and reads the files while this process loads
    # the codemods (nearly every run needs them; forked workers inherit them). Not from a process
    # running other threads: a forked child would inherit whatever locks they hold.
    find_and_read = functools.partial(_find_and_read, roots, exclude, gitignore, env_files,
                                      Prefilter(options.model_map) if prefilter else None, max_file_size)
    fork = cores > 1 and os.name == "posix" and threading.active_count() == 1
    found, todo, results, snapshots = _overlap.overlapped(
        find_and_read, meanwhile=functools.partial(warm_up, provider), fork=fork)
    # The parsing happens in worker processes, at least one: a file that crashes the parser ends
    # as Failed and the run goes on (see _isolate).
    processes = max(1, min(cores, len(todo) // FILES_PER_PROCESS))
    results += run_isolated(functools.partial(rewrite_file, options=options), todo, processes,
                            crashed=_crashed, progress=progress, warm=functools.partial(warm_up, provider))
    notes: list[str] = []
    results += _env_file_edits(found.env_files, options, snapshots)
    if any(isinstance(r, Changed) and r.kind == "source" for r in results):
        results += _dependency_edits([r for r in results if isinstance(r, Changed) and r.kind == "source"],
                                     roots, deps_file, style, snapshots, notes)
    results.sort(key=lambda r: (isinstance(r, Changed) and r.kind == "dependencies", r.display))
    if style == "adapter" and not force:
        _check_name(results, found)
    if write:
        results = _write(results, snapshots, force, state)
    return RewriteRun(provider, style, write, tuple(results), tuple(notes), judged=verdicts)


def _find_and_read(roots: list[Path], exclude: Sequence[str], gitignore: bool, env_files: bool,
                   worth: Prefilter | None, limit: int | None) -> tuple[Discovery, list[Job], list[FileResult], dict[Path, _fs.Snapshot]]:
    """The files to look at; the jobs (files the prefilter passes), the other results, every snapshot."""
    found = discover(roots, exclude, gitignore=gitignore, env_files=env_files)
    results: list[FileResult] = [Skipped(p, display_path(p), why) for p, why in found.skipped]
    snapshots: dict[Path, _fs.Snapshot] = {}
    todo = _read(found.files, worth, results, snapshots, limit)
    return found, todo, results, snapshots


def _read(files: list[tuple[Path, Path]], worth: Prefilter | None, results: list[FileResult],
          snapshots: dict[Path, _fs.Snapshot], limit: int | None) -> list[Job]:
    """Read every file; those the prefilter passes become jobs, the rest ``Unchanged``."""
    todo: list[Job] = []
    cwd = Path.cwd()
    for path, _root in files:
        display = display_path(path, cwd)
        try:
            data, snapshots[path] = _fs.read(path, size_limit_for(path, limit))
        except (OSError, _fs.NotRegular, _fs.TooLarge) as exc:
            results.append(not_read(path, display, exc, limit))
            continue
        if worth is None or worth(data):
            todo.append(Job(path, display, data))
        else:
            results.append(Unchanged(path, display))
    return todo


def _check_name(results: list[FileResult], found: Discovery) -> None:
    """``NameClash`` when code the run changes would import an ``adapters`` that is not qianyi's."""
    roots = dict(found.files)
    importing = [(r.path, roots.get(r.path, r.path.parent)) for r in results
                 if isinstance(r, Changed) and r.kind == "source" and b"adapters" in r.data]
    if importing:
        clashes = _clash.clashes(importing, display_path)
        if clashes:
            raise NameClash(clashes)


def _crashed(job: Job, why: str) -> FileResult:
    return Failed(job.path, job.display, why)


def _dependency_edits(changed: list[Changed], roots: list[Path], deps_file: Path | None, style: str,
                      snapshots: dict[Path, _fs.Snapshot], notes: list[str]) -> list[FileResult]:
    """The dependency files that cover the changed code, made to install it: ``qianyi`` added
    (adapter style), openai pins that exclude the versions it needs relaxed; notes say what else."""
    target = _deps.SUPPORTED if style == "adapter" else _deps.OPENAI_1
    if deps_file is not None:
        files = [deps_file]
    else:
        folders = [Path(os.path.abspath(r)) for r in roots if os.path.isdir(r)]
        files = []
        for result in changed:
            for folder in result.path.parents:
                if not any(folder == root or folder.is_relative_to(root) for root in folders):
                    break
                found = _deps.candidates_in(folder)
                if found:
                    files += [f for f in found if f not in files]
                    break
    out: list[FileResult] = []
    listed, manual = False, []
    for path in files:
        display = display_path(path)
        try:
            data, snapshots[path] = _fs.read(path)
            text = data.decode("utf-8")
            edit = _deps.edit(path, text, target)
        except _fs.NotRegular as exc:
            out.append(not_read(path, display, exc, None))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            out.append(Failed(path, display, f"cannot read the dependency file: {exc}"))
            continue
        except _deps.CannotEdit as exc:
            manual.append(f"{display}: {exc}")
            continue
        listed = listed or edit.listed
        notes += [f"openai 0.x only: {display}: {note}" for note in edit.notes]
        manual += [f"{display}: {edit.manual}"] if edit.manual else []
        if edit.text is not None:
            new = edit.text.encode("utf-8")
            out.append(Changed(path, display, _diff.unified(data, new, display), kind="dependencies", data=new))
    edited = {r.path.parent for r in out if isinstance(r, Changed)}
    if not files:
        edited |= {Path(os.path.abspath(r)) for r in roots if os.path.isdir(r)}
    notes += _lock_notes(edited)
    if target.add and not listed:
        notes += manual or [f"The migrated code imports `adapters`: add `{_deps.REQUIREMENT}` to your project's "
                            f"dependencies (no requirements*.txt or pyproject.toml found inside the given paths; "
                            f"--deps FILE names one)."]
    return out


def _lock_notes(folders: set[Path]) -> list[str]:
    """Lock files beside the dependency files: never edited, to be regenerated."""
    return [f"{display_path(path)} is a lock file and was not edited: regenerate it (`{command}`) after "
            f"reviewing the dependency changes" for folder in sorted(folders) for path, command in _deps.locks_in(folder)]


def _env_file_edits(paths: list[Path], options: Options, snapshots: dict[Path, _fs.Snapshot]) -> list[FileResult]:
    """The dotenv files whose OPENAI_* settings become the provider's (keys' values never carried)."""
    from adapters import catalogue, registry
    from codemods._target import thinking_off_of
    from codemods._thinking import switch

    provider = options.provider
    backend = registry.get(provider)
    user_map = options.model_map

    def model_of(name: str) -> str:
        # An OpenAI embedding name stays (unless the user maps it): the runtime keeps its vector size.
        if name not in user_map and catalogue.openai_dimensions(name) is not None:
            return name
        mapped = catalogue.map_model(name, provider, user_map)
        # So does a model that did not reason whose counterpart thinks by default (adapter style): the code
        # reading the setting cannot say so, the runtime seeing the OpenAI name keeps thinking off.
        if options.style == "adapter" and switch(name, mapped, thinking_off_of(backend)):
            return name
        return mapped

    out: list[FileResult] = []
    for path in paths:
        display = display_path(path)
        try:
            data, snapshots[path] = _fs.read(path)
            text = data.decode("utf-8")
        except _fs.NotRegular as exc:
            out.append(not_read(path, display, exc, None))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            out.append(Failed(path, display, f"cannot read the env file: {exc}"))
            continue
        new = _envfiles.rewritten(text, provider=provider, key_var=backend.KEY_VARS[0],
                                  base_url_var=backend.BASE_URL_VAR,
                                  model_of=None if options.keep_models else model_of)
        if new is None:
            out.append(Unchanged(path, display))
        else:
            out.append(Changed(path, display, _redact.redact(_diff.unified(data, new.encode("utf-8"), display)),
                               kind="env",
                               data=new.encode("utf-8")))
    return out


def _write(results: list[FileResult], snapshots: dict[Path, _fs.Snapshot], force: bool,
           state: _State) -> list[FileResult]:
    """Write the changed files (``state`` follows along, for an interrupted run to say how far it got)."""
    targets = [r.path for r in results if isinstance(r, Changed)]
    if not force:
        dirty = _git.uncommitted(targets)
        if dirty:
            raise UncommittedChanges(dirty)
    out = state.done
    state.pending = list(results)
    while state.pending:
        result = state.pending[0]
        if not isinstance(result, Changed):
            out.append(result)
        elif _fs.changed_since(result.path, snapshots[result.path]):
            out.append(Skipped(result.path, result.display, "the file changed on disk during the run; "
                                                             "left as it is: run again"))
        elif not force and (problem := _fs.identity_problem(result.path)) is not None:
            out.append(Skipped(result.path, result.display, problem))
        else:
            try:
                _fs.write_atomic(result.path, result.data)
            except OSError as exc:
                out.append(Failed(result.path, result.display, f"cannot write: {exc.strerror or exc}"))
            else:
                out.append(replace(result, written=True))
        state.pending.pop(0)
    return out
