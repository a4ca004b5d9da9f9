"""``migrate scan``: sites found in fixture trees and the examples, verdicts read from the backends'
capability tables (a changed table changes them), JSON/SARIF/Markdown output, exit codes."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console
from typer.testing import CliRunner

import codemods
from adapters import registry
from adapters.capabilities import describe
from codemods._target import provider_facts
from codemods.sites import CATEGORIES, Site, analyse, worth_scanning
from migrate import cli, scan_render
from migrate._verdicts import Verdict
from migrate.commands.scan import scan as scan_command
from migrate.scan import ScanRun, judge, scan, verdicts_for

from .trees import KEY, write

HERE = Path(__file__).parent
TREE = HERE / "fixtures" / "scan" / "tree"
BROKEN = HERE / "fixtures" / "scan" / "broken"
EXAMPLES = HERE.parents[1] / "examples"
DOCS = HERE.parents[1] / "docs" / "scan-json.md"
PROVIDERS = ("dashscope", "qianfan", "zhipu")
runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def broken(tmp_path: Path) -> Path:
    """The broken fixtures plus a file that does not decode (kept out of the repository: tools that
    read every test file as UTF-8 would trip on it)."""
    shutil.copytree(BROKEN, tmp_path / "broken")
    (tmp_path / "broken" / "undecodable.py").write_bytes(b'# -*- coding: utf-8 -*-\nx = "\xff\xfe openai"\n')
    return tmp_path / "broken"


@pytest.fixture(scope="module")
def tree_run() -> ScanRun:
    return scan([TREE], jobs=1)


def sites_of(run: ScanRun, file: str, category: str, line: int | None = None) -> list:
    return [s for s in run.sites if s.display.endswith(file) and s.site.category == category
            and (line is None or s.site.line == line)]


def one(run: ScanRun, file: str, category: str, name: str | None = None):
    found = [s for s in sites_of(run, file, category) if name is None or s.site.name == name]
    assert len(found) == 1, found
    return found[0]


def cli_app():
    """The ``migrate`` app itself, which registers ``migrate.commands.scan.scan``."""
    assert any(getattr(c.callback, "__wrapped__", None) is scan_command
               for c in cli.app.registered_commands if c.name == "scan")
    return cli.app


# -- what the analysis finds ------------------------------------------------------------------------


def test_the_fixture_tree_has_every_category_and_status(tree_run: ScanRun) -> None:
    assert {s.site.category for s in tree_run.sites} == set(CATEGORIES)
    statuses = {v.status for s in tree_run.sites for v in s.verdicts.values()}
    assert statuses == {"works", "caveat", "unsupported"}
    hows = {(r.status, r.how) for s in tree_run.sites for v in s.verdicts.values() for r in v.reasons}
    for expected in [("caveat", "translated"), ("caveat", "clamped"), ("caveat", "emulated"), ("caveat", "mapped"),
                     ("caveat", "vector size"), ("caveat", "migrate run"), ("unsupported", "dropped"),
                     ("unsupported", "endpoint"), ("unsupported", "model"), ("unsupported", "vector size"),
                     ("works", "native"), ("works", "passes")]:
        assert expected in hows
    assert tree_run.providers == PROVIDERS and tree_run.files == 9 and not tree_run.failed
    assert not [s for s in tree_run.sites if s.display.endswith("plain.py")]


def test_a_chat_call_gives_a_site_per_feature_with_its_parameters(tree_run: ScanRun) -> None:
    line = sites_of(tree_run, "chat_app.py", "streaming")[0].site.line
    assert [s.site.category for s in tree_run.sites if s.display.endswith("chat_app.py") and s.site.line == line] \
        == ["chat", "streaming", "tools", "model"]
    chat = sites_of(tree_run, "chat_app.py", "chat", line)[0].site
    assert chat.parameters == ("model", "messages", "stream", "stream_options", "tools", "tool_choice", "temperature")
    assert chat.values == (("model", "gpt-4o-mini"), ("stream", True), ("tool_choice", "auto"), ("temperature", 1.5))
    assert chat.features == ("streaming", "tools") and chat.model == "gpt-4o-mini"
    plain = sites_of(tree_run, "chat_app.py", "chat")[0].site
    assert plain.model == "gpt-4o"  # through the module constant CHAT_MODEL


def test_exports() -> None:
    from codemods import sites
    from migrate import scan as scan_module

    for module in (sites, scan_module, scan_render):
        assert all(hasattr(module, name) for name in module.__all__)


def test_tokenizer_model_names_are_not_model_sites() -> None:
    source = ("import tiktoken\n"
              "from langchain_text_splitters import RecursiveCharacterTextSplitter\n"
              "from openai import OpenAI\n"
              "ENCODER_MODEL = 'gpt-4o'\n"
              "enc = tiktoken.encoding_for_model(ENCODER_MODEL)\n"
              "n = len(tiktoken.encoding_for_model('gpt-3.5-turbo').encode('hi'))\n"
              "splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(model_name='gpt-4', chunk_size=9)\n"
              "OpenAI().chat.completions.create(model='gpt-4o-mini', messages=[])\n")
    models = [(site.line, site.name) for site in analyse(source) if site.category == "model"]
    assert models == [(8, "gpt-4o-mini")]


def test_sites_know_clients_legacy_calls_libraries_and_variables() -> None:
    source = (TREE / "legacy_app.py").read_text()
    sites = analyse(source, path="legacy_app.py")
    assert [(s.line, s.category, s.name) for s in sites if s.category in ("legacy", "api_key")] == [
        (5, "api_key", "openai.api_key"), (9, "legacy", "openai.ChatCompletion.create"),
        (15, "legacy", "openai.Embedding.create"), (19, "legacy", "openai.Edit.create")]
    chat = next(s for s in sites if s.category == "chat")
    assert chat.parameters == ("model", "messages") and chat.model == "gpt-35-turbo"  # engine=, request_timeout
    assert all(s.path == "legacy_app.py" for s in sites)
    assert KEY not in repr(analyse((TREE / "pkg" / "azure_and_others.py").read_text()))


def test_instructors_response_model_is_not_an_api_parameter_to_remove() -> None:
    source = ("import instructor\nimport openai\ninstructor.patch()\n"
              "u = openai.ChatCompletion.create(model='gpt-4o', response_model=User, max_retries=2, messages=[])\n")
    chat = next(s for s in analyse(source) if s.category == "chat")
    assert chat.parameters == ("model", "messages")


def test_other_librarys_clients_run_under_migrate_run(tree_run: ScanRun) -> None:
    names = [s.site.name for s in sites_of(tree_run, "libraries.py", "library")]
    assert names == ["langchain_openai.ChatOpenAI", "langchain_openai.OpenAIEmbeddings",
                     "llama_index.llms.openai.OpenAI", "llama_index.embeddings.openai.OpenAIEmbedding",
                     "instructor.from_openai", "instructor.patch"]
    for scanned in sites_of(tree_run, "libraries.py", "library"):
        for provider, verdict in scanned.verdicts.items():
            assert verdict.status == "caveat"
            assert f"runs under `migrate run --provider {provider}`" in verdict.summary


def test_no_site_in_a_file_without_markers_so_the_prefilter_loses_nothing(tmp_path: Path) -> None:
    assert not worth_scanning("def add(a, b):\n    return a + b\n")
    assert analyse("def add(a, b):\n    return a + b\n") == []
    shutil.copytree(TREE, tmp_path / "tree")
    write(tmp_path / "tree", {"extra/model_only.py": 'NAME = "GPT-4o"\n', "extra/instr.py":
                              "import instructor\nfrom app import client\nc = instructor.patch(client)\n"})
    with_prefilter = scan([tmp_path / "tree"], jobs=1)
    without = scan([tmp_path / "tree"], jobs=1, prefilter=False)
    assert with_prefilter == without
    assert sites_of(with_prefilter, "instr.py", "library")


def test_worker_processes_give_the_same_run(tmp_path: Path) -> None:
    for i in range(20):
        shutil.copy(TREE / "chat_app.py", tmp_path / f"app_{i:02}.py")
    assert scan([tmp_path], jobs=2) == scan([tmp_path], jobs=1)


# -- verdicts from the tables -------------------------------------------------------------------------


def test_parameter_verdicts_follow_describe(tree_run: ScanRun) -> None:
    """Every parameter reason of a chat site says what ``capabilities.describe`` says."""
    expected_status = {"passes": {"works", "caveat"}, "renamed": {"caveat"}, "clamped": {"works", "caveat"},
                       "emulated": {"caveat"}, "dropped": {"unsupported"}, "unsupported": {"unsupported"}}
    checked = 0
    for scanned in tree_run.sites:
        if scanned.site.category != "chat":
            continue
        for provider, verdict in scanned.verdicts.items():
            caps = registry.get(provider).CAPABILITIES
            for reason in verdict.reasons:
                if reason.subject in scanned.site.parameters:
                    assert reason.status in expected_status[describe(caps, reason.subject)[0]]
                    checked += 1
    assert checked > 30


def test_concrete_verdicts(tree_run: ScanRun) -> None:
    plain = sites_of(tree_run, "chat_app.py", "chat")[0].verdicts
    assert plain["zhipu"].status == "unsupported" and "zhipu has no 'seed'" in plain["zhipu"].summary
    assert plain["dashscope"].status == "unsupported" and "'user'" in plain["dashscope"].summary
    streamed = sites_of(tree_run, "chat_app.py", "chat")[1].verdicts
    clamped = next(r for r in streamed["zhipu"].reasons if r.subject == "temperature")
    assert (clamped.how, clamped.detail) == ("clamped", "to [0, 0.99]: 1.5 becomes 0.99")  # no word on 0
    inside = next(r for r in plain["dashscope"].reasons if r.subject == "temperature")
    assert inside.status == "works"  # 0.5 needs no clamping
    assert next(r for r in plain["zhipu"].reasons if r.subject == "temperature").status == "works"
    vision = sites_of(tree_run, "chat_app.py", "vision")[-1].verdicts
    assert vision["dashscope"].status == "unsupported" and "'qwen-vl-max'" in vision["dashscope"].summary
    files = one(tree_run, "endpoints.py", "files").verdicts["qianfan"]
    assert files.status == "unsupported" and "send content inline in messages" in files.summary
    assert one(tree_run, "chat_app.py", "models").verdicts["zhipu"].status == "works"
    dall_e = one(tree_run, "endpoints.py", "model", "dall-e-3").verdicts["qianfan"]
    assert dall_e.status == "caveat" and "'irag-1.0'" in dall_e.summary
    assert {v.status for v in one(tree_run, "endpoints.py", "images").verdicts.values()} == {"works"}
    bedrock = [s for s in sites_of(tree_run, "azure_and_others.py", "client") if s.site.detail == "openai_provider"]
    assert bedrock[0].verdicts["zhipu"].status == "unsupported"
    foreign = one(tree_run, "elsewhere.py", "model").verdicts
    assert foreign["dashscope"].status == "works" and foreign["zhipu"].status == "unsupported"


def test_a_history_opening_with_an_assistant_greeting_is_reported(tree_run: ScanRun) -> None:
    greeting = one(tree_run, "chat_app.py", "turn_order")
    assert (greeting.site.name, greeting.site.detail) == ("messages", "opens with an assistant message")
    assert {p: v.status for p, v in greeting.verdicts.items()} == {"dashscope": "works", "qianfan": "caveat",
                                                                     "zhipu": "works"}
    assert "folded into the system message" in greeting.verdicts["qianfan"].summary
    assert not analyse_sites('from openai import OpenAI\nm = [{"role": "system", "content": "s"}, '
                             '{"role": "user", "content": "hi"}, {"role": "assistant", "content": "a"}]\n')
    assert not analyse_sites('m = [{"role": "assistant", "content": "no openai in this file"}]\n')


def analyse_sites(source: str) -> list[Site]:
    return [s for s in analyse(source) if s.category == "turn_order"]


def test_embeddings_whose_vector_size_changes_need_re_embedding(tree_run: ScanRun) -> None:
    small, large, sized = sites_of(tree_run, "embeddings_app.py", "embeddings")
    assert small.site.model == "text-embedding-3-small"
    for provider in ("qianfan", "zhipu"):
        assert small.verdicts[provider].reembed and small.verdicts[provider].status == "caveat"
        reason = next(r for r in small.verdicts[provider].reasons if r.how == "vector size")
        assert "1536-dimensional" in reason.detail and "must be re-embedded" in reason.detail
    # text-embedding-v4 offers 1536, but another model's vectors are not comparable with stored ones
    kept = next(r for r in small.verdicts["dashscope"].reasons if r.how == "vector size")
    assert small.verdicts["dashscope"].reembed and kept.status == "caveat"
    assert kept.detail == ("'text-embedding-v4' gives 1536-dimensional vectors, but not the vectors "
                           "'text-embedding-3-small' gave: stored vectors must be re-embedded")
    assert all(large.verdicts[p].reembed for p in PROVIDERS)
    assert sized.verdicts["qianfan"].status == "unsupported"  # embedding-v1 cannot give 1024
    assert sized.verdicts["dashscope"].reembed  # the size asked for is offered; the model changes all the same
    assert tree_run.totals()["qianfan"]["reembed"] >= 3


def test_a_changed_capability_table_changes_the_verdict(tree_run: ScanRun, monkeypatch: pytest.MonkeyPatch) -> None:
    dashscope = registry.get("dashscope")
    plain = sites_of(tree_run, "chat_app.py", "chat")[0].site
    seed = next(r for r in judge(plain, "dashscope").reasons if r.subject == "seed")
    assert seed.status == "works"
    caps = dashscope.CAPABILITIES
    monkeypatch.setattr(dashscope, "CAPABILITIES", dataclasses.replace(
        caps, passed=caps.passed - {"seed"}, unsupported=caps.unsupported | {"seed"},
        endpoints=caps.endpoints | {"files"}, features={**caps.features, "streaming": ("native", "")}))
    seed = next(r for r in judge(plain, "dashscope").reasons if r.subject == "seed")
    assert (seed.status, seed.how) == ("unsupported", "dropped")
    again = scan([TREE], providers=["dashscope"], jobs=1)
    assert one(again, "endpoints.py", "files").verdicts["dashscope"].status == "works"
    streaming = sites_of(again, "chat_app.py", "streaming")[0].verdicts["dashscope"]
    assert next(r for r in streaming.reasons if r.subject == "streaming").status == "works"


def test_a_model_map_changes_the_model_verdicts(tree_run: ScanRun) -> None:
    small = sites_of(tree_run, "embeddings_app.py", "embeddings")[0].site
    def vector_size(verdict: Verdict) -> str:
        return next(r.detail for r in verdict.reasons if r.how == "vector size")

    assert judge(small, "zhipu").reembed and judge(small, "dashscope").reembed  # another model either way
    v3 = judge(small, "dashscope", model_map={"text-embedding-3-small": "text-embedding-v3"})
    v2 = judge(small, "dashscope", model_map={"text-embedding-3-small": "text-embedding-v2"})
    assert v3.reembed and "'text-embedding-v3' gives 1024" in vector_size(v3)
    assert v2.reembed and "'text-embedding-v2' gives 1536-dimensional vectors, but not" in vector_size(v2)
    assert not judge(Site(1, "embeddings", "embeddings.create", model="text-embedding-v4"), "dashscope").reembed
    mapped = judge(Site(1, "model", "gpt-4o"), "zhipu", model_map={"gpt-4o": "glm-4.7"})
    assert mapped.status == "caveat" and "glm-4.7" in mapped.summary and "your model map" in mapped.summary


def test_verdicts_for_one_file_and_the_lines_a_rewrite_touched() -> None:
    source = (TREE / "endpoints.py").read_text()
    rewrite = codemods.rewrite_source(source, provider="zhipu")
    lines = {t.line for t in rewrite.todos}
    found = verdicts_for(source, "zhipu", path="endpoints.py", lines=lines)
    assert found and {s.site.line for s in found} <= lines
    assert all(list(s.verdicts) == ["zhipu"] for s in found)
    assert {s.site.category for s in found if s.verdicts["zhipu"].status == "unsupported"} >= {"files", "batches"}
    assert len(verdicts_for(source.encode(), "zhipu")) > len(found)
    with pytest.raises(codemods.SourceError):
        verdicts_for(b"from openai import OpenAI\nclient = OpenAI(\n", "zhipu")


# -- output -------------------------------------------------------------------------------------------


def json_schema_from_docs() -> dict:
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(), re.DOTALL)
    return json.loads(next(b for b in blocks if '"$schema"' in b))


def test_json_follows_the_documented_schema(tree_run: ScanRun) -> None:
    document = scan_render.json_document(tree_run)
    jsonschema.Draft202012Validator(json_schema_from_docs()).validate(document)
    assert json.loads(scan_render.json_text(document)) == document
    assert document["summary"]["qianfan"]["reembed"] == tree_run.totals()["qianfan"]["reembed"]
    assert set(document["categories"]) == set(CATEGORIES)


def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((HERE / "data" / "sarif-schema-2.1.0.json").read_text())
    return jsonschema.Draft4Validator(schema)


def test_sarif_validates_against_the_oasis_schema(tree_run: ScanRun) -> None:
    document = scan_render.sarif_document(tree_run)
    sarif_validator().validate(document)
    results = document["runs"][0]["results"]
    levels = {r["level"] for r in results}
    assert levels == {"error", "warning", "note"}
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    blocked = sum(1 for s in tree_run.sites for v in s.verdicts.values() if v.status == "unsupported")
    assert sum(1 for r in results if r["level"] == "error") == blocked


def test_sarif_with_failed_files_still_validates(broken: Path) -> None:
    run = scan([broken], jobs=1)
    document = scan_render.sarif_document(run)
    sarif_validator().validate(document)
    notes = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 2 and all(n["level"] == "error" for n in notes)


def test_markdown_and_table_say_what_blocks_each_provider(tree_run: ScanRun) -> None:
    text = scan_render.markdown(tree_run)
    assert text.startswith("# migrate scan\n")
    assert f"## zhipu: {len(tree_run.blocked('zhipu'))} site(s) not supported" in text
    assert "Stored vectors must be re-embedded:" in text and "| chat call |" in text
    console = Console(record=True, width=200)
    scan_render.table(tree_run, console)
    shown = console.export_text()
    assert "feature" in shown and "dashscope" in shown and "all sites" in shown
    assert f"{len(tree_run.blocked('qianfan'))} site(s) not supported on qianfan:" in shown
    assert "stored vectors must be re-embedded" in shown


def test_no_output_format_shows_a_key(tree_run: ScanRun) -> None:
    literal = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
    assert literal in (TREE / "pkg" / "azure_and_others.py").read_text()
    console = Console(record=True, width=200)
    scan_render.table(tree_run, console)
    for text in (json.dumps(scan_render.json_document(tree_run)), json.dumps(scan_render.sarif_document(tree_run)),
                 scan_render.markdown(tree_run), console.export_text()):
        assert literal not in text and "sk-legacy0123456789" not in text


# -- the command: formats and exit codes -----------------------------------------------------------------


def test_exit_codes(broken: Path) -> None:
    app = cli_app()
    assert runner.invoke(app, ["scan", str(TREE)]).exit_code == 0
    assert runner.invoke(app, ["scan", str(TREE), "--fail-on", "unsupported"]).exit_code == 1
    models_only = str(TREE / "pkg" / "plain.py")
    assert runner.invoke(app, ["scan", models_only, "--fail-on", "unsupported"]).exit_code == 0
    for bad in (["-p", "nope"], ["--format", "xml"], ["--fail-on", "caveat"], ["--jobs", "0"]):
        result = runner.invoke(app, ["scan", str(TREE), *bad])
        assert result.exit_code == 2, bad
    assert runner.invoke(app, ["scan", "missing-folder"]).exit_code == 2
    result = runner.invoke(app, ["scan", str(broken), "--fail-on", "unsupported"])
    assert result.exit_code == 3  # 3 wins over 1: blocked.py has files.list()
    assert "syntax_error.py: " in result.stderr and "undecodable.py: " in result.stderr
    assert sites_of(scan([broken], jobs=1), "blocked.py", "files")  # the readable file is still scanned


def test_fail_on_narrowed_to_a_provider_that_takes_everything(tmp_path: Path) -> None:
    write(tmp_path, {"ok.py": "from openai import OpenAI\nclient = OpenAI()\nclient.models.list()\n"})
    result = runner.invoke(cli_app(), ["scan", str(tmp_path), "-p", "zhipu", "--fail-on", "unsupported"])
    assert result.exit_code == 0


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown", "table"])
def test_formats_on_stdout(fmt: str) -> None:
    result = runner.invoke(cli_app(), ["scan", str(TREE), "--format", fmt, "-p", "qianfan"])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        document = json.loads(result.stdout)
        jsonschema.Draft202012Validator(json_schema_from_docs()).validate(document)
        assert document["providers"] == ["qianfan"]
    elif fmt == "sarif":
        sarif_validator().validate(json.loads(result.stdout))
    elif fmt == "markdown":
        assert "## qianfan:" in result.stdout and "## zhipu" not in result.stdout
    else:
        assert "site(s) not supported on qianfan" in result.stdout


# -- the examples ---------------------------------------------------------------------------------------


def test_the_examples(tmp_path: Path) -> None:
    originals = sorted(EXAMPLES.glob("*/app.py"))
    assert len(originals) >= 6
    for app in originals:
        shutil.copy(app, tmp_path / f"{app.parent.name}.py")
    run = scan([tmp_path], jobs=1)
    jsonschema.Draft202012Validator(json_schema_from_docs()).validate(scan_render.json_document(run))
    sarif_validator().validate(scan_render.sarif_document(run))
    assert {s.display for s in run.sites} >= {f"{app.parent.name}.py" for app in originals}
    [moderations] = sites_of(run, "mixed_features.py", "moderations")
    assert all(v.status == "unsupported" for v in moderations.verdicts.values())
    [audio] = sites_of(run, "mixed_features.py", "audio")  # transcriptions: Zhipu and DashScope, not Qianfan
    assert {p: v.status for p, v in audio.verdicts.items()} == {"dashscope": "works", "qianfan": "unsupported",
                                                                 "zhipu": "works"}
    assert all(v.status == "works" for v in one(run, "streaming_chat.py", "streaming").verdicts.values()
               if v.provider == "qianfan")
    assert one(run, "tool_agent.py", "tools")
    azure = [s for s in sites_of(run, "azure_service.py", "client") if s.site.detail == "azure"]
    assert azure and all(v.status == "caveat" for v in azure[0].verdicts.values())


def test_the_examples_migrated_forms_have_fewer_blocking_sites() -> None:
    original = scan(sorted(EXAMPLES.glob("*/app.py")), jobs=1)
    migrated = scan(sorted(EXAMPLES.glob("*/migrated/app.py")), jobs=1)
    assert migrated.sites and all(s.site.category != "env_var" or "OPENAI" in s.site.name for s in migrated.sites)
    assert len(migrated.blocked("dashscope")) <= len(original.blocked("dashscope"))


def test_legacy_completions_run_translated_onto_chat_everywhere() -> None:
    site = Site(1, "completions", "completions.create", parameters=("model", "prompt", "suffix", "max_tokens"))
    for provider in PROVIDERS:
        verdict = judge(site, provider)
        assert verdict.status == "caveat"
        how = {r.subject: r.how for r in verdict.reasons}
        assert how["completions"] == "translated" and how["suffix"] == "dropped"
        assert "user message" in next(r.detail for r in verdict.reasons if r.subject == "completions")


def test_qianfan_v1_is_judged_as_its_own_target(tmp_path: Path) -> None:
    """Qianfan's legacy v1 API has its own table (no seed) and serves substitutes for v2-only models."""
    from migrate import scan as scan_module

    app = tmp_path / "app.py"
    app.write_text('from openai import OpenAI\nclient = OpenAI()\n'
                   'r = client.chat.completions.create(model="gpt-4o", messages=[], seed=1)\n')
    run = scan_module.scan([app], providers=["qianfan", "qianfan-v1"])
    assert run.providers == ("qianfan", "qianfan-v1")
    chat = next(s for s in run.sites if s.site.category == "chat")
    assert chat.verdicts["qianfan"].status != "unsupported"
    assert chat.verdicts["qianfan-v1"].status == "unsupported" and "seed" in chat.verdicts["qianfan-v1"].summary
    model = next(s for s in run.sites if s.site.category == "model")
    assert "ernie-4.5-turbo-128k" in model.verdicts["qianfan"].summary
    assert "ernie-4.0-turbo-128k" in model.verdicts["qianfan-v1"].summary  # v1 lacks the 4.5 model
    result = runner.invoke(cli_app(), ["scan", str(app), "-p", "qianfan-v2"])
    assert result.exit_code == 2 and "unknown provider" in result.output


