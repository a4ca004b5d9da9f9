"""Write each example's migrated form (``examples/<name>/migrated/app.py``) as the tool produces it."""

from __future__ import annotations

from pathlib import Path

import codemods

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = "dashscope"
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/app.py"))


def migrated_path(name: str) -> Path:
    return ROOT / "examples" / name / "migrated" / "app.py"


def regenerate(name: str, *, write: bool = True) -> bytes:
    source = (ROOT / "examples" / name / "app.py").read_bytes()
    result = codemods.rewrite_bytes(source, provider=PROVIDER, path=f"examples/{name}/app.py")
    data = result.data if result.data is not None else source
    if write:
        migrated_path(name).parent.mkdir(exist_ok=True)
        migrated_path(name).write_bytes(data)
    return data


if __name__ == "__main__":
    for example in EXAMPLES:
        regenerate(example)
        print(f"examples/{example}/migrated/app.py")
