"""The library API migrate/ builds on: results, TODO texts, errors, encodings, exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext

import codemods
from adapters.registry import UnknownProvider
from codemods import SourceError, Todo, rewrite_bytes, rewrite_source

from .harness import FIXTURES, cases, directories

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"


def test_exports() -> None:
    assert all(hasattr(codemods, name) for name in codemods.__all__)
    assert {"CODEMODS", "TODO_CODES", "Finding", "Rewrite", "SourceError", "Todo", "rewrite_bytes",
            "rewrite_source"} <= set(codemods.__all__)
    assert {c.__name__ for c in codemods.CODEMODS} <= set(codemods.__all__)


def test_todos_and_findings_carry_lines_and_texts() -> None:
    source = (
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI()\n"
        "client.files.create(file=f, purpose='assistants')\n"
        "client.chat.completions.create(model='gpt-4o', messages=[])\n"
    )
    result = rewrite_source(source, provider="qianfan")
    assert result.changed
    assert result.todos == (
        Todo("FILES", 4, "client.files is not supported by qianfan: send content inline in messages, "
                         "or keep an OpenAI client for files"),
    )
    assert "# TODO(migrate:FILES): client.files is not supported by qianfan: " in result.code
    kinds = {(f.kind, f.line, f.detail) for f in result.findings}
    assert ("model", 5, "gpt-4o -> ernie-4.5-turbo-128k") in kinds
    assert ("client", 3, "OpenAI client") in kinds
    assert ("unsupported", 4, "files.create (files)") in kinds
    assert set(codemods.TODO_CODES) >= {t.code for t in result.todos}


def _line_of(source: str, text: str) -> int:
    found = [n for n, line in enumerate(source.splitlines(), 1) if text in line]
    assert len(found) == 1, text
    return found[0]


def test_lines_count_in_the_input_after_the_legacy_pass_too() -> None:
    # The 0.x pass first adds lines (an AsyncOpenAI client, TODO comments); the openai>=1 pass
    # reports on its output, and those lines are matched back to the input's.
    source = (FIXTURES / "rewrite" / "legacy_app.before.py").read_text()
    result = rewrite_source(source, provider="dashscope")
    found = {(f.kind, f.detail.split(" ")[0]): f.line for f in result.findings}
    assert found[("model", "gpt-3.5-turbo")] == _line_of(source, 'MODEL = "gpt-3.5-turbo"')
    assert found[("model", "gpt-4")] == _line_of(source, 'engine="gpt-4"')
    assert found[("embeddings", "embeddings.create")] == _line_of(source, "openai.Embedding.acreate")
    assert found[("module_client", "openai's")] == _line_of(source, "openai.api_key =")
    # the async client the 0.x pass added counts at the input line it follows
    assert found[("client", "LazyAsyncOpenAI")] == _line_of(source, "openai.api_type =")
    chats = sorted(f.line for f in result.findings if f.kind == "chat")
    assert chats == [_line_of(source, "resp = openai.ChatCompletion"), _line_of(source, 'engine="gpt-4"')]
    todos = {t.code: t.line for t in result.todos}
    assert todos["LEGACY_RESPONSE"] == _line_of(source, 'return resp["choices"][0]["text"]')
    assert todos["LEGACY_SETTING"] == _line_of(source, "openai.api_type =")
    assert all(f.line > 0 for f in result.findings)


def test_a_module_client_reports_its_settings_lines() -> None:
    source = (FIXTURES / "rewrite" / "module_client_v1.before.py").read_text()
    result = rewrite_source(source, provider="dashscope")
    key = _line_of(source, "openai.api_key =")
    assert [f.line for f in result.findings if f.kind == "literal_key"] == [key]
    assert all(f.line > 0 for f in result.findings)


def test_a_second_run_reports_but_adds_nothing() -> None:
    first = rewrite_source("import openai\nc = openai.OpenAI()\nc.beta.threads.create()\n", provider="zhipu")
    second = rewrite_source(first.code, provider="zhipu")
    assert not second.changed and second.code == first.code
    assert [t.code for t in second.todos] == ["ASSISTANTS"]
    assert first.code.count("TODO(migrate:ASSISTANTS)") == 1


@pytest.mark.parametrize("source", [
    f'from openai import OpenAI\nc = OpenAI(api_key="{KEY}")\n',
    f'import os\nk = os.getenv("OPENAI_API_KEY", "{KEY}")\n',
    f'import os\nos.environ["OPENAI_API_KEY"] = "{KEY}"\n',
    f'import openai\nopenai.api_key = "{KEY}"\nopenai.models.list()\n',
], ids=["constructor", "env-default", "env-write", "module-client"])
def test_literal_keys_are_flagged_and_never_repeated(source: str) -> None:
    result = rewrite_source(source, provider="dashscope")
    assert any(f.kind == "literal_key" for f in result.findings)
    assert any(t.code == "API_KEY" for t in result.todos)
    reported = repr(result.todos) + repr(result.findings)
    assert KEY not in reported and KEY[:12] not in reported
    added = set(result.code.splitlines()) - set(source.splitlines())
    assert not any(KEY in line for line in added)


def test_model_map_overrides_and_keep_models() -> None:
    source = "from openai import OpenAI\nOpenAI().chat.completions.create(model='gpt-4o', messages=[])\n"
    mapped = rewrite_source(source, provider="dashscope", model_map={"gpt-4o": "qwen-max"})
    assert "model='qwen-max'" in mapped.code
    kept = rewrite_source(source, provider="dashscope", keep_models=True)
    assert "model='gpt-4o'" in kept.code and 'provider="dashscope"' in kept.code
    custom = rewrite_source("from openai import OpenAI\nOpenAI().chat.completions.create(model='prod', "
                            "messages=[])\n", provider="zhipu", model_map={"prod": "glm-4.6"})
    assert "model='glm-4.6'" in custom.code and not custom.todos


@pytest.mark.parametrize("target, call, todo", [
    ("text-embedding-v4", "model='text-embedding-v4', input='a', dimensions=1536)", None),
    ("text-embedding-v2", "model='text-embedding-v2', input='a')", None),  # makes 1536 by default
    ("text-embedding-v3", "model='text-embedding-v3', input='a')",
     "the vector size changes from 1536 (text-embedding-3-small) to 1024 (text-embedding-v3): re-embed "
     "the vectors stored from text-embedding-3-small, or map it with --model-map to a model that offers 1536"),
    ("house-embedder", "model='house-embedder', input='a')",
     "text-embedding-3-small made 1536-dimensional vectors and house-embedder is not in the catalogue: "
     "check its vector size, and re-embed stored vectors if it differs"),
], ids=["offered", "default", "other-size", "unknown"])
def test_a_mapped_embedding_model_keeps_its_size_or_is_marked(target: str, call: str, todo: str | None) -> None:
    # The adapter style leaves OpenAI embedding names to the runtime, which keeps their size; a
    # user's map renames them, and the runtime no longer knows the size to keep.
    source = "from openai import OpenAI\nv = OpenAI().embeddings.create(model='text-embedding-3-small', input='a')\n"
    result = rewrite_source(source, provider="dashscope", model_map={"text-embedding-3-small": target})
    assert result.code.endswith(call + "\n")
    assert [t.message for t in result.todos if t.code == "EMBEDDING_SIZE"] == ([todo] if todo else [])
    # Another model's vectors differ whatever their size: one note per call, REEMBED or EMBEDDING_SIZE.
    assert [t.code for t in result.todos] == ["EMBEDDING_SIZE" if todo else "REEMBED"]
    left = rewrite_source(source, provider="dashscope")
    assert "model='text-embedding-3-small', input='a')" in left.code
    assert [t.message for t in left.todos] == [
        "this call now embeds with dashscope's text-embedding-v4, not text-embedding-3-small: its vectors are "
        "not comparable with stored ones, even at the same size: re-embed stored vectors"]
    assert ("model", 2, "text-embedding-3-small left for the runtime, which maps it to text-embedding-v4 and "
                        "keeps its 1536 dimensions") in {(f.kind, f.line, f.detail) for f in left.findings}


def test_unchanged_input_is_returned_as_is() -> None:
    source = "import openai  # nothing to do\r\nprint(openai.__version__)\r\n"
    result = rewrite_source(source, provider="dashscope")
    assert result.code is source and not result.changed
    data = source.encode()
    assert rewrite_bytes(data, provider="dashscope").data is data


def test_bom_and_crlf_survive() -> None:
    before = (FIXTURES / "rewrite" / "bom.before.py").read_bytes()
    after = rewrite_bytes(before, provider="dashscope").data
    assert before.startswith(b"\xef\xbb\xbf") and after is not None and after.startswith(b"\xef\xbb\xbf")
    crlf = rewrite_bytes((FIXTURES / "rewrite" / "crlf.before.py").read_bytes(), provider="dashscope").data
    assert crlf is not None and b"\n" not in crlf.replace(b"\r\n", b"")


def test_latin1_stays_latin1() -> None:
    after = rewrite_bytes((FIXTURES / "rewrite" / "latin1_cookie.before.py").read_bytes(), provider="zhipu").data
    assert after is not None and "Café".encode("latin-1") in after


@pytest.mark.parametrize("data, reason", [
    (b"from openai import OpenAI\nclient = OpenAI(\n", "syntax error at line"),
    (b"import openai\ndef f(:\n    pass\n", "syntax error at line"),
    (b"# -*- coding: no-such-codec -*-\nimport openai\n", "cannot decode"),
    (b"import openai\nx = '\xff\xfe'\n", "cannot decode"),
], ids=["unclosed", "bad-def", "unknown-codec", "not-utf8"])
def test_bad_input_raises_source_error(data: bytes, reason: str) -> None:
    with pytest.raises(SourceError) as caught:
        rewrite_bytes(data, provider="dashscope", path="app.py")
    assert reason in caught.value.reason


def test_syntax_error_reason_never_quotes_the_source() -> None:
    with pytest.raises(SourceError) as caught:
        rewrite_source(f'import openai\nkey = "{KEY}" +\n', provider="dashscope")
    assert KEY not in str(caught.value)


def test_unknown_provider() -> None:
    with pytest.raises(UnknownProvider):
        rewrite_source("print(1)\n", provider="nope")


def test_prefilter_changes_no_result(monkeypatch: pytest.MonkeyPatch) -> None:
    every = [case for d in directories() for noop in (False, True) for case in cases(d, noop=noop)]
    fast = [rewrite_bytes(c.before, provider=c.provider) for c in every]
    monkeypatch.setattr(codemods, "_worth_parsing", lambda *_: True)
    slow = [rewrite_bytes(c.before, provider=c.provider) for c in every]
    assert fast == slow


REPO = Path(codemods.__file__).parent.parent


def _libcst_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m libcst.tool codemod ARGS`` in the repository (where .libcst.codemod.yaml is)."""
    return subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", *args], capture_output=True, text=True, cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LIBCST_PARSER_TYPE": "native"}, timeout=120,
    )


