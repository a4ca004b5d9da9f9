"""``migrate run``: unedited programs run on the provider, as real processes; the exit code is theirs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adapters import catalogue
from adapters.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-dashscope-run-0001"
OPENAI_KEY = "sk-openai-run-never-sent-0000"
MIGRATE = shutil.which("migrate")


def migrate_run(*command: str, emulator: Emulator | None = None, key: bool = True,
                provider: str = "dashscope") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_", "MIGRATE_"))}
    env.update({"OPENAI_API_KEY": OPENAI_KEY, "PYTHONIOENCODING": "utf-8"})
    if key:
        env["DASHSCOPE_API_KEY"] = KEY
    if emulator is not None:
        env["DASHSCOPE_HTTP_BASE_URL"] = emulator.base_url("dashscope")
    assert MIGRATE, "the migrate console script is installed by `pip install -e .`"
    return subprocess.run([MIGRATE, "run", "--provider", provider, "--", *command], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_the_unmodified_legacy_example_runs(emulator: Emulator) -> None:
    done = migrate_run(sys.executable, "examples/legacy_chat/app.py", emulator=emulator)
    assert done.returncode == 0, done.stderr
    model = catalogue.map_model("gpt-3.5-turbo", "dashscope")
    assert f"Answer: Echo from {model}: How do I reset my password?" in done.stdout
    assert all(r.bearer == KEY for r in emulator.requests) and emulator.requests


def test_the_unmodified_legacy_completion_example_runs(emulator: Emulator) -> None:
    done = migrate_run(sys.executable, "examples/legacy_completion/app.py", emulator=emulator)
    assert done.returncode == 0, done.stderr
    model = catalogue.map_model("text-davinci-003", "dashscope")
    assert f"Completion: Echo from {model}: Write a tagline for a tea shop." in done.stdout
    assert f"Echo from {model}: List three teas." in done.stdout  # the streamed one
    assert "served through the provider's chat API" in done.stderr  # the shim says how it serves it
    assert all(r.bearer == KEY for r in emulator.requests) and len(emulator.requests) == 2


def test_the_unmodified_image_generator_runs(emulator: Emulator) -> None:
    done = migrate_run(sys.executable, "examples/image_generator/app.py", emulator=emulator)
    assert done.returncode == 0, done.stderr
    assert "Saved image-1.png: PNG, " in done.stdout and "Preview: http://127.0.0.1" in done.stdout
    files = [r for r in emulator.requests if r.provider == "files"]
    assert len(files) == 2 and all("authorization" not in r.headers for r in files)


def test_the_unmodified_modern_example_runs(emulator: Emulator) -> None:
    done = migrate_run(sys.executable, "examples/streaming_chat/app.py", "hi there", emulator=emulator)
    assert done.returncode == 0, done.stderr
    assert "Echo from qwen-flash: hi there" in done.stdout
    assert OPENAI_KEY not in " ".join(str(r.headers) for r in emulator.requests)


def test_the_programs_exit_code_is_kept() -> None:
    done = migrate_run(sys.executable, "-c", "import openai, sys; openai.OpenAI(); sys.exit(7)")
    assert done.returncode == 7, done.stderr


def test_without_the_variable_the_program_runs_and_a_keyless_client_names_it() -> None:
    """The program may supply its own key (a UI, a key file): the variable is not a gate."""
    done = migrate_run(sys.executable, "-c", "print('started')", key=False)
    assert done.returncode == 0 and "started" in done.stdout
    done = migrate_run(sys.executable, "-c", "import openai; openai.OpenAI()", key=False)
    assert done.returncode == 1 and "DASHSCOPE_API_KEY" in done.stderr


def test_an_unknown_provider_is_a_usage_error() -> None:
    done = migrate_run(sys.executable, "-c", "print('never')", provider="nope")
    assert done.returncode == 2 and "never" not in done.stdout


def test_a_command_that_cannot_run_exits_as_a_shell_does(tmp_path: Path) -> None:
    done = migrate_run("no-such-program-qianyi")
    assert done.returncode == 127 and "command not found" in done.stderr and "Traceback" not in done.stderr
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o644)  # not executable
    done = migrate_run(str(script))
    assert done.returncode == 126 and "cannot run" in done.stderr and "Traceback" not in done.stderr


def test_a_child_killed_by_a_signal_exits_128_plus_the_signal() -> None:
    done = migrate_run(sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)")
    assert done.returncode == 143, done.stderr


def test_outside_migrate_run_nothing_is_patched(tmp_path: Path) -> None:
    env = {**os.environ, "QIANYI_RUN_PROVIDER": "dashscope", "DASHSCOPE_API_KEY": KEY}
    code = "import openai; print(openai.OpenAI(api_key='k').base_url)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "https://api.openai.com/v1/"


@pytest.mark.parametrize("argv", [["run", "--", "python", "-c", "0"]])
def test_run_needs_a_provider(argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGRATE_")}
    assert MIGRATE
    done = subprocess.run([MIGRATE, *argv], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--provider" in done.stderr
