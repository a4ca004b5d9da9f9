"""``migrate rewrite --report``: the sites a rewrite touched or marked carry ``migrate scan``'s verdicts
for the provider, in the JSON (docs/report-json.md), Markdown and HTML reports; judged only when a
report is asked for."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from migrate import api, render, scan
from migrate.cli import app

from .trees import KEY, write

HERE = Path(__file__).parent
DOCS = HERE.parents[1] / "docs"
runner = CliRunner()

APP = '''import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])


def ask(question):
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
        temperature=0.2,
    )
    return reply.choices[0].message.content


def check(text):
    return client.moderations.create(input=text)


def embed(texts):
    return client.embeddings.create(model="text-embedding-3-small", input=texts)


from langchain_openai import ChatOpenAI

llm = ChatOpenAI(temperature=0)
'''
KEYED = f'from openai import OpenAI\n\nclient = OpenAI(api_key="{KEY}")\nclient.files.list()\n'
LEGACY = '''import openai


async def ask(q):
    r = await openai.ChatCompletion.acreate(model="gpt-3.5-turbo", messages=[{"role": "user", "content": q}])
    e = openai.Embedding.create(model="text-embedding-ada-002", input=[q])
    m = openai.Moderation.create(input=q)
    return r["choices"][0]["message"]["content"], e, m
'''


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def schema_in(doc: str) -> dict[str, Any]:
    blocks = re.findall(r"```json\n(.*?)```", (DOCS / doc).read_text(encoding="utf-8"), re.DOTALL)
    return json.loads(next(b for b in blocks if '"$schema"' in b))


def check_schema(document: dict[str, Any]) -> None:
    """The report against docs/report-json.md, each verdict site against scan-json.md's ``site``."""
    jsonschema.Draft202012Validator(schema_in("report-json.md")).validate(document)
    scan_schema = schema_in("scan-json.md")
    site = jsonschema.Draft202012Validator({"$ref": "#/$defs/site", "$defs": scan_schema["$defs"]})
    for entry in document["files"]:
        for item in entry.get("verdicts", ()):
            site.validate(item)


def key(item: dict[str, Any]) -> tuple[str, int, str, str]:
    return item["path"], item["line"], item["category"], item["name"]


def scan_sites(provider: str) -> dict[tuple[str, int, str, str], dict[str, Any]]:
    """``migrate scan . --format json -p provider`` through the CLI, by site."""
    result = runner.invoke(app, ["scan", ".", "--format", "json", "-p", provider])
    assert result.exit_code == 0, result.output
    return {key(item): item for item in json.loads(result.stdout)["sites"]}


def report_verdicts(document: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return next(entry for entry in document["files"] if entry["path"] == path)["verdicts"]


def test_the_api_judges_the_touched_and_marked_sites_as_scan_does(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP})
    run = api.rewrite([tmp_path], provider="zhipu", verdicts=True, jobs=1)
    [changed] = run.changed
    rewrite_lines = {f.line for f in changed.findings} | {t.line for t in changed.todos}
    by_category = {s.site.category: s.verdicts["zhipu"] for s in changed.verdicts}
    assert all(list(s.verdicts) == ["zhipu"] and s.site.line in rewrite_lines for s in changed.verdicts)
    assert by_category["moderations"].status == "unsupported"
    assert by_category["embeddings"].status == "caveat" and by_category["embeddings"].reembed
    assert by_category["chat"].status in ("works", "caveat") and by_category["client"].status == "works"
    assert by_category["library"].status == "caveat"  # langchain's client: left, marked LIBRARY_CLIENT, reported

    document = render.report_data(run)
    check_schema(document)
    theirs = scan_sites("zhipu")
    ours = report_verdicts(document, "app.py")
    assert ours and all(item == theirs[key(item)] for item in ours)
    assert {k for k in theirs if k[2] == "library"}
    counts = {s: sum(item["verdicts"]["zhipu"]["status"] == s for item in ours) for s in scan.STATUSES}
    assert document["verdict_summary"] == {"sites": len(ours), **counts, "reembed": 1}
    assert counts["unsupported"] == 1


