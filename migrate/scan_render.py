"""``migrate scan`` results as people and tools read them: a terminal summary, JSON, SARIF, Markdown.

    table     a provider-by-feature table with counts, then the sites that block each provider and
              the embeddings whose stored vectors must be re-embedded (rich; plain text when piped)
    json      ``SCAN_SCHEMA``, documented in docs/scan-json.md (stable: fields are only ever added)
    sarif     SARIF 2.1.0, one result per site and provider that is not plain "works"
    markdown  the summary and every site's verdicts, for a pull request or a wiki

Nothing here decides a verdict: ``migrate.scan`` does. Site details never hold a key (the
analysis keeps none), and every text passes ``_redact.redact`` once more on the way out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ._redact import redact
from .scan import STATUSES, ScannedSite, ScanRun, Verdict

__all__ = ["FORMATS", "SCAN_SCHEMA", "TITLES", "json_document", "json_text", "markdown", "sarif_document",
           "site_json", "table", "verdict_markdown"]

SCAN_SCHEMA = "qianyi.migrate.scan/1"
FORMATS = ("table", "json", "sarif", "markdown")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: Category -> what reports call it.
TITLES = {
    "client": "client construction", "chat": "chat call", "streaming": "streaming", "tools": "tools",
    "json_schema": "structured output (json_schema)", "json_object": "JSON mode (json_object)",
    "vision": "image or audio input", "turn_order": "history opening with an assistant turn", "embeddings": "embeddings", "models": "models API",
    "completions": "legacy text completions", "images": "images", "audio": "audio", "moderations": "moderations",
    "files": "files", "uploads": "uploads", "fine_tuning": "fine-tuning", "batches": "batches",
    "assistants": "assistants", "threads": "threads and runs", "vector_stores": "vector stores",
    "containers": "containers", "videos": "videos",
    "responses": "Responses API", "realtime": "realtime", "legacy": "openai 0.x call", "model": "model name",
    "env_var": "environment variable", "api_key": "API key in the source",
    "library": "client built by another library",
}
_COLOURS = {"works": "green", "caveat": "yellow", "unsupported": "red"}
_LEVELS = {"unsupported": "error", "caveat": "note"}
_MARKS = {"works": "✅", "caveat": "⚠️", "unsupported": "❌"}


def _title(category: str) -> str:
    return TITLES.get(category, category)


def _where(scanned: ScannedSite) -> str:
    return f"{scanned.display}:{scanned.site.where}"


def _vector_reason(verdict: Verdict) -> str:
    return next(r.detail for r in verdict.reasons if r.how == "vector size")


# -- terminal -------------------------------------------------------------------------------------


def _cell(counts: Mapping[str, int]) -> str:
    parts = [f"[{_COLOURS[s]}]{counts[s]} {s}[/]" for s in STATUSES if counts.get(s)]
    return ", ".join(parts) or "-"


def table(run: ScanRun, console: Console) -> None:
    """The summary: feature rows x provider columns with counts, then what blocks each provider."""
    if not run.sites:
        console.print(f"No OpenAI SDK usage found in {run.files} Python file(s).")
        return
    grid = Table(title=f"OpenAI SDK usage in {run.files} Python file(s): verdicts per provider",
                 title_justify="left")
    grid.add_column("feature")
    grid.add_column("sites", justify="right")
    for provider in run.providers:
        grid.add_column(provider)
    for category, by_provider in run.counts().items():
        total = sum(by_provider[run.providers[0]].values())
        grid.add_row(_title(category), str(total), *(_cell(by_provider[p]) for p in run.providers))
    totals = run.totals()
    grid.add_row("[bold]all sites[/]", str(len(run.sites)), *(_cell(totals[p]) for p in run.providers),
                 end_section=True)
    console.print(grid)
    for provider in run.providers:
        blocked = run.blocked(provider)
        if not blocked:
            console.print(f"\n[green]Nothing blocks {provider}.[/]")
            continue
        console.print(f"\n[bold red]{len(blocked)} site(s) not supported on {provider}:[/]")
        for scanned in blocked:
            verdict = scanned.verdicts[provider]
            console.print(f"  {escape(_where(scanned))}  {escape(_title(scanned.site.category))} "
                          f"[dim]{escape(scanned.site.name)}[/] — {escape(redact(verdict.summary))}",
                          soft_wrap=True, highlight=False)
    for provider in run.providers:
        reembed = [s for s in run.sites if s.verdicts[provider].reembed]
        if reembed:
            console.print(f"\n[bold yellow]Another embedding model on {provider}: stored vectors must be "
                          f"re-embedded[/]")
            for scanned in reembed:
                detail = _vector_reason(scanned.verdicts[provider])
                console.print(f"  {escape(_where(scanned))}  {escape(detail)}", soft_wrap=True, highlight=False)


# -- JSON -----------------------------------------------------------------------------------------


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {"status": verdict.status, "reembed": verdict.reembed,
            "reasons": [{"subject": r.subject, "status": r.status, "how": r.how, "detail": redact(r.detail)}
                        for r in verdict.reasons]}


def site_json(scanned: ScannedSite) -> dict[str, Any]:
    """One site as ``sites[]`` holds it (the rewrite report can carry the same objects)."""
    site = scanned.site
    return {
        "path": scanned.display, "line": site.line, **({"cell": site.cell} if site.cell is not None else {}),
        "category": site.category, "name": site.name,
        "parameters": list(site.parameters), "values": dict(site.values), "model": site.model,
        "features": list(site.features), "detail": site.detail, "dynamic": site.dynamic,
        "verdicts": {provider: _verdict_json(verdict) for provider, verdict in scanned.verdicts.items()},
    }


def json_document(run: ScanRun) -> dict[str, Any]:
    """The ``--format json`` document (schema ``SCAN_SCHEMA``, docs/scan-json.md)."""
    return {
        "schema": SCAN_SCHEMA,
        "providers": list(run.providers),
        "files": {
            "scanned": run.files,
            "with_sites": len({s.display for s in run.sites}),
            "failed": [{"path": f.display, "reason": redact(f.reason)} for f in run.failed],
            "skipped": [{"path": s.display, "reason": s.reason} for s in run.skipped],
        },
        "summary": {p: {**{s: counts.get(s, 0) for s in STATUSES}, "reembed": counts.get("reembed", 0)}
                    for p, counts in run.totals().items()},
        "categories": {category: {p: {s: counts.get(s, 0) for s in STATUSES} for p, counts in by_provider.items()}
                       for category, by_provider in run.counts().items()},
        "sites": [site_json(scanned) for scanned in run.sites],
    }


def json_text(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- SARIF ----------------------------------------------------------------------------------------


def _version() -> str:
    try:
        return metadata.version("qianyi")
    except metadata.PackageNotFoundError:
        return "0"


def _artifact(display: str) -> dict[str, str]:
    if PurePosixPath(display).is_absolute():
        return {"uri": Path(display).as_uri()}
    return {"uri": display, "uriBaseId": "SRCROOT"}


def sarif_document(run: ScanRun, root: Path | None = None) -> dict[str, Any]:
    """SARIF 2.1.0: one rule per category, one result per site and provider that is not plain "works"
    (unsupported: ``error``; caveat: ``note``, ``warning`` when stored vectors must be re-embedded).
    Relative paths are relative to ``root`` (default: the working folder), which ``SRCROOT`` names."""
    categories = sorted({s.site.category for s in run.sites}, key=lambda c: list(TITLES).index(c)
                        if c in TITLES else len(TITLES))
    index = {category: i for i, category in enumerate(categories)}
    rules = [{"id": c, "name": c, "shortDescription": {"text": f"OpenAI {_title(c)}: will it work on the provider?"},
              "helpUri": "https://pypi.org/project/qianyi/",
              "defaultConfiguration": {"level": "note"}} for c in categories]
    results = []
    for scanned in run.sites:
        for provider, verdict in scanned.verdicts.items():
            if verdict.status == "works":
                continue
            level = "warning" if verdict.reembed and verdict.status == "caveat" else _LEVELS[verdict.status]
            cell = f"cell {scanned.site.cell}: " if scanned.site.cell is not None else ""
            text = f"{cell}{provider}: {verdict.status} — {_title(scanned.site.category)} `{scanned.site.name}`: " \
                   f"{verdict.summary}"
            results.append({
                "ruleId": scanned.site.category, "ruleIndex": index[scanned.site.category], "level": level,
                "message": {"text": redact(text)},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(scanned.display),
                                                    "region": {"startLine": max(1, scanned.site.line)}}}],
                "properties": {"provider": provider, "status": verdict.status, "reembed": verdict.reembed,
                               "how": sorted({r.how for r in verdict.reasons if r.status == verdict.status})},
            })
    notifications = [{"level": "error", "message": {"text": redact(f"{f.display}: {f.reason}; skipped")},
                      "locations": [{"physicalLocation": {"artifactLocation": _artifact(f.display)}}]}
                     for f in run.failed]
    base = (root or Path.cwd()).resolve().as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "qianyi migrate scan", "version": _version(),
                                "informationUri": "https://pypi.org/project/qianyi/", "rules": rules}},
            "originalUriBaseIds": {"SRCROOT": {"uri": base}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "results": results,
            "properties": {"providers": list(run.providers)},
        }],
    }


# -- Markdown -------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return redact(text).replace("|", "\\|").replace("\n", " ")


def verdict_markdown(verdict: Verdict) -> str:
    """One verdict as a Markdown table cell: mark, status, and the reasons that set it."""
    mark = _MARKS[verdict.status]
    if verdict.status == "works":
        return f"{mark} works"
    extra = " (re-embed stored vectors)" if verdict.reembed else ""
    return f"{mark} {verdict.status}{extra}: {_md(verdict.summary)}"


def markdown(run: ScanRun) -> str:
    """The summary, what blocks each provider, and every site's verdicts, as Markdown."""
    providers = run.providers
    lines = ["# migrate scan", "", f"{len(run.sites)} OpenAI SDK usage site(s) in {run.files} Python file(s).", ""]
    if run.sites:
        lines += ["| feature | sites | " + " | ".join(providers) + " |", "|---|---:|" + "---|" * len(providers)]
        for category, by_provider in run.counts().items():
            cells = [", ".join(f"{c[s]} {s}" for s in STATUSES if c.get(s)) for c in
                     (by_provider[p] for p in providers)]
            lines.append(f"| {_title(category)} | {sum(by_provider[providers[0]].values())} | "
                         + " | ".join(cells) + " |")
        lines.append("")
    for provider in providers:
        blocked = run.blocked(provider)
        lines.append(f"## {provider}: {len(blocked)} site(s) not supported" if blocked
                     else f"## {provider}: nothing blocks it")
        lines += [f"- `{_md(_where(s))}` {_title(s.site.category)} `{_md(s.site.name)}`: "
                  f"{_md(s.verdicts[provider].summary)}" for s in blocked]
        reembed = [s for s in run.sites if s.verdicts[provider].reembed]
        if reembed:
            lines += ["", "Stored vectors must be re-embedded:"]
            lines += [f"- `{_md(_where(s))}` {_md(_vector_reason(s.verdicts[provider]))}" for s in reembed]
        lines.append("")
    if run.sites:
        lines += ["## All sites", "", "| where | what | " + " | ".join(providers) + " |",
                  "|---|---|" + "---|" * len(providers)]
        for scanned in run.sites:
            lines.append(f"| `{_md(_where(scanned))}` | {_title(scanned.site.category)} `{_md(scanned.site.name)}` | "
                         + " | ".join(verdict_markdown(scanned.verdicts[p]) for p in providers) + " |")
        lines.append("")
    if run.failed:
        lines += ["## Files not scanned", ""] + [f"- `{_md(f.display)}`: {_md(f.reason)}" for f in run.failed] + [""]
    return "\n".join(lines)
