"""Turn results into what people read: coloured diffs, tables on stderr, report files.

Terminal output goes through rich (colour only on a terminal; plain text when piped). Reports:
``.md``, ``.json`` (schema ``REPORT_SCHEMA``, documented in docs/report-json.md; stable: fields are
only ever added) and a single ``.html`` file with no external assets. A run made with
``verdicts=True`` adds "what runs on the provider": the touched and marked sites with
``migrate scan``'s verdicts (``scan_render`` renders them). Every diff and report passes
``_redact.redact`` once more, so a key shape that reached a diff some other way is still blanked.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import _fs, _html
from ._errors import UsageError
from ._redact import redact
from ._results import Changed, Failed, RewriteRun, Skipped, Unchanged
from ._status import StatusReport

if TYPE_CHECKING:
    from .scan import ScannedSite

__all__ = ["REPORT_FORMATS", "REPORT_SCHEMA", "check_report_path", "diff", "html", "json_report",
           "markdown", "models_table", "providers_table", "status_table", "summary_table", "write_report"]

REPORT_SCHEMA = "qianyi.migrate.rewrite/1"
REPORT_FORMATS = (".md", ".json", ".html")
_STYLES = {"+++": "bold", "---": "bold", "@@": "cyan", "+": "green", "-": "red"}


def diff(text: str, console: Console) -> None:
    """Print a unified diff: coloured on a terminal, byte-for-byte plain otherwise (the files' own
    bytes, whatever their encoding: the patch applies). A reader that went away (``| head``) ends
    the printing, not the run."""
    text = redact(text)
    try:
        if not console.is_terminal:
            stream = console.file
            buffer = getattr(stream, "buffer", None)
            stream.flush()
            if buffer is not None:
                buffer.write(text.encode("utf-8", "surrogateescape"))
                buffer.flush()
            else:
                stream.write(readable(text))
                stream.flush()
            return
        for line in text.rstrip("\n").split("\n") if text else ():
            line = line.removesuffix("\r")  # a CRLF file's lines: the \r is in the patch, not worth showing
            style = next((s for prefix, s in _STYLES.items() if line.startswith(prefix)), "")
            console.print(Text(visible(readable(line)), style=style), soft_wrap=True, highlight=False)
    except BrokenPipeError:
        _silence(console)


def _silence(console: Console) -> None:
    """The reader closed the pipe: send the rest of this process's output there nowhere."""
    import os
    import sys

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, console.file.fileno())
        os.close(devnull)
    if console.file is sys.stdout:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


def readable(text: str) -> str:
    """``text`` with the bytes that are not UTF-8 (kept as surrogates, see ``_diff``) as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def visible(text: str) -> str:
    """``text`` with control characters (ESC, OSC...; tab kept) shown as ``\\xNN``: nothing a
    file's name or content holds can drive the terminal."""
    return "".join(c if c == "\t" or not (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) else f"\\x{ord(c):02x}"
                   for c in text)


def shown(path: str) -> str:
    """A path as rich markup: control characters visible, ``[...]`` escaped."""
    return escape(visible(path))


def _status_of(result: object) -> str:
    return type(result).__name__.lower()


def summary_table(run: RewriteRun) -> Table:
    """Files per outcome, TODOs per code, and each failed or skipped file with its reason."""
    counts = run.counts()
    verb = "written" if run.write else "would change"
    table = Table()
    table.add_column(f"files ({run.provider}, {run.style} style)")
    table.add_column("count", justify="right")
    for label, key in ((verb, "Changed"), ("unchanged", "Unchanged"), ("skipped", "Skipped"),
                       ("failed", "Failed")):
        table.add_row(label, str(counts.get(key, 0)))
    todo_counts = Counter(todo.code for _, todo in run.todos)
    for code, count in sorted(todo_counts.items()):
        table.add_row(f"TODO(migrate:{code})", str(count))
    for result in run.results:
        if isinstance(result, Failed | Skipped):
            table.add_row(f"[red]{_status_of(result)}[/] {shown(result.display)}", shown(redact(result.reason)))
    return table


def interrupted(run: RewriteRun, signum: int) -> str:
    """What an interrupted run says (rich markup): the signal, and which files it wrote."""
    import signal

    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    written = [r.display for r in run.changed if r.written]
    if not run.write:
        return f"[bold red]interrupted[/] by {name}: a dry run, nothing was written."
    if not written:
        return f"[bold red]interrupted[/] by {name} before writing anything: every file is as it was."
    listed = "".join(f"\n  {shown(display)}" for display in written)
    return (f"[bold red]interrupted[/] by {name}: {len(written)} file(s) were written before it (the others "
            f"are as they were; no temporary file is left):{listed}")


