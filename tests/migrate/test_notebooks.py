"""Notebooks through the commands a user runs: scan, rewrite (dry run, report, --check, write), status."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrate.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parents[1] / "codemods" / "fixtures" / "notebooks"
BEFORE = FIXTURES / "magics_and_outputs.before.ipynb"
AFTER = FIXTURES / "magics_and_outputs.after.ipynb"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nb").mkdir()
    shutil.copy(BEFORE, tmp_path / "nb" / "chat.ipynb")
    shutil.copy(FIXTURES / "noop_data_science.ipynb", tmp_path / "nb" / "pandas.ipynb")
    (tmp_path / "nb" / ".ipynb_checkpoints").mkdir()
    shutil.copy(BEFORE, tmp_path / "nb" / ".ipynb_checkpoints" / "chat-checkpoint.ipynb")
    return tmp_path


def test_dry_run_prints_a_diff_that_git_applies_and_writes_nothing(tree: Path) -> None:
    result = runner.invoke(app, ["rewrite", "nb", "--provider", "zhipu", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (tree / "nb" / "chat.ipynb").read_bytes() == BEFORE.read_bytes()
    assert "+++ b/nb/chat.ipynb" in result.output and "checkpoint" not in result.output
    hunks = [line.rpartition("@@")[2].strip() for line in result.output.splitlines() if line.startswith("@@")]
    assert hunks == ["cell 3", "cell 4", "cell 6"]  # each hunk names its cell (patch tools ignore it)
    assert "pandas.ipynb" not in result.output.split("┏")[0]
    patch = result.output[result.output.index("--- a/nb/chat.ipynb"):result.output.index("┏")]
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run(["git", "apply", "-"], cwd=tree, input=patch.encode(), check=True)
    assert (tree / "nb" / "chat.ipynb").read_bytes() == AFTER.read_bytes()


def test_rewrite_writes_the_notebook_and_a_second_run_changes_nothing(tree: Path) -> None:
    assert runner.invoke(app, ["rewrite", "nb", "--provider", "zhipu", "--force"]).exit_code == 0
    assert (tree / "nb" / "chat.ipynb").read_bytes() == AFTER.read_bytes()
    assert (tree / "nb" / ".ipynb_checkpoints" / "chat-checkpoint.ipynb").read_bytes() == BEFORE.read_bytes()
    assert runner.invoke(app, ["rewrite", "nb", "--provider", "zhipu", "--check"]).exit_code == 0


def test_check_and_reports_name_the_cell(tree: Path) -> None:
    assert runner.invoke(app, ["rewrite", "nb", "--provider", "zhipu", "--check"]).exit_code == 1
    assert runner.invoke(app, ["rewrite", "nb", "--provider", "zhipu", "--dry-run", "--report", "r.json"]).exit_code == 0
    files = {f["path"]: f for f in json.loads((tree / "r.json").read_text())["files"]}
    assert files["nb/chat.ipynb"]["todos"][0] | {"message": ""} == {
        "code": "MODERATIONS", "line": 5, "cell": 6, "where": "cell 6:5", "message": ""}
    assert runner.invoke(app, ["rewrite", "nb", "--provider", "zhipu", "--dry-run", "--report", "r.md"]).exit_code == 0
    assert "`nb/chat.ipynb:cell 6:5` **MODERATIONS**" in (tree / "r.md").read_text()


def test_status_counts_markers_in_code_cells(tree: Path) -> None:
    shutil.copy(AFTER, tree / "nb" / "chat.ipynb")
    from migrate._status import status

    report = status([tree / "nb"])
    assert [(m.display.replace("\\", "/"), m.where, m.code) for m in report.markers] == [
        ("nb/chat.ipynb", "cell 6:5", "MODERATIONS")]


def test_scan_places_sites_in_cells(tree: Path) -> None:
    result = runner.invoke(app, ["scan", "nb", "--provider", "zhipu", "--format", "json"])
    assert result.exit_code == 0, result.output
    sites = json.loads(result.output)["sites"]
    moderation = next(s for s in sites if s["category"] == "moderations")
    assert (moderation["path"], moderation["cell"], moderation["line"]) == ("nb/chat.ipynb", 6, 5)
    table = runner.invoke(app, ["scan", "nb", "--provider", "zhipu"])
    assert "nb/chat.ipynb:cell 6:5" in table.output


def test_an_invalid_notebook_is_reported_and_left_alone(tree: Path) -> None:
    broken = tree / "nb" / "broken.ipynb"
    broken.write_bytes(b'{"cells": [{"cell_type": "code", "source": "import openai"')
    result = runner.invoke(app, ["rewrite", "nb", "--provider", "zhipu", "--force"])
    assert result.exit_code == 3
    assert "broken.ipynb" in result.output and "not a valid notebook" in result.output
    assert broken.read_bytes() == b'{"cells": [{"cell_type": "code", "source": "import openai"'