EXTRAS_SOURCE = """from openai import OpenAI
client = OpenAI()
options = {"top_k": 5}
client.chat.completions.create(model="gpt-4o", messages=[], extra_body={"enable_search": True, "top_k": 5,
                               "result_format": "text", "my_field": 1})
client.chat.completions.create(model="gpt-4o", messages=[], extra_body=options)
"""


@pytest.mark.parametrize(("provider", "expected"), [
    ("dashscope", {"enable_search": ("works", "passes"), "top_k": ("works", "passes"),
                   "result_format": ("caveat", "dropped"), "my_field": ("caveat", "unknown")}),
    ("zhipu", {"enable_search": ("caveat", "translated"), "top_k": ("caveat", "unknown"),
               "result_format": ("caveat", "unknown"), "my_field": ("caveat", "unknown")}),
    ("qianfan", {"enable_search": ("caveat", "translated"), "top_k": ("caveat", "unknown"),
                 "result_format": ("caveat", "unknown"), "my_field": ("caveat", "unknown")}),
])
def test_scan_reports_extra_body_fields_per_provider(provider: str, expected: dict[str, tuple[str, str]]) -> None:
    chats = [s for s in verdicts_for(EXTRAS_SOURCE, provider) if s.site.category == "chat"]
    literal, named = (chat.verdicts[provider].reasons for chat in chats)
    found = {r.subject.removeprefix("extra_body."): (r.status, r.how) for r in literal if r.subject.startswith("extra_")}
    assert found == expected
    assert [(r.subject, r.how) for r in named if r.subject.startswith("extra_")] == [("extra_body", "unknown")]
    assert chats[0].verdicts[provider].status == "caveat"  # no longer "works" with fields the table does not pass