def status_table(report: StatusReport) -> Table:
    table = Table(title="TODO(migrate) markers left", title_justify="left")
    table.add_column("file")
    table.add_column("code")
    table.add_column("count", justify="right")
    for display, codes in report.by_file().items():
        for code, count in sorted(codes.items()):
            table.add_row(shown(display), code, str(count))
    for code, count in sorted(report.by_code().items()):
        table.add_row("[bold]all files[/]", code, str(count))
    return table


def providers_table(rows: list[Any]) -> Table:
    table = Table(title="installed providers", title_justify="left")
    for column in ("provider", "native API root", "base URL variable", "key variables", "endpoints"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.name, row.base_url, row.base_url_var, ", ".join(row.key_vars), ", ".join(row.endpoints))
    return table


def models_table(provider: str, rows: list[Any]) -> Table:
    table = Table(title=f"{provider} models in the catalogue", title_justify="left")
    for column in ("model", "kind", "context", "max output", "features", "OpenAI names mapped to it"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.name, row.kind, _number(row.context), _number(row.max_output), ", ".join(row.features),
                      ", ".join(row.openai_names))
    return table


def names_table(provider: str, rows: list[Any], title: str) -> Table:
    """What each model name becomes on ``provider`` (``migrate models NAME...``)."""
    table = Table(title=title, title_justify="left")
    for column in ("name", f"{provider} model", "with images", "how", "rule steps"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.name, row.model or "(refused)", row.with_images, row.how, " -> ".join(row.steps))
    return table


def _number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


# --- reports ------------------------------------------------------------------------------------


def check_report_path(path: Path) -> None:
    """A ``UsageError`` unless ``path`` names a report format we write in a folder that exists and
    can be written (checked before the run, so a bad --report costs nothing)."""
    import os

    if path.suffix.lower() not in REPORT_FORMATS:
        raise UsageError(f"--report {path}: use a name ending in {', '.join(REPORT_FORMATS)}")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"--report {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--report {path}: the folder {folder} cannot be written")
    if os.path.lexists(path) and (path.is_dir() or not os.access(path, os.W_OK)):
        raise UsageError(f"--report {path}: {'a folder' if path.is_dir() else 'a read-only file'} is in the way")


def write_report(run: RewriteRun, path: Path) -> None:
    """Write the report whose format ``path``'s suffix names."""
    check_report_path(path)
    makers = {".md": markdown, ".json": json_report, ".html": html}
    _fs.write_atomic(path, makers[path.suffix.lower()](run).encode("utf-8"))


def report_data(run: RewriteRun) -> dict[str, Any]:
    """The report as plain data (the JSON report; Markdown and HTML are made from it too)."""
    from codemods import TODO_CODES

    from .scan_render import site_json

    files = []
    for result in run.results:
        entry: dict[str, Any] = {"path": result.display, "status": _status_of(result)}
        if isinstance(result, Changed):
            entry |= {"kind": result.kind, "written": result.written, "diff": readable(redact(result.diff))}
        if isinstance(result, Changed | Unchanged):
            entry["todos"] = [{"code": t.code, "line": t.line, **({"cell": t.cell} if t.cell is not None else {}),
                               "where": t.where, "message": redact(t.message)} for t in result.todos]
            entry["verdicts"] = [site_json(site) for site in result.verdicts]
        if isinstance(result, Skipped | Failed):
            entry["reason"] = redact(result.reason)
        files.append(entry)
    counts = run.counts()
    codes = sorted({todo.code for _, todo in run.todos})
    return {
        "schema": REPORT_SCHEMA,
        "provider": run.provider,
        "style": run.style,
        "written": run.write,
        "summary": {"changed": counts.get("Changed", 0), "unchanged": counts.get("Unchanged", 0),
                    "skipped": counts.get("Skipped", 0), "failed": counts.get("Failed", 0),
                    "todos": len(run.todos)},
        "files": files,
        "todo_codes": {code: TODO_CODES.get(code, "") for code in codes},
        "notes": [redact(note) for note in run.notes],
        "verdict_summary": _verdict_summary(run),
    }