def test_libcst_tool_runs_one_transform_alone(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes((FIXTURES / "env_vars" / "reads.before.py").read_bytes())
    done = _libcst_tool("-x", "codemods.env_vars.RewriteEnvVars", "--provider", "dashscope", "--no-format",
                        str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == (FIXTURES / "env_vars" / "reads.after.py").read_bytes()


def test_libcst_tool_finds_the_transforms_by_the_repository_config(tmp_path: Path) -> None:
    # .libcst.codemod.yaml names `codemods` in modules (no -x) and a formatter that changes nothing,
    # so even without --no-format the output is the transform's, CRLF and all.
    target, kept = tmp_path / "app.py", tmp_path / "fixtures" / "app.py"
    kept.parent.mkdir()
    for path in (target, kept):
        path.write_bytes((FIXTURES / "rewrite" / "crlf.before.py").read_bytes())
    done = _libcst_tool("client_construction.RewriteClientConstruction", "--provider", "dashscope",
                        str(target), str(kept))
    assert done.returncode == 0, done.stderr
    expected = codemods.RewriteClientConstruction(CodemodContext(), provider="dashscope").transform_module(
        cst.parse_module((FIXTURES / "rewrite" / "crlf.before.py").read_bytes())).bytes
    assert target.read_bytes() == expected and b"\r\n" in expected and expected != kept.read_bytes()
    assert kept.read_bytes() == (FIXTURES / "rewrite" / "crlf.before.py").read_bytes()  # fixtures: blacklisted


def test_a_shared_model_constant_is_marked_where_nothing_maps_it_at_run_time() -> None:
    source = (
        "import tiktoken\n"
        "from openai import OpenAI\n"
        "MODEL = 'gpt-4o'\n"
        "tiktoken.encoding_for_model(MODEL)\n"
        "OpenAI().chat.completions.create(model=MODEL, messages=[])\n"
    )
    adapter = rewrite_source(source, provider="zhipu")
    assert "'gpt-4o'" in adapter.code and not [t for t in adapter.todos if t.code == "MODEL_CONSTANT"]
    mapped = rewrite_source(source, provider="zhipu", model_map={"gpt-4o": "glm-4-air"})
    assert [(t.line, t.message) for t in mapped.todos if t.code == "MODEL_CONSTANT"] == [
        (5, "MODEL ('gpt-4o') also feeds something other than model=, so it keeps its OpenAI name, and the "
            "runtime maps it to glm-4.6, not to glm-4-air as the model map says (unless the client gets "
            "model_map= too): pass model=\"glm-4-air\" here, or give the call a constant of its own")]
    assert not [t for t in rewrite_source(source, provider="zhipu", style="compat", keep_models=True).todos
                if t.code == "MODEL_CONSTANT"]
