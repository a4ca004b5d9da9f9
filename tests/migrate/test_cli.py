"""The typer wiring (through CliRunner), the exit-code table, and real ``migrate`` processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import codemods
from migrate.api import Changed, Failed, Skipped, Unchanged
from migrate.cli import app, exit_code

from .trees import CHAT, KEY, PLAIN, git, snapshot, write

runner = CliRunner()
KEYED = f'from openai import OpenAI\nclient = OpenAI(api_key="{KEY}")\nclient.files.list()\n'


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_exit_code_table() -> None:
    here = Path("x.py")
    changed, unchanged = Changed(here, "x.py", "diff"), Unchanged(here, "x.py")
    failed, skipped = Failed(here, "x.py", "why"), Skipped(here, "x.py", "why")
    assert exit_code([]) == 0
    assert exit_code([changed, unchanged, skipped]) == 0  # a dry run with a diff is still 0
    assert exit_code([changed], check=True) == 1
    assert exit_code([unchanged, skipped], check=True) == 0
    assert exit_code([changed, failed], check=True) == 3  # 3 wins over 1
    assert exit_code([failed]) == 3
    assert exit_code([], blocked=True) == 1 and exit_code([failed], blocked=True) == 3
    assert exit_code([changed], usage_error=True) == 2


def test_dry_run_prints_the_plain_diff_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"src/chat.py": CHAT, "src/util.py": PLAIN})
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["rewrite", "src", "--provider", "zhipu", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path) == before
    assert result.stdout.startswith("--- a/src/chat.py\n+++ b/src/chat.py\n@@ ")
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal
    assert '+client = OpenAI(provider="zhipu", api_key=os.environ["ZHIPUAI_API_KEY"])' in result.stdout
    assert "would change" in result.stderr and "note:" in result.stderr and "qianyi" in result.stderr


def test_check_exits_1_and_3_wins(tmp_path: Path) -> None:
    write(tmp_path, {"chat.py": CHAT})
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--check"])
    assert result.exit_code == 1 and result.stdout == "" and snapshot(tmp_path) == before
    write(tmp_path, {"broken.py": "import openai\nx = (\n"})
    result = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--check"])
    assert result.exit_code == 3
    assert "broken.py" in result.stderr and "syntax error at line 2" in result.stderr
    runner.invoke(app, ["rewrite", "chat.py", "-p", "zhipu"])
    assert runner.invoke(app, ["rewrite", "chat.py", "-p", "zhipu", "--check"]).exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (["rewrite", "missing", "-p", "zhipu"], "path not found: missing"),
    (["rewrite", ".", "-p", "openai"], "installed: dashscope, qianfan, zhipu"),
    (["rewrite", "."], "no provider chosen"),
    (["rewrite", ".", "-p", "zhipu", "--style", "fancy"], "unknown style 'fancy'"),
    (["rewrite", ".", "-p", "zhipu", "--report", "out.pdf"], "--report out.pdf"),
    (["rewrite", ".", "-p", "zhipu", "--jobs", "0"], "--jobs must be 1 or more"),
    (["rewrite", ".", "-p", "zhipu", "--model-map", "none.json"], "cannot read the model map"),
    (["rewrite", ".", "-p", "zhipu", "--bogus"], "No such option"),
    (["models"], "pass --provider"),
    (["models", "-p", "acme"], "unknown provider 'acme'"),
    (["status", "missing"], "path not found"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path, {"chat.py": CHAT})
    before = snapshot(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert snapshot(tmp_path) == before


def test_provider_from_environment_then_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"chat.py": CHAT, "pyproject.toml": '[tool.migrate]\nprovider = "qianfan"\nexclude = ["skip/"]\n',
                     "skip/other.py": CHAT})
    assert "QIANFAN_API_KEY" in runner.invoke(app, ["rewrite", ".", "--dry-run"]).stdout
    monkeypatch.setenv("MIGRATE_PROVIDER", "dashscope")
    result = runner.invoke(app, ["rewrite", ".", "--dry-run"])
    assert "DASHSCOPE_API_KEY" in result.stdout and "skip/other.py" not in result.stdout
    assert "ZHIPUAI_API_KEY" in runner.invoke(app, ["rewrite", ".", "--dry-run", "-p", "zhipu"]).stdout


def test_model_map_and_keep_models(tmp_path: Path) -> None:
    write(tmp_path, {"chat.py": CHAT, "map.json": '{"gpt-4o": "glm-4-plus"}'})
    mapped = runner.invoke(app, ["rewrite", "chat.py", "-p", "zhipu", "--dry-run", "--model-map", "map.json"])
    assert '+reply = client.chat.completions.create(model="glm-4-plus"' in mapped.stdout
    kept = runner.invoke(app, ["rewrite", "chat.py", "-p", "zhipu", "--dry-run", "--keep-models"])
    assert "model=" not in "".join(line for line in kept.stdout.splitlines() if line.startswith("+"))


def test_reports_in_three_formats_without_keys(tmp_path: Path) -> None:
    write(tmp_path, {"src/keyed.py": KEYED, "src/chat.py": CHAT, "src/broken.py": "import openai\ndef (:\n"})
    for suffix in ("md", "json", "html"):
        result = runner.invoke(app, ["rewrite", "src", "-p", "qianfan", "--dry-run", "--report", f"r.{suffix}"])
        assert result.exit_code == 3
        text = (tmp_path / f"r.{suffix}").read_text(encoding="utf-8")
        assert KEY not in text and KEY not in result.output
        assert "FILES" in text and "src/broken.py" in text
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["schema"] == "qianyi.migrate.rewrite/1"
    assert data["summary"] == {"changed": 2, "unchanged": 0, "skipped": 0, "failed": 1, "todos": 2}
    assert {f["path"]: f["status"] for f in data["files"]} == {
        "src/broken.py": "failed", "src/chat.py": "changed", "src/keyed.py": "changed"}
    assert data["todo_codes"] == {code: codemods.TODO_CODES[code] for code in ("API_KEY", "FILES")}
    keyed = next(f for f in data["files"] if f["path"] == "src/keyed.py")
    assert '-client = OpenAI(api_key="<redacted>")' in keyed["diff"]
    page = (tmp_path / "r.html").read_text()
    assert "<script" not in page and "<link" not in page and "src=" not in page
    assert '<span class="del">-client = OpenAI(api_key=&quot;&lt;redacted&gt;&quot;)</span>' in page
    assert codemods.TODO_CODES["FILES"].split(";")[0] in page
    assert "```diff\n--- a/src/chat.py" in (tmp_path / "r.md").read_text()


def test_rewrite_writes_and_status_counts(tmp_path: Path) -> None:
    write(tmp_path, {"keyed.py": KEYED, "requirements.txt": "openai\n"})
    result = runner.invoke(app, ["rewrite", ".", "-p", "dashscope"])
    assert result.exit_code == 0 and result.stdout == ""
    assert b"DASHSCOPE_API_KEY" in (tmp_path / "keyed.py").read_bytes()
    assert (tmp_path / "requirements.txt").read_text() == "openai\nqianyi\n"
    status = runner.invoke(app, ["status", "."])
    assert status.exit_code == 0
    assert "keyed.py" in status.stdout and "FILES" in status.stdout and "API_KEY" in status.stdout


LANGCHAIN = 'from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o-mini")\nprint(llm.invoke("hi").content)\n'


def test_status_counts_a_client_another_library_builds(tmp_path: Path) -> None:
    """The rewrite leaves LangChain's client, which still calls OpenAI: status must not say all is done."""
    write(tmp_path, {"chain.py": LANGCHAIN})
    assert runner.invoke(app, ["rewrite", ".", "-p", "zhipu"]).exit_code == 0
    text = (tmp_path / "chain.py").read_text()
    assert "# TODO(migrate:LIBRARY_CLIENT): ChatOpenAI (langchain_openai) builds its own OpenAI client" in text
    assert "`migrate run --provider zhipu`" in text and "ZHIPUAI_API_KEY" in text
    assert text.endswith(LANGCHAIN.split("\n", 1)[1])  # the code itself as it was
    status = runner.invoke(app, ["status", "."])
    assert status.exit_code == 0 and "LIBRARY_CLIENT" in status.stdout and "No TODO" not in status.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_uncommitted_changes_exit_2_unless_forced(tmp_path: Path) -> None:
    write(tmp_path, {"chat.py": PLAIN})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "start")
    write(tmp_path, {"chat.py": CHAT})
    result = runner.invoke(app, ["rewrite", ".", "-p", "zhipu"])
    assert result.exit_code == 2 and "uncommitted changes" in result.stderr
    assert (tmp_path / "chat.py").read_text() == CHAT
    assert runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--force"]).exit_code == 0
    assert "ZHIPUAI_API_KEY" in (tmp_path / "chat.py").read_text()


