"""The single-file HTML report: summary, TODO list with the codes explained, what runs on the
provider (when the run judged its sites), per-file diffs.

No scripts, fonts or stylesheets from elsewhere: it opens the same from a mail attachment.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["page"]

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d2329}
h1{font-size:1.5rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d8dee4}
.cards{display:flex;gap:.8rem;flex-wrap:wrap}.card{border:1px solid #d8dee4;border-radius:8px;padding:.6rem 1rem}
.card b{display:block;font-size:1.4rem}.failed b{color:#b3261e}.changed b{color:#1a7f37}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eaeef2;padding:.3rem .5rem;
text-align:left;vertical-align:top}code{font:13px ui-monospace,monospace}
.note{background:#fff8c5;border-left:4px solid #d4a72c;padding:.5rem 1rem}
details{border:1px solid #d8dee4;border-radius:8px;margin:.8rem 0}summary{padding:.5rem 1rem;
cursor:pointer;font-family:ui-monospace,monospace}pre{margin:0;overflow-x:auto;font:13px/1.4 ui-monospace,monospace}
pre span{display:block;padding:0 1rem;white-space:pre}.add{background:#e6ffec}.del{background:#ffebe9}
.hunk{background:#ddf4ff;color:#0550ae}.head{color:#57606a}.code{font-weight:600}
.works{color:#1a7f37}.caveat{color:#9a6700}.unsupported{color:#b3261e}.status{font-weight:600;white-space:nowrap}
.reembed{background:#fff8c5;border-radius:4px;padding:0 .3rem}
"""
_STATUS_LABELS = {"works": "works", "caveat": "works with a caveat", "unsupported": "not supported"}


def _line_class(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "head"
    return {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")


def _diff(text: str) -> str:
    spans = (f'<span class="{_line_class(line)}">{escape(line) or " "}</span>' for line in text.splitlines())
    return "<pre>" + "".join(spans) + "</pre>"


def page(data: dict[str, Any]) -> str:
    """The report for ``data`` (``render.report_data``'s shape)."""
    s = data["summary"]
    verb = "written" if data["written"] else "would change"
    out = [f"<!doctype html><html lang=en><meta charset=utf-8><title>Migration to {escape(data['provider'])}"
           f"</title><style>{_CSS}</style><body>",
           f"<h1>Migration to {escape(data['provider'])} <small>({escape(data['style'])} style)</small></h1>",
           '<div class="cards">']
    for label, key, css in ((verb, "changed", "changed"), ("unchanged", "unchanged", ""),
                            ("skipped", "skipped", ""), ("failed", "failed", "failed"), ("TODOs", "todos", "")):
        out.append(f'<div class="card {css}"><b>{s[key]}</b>{escape(label)}</div>')
    out.append("</div>")
    out += _verdict_cards(data)
    out += [f'<p class="note">{escape(note)}</p>' for note in data["notes"]]
    todos = [(f["path"], t) for f in data["files"] for t in f.get("todos", ())]
    if todos:
        out.append("<h2>TODOs to review</h2><table><tr><th>where</th><th>code</th><th>what</th></tr>")
        out += [f'<tr><td><code>{escape(path)}:{escape(t["where"])}</code></td><td><a class="code" '
                f'href="#code-{escape(t["code"])}">{escape(t["code"])}</a></td><td>{escape(t["message"])}</td></tr>'
                for path, t in todos]
        out.append("</table><h2>What the codes mean</h2><table>")
        out += [f'<tr id="code-{escape(code)}"><td class="code">{escape(code)}</td><td>{escape(text)}</td></tr>'
                for code, text in data["todo_codes"].items()]
        out.append("</table>")
    problems = [f for f in data["files"] if f["status"] in ("failed", "skipped")]
    if problems:
        out.append("<h2>Files not rewritten</h2><table>")
        out += [f"<tr><td><code>{escape(f['path'])}</code></td><td>{escape(f['status'])}</td>"
                f"<td>{escape(f['reason'])}</td></tr>" for f in problems]
        out.append("</table>")
    out += _verdict_sections(data)
    changed = [f for f in data["files"] if f["status"] == "changed"]
    if changed:
        out.append("<h2>Changes</h2>")
        for entry in changed:
            count = len(entry.get("todos", ()))
            badge = f" — {count} TODO{'s' if count != 1 else ''}" if count else ""
            out.append(f"<details open><summary>{escape(entry['path'])}{escape(badge)}</summary>"
                       f"{_diff(entry['diff'])}</details>")
    out.append("</body></html>\n")
    return "\n".join(out)


def _verdict_cards(data: dict[str, Any]) -> list[str]:
    summary = data.get("verdict_summary")
    if not summary:
        return []
    out = [f"<h2>What runs on {escape(data['provider'])}</h2><p>The {summary['sites']} site(s) the rewrite "
           f"touched or marked, judged as <code>migrate scan</code> judges them:</p>", '<div class="cards">']
    for status, label in _STATUS_LABELS.items():
        out.append(f'<div class="card {status}"><b>{summary[status]}</b>{escape(label)}</div>')
    if summary["reembed"]:
        out.append(f'<div class="card caveat"><b>{summary["reembed"]}</b>re-embed stored vectors</div>')
    out.append("</div>")
    return out


def _verdict_sections(data: dict[str, Any]) -> list[str]:
    """Per file: each judged site, its status, how and why (the reasons that set the status)."""
    from .scan_render import TITLES

    provider = data["provider"]
    out: list[str] = []
    for entry in data["files"]:
        if not entry.get("verdicts"):
            continue
        out.append(f"<h2>What runs on {escape(provider)}: <code>{escape(entry['path'])}</code></h2>"
                   "<table><tr><th>line</th><th>site</th><th>verdict</th><th>how</th><th>why</th></tr>")
        for site in entry["verdicts"]:
            verdict = site["verdicts"][provider]
            status = verdict["status"]
            worst = [r for r in verdict["reasons"] if r["status"] == status]
            hows = ", ".join(dict.fromkeys(r["how"] for r in worst))
            why = "<br>".join(f"<code>{escape(r['subject'])}</code>: {escape(r['detail'])}" for r in worst)
            if verdict["reembed"]:
                why += ' <span class="reembed">re-embed stored vectors: another model makes them</span>'
            out.append(f"<tr><td>{site['line']}</td><td>{escape(TITLES.get(site['category'], site['category']))} "
                       f"<code>{escape(site['name'])}</code></td><td class=\"status {status}\">"
                       f"{escape(_STATUS_LABELS[status])}</td><td>{escape(hows)}</td><td>{why}</td></tr>")
        out.append("</table>")
    return out
