"""``migrate status PATH...``: count the ``# TODO(migrate:CODE)`` markers still in a tree."""

from __future__ import annotations

from rich.markup import escape

from .. import api, render
from .._outcome import Outcome
from ._options import Exclude, Paths, err, out


def status(paths: Paths, exclude: Exclude = None) -> Outcome:
    """Count TODO(migrate:CODE) markers per code and file."""
    defaults = api.load_defaults(paths)
    report = api.status(paths, exclude=(*defaults.exclude, *(exclude or ())))
    console = out()
    if report.markers:
        console.print(render.status_table(report))
    else:
        console.print("No TODO(migrate) markers left." if not report.failed else
                      "No TODO(migrate) markers in the files that could be read.")
    for skipped in report.skipped:
        err().print(f"[yellow]skipped[/] {escape(skipped.display)}: {escape(skipped.reason)}")
    for failed in report.failed:
        err().print(f"[red]failed[/] {escape(failed.display)}: {escape(failed.reason)}")
    return Outcome(report.failed)