def _verdict_summary(run: RewriteRun) -> dict[str, int] | None:
    """Judged sites per status (and how many need re-embedding); ``None`` when the run did not judge."""
    if not run.judged:
        return None
    counts = run.verdict_counts()
    return {"sites": len(run.verdicts), **{key: counts.get(key, 0) for key in ("works", "caveat", "unsupported",
                                                                               "reembed")}}


def json_report(run: RewriteRun) -> str:
    return json.dumps(report_data(run), indent=2, ensure_ascii=False) + "\n"


def _fence(text: str) -> str:
    """A fence longer than any run of backticks in ``text`` (a diff line `` ```x`` cannot close it)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def markdown(run: RewriteRun) -> str:
    data = report_data(run)
    summary = data["summary"]
    lines = [f"# Migration to {run.provider} ({run.style} style)", "",
             "| changed | unchanged | skipped | failed | TODOs |", "|---:|---:|---:|---:|---:|",
             f"| {summary['changed']} | {summary['unchanged']} | {summary['skipped']} | {summary['failed']} "
             f"| {summary['todos']} |", ""]
    lines += [f"> {note}" for note in data["notes"]] + ([""] if data["notes"] else [])
    lines += _verdict_header(run.provider, data["verdict_summary"])
    todos = [(f["path"], t) for f in data["files"] for t in f.get("todos", ())]
    if todos:
        lines += ["## TODOs", ""]
        lines += [f"- `{path}:{t['where']}` **{t['code']}**: {t['message']}" for path, t in todos]
        lines += ["", "### What the codes mean", ""]
        lines += [f"- **{code}**: {text}" for code, text in data["todo_codes"].items()] + [""]
    problems = [f for f in data["files"] if f["status"] in ("failed", "skipped")]
    if problems:
        lines += ["## Files not rewritten", ""]
        lines += [f"- `{f['path']}` ({f['status']}): {f['reason']}" for f in problems] + [""]
    lines += _verdict_sections(run)
    changed = [f for f in data["files"] if f["status"] == "changed"]
    if changed:
        lines += ["## Changes", ""]
        for entry in changed:
            fence = _fence(entry["diff"])
            lines += [f"### `{entry['path']}`", "", f"{fence}diff", entry["diff"].rstrip("\n"), fence, ""]
    return "\n".join(lines)


def _verdict_header(provider: str, summary: dict[str, int] | None) -> list[str]:
    if summary is None:
        return []
    reembed = f"; re-embed stored vectors: {summary['reembed']}" if summary["reembed"] else ""
    return [f"**What runs on {provider}** ({summary['sites']} site(s) the rewrite touched or marked): "
            f"works: {summary['works']}; works with a caveat: {summary['caveat']}; not supported: "
            f"{summary['unsupported']}{reembed}.", ""]


def _verdict_sections(run: RewriteRun) -> list[str]:
    """Per file, "What runs on <provider>": each judged site, its verdict, and the re-embed warning."""
    from .scan_render import TITLES, verdict_markdown

    lines: list[str] = []
    for result in run.results:
        if not isinstance(result, Changed | Unchanged) or not result.verdicts:
            continue
        lines += [f"## What runs on {run.provider}: `{result.display}`", "",
                  "| line | site | verdict | how |", "|---:|---|---|---|"]
        for scanned in result.verdicts:
            verdict = scanned.verdicts[run.provider]
            lines.append(f"| {scanned.site.line} | {TITLES.get(scanned.site.category, scanned.site.category)} "
                         f"`{_cell(scanned.site.name)}` | {verdict_markdown(verdict)} | {_hows(scanned, run.provider)} |")
        reembed = [scanned for scanned in result.verdicts if scanned.verdicts[run.provider].reembed]
        if reembed:
            lines += ["", "> ⚠️ **Re-embed stored vectors**: another model makes the vectors on "
                          f"{run.provider}; vectors stored from the OpenAI model must be re-embedded "
                          f"(lines {', '.join(str(s.site.line) for s in reembed)})."]
        lines.append("")
    return lines


def _cell(text: str) -> str:
    return redact(text).replace("|", "\\|")


def _hows(scanned: ScannedSite, provider: str) -> str:
    """How the reasons that set the verdict come about (``Reason.how``), e.g. ``translated, clamped``."""
    verdict = scanned.verdicts[provider]
    return ", ".join(dict.fromkeys(r.how for r in verdict.reasons if r.status == verdict.status))


def html(run: RewriteRun) -> str:
    return _html.page(report_data(run))