def test_providers_and_models() -> None:
    listing = runner.invoke(app, ["providers"])
    assert listing.exit_code == 0
    for text in ("dashscope", "https://open.bigmodel.cn/api/paas/v4", "QIANFAN_V2_BASE_URL", "chat.completions"):
        assert text in listing.stdout
    models = runner.invoke(app, ["models", "--provider", "zhipu"])
    assert models.exit_code == 0
    row = next(line for line in models.stdout.splitlines() if " glm-4.6 " in line)
    assert "gpt-4o" in row


def _console_script() -> list[str]:
    found = shutil.which("migrate")
    assert found, "the migrate console script is installed (pip install -e .)"
    return [found]


def test_the_console_script_in_a_real_process(tmp_path: Path) -> None:
    write(tmp_path, {"app/chat.py": CHAT})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATE_", "OPENAI_"))}
    done = subprocess.run([*_console_script(), "rewrite", "app", "--provider", "zhipu", "--dry-run"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--dry-run"]).stdout
    assert "would change" in done.stderr
    assert (tmp_path / "app/chat.py").read_text() == CHAT
    bad = subprocess.run([*_console_script(), "rewrite", "app", "--provider", "nope"], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=120)
    assert bad.returncode == 2 and "installed: dashscope, qianfan, zhipu" in bad.stderr


def test_emulate_serves_the_provider_until_interrupted(tmp_path: Path) -> None:
    from adapters import OpenAI

    process = subprocess.Popen([*_console_script(), "emulate", "--provider", "dashscope", "--port", "0"],
                               stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("dashscope emulator listening at http://127.0.0.1:")
        url = first.split(" at ")[1].split()[0]
        assert url.endswith("/api/v1")
        assert f"export DASHSCOPE_HTTP_BASE_URL={url}" in process.stdout.readline()
        client = OpenAI(provider="dashscope", api_key="test-key", base_url=url)
        with client:
            reply = client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "hi"}])
        assert reply.choices[0].message.content
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        if process.stdout is not None:
            process.stdout.close()


def test_emulate_refuses_a_bad_port() -> None:
    result = runner.invoke(app, ["emulate", "-p", "zhipu", "--port", "70000"])
    assert result.exit_code == 2 and "--port" in result.stderr


def test_migrate_imports_nothing_heavy_until_a_command_runs() -> None:
    code = "import sys, migrate, migrate.api; print(sorted(m for m in sys.modules if m.split('.')[0] in " \
           "('libcst', 'codemods', 'openai', 'typer')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_diff_is_coloured_only_on_a_terminal() -> None:
    import io

    from rich.console import Console

    from migrate import render

    text = f"--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-key = '{KEY}'\n+key = None\n"
    plain, coloured = io.StringIO(), io.StringIO()
    render.diff(text, Console(file=plain, force_terminal=False))
    render.diff(text, Console(file=coloured, force_terminal=True, color_system="standard", width=200))
    assert plain.getvalue() == text.replace(KEY, "<redacted>")
    assert "\x1b[31m-key = '<redacted>'" in coloured.getvalue() and "\x1b[32m+key = None" in coloured.getvalue()


def test_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"migrate (qianyi) {version('qianyi')}"