AGENT = '''from agents import Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel
from openai import AsyncOpenAI

client = AsyncOpenAI()
agent = Agent(name="a", model=OpenAIResponsesModel(model="gpt-4o", openai_client=client))
chat = Agent(name="b", model=OpenAIChatCompletionsModel(model="gpt-4o", openai_client=client))
'''


def test_the_agents_sdk_models_are_judged_like_the_calls_they_make(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "agent.py").write_text(AGENT, encoding="utf-8")
    run = scan([tmp_path], jobs=1)
    responses, chat = one(run, "agent.py", "responses"), one(run, "agent.py", "chat")
    assert (responses.site.name, chat.site.name) == ("agents.OpenAIResponsesModel", "agents.OpenAIChatCompletionsModel")
    assert all(v.status == "works" for site in (responses, chat) for v in site.verdicts.values())
    assert {s.site.line for s in sites_of(run, "agent.py", "model")} == {5, 6}
    # a provider without the Responses API: the same site blocks it, and the rewrite marks it
    zhipu = registry.get("zhipu")
    monkeypatch.setattr(zhipu, "CAPABILITIES", dataclasses.replace(
        zhipu.CAPABILITIES, endpoints=zhipu.CAPABILITIES.endpoints - {"responses"}))
    assert one(scan([tmp_path], providers=["zhipu"], jobs=1), "agent.py", "responses").verdicts["zhipu"].status \
        == "unsupported"
    provider_facts.cache_clear()  # the codemods read the endpoints once per process
    try:
        result = codemods.rewrite_bytes(AGENT.encode(), provider="zhipu", path="agent.py")
    finally:
        provider_facts.cache_clear()
    assert result.data is not None
    assert b"# TODO(migrate:RESPONSES): agents.OpenAIResponsesModel calls client.responses, which is not supported by zhipu" in result.data
    assert b"OpenAIChatCompletionsModel calls" not in result.data


