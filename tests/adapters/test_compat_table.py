"""The compatibility table is generated from the capability tables, checked in, and kept fresh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from adapters import compat_table, registry
from adapters.capabilities import (
    CHAT_PARAMETERS,
    EMBEDDING_PARAMETERS,
    RESPONSE_FEATURES,
    Capabilities,
    describe,
    note_for,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "providers.md"
REGENERATE = "python -m adapters.compat_table > docs/providers.md"


def test_the_checked_in_table_is_what_the_capability_tables_say() -> None:
    assert DOC.exists(), f"docs/providers.md is missing; run `{REGENERATE}`."
    if DOC.read_text(encoding="utf-8") != compat_table.render():
        pytest.fail(f"docs/providers.md is stale: a backend's CAPABILITIES changed. Run `{REGENERATE}` "
                    f"and commit the result.")


def test_the_module_runs_as_the_regeneration_command() -> None:
    out = subprocess.run([sys.executable, "-m", "adapters.compat_table"], capture_output=True, text=True, check=True,
                         cwd=DOC.parents[1]).stdout
    assert out == compat_table.render()


def test_every_builtin_backend_and_qianfans_v1_get_a_column() -> None:
    assert [name for name, _ in compat_table.columns()] == ["dashscope", "qianfan", "qianfan (v1)", "zhipu"]


def test_cells_come_from_the_tables_not_from_the_document() -> None:
    caps = Capabilities(passed=frozenset({"messages", "model"}), renamed={"user": "end_user"},
                        clamped={"temperature": (0.1, 0.9)}, emulated={"n": "fanned out"},
                        unsupported=frozenset({"seed"}), notes={"seed": "no such thing"},
                        features={"streaming": ("native", "SSE")}, endpoints=frozenset({"chat.completions"}))
    doc = compat_table.render([("acme", caps)])
    for row in ("| `temperature` | clamped: to [0.1, 0.9] |", "| `user` | renamed: -> end_user |",
                "| `n` | emulated: fanned out |", "| `seed` | dropped: no such thing |", "| `stop` | unsupported: not sent |",
                "| `streaming` | native: SSE |", "| `tool_calls` | not declared |", "| `chat.completions` | supported |",
                "| `embeddings` | unsupported: a clear 400 error before any call |"):
        assert row in doc


@pytest.mark.parametrize("name", ["qianfan", "qianfan (v1)", "zhipu"])
def test_the_new_backends_declare_every_parameter_and_feature(name: str) -> None:
    caps = dict(compat_table.columns())[name]
    assert [p for p in CHAT_PARAMETERS if describe(caps, p)[0] == "unsupported"] == []
    assert [p for p in EMBEDDING_PARAMETERS if describe(caps, p, embeddings=True)[0] == "unsupported"] == []
    assert [f for f in RESPONSE_FEATURES if f not in caps.features] == []


def test_a_value_of_a_parameter_follows_the_parameter_unless_declared() -> None:
    qianfan, zhipu = registry.get("qianfan").CAPABILITIES, registry.get("zhipu").CAPABILITIES
    assert describe(qianfan, "response_format.json_schema")[0] == "passes"
    assert describe(zhipu, "response_format.json_schema")[0] == "emulated"


def test_a_note_about_one_value_is_kept_for_that_value_or_an_unknown_one() -> None:
    caps = Capabilities(clamped={"temperature": (0.0, 0.99)}, notes={"temperature": "0 -> do_sample=false",
                                                                      "top_p": "kept as sent"})
    assert note_for(caps, "temperature", 0) == note_for(caps, "temperature", 0.0) == "0 -> do_sample=false"
    assert note_for(caps, "temperature") == "0 -> do_sample=false"  # value not known
    assert note_for(caps, "temperature", 0.7) == note_for(caps, "temperature", 1.5) == ""
    assert note_for(caps, "top_p", 0.7) == "kept as sent"  # not about one value