def test_the_cli_reports_carry_the_verdicts_in_three_formats(tmp_path: Path) -> None:
    write(tmp_path, {"src/app.py": APP, "src/keyed.py": KEYED})
    for suffix in ("json", "md", "html"):
        result = runner.invoke(app, ["rewrite", "src", "-p", "zhipu", "--dry-run", "--report", f"r.{suffix}"])
        assert result.exit_code == 0, result.output
        assert KEY not in (tmp_path / f"r.{suffix}").read_text(encoding="utf-8") and KEY not in result.output

    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    check_schema(document)
    theirs = scan_sites("zhipu")
    for path in ("src/app.py", "src/keyed.py"):
        ours = report_verdicts(document, path)
        assert ours and all(item == theirs[key(item)] for item in ours)
    keyed = {item["category"]: item["verdicts"]["zhipu"] for item in report_verdicts(document, "src/keyed.py")}
    assert keyed["files"]["status"] == "unsupported" and keyed["api_key"]["status"] == "caveat"
    summary = document["verdict_summary"]
    assert summary["unsupported"] == 2 and summary["reembed"] == 1

    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert (f"({summary['sites']} site(s) the rewrite touched or marked): works: {summary['works']}; works with "
            f"a caveat: {summary['caveat']}; not supported: 2; re-embed stored vectors: 1.") in markdown
    section = markdown.split("## What runs on zhipu: `src/app.py`")[1].split("\n## ")[0]
    assert re.search(r"\| 17 \| moderations `moderations.create` \| ❌ unsupported: moderations: not available on "
                     r"zhipu.* \| endpoint \|", section)
    assert re.search(r"\| 21 \| embeddings `embeddings.create` \| ⚠️ caveat \(re-embed stored vectors\): .*"
                     r"stored vectors must be re-embedded.* \| .*vector size \|", section)
    assert "Re-embed stored vectors" in section and "(lines 21)" in section
    assert "library `langchain_openai.ChatOpenAI` | ⚠️ caveat" in section  # left by the rewrite, marked LIBRARY_CLIENT

    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h2>What runs on zhipu: <code>src/app.py</code></h2>" in page
    assert '<div class="card unsupported"><b>2</b>not supported</div>' in page
    row = next(r for r in page.split("<tr>") if "moderations.create" in r)
    assert '<td class="status unsupported">not supported</td><td>endpoint</td>' in row
    row = next(r for r in page.split("<tr>") if "embeddings.create" in r)
    assert "caveat" in row and "re-embed stored vectors" in row and "<script" not in page


def test_a_dry_run_without_a_report_does_not_judge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"app.py": APP})

    def refuse(*args: object, **kwargs: object) -> list[scan.ScannedSite]:
        raise AssertionError("verdicts_for called without --report")

    monkeypatch.setattr(scan, "verdicts_for", refuse)
    result = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run"])
    assert result.exit_code == 0 and "+from adapters import OpenAI" in result.stdout
    run = api.rewrite(["."], provider="zhipu", jobs=1)
    assert not run.judged and run.changed[0].verdicts == ()
    document = render.report_data(run)
    assert document["verdict_summary"] is None and report_verdicts(document, "app.py") == []
    assert "What runs on" not in render.markdown(run) and "What runs on" not in render.html(run)
    with_report = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run", "--report", "r.json"])
    # the patched function is the one a report calls (a bug on one file fails that file, not the run)
    [entry] = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]
    assert with_report.exit_code == 3 and "verdicts_for called without --report" in entry["reason"]


def test_an_unchanged_file_with_todos_keeps_its_verdicts(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP})
    assert runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--force"]).exit_code == 0
    run = api.rewrite(["."], provider="zhipu", verdicts=True, jobs=1)
    [unchanged] = [r for r in run.results if isinstance(r, api.Unchanged) and r.display == "app.py"]
    assert unchanged.todos and {s.site.category for s in unchanged.verdicts} >= {"moderations"}
    theirs = scan_sites("zhipu")
    assert all(item == theirs[key(item)] for item in report_verdicts(render.report_data(run), "app.py"))


def test_an_openai_0x_file_lists_every_site(tmp_path: Path) -> None:
    write(tmp_path, {"old.py": LEGACY})
    run = api.rewrite(["."], provider="qianfan", verdicts=True, jobs=1)
    ours = report_verdicts(render.report_data(run), "old.py")
    theirs = scan_sites("qianfan")
    assert sorted(map(key, ours)) == sorted(theirs) and all(item == theirs[key(item)] for item in ours)


def test_worker_processes_give_the_same_verdicts(tmp_path: Path) -> None:
    write(tmp_path, {f"pkg/app_{i:02}.py": APP for i in range(2 * api.FILES_PER_PROCESS)})
    serial = render.report_data(api.rewrite(["pkg"], provider="dashscope", verdicts=True, jobs=1))
    parallel = render.report_data(api.rewrite(["pkg"], provider="dashscope", verdicts=True, jobs=2))
    assert serial["verdict_summary"]["sites"] > 0 and serial == parallel


def test_a_model_map_reaches_the_verdicts(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP})
    mapping = {"text-embedding-3-small": "embedding-2"}
    run = api.rewrite(["."], provider="zhipu", verdicts=True, jobs=1, model_map=mapping)
    [model] = [s for s in run.changed[0].verdicts if s.site.name == "text-embedding-3-small"]
    assert "your model map" in model.verdicts["zhipu"].summary
    assert [s.verdicts["zhipu"] for s in run.changed[0].verdicts if s.site.category == "embeddings"] == \
        [scan.judge(s.site, "zhipu", model_map=mapping) for s in run.changed[0].verdicts
         if s.site.category == "embeddings"]