DEFAULT_AGENTS = '''from agents import Agent, Runner

agent = Agent(name="a", instructions="Be brief.", model="gpt-4.1")
plain = Agent(name="b", instructions="Be brief.")
print(Runner.run_sync(agent, "Hello").final_output)
'''


def test_agents_on_the_sdks_default_client_are_seen(tmp_path: Path) -> None:
    """No OpenAI client and no "openai" in the file: the agents still run on OpenAI's API."""
    (tmp_path / "bot.py").write_text(DEFAULT_AGENTS, encoding="utf-8")
    run = scan([tmp_path], jobs=1)
    responses = sites_of(run, "bot.py", "responses")
    assert [(s.site.line, s.site.name) for s in responses] == [(3, "agents.Agent"), (4, "agents.Agent")]
    assert all(v.status == "works" for s in responses for v in s.verdicts.values())
    models = {s.site.line: s for s in sites_of(run, "bot.py", "model")}
    assert models[3].site.name == "gpt-4.1" and models[3].verdicts["dashscope"].status == "caveat"
    default = models[4].verdicts["zhipu"]
    assert default.status == "caveat" and "Agents SDK's default" in default.reasons[0].detail


def test_another_vendors_model_behind_its_own_base_url_is_not_supported() -> None:
    site = Site(line=4, category="model", name="gemini-2.5-flash")
    for provider in ("dashscope", "qianfan", "zhipu"):
        verdict = judge(site, provider)
        assert verdict.status == "unsupported" and "a Google Gemini model" in verdict.reasons[0].detail
    assert judge(Site(line=1, category="model", name="my-finetune-7"), "zhipu").status == "caveat"  # unknown: sent
