"""Dotenv files: OPENAI_* settings become the provider's, only with --env-files, keys never carried."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate import api
from migrate._envfiles import is_env_file, rewritten

ENV = 'export OPENAI_API_KEY="sk-live-0123456789abcdef"\r\nOPENAI_BASE_URL=https://relay.example/v1\r\nDEBUG=1\r\n'


def test_a_dotenv_file_is_rewritten_without_the_key_value_and_stays_crlf() -> None:
    new = rewritten(ENV, provider="dashscope", key_var="DASHSCOPE_API_KEY", base_url_var="DASHSCOPE_HTTP_BASE_URL")
    assert new is not None
    assert "sk-live" not in new and 'export DASHSCOPE_API_KEY=""\r\n' in new
    assert "# OPENAI_BASE_URL=https://relay.example/v1  (migrate: dropped;" in new
    assert new.endswith("DEBUG=1\r\n") and all(line.endswith("\r\n") for line in new.splitlines(keepends=True))
    assert rewritten(new, provider="dashscope", key_var="K", base_url_var="B") is None  # idempotent


@pytest.mark.parametrize(("name", "expected"), [(".env", True), (".env.example", True), ("prod.env", True),
                                                ("env.py", False), ("environment.txt", False)])
def test_dotenv_names(name: str, expected: bool) -> None:
    assert is_env_file(name) is expected


def _tree(tmp_path: Path) -> Path:
    (tmp_path / ".env.example").write_text("OPENAI_API_KEY=sk-abcdefghijklmnop\nOPENAI_ORG_ID=org-1\n")
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    return tmp_path


def test_env_files_are_left_alone_unless_asked(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    run = api.rewrite([root], provider="zhipu", write=True, force=True)
    assert (root / ".env.example").read_text().startswith("OPENAI_API_KEY=")
    assert not any(r.display.endswith(".env.example") for r in run.results)


def test_env_files_when_asked_are_shown_in_the_diff_redacted_and_written(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    dry = api.rewrite([root], provider="zhipu", env_files=True)
    [env] = [r for r in dry.results if isinstance(r, api.Changed) and r.display.endswith(".env.example")]
    assert "sk-abcdefghijklmnop" not in env.diff and "+ZHIPUAI_API_KEY=" in env.diff
    assert (root / ".env.example").read_text().startswith("OPENAI_API_KEY=")  # a dry run writes nothing
    api.rewrite([root], provider="zhipu", write=True, force=True, env_files=True)
    text = (root / ".env.example").read_text()
    assert "ZHIPUAI_API_KEY=\n" in text and "sk-abcdefghijklmnop" not in text
    assert "# OPENAI_ORG_ID=org-1  (migrate: no zhipu equivalent)" in text
    again = api.rewrite([root], provider="zhipu", env_files=True)
    assert not any(isinstance(r, api.Changed) for r in again.results)


# -- fixture pairs: fixtures/envfiles/<case>.before.env -> <case>.after.env; noop_<case>.env unchanged --

ENVFILES = Path(__file__).parent / "fixtures" / "envfiles"


def _dashscope(text: str) -> str | None:
    from adapters import catalogue

    return rewritten(text, provider="dashscope", key_var="DASHSCOPE_API_KEY", base_url_var="DASHSCOPE_HTTP_BASE_URL",
                     model_of=lambda name: catalogue.map_model(name, "dashscope"))


def test_an_embedding_model_setting_keeps_its_name_so_the_runtime_keeps_its_size(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OPENAI_EMBEDDING_MODEL=text-embedding-3-small\nOPENAI_MODEL=gpt-4o\n")
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    [env] = [r for r in api.rewrite([tmp_path], provider="dashscope", env_files=True).results
             if isinstance(r, api.Changed) and r.kind == "env"]
    changed = [line for line in env.diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert not [line for line in changed if "EMBEDDING" in line] and "+OPENAI_MODEL=qwen-plus" in changed


@pytest.mark.parametrize("before", sorted(ENVFILES.glob("*.before.env")), ids=lambda p: p.name)
def test_env_file_fixtures(before: Path) -> None:
    text = before.read_bytes().decode()
    after = before.with_name(before.name.replace(".before.", ".after."))
    new = _dashscope(text)
    assert new == after.read_bytes().decode()
    assert _dashscope(new) is None  # a second run changes nothing
    assert "sk-live" not in new and "sk-another" not in new


@pytest.mark.parametrize("noop", sorted(ENVFILES.glob("noop_*.env")), ids=lambda p: p.name)
def test_env_files_with_nothing_to_do(noop: Path) -> None:
    assert _dashscope(noop.read_bytes().decode()) is None


def test_app_settings_stay_readable_and_models_follow_the_options(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OPENAI_MODEL=gpt-4o\nOPENAI_API_KEY=sk-abcdefghijklmnop\n")
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    kept = api.rewrite([tmp_path], provider="zhipu", env_files=True, keep_models=True)
    [env] = [r for r in kept.results if isinstance(r, api.Changed) and r.kind == "env"]
    assert "-OPENAI_MODEL=gpt-4o" not in env.diff.splitlines()  # --keep-models: the runtime maps it
    mapped = api.rewrite([tmp_path], provider="zhipu", env_files=True, model_map={"gpt-4o": "glm-4-plus"})
    [env] = [r for r in mapped.results if isinstance(r, api.Changed) and r.kind == "env"]
    assert "+OPENAI_MODEL=glm-4-plus" in env.diff


@pytest.mark.parametrize(("provider", "style", "line"), [
    ("zhipu", "adapter", "OPENAI_MODEL=gpt-4o"),           # glm-4.6 thinks by default: the runtime keeps it off
    ("zhipu", "compat", "+OPENAI_MODEL=glm-4.6"),          # no runtime: the provider's name (the code's switch decides)
    ("dashscope", "adapter", "+OPENAI_MODEL=qwen-plus"),   # qwen-plus does not think unless asked
])
def test_a_model_setting_whose_counterpart_thinks_by_default_is_left_for_the_runtime(
        tmp_path: Path, provider: str, style: str, line: str) -> None:
    """The code reading OPENAI_MODEL cannot tell the provider that gpt-4o did not think; the runtime,
    seeing gpt-4o, does (codemods/_thinking.py)."""
    (tmp_path / ".env").write_text("OPENAI_MODEL=gpt-4o\nOPENAI_API_KEY=sk-abcdefghijklmnop\n")
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    run = api.rewrite([tmp_path], provider=provider, env_files=True, style=style)
    [env] = [r for r in run.results if isinstance(r, api.Changed) and r.kind == "env"]
    assert line in env.diff.splitlines() if line.startswith("+") else f"-{line}" not in env.diff.splitlines()
