"""A realistic app, migrated and run on every provider against the emulator: its key comes from a
settings file or a prompt (the user's own key, sent), it answers with the functions API, and its
chat UI seeds a greeting before the user's first turn (Qianfan wants the user first)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import codemods
from adapters import registry
from adapters.emulator import Emulator
from tests.adapters.scenarios import KEYS

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).parent / "apps" / "desk_assistant.py"
PROVIDERS = [p for p in ("dashscope", "qianfan", "zhipu") if p in registry.names()]
OPENAI_ENV_KEY = "sk-openai-env-never-sent-0001"
OPENAI_PROJECT_KEY = "sk-proj-typed-into-the-settings-page-0123456789"
ENV_KEY = "provider-key-from-the-environment-0001"


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(command: list[str], provider: str, emulator: Emulator, settings: Path,
        stdin: str = "") -> subprocess.CompletedProcess[str]:
    backend = registry.get(provider)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "MIGRATE_", "DASHSCOPE_", "QIANFAN_", "ZHIPUAI_"))}
    env.update({"OPENAI_API_KEY": OPENAI_ENV_KEY, backend.KEY_VARS[0]: ENV_KEY, "PYTHONIOENCODING": "utf-8",
                backend.BASE_URL_VAR: emulator.base_url(provider), "PYTHONPATH": str(ROOT)})
    return subprocess.run([*command, str(settings)], env=env, cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120)


def settings_file(tmp_path: Path, key: str | None) -> Path:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"api_key": key} if key is not None else {}) + "\n", encoding="utf-8")
    return path


def migrated(provider: str, tmp_path: Path) -> Path:
    result = codemods.rewrite_bytes(APP.read_bytes(), provider=provider, path="desk_assistant.py")
    path = tmp_path / "desk_assistant.py"
    path.write_bytes(result.code if isinstance(result.code, bytes) else result.code.encode())
    return path


def keeps_the_apps_key(app: Path, provider: str) -> bool:
    """Whether the rewrite left the app's own key expression (else the client reads the variable)."""
    return f'api_key=os.environ["{registry.get(provider).KEY_VARS[0]}"]' not in app.read_text(encoding="utf-8")


def works(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stderr
    assert "called lookup_order" in done.stdout
    assert 'answer: Tool said: {"order_id": "x", "status": "shipped"}' in done.stdout
    assert 'streamed: lookup_order({"order_id": "x"})' in done.stdout


def credentials(emulator: Emulator) -> set[str]:
    return {r.headers.get("authorization", "") for r in emulator.requests}


def test_the_migrated_app_runs_with_the_key_from_its_settings(provider: str, emulator: Emulator,
                                                              tmp_path: Path) -> None:
    app = migrated(provider, tmp_path)
    # the user's provider key, as the settings page saved it (the file ends with a newline)
    done = run([sys.executable, str(app)], provider, emulator, settings_file(tmp_path, KEYS[provider] + "\n"))
    works(done)
    sent = credentials(emulator)
    assert OPENAI_ENV_KEY not in str(sent) and len(emulator.requests) == 3
    kept = keeps_the_apps_key(app, provider)
    # the rewrite either keeps the app's key (sent) or reads the provider's variable: both are the user's
    assert sent == ({f"Bearer {KEYS[provider]}"} if kept else {f"Bearer {ENV_KEY}"})
    if provider == "qianfan":
        assert "opens with an assistant message" in done.stderr  # the greeting, folded with one warning
        assert emulator.requests[0].json["messages"][0]["role"] == "system"


def test_the_migrated_app_with_a_key_typed_at_its_prompt(provider: str, emulator: Emulator, tmp_path: Path) -> None:
    done = run([sys.executable, str(migrated(provider, tmp_path))], provider, emulator, settings_file(tmp_path, None),
               stdin=KEYS[provider] + "\n")
    works(done)


def test_an_openai_key_in_the_settings_never_travels(provider: str, emulator: Emulator, tmp_path: Path) -> None:
    app = migrated(provider, tmp_path)
    done = run([sys.executable, str(app)], provider, emulator, settings_file(tmp_path, OPENAI_PROJECT_KEY))
    assert OPENAI_PROJECT_KEY not in str(credentials(emulator))
    if keeps_the_apps_key(app, provider):
        variable = registry.get(provider).KEY_VARS[0]
        assert done.returncode == 2 and not emulator.requests
        assert "the key was refused" in done.stderr and variable in done.stderr
        assert OPENAI_PROJECT_KEY not in done.stderr
    else:
        works(done)


MIGRATE = shutil.which("migrate")


@pytest.mark.parametrize("key", [KEYS["dashscope"], OPENAI_PROJECT_KEY, OPENAI_ENV_KEY],
                         ids=["provider-key", "openai-project-key", "openai-env-value"])
def test_the_unmigrated_app_under_migrate_run(key: str, emulator: Emulator, tmp_path: Path) -> None:
    assert MIGRATE, "the migrate console script is installed by `pip install -e .`"
    done = run([MIGRATE, "run", "--provider", "dashscope", "--", sys.executable, str(APP)], "dashscope", emulator,
               settings_file(tmp_path, key))
    works(done)
    expected = KEYS["dashscope"] if key == KEYS["dashscope"] else ENV_KEY  # OpenAI keys: the variable instead
    assert credentials(emulator) == {f"Bearer {expected}"}
