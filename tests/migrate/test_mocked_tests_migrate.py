"""A project's own tests that mock the openai SDK keep testing it after the migration (issue 15 §2):
an openai 0.x app and its mock-based tests are rewritten together and the migrated tests pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from migrate.cli import app

ROOT = Path(__file__).parents[2]

APP = '''import openai

openai.api_key = "sk-never-used-in-tests"


def ask(question):
    reply = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": question}])
    return reply["choices"][0]["message"]["content"]


def embed(text):
    return openai.Embedding.create(model="text-embedding-ada-002", input=[text])["data"][0]["embedding"]
'''

TESTS = '''from unittest import mock

import openai

import app


@mock.patch("openai.ChatCompletion.create")
def test_ask_sends_the_question(create):
    app.ask("why?")
    assert create.call_args.kwargs["messages"] == [{"role": "user", "content": "why?"}]


def test_embed(monkeypatch):
    calls = []
    monkeypatch.setattr(openai.Embedding, "create", lambda **kw: calls.append(kw) or mock.MagicMock())
    app.embed("tea")
    assert calls and calls[0]["input"] == ["tea"]
'''


def run_tests(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_"))}
    env.update({"PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]), "DASHSCOPE_API_KEY": "any-value-for-tests"})
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                           str(folder / "test_app.py")], env=env, capture_output=True, text=True, timeout=120,
                          cwd=folder)


def test_mock_based_tests_still_intercept_the_calls_after_the_rewrite(tmp_path: Path,
                                                                       monkeypatch: object) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "test_app.py").write_text(TESTS)
    result = CliRunner().invoke(app, ["rewrite", str(tmp_path), "--provider", "dashscope", "--force"])
    assert result.exit_code == 0, result.output
    migrated_tests = (tmp_path / "test_app.py").read_text()
    assert '"openai.resources.chat.Completions.create"' in migrated_tests
    assert "openai.resources.Embeddings" in migrated_tests and "TODO(migrate:MOCK)" in migrated_tests
    assert "client.chat.completions.create" in (tmp_path / "app.py").read_text()
    done = run_tests(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr  # the patches intercept: no request is sent
    assert "2 passed" in done.stdout
