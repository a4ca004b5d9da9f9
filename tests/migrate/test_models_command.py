"""``migrate models``: what the rules give for names, as the runtime resolves them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from adapters import catalogue
from migrate.cli import app

runner = CliRunner()


def row(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"│ {name} "))


def test_names_resolve_as_the_runtime_resolves_them() -> None:
    result = runner.invoke(app, ["models", "-p", "zhipu", "openai/gpt-4o-2024-08-06", "gpt-7-ultra", "glm-4.6",
                                 "my-deployment"])
    assert result.exit_code == 0
    mapped = row(result.stdout, "openai/gpt-4o-2024-08-06")
    assert catalogue.map_model("gpt-4o", "zhipu") in mapped and "family rules" in mapped and "-> gpt-4o" in mapped
    assert catalogue.vision_counterpart("zhipu", catalogue.map_model("gpt-4o", "zhipu")) in mapped
    assert "(refused)" in row(result.stdout, "gpt-7-ultra") and "refused before any call" in result.stdout
    assert "a zhipu model" in row(result.stdout, "glm-4.6")
    assert "sent unchanged" in row(result.stdout, "my-deployment")


def test_without_names_the_catalogue_then_the_rules_on_real_code_names() -> None:
    result = runner.invoke(app, ["models", "-p", "dashscope"])
    assert result.exit_code == 0
    assert "what the rules give" in result.stdout
    assert catalogue.map_model("gpt-5.2", "dashscope") in row(result.stdout, "gpt-5.2")


def test_a_model_map_file_wins(tmp_path: Path) -> None:
    (tmp_path / "map.json").write_text(json.dumps({"gpt-7-ultra": "glm-5.1"}), encoding="utf-8")
    result = runner.invoke(app, ["models", "-p", "zhipu", "--model-map", str(tmp_path / "map.json"), "gpt-7-ultra"])
    assert result.exit_code == 0 and "glm-5.1" in row(result.stdout, "gpt-7-ultra")
    assert "your model map" in result.stdout
