"""The voice assistant example (transcribe a WAV question, answer it, speak the answer to a file) migrated
to each provider and run against the emulator: DashScope and Zhipu serve it, Qianfan, which has no audio
API, stops with a clear ``BadRequestError`` (and the migration marks the calls)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import codemods
from adapters.emulator import Emulator
from tests.adapters.scenarios import KEYS
from tests.examples.regen import ROOT

APP = ROOT / "examples" / "voice_assistant" / "app.py"
QUESTION = ROOT / "examples" / "voice_assistant" / "question.wav"
VARIABLES = {"dashscope": ("DASHSCOPE_API_KEY", "DASHSCOPE_HTTP_BASE_URL"),
             "zhipu": ("ZHIPUAI_API_KEY", "ZHIPUAI_BASE_URL"),
             "qianfan": ("QIANFAN_API_KEY", "QIANFAN_V2_BASE_URL")}


def migrate_and_run(provider: str, emulator: Emulator, folder: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    migrated = codemods.rewrite_bytes(APP.read_bytes(), provider=provider, path="examples/voice_assistant/app.py")
    assert migrated.data is not None
    app = folder / "app.py"
    app.write_bytes(migrated.data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_", "ZHIPUAI_", "QIANFAN_"))}
    key, base_url = VARIABLES[provider]
    env.update({key: KEYS[provider], base_url: emulator.base_url(provider), "PYTHONPATH": str(ROOT),
                "OPENAI_API_KEY": "sk-openai-never-sent"})
    done = subprocess.run([sys.executable, str(app), str(QUESTION), str(folder / "answer.wav")], env=env,
                          capture_output=True, text=True, timeout=60, cwd=folder)
    return migrated.data.decode(), done


@pytest.mark.parametrize("provider", ["dashscope", "zhipu"])
def test_the_migrated_voice_assistant_runs(provider: str, emulator: Emulator, tmp_path: Path) -> None:
    source, done = migrate_and_run(provider, emulator, tmp_path)
    assert "TODO(migrate:AUDIO)" not in source
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "You said: Heard 0.5 seconds of audio"
    assert lines[1].startswith("Answer: Echo from ") and lines[1].endswith("Heard 0.5 seconds of audio")
    answer = (tmp_path / "answer.wav").read_bytes()
    assert answer[:4] == b"RIFF" and answer[8:12] == b"WAVE"
    assert lines[2] == f"Spoken answer saved to answer.wav: {len(answer)} bytes of WAV"
    paths = [r.path for r in emulator.requests if r.provider == provider]
    assert len(paths) == 3  # transcription (streamed), chat, speech
    assert "sk-openai-never-sent" not in " ".join(str(r.headers) for r in emulator.requests)


def test_on_qianfan_the_migration_marks_audio_and_the_run_stops_clearly(emulator: Emulator, tmp_path: Path) -> None:
    source, done = migrate_and_run("qianfan", emulator, tmp_path)
    assert source.count("TODO(migrate:AUDIO)") == 2
    assert done.returncode == 1 and not (tmp_path / "answer.wav").exists()
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("openai.BadRequestError") and "audio.transcriptions" in last and "qianfan" in last
    assert not emulator.requests  # refused before any call


def test_the_unmodified_voice_assistant_runs_under_the_shim(emulator: Emulator, tmp_path: Path) -> None:
    """``migrate run --provider zhipu -- python app.py``: the same streams and files, no edit."""
    migrate = shutil.which("migrate")
    assert migrate, "the migrate console script is installed by `pip install -e .`"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ZHIPUAI_", "MIGRATE_"))}
    env.update({"ZHIPUAI_API_KEY": KEYS["zhipu"], "ZHIPUAI_BASE_URL": emulator.base_url("zhipu"),
                "OPENAI_API_KEY": "sk-openai-never-sent", "PYTHONPATH": str(ROOT)})
    done = subprocess.run([migrate, "run", "--provider", "zhipu", "--", sys.executable, str(APP), str(QUESTION),
                           str(tmp_path / "answer.wav")], env=env, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("You said: Heard 0.5 seconds of audio\nAnswer: Echo from glm-")
    assert (tmp_path / "answer.wav").read_bytes()[:4] == b"RIFF"
    assert all(r.bearer == KEYS["zhipu"] for r in emulator.requests if r.provider == "zhipu")
