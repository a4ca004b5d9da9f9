"""What a command did, and the one place that knows the exit codes (DESIGN.md's table).

    0  done (a dry run that shows a diff is still 0)
    1  --check: something would change; scan --fail-on: a site is not supported
    2  usage error: bad option, unknown provider, missing path (also: uncommitted changes refused)
    3  finished, but some files could not be read or parsed (each reported), or the report could
       not be written; wins over 1
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._results import Changed, Failed, FileResult

__all__ = ["OK", "UNREADABLE", "USAGE", "WOULD_CHANGE", "Outcome", "exit_code"]

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
