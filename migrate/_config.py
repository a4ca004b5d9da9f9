"""Defaults from ``[tool.migrate]`` in the nearest ``pyproject.toml``, and user model maps.

    [tool.migrate]
    provider = "zhipu"
    style = "adapter"            # or "compat"
    exclude = ["migrations/*"]
    model-map = "models.toml"    # a file (relative to this pyproject.toml) or an inline table
    keep-models = false
    jobs = 4

Command-line options win over the environment (``MIGRATE_PROVIDER``), which wins over this table.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._errors import UsageError

__all__ = ["Defaults", "load_defaults", "load_model_map"]

KEYS = ("provider", "style", "exclude", "model-map", "keep-models", "jobs")


@dataclass(frozen=True)
class Defaults:
    """What ``[tool.migrate]`` says (``None``: not set); ``source`` is the file it came from."""

    source: Path | None = None
    provider: str | None = None
    style: str | None = None
    exclude: tuple[str, ...] = ()
    model_map: dict[str, str] | None = None
    keep_models: bool | None = None
    jobs: int | None = None


def _nearest_pyproject(paths: Sequence[Path]) -> Path | None:
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    start = Path(os.path.commonpath(absolute))
    if start.is_file() or not start.exists():
        start = start.parent
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / "pyproject.toml"
    return None


def _typed(table: Mapping[str, Any], key: str, kind: type, source: Path) -> Any:
    value = table.get(key)
    if value is not None and not isinstance(value, kind):
        raise UsageError(f"{source}: [tool.migrate] {key} must be a {kind.__name__}, not {value!r}")
    return value


def load_defaults(paths: Sequence[Path]) -> Defaults:
    """The ``[tool.migrate]`` table of the pyproject.toml nearest the given paths (walking up)."""
    source = _nearest_pyproject(paths)
    if source is None:
        return Defaults()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{source}: cannot read it ({exc}); fix the file or run from elsewhere") from None
    table = data.get("tool", {}).get("migrate")
    if not isinstance(table, dict):
        return Defaults(source=source)
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(f"{source}: unknown [tool.migrate] key {', '.join(unknown)}; known: {', '.join(KEYS)}")
    exclude = table.get("exclude", ())
    exclude = (exclude,) if isinstance(exclude, str) else exclude
    if not isinstance(exclude, list | tuple) or not all(isinstance(g, str) for g in exclude):
        raise UsageError(f"{source}: [tool.migrate] exclude must be a glob or a list of globs")
    raw_map = table.get("model-map")
    if isinstance(raw_map, str):
        model_map: dict[str, str] | None = load_model_map(source.parent / raw_map)
    elif isinstance(raw_map, dict):
        model_map = _checked_map(raw_map, f"{source}: [tool.migrate] model-map")
    elif raw_map is None:
        model_map = None
    else:
        raise UsageError(f"{source}: [tool.migrate] model-map must be a file name or a table")
    return Defaults(source=source, provider=_typed(table, "provider", str, source),
                    style=_typed(table, "style", str, source), exclude=tuple(exclude), model_map=model_map,
                    keep_models=_typed(table, "keep-models", bool, source),
                    jobs=_typed(table, "jobs", int, source))


def _checked_map(data: Any, where: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise UsageError(f"{where}: a model map is a table of OpenAI model name = provider model name")
    empty = sorted(k for k, v in data.items() if not v.strip() or not k.strip())
    if empty:
        raise UsageError(f"{where}: empty model name for {', '.join(repr(k) for k in empty)}: give each OpenAI "
                         f"model the provider model to use")
    return {k.strip(): v.strip() for k, v in data.items()}


def load_model_map(path: Path) -> dict[str, str]:
    """A model map file: JSON (``{"gpt-4o": "qwen-max"}``) or TOML (``"gpt-4o" = "qwen-max"``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the model map {path}: {exc}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise UsageError(f"the model map {path} is not valid {kind}: {exc}") from None
    return _checked_map(data, f"model map {path}")
