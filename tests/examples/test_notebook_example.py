"""The example notebook: its migrated form is what the tool produces, and its cells run on the emulator
the way a learner runs them (top to bottom; IPython lines such as ``%pip`` are the kernel's business
and are skipped here, as no IPython kernel is installed)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from adapters.emulator import Emulator
from codemods import notebooks
from tests.examples.regen import PROVIDER, ROOT

NOTEBOOK = ROOT / "examples" / "notebook_tutorial" / "tutorial.ipynb"
MIGRATED = ROOT / "examples" / "notebook_tutorial" / "migrated" / "tutorial.ipynb"
IPYTHON = re.compile(r"^\s*[%!]")


def regenerate(*, write: bool = True) -> bytes:
    result = notebooks.rewrite_notebook(NOTEBOOK.read_bytes(), provider=PROVIDER, path="tutorial.ipynb")
    assert result.data is not None
    if write:
        MIGRATED.parent.mkdir(exist_ok=True)
        MIGRATED.write_bytes(result.data)
    return result.data


def test_checked_in_migration_is_what_the_tool_produces() -> None:
    assert MIGRATED.read_bytes() == regenerate(write=False), (
        "examples/notebook_tutorial/migrated is stale: run `python -m tests.examples.test_notebook_example`")


def test_migrated_notebook_cells_run_against_the_emulator(emulator: Emulator) -> None:
    cells = json.loads(MIGRATED.read_bytes())["cells"]
    program = "\n".join(
        "\n".join(line for line in "".join(cell["source"]).splitlines() if not IPYTHON.match(line))
        for cell in cells if cell["cell_type"] == "code")
    program += "\nprint('dimensions', len(vectors.data[0].embedding))\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DASHSCOPE_"))}
    env.update({"DASHSCOPE_API_KEY": "sk-example-0001", "DASHSCOPE_HTTP_BASE_URL": emulator.base_url(PROVIDER),
                "PYTHONPATH": str(ROOT)})
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "Echo from qwen-flash: What is a token?" in done.stdout
    assert "Echo from qwen-flash: Count to three." in done.stdout
    assert "dimensions 1536" in done.stdout
    assert {r.endpoint for r in emulator.requests} >= {"chat", "embeddings"}


if __name__ == "__main__":
    regenerate()
    print(MIGRATED.relative_to(ROOT))
