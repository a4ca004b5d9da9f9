"""Whether the import name ``adapters`` the migrated code relies on would be qianyi's.

Two ways it would not. The project has its own top-level ``adapters`` package or module (common in
hexagonal and Django layouts) in a folder Python puts on ``sys.path`` for a migrated file: the
folder its top package is imported from (its own folder for a script: the first folder above it
without ``__init__.py``), the project's root (the nearest folder holding .git, pyproject.toml,
setup.py or setup.cfg; else the path given) and that root's ``src``. Or a foreign distribution named
``adapters`` is installed (AdapterHub's ships ``adapters/__init__.py`` too, and pip overwrites one
with the other). Each clash is a sentence naming it and the ways out.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["clashes"]

_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")
_WAY_OUT = ("rename it, or use --style compat (keeps `openai`, imports no `adapters`), or pass --force "
            "to go ahead anyway")


def _ours() -> Path:
    import adapters

    return Path(os.path.realpath(os.path.dirname(adapters.__file__ or "")))


def _own_module(folder: Path, ours: Path) -> Path | None:
    """``folder``'s ``adapters`` package or module, if it has one that is not qianyi's."""
    package = folder / "adapters"
    if package.is_dir() and Path(os.path.realpath(package)) != ours:
        if (package / "__init__.py").is_file() or any(package.glob("*.py")):
            return package
    module = folder / "adapters.py"
    return module if module.is_file() else None


def _top(folder: Path, root: Path) -> Path:
    """The project's root folder above ``folder``: the nearest holding a project marker, else ``root``."""
    for candidate in (folder, *folder.parents):
        if any(os.path.lexists(candidate / marker) for marker in _PROJECT_MARKERS):
            return candidate
    return root


def _entries(path: Path, root: Path) -> list[Path]:
    """The folders on ``sys.path`` when ``path`` runs or is imported (see the module's docstring)."""
    folder = path.parent
    while os.path.exists(folder / "__init__.py") and folder.parent != folder:
        folder = folder.parent
    top = _top(path.parent, root)
    return [folder, top, top / "src"]


def _project_clashes(files: Iterable[tuple[Path, Path]]) -> list[Path]:
    ours = _ours()
    seen: set[Path] = set()
    found: list[Path] = []
    for path, root in files:
        for folder in _entries(path, root):
            if folder not in seen:
                seen.add(folder)
                module = _own_module(folder, ours)
                if module is not None:
                    found.append(module)
    return found


def _foreign_distribution() -> str | None:
    try:
        dist = importlib.metadata.distribution("adapters")
    except importlib.metadata.PackageNotFoundError:
        return None
    return f"{dist.metadata['Name']} {dist.version}"


def clashes(files: Iterable[tuple[Path, Path]], display: Callable[[Path], str]) -> list[str]:
    """What would take the name ``adapters`` from the migrated ``files`` ((path, the root it was found
    under)); ``display`` shows a path."""
    out = [f"{display(module)} is the project's own `adapters`: it would shadow qianyi's runtime, which the "
           f"migrated code imports, and the program would fail with ImportError; {_WAY_OUT}"
           for module in _project_clashes(files)]
    foreign = _foreign_distribution()
    if foreign is not None:
        out.append(f"the installed distribution {foreign} (AdapterHub) uses the import name `adapters` too, and "
                   f"pip overwrites one with the other; install qianyi in an environment without it, use "
                   f"--style compat, or pass --force to go ahead anyway")
    return out
