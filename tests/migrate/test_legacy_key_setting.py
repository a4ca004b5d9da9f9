"""openai 0.x code that sets ``openai.api_key`` inside a function (read from a key file at start-up) keeps
sending that key after the rewrite: the lazy module client takes it when it is first used, as 0.x did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from adapters.emulator import Emulator
from migrate.cli import app

ROOT = Path(__file__).parents[2]
APP = '''import openai


def setup():
    openai.api_key = open("key.txt").read()


def ask(question):
    reply = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": question}])
    return reply["choices"][0]["message"]["content"]


setup()
print(ask("hi"))
'''


def test_a_key_set_in_a_function_is_sent_after_the_rewrite(tmp_path: Path, emulator: Emulator) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "key.txt").write_text("key-from-the-file-0001\n")
    result = CliRunner().invoke(app, ["rewrite", str(tmp_path), "--provider", "dashscope"])
    assert result.exit_code == 0, result.output
    assert "LazyOpenAI" in (tmp_path / "app.py").read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_"))}
    env.update({"DASHSCOPE_HTTP_BASE_URL": emulator.base_url("dashscope"), "PYTHONPATH": str(ROOT)})
    done = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr  # no DASHSCOPE_API_KEY needed: the app brings its key
    assert "Echo from" in done.stdout
    assert emulator.requests[-1].bearer == "key-from-the-file-0001"

    env["OPENAI_API_KEY"] = "key-from-the-file-0001"  # the same value as OpenAI's key: never sent
    done = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0 and "DASHSCOPE_API_KEY" in done.stderr
