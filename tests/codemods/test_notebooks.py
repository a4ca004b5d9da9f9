"""Jupyter notebooks through the transforms (``codemods/notebooks.py``), compared as bytes.

    fixtures/notebooks/<case>.before.ipynb -> <case>.after.ipynb   (provider zhipu)
    fixtures/notebooks/noop_<case>.ipynb                           must come out byte-identical
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.emulator import Emulator
from codemods import SourceError, notebooks
from tests.adapters.scenarios import KEYS

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
PAIRS = sorted(FIXTURES.glob("*.before.ipynb"))
NOOPS = sorted(FIXTURES.glob("noop_*.ipynb"))


def rewrite(data: bytes) -> bytes:
    result = notebooks.rewrite_notebook(data, provider="zhipu")
    assert result.data is not None
    return result.data


@pytest.mark.parametrize("before", PAIRS, ids=lambda p: p.name.split(".")[0])
def test_rewrites_exactly_and_converges(before: Path) -> None:
    after = before.with_name(before.name.replace(".before.", ".after."))
    out = rewrite(before.read_bytes())
    assert out == after.read_bytes()
    assert rewrite(out) == out  # idempotent
    json.loads(out)  # still a notebook


@pytest.mark.parametrize("path", NOOPS, ids=lambda p: p.stem)
def test_leaves_alone(path: Path) -> None:
    result = notebooks.rewrite_notebook(path.read_bytes(), provider="zhipu")
    assert not result.changed and result.data == path.read_bytes()


def test_only_the_changed_cells_change() -> None:
    before = json.loads((FIXTURES / "magics_and_outputs.before.ipynb").read_bytes())
    after = json.loads((FIXTURES / "magics_and_outputs.after.ipynb").read_bytes())
    assert len(before["cells"]) == len(after["cells"])
    for old, new in zip(before["cells"], after["cells"], strict=True):
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
    changed = [i for i, (old, new) in enumerate(zip(before["cells"], after["cells"], strict=True))
               if old["source"] != new["source"]]
    assert changed == [2, 3, 5]  # client, chat call, moderations; markdown, magics, %%bash and raw untouched
    ipython = "".join(after["cells"][5]["source"])
    assert "client.moderations.create?\n" in ipython and "files = !ls\n" in ipython and "    !echo many\n" in ipython


def test_todos_name_the_cell_and_the_line_in_it() -> None:
    result = notebooks.rewrite_notebook((FIXTURES / "magics_and_outputs.before.ipynb").read_bytes(), provider="zhipu")
    assert [(t.code, t.cell, t.line, t.where) for t in result.todos] == [("MODERATIONS", 6, 5, "cell 6:5")]


def test_a_constant_in_one_cell_is_followed_into_another() -> None:
    after = json.loads((FIXTURES / "constant_across_cells.after.ipynb").read_bytes())
    sources = ["".join(c["source"]) for c in after["cells"]]
    assert "MODEL = \"glm-4.6\"" in sources[1] and sources[1].count("import adapters") == 1
    assert sources[0] == "print(\"setup\")"  # the import went to the first cell that imports


@pytest.mark.parametrize(("data", "why"), [
    (b"{not json", "not UTF-8 JSON"),
    (b"\xff\xfe{}", "not UTF-8 JSON"),
    (b'{"cells": [], "nbformat": 3}', "nbformat 4"),
    (b'{"nbformat": 4}', "nbformat 4"),
    (b'{"cells": [5], "nbformat": 4, "metadata": {}, "nbformat_minor": 5}', "cell 1 is not an object"),
    (b'{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}', "cannot write back unchanged"),
])
def test_an_invalid_notebook_is_a_source_error(data: bytes, why: str) -> None:
    with pytest.raises(SourceError, match=why):
        notebooks.rewrite_notebook(data, provider="zhipu")


def test_a_cell_that_does_not_parse_fails_the_notebook_without_changing_it() -> None:
    cells = [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {}, "outputs": [],
              "source": ["from openai import OpenAI\n", "def broken(:\n"]}]
    data = (json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n").encode()
    with pytest.raises(SourceError, match="syntax error at line"):
        notebooks.rewrite_notebook(data, provider="zhipu")


@pytest.mark.parametrize("case", ["import_order_combined", "import_order_split"])
def test_each_migrated_cell_runs_in_order(case: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import the rewrite adds stands in the cell that first uses it, never in a later one."""
    monkeypatch.setenv("ZHIPUAI_API_KEY", KEYS["zhipu"])
    monkeypatch.setenv("ZHIPUAI_BASE_URL", emulator.base_url("zhipu"))
    emulator.add_key("zhipu", KEYS["zhipu"])
    after = json.loads((FIXTURES / f"{case}.after.ipynb").read_bytes())
    namespace: dict[str, object] = {"__name__": "__main__"}
    for cell in after["cells"]:
        exec(compile("".join(cell["source"]), case, "exec"), namespace)  # noqa: S102 - the fixture, cell by cell
    assert namespace["r"].choices[0].message.content.startswith("Echo from glm-")  # type: ignore[attr-defined]
    namespace["client"].close()  # type: ignore[attr-defined]
