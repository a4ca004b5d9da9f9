"""Which files a run looks at: ``.py`` files and Jupyter notebooks (``.ipynb``) under the given
paths, minus what should stay alone.

Skipped by default: folders named ``.git``, ``__pycache__``, ``site-packages``, ``node_modules``
(and other tool caches), virtual environments (a folder holding ``pyvenv.cfg`` or ``conda-meta``),
whatever ``.gitignore`` files ignore (those of the given folders and of their parents up to the
repository root, plus ``.git/info/exclude``), and ``--exclude`` globs, read as ``.gitignore``
lines relative to each given folder (``tests/`` any folder named tests, ``/scripts`` only the top
one, ``*_pb2.py`` such files anywhere). Symbolic links are not
followed: a link to a file is reported as skipped; a link to a folder outside the given paths too.
A folder that cannot be read is skipped and reported; only regular files are read (``_fs.read``).
A file named on the command line is taken as given (if it is a ``.py`` or ``.ipynb`` file).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._envfiles import is_env_file
from ._gitignore import IgnoreRules, parse

__all__ = ["Discovery", "discover", "git_root"]

SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", "__pycache__", "site-packages", "node_modules",
                             ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                             ".ipynb_checkpoints"})
#: The files a run reads: Python modules and Jupyter notebooks.
SOURCE_SUFFIXES = (".py", ".ipynb")
ENV_MARKERS = ("pyvenv.cfg", "conda-meta")


@dataclass
class Discovery:
    """``files``: (absolute path, the root it was found under); ``skipped``: (path, reason);
    ``unreadable``: the folders among ``skipped`` that could not be read (what they hold is unknown);
    ``env_files``: dotenv files, collected only when asked."""

    files: list[tuple[Path, Path]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    env_files: list[Path] = field(default_factory=list)


def git_root(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding ``.git``."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _rules_above(root: Path) -> IgnoreRules:
    rules = IgnoreRules()
    top = git_root(root)
    if top is None:
        return rules
    rules.load(top, ".git/info/exclude")
    for folder in reversed([root, *root.parents]):
        if folder == top or folder.is_relative_to(top):
            if folder != root:
                rules.load(folder)
    return rules


def _unreadable(found: Discovery, root: Path, error: OSError) -> None:
    where = Path(error.filename) if error.filename else root
    found.skipped.append((where, f"folder cannot be read ({error.strerror or error}); skipped"))
    found.unreadable.append(where)


def _link_reason(path: Path, real_roots: Sequence[Path]) -> str:
    target = Path(os.path.realpath(path))
    if not os.path.exists(path):
        return f"symbolic link to {os.readlink(path)!r}, which does not exist; not followed"
    where = "inside" if _inside(target, real_roots) else "outside"
    return f"symbolic link to a file {where} the given paths; not followed"


def discover(paths: Sequence[Path], exclude: Sequence[str] = (), gitignore: bool = True,
             env_files: bool = False) -> Discovery:
    """Find the files under ``paths`` (which must exist) that a run should look at (and, with
    ``env_files``, the dotenv files: ``.env``, ``.env.example``, ``*.env``)."""
    found = Discovery()
    roots = [Path(os.path.abspath(p)) for p in paths]
    real_roots = [Path(os.path.realpath(r)) for r in roots]
    seen: set[Path] = set()
    for root in roots:
        if not os.path.isdir(root):
            if os.path.islink(root):
                found.skipped.append((root, "symbolic link; name the file it points to instead"))
            elif root.suffix in SOURCE_SUFFIXES and root not in seen:
                seen.add(root)
                found.files.append((root, root.parent))
            elif env_files and is_env_file(root.name):
                found.env_files.append(root)
            elif root.suffix not in SOURCE_SUFFIXES:
                found.skipped.append((root, "not a Python (.py) file or notebook (.ipynb)"))
            continue
        rules = _rules_above(root) if gitignore else IgnoreRules()
        excluded = IgnoreRules(parse("\n".join(exclude), root))
        for folder, dirs, files in os.walk(root, onerror=functools.partial(_unreadable, found, root)):
            here = Path(folder)
            if gitignore:
                rules.load(here)
            keep = []
            for name in sorted(dirs):
                sub = here / name
                if os.path.islink(sub):
                    if not _inside(Path(os.path.realpath(sub)), real_roots):
                        found.skipped.append((sub, "symbolic link to a folder outside the given paths; "
                                                   "not followed"))
                    continue
                if (name in SKIPPED_FOLDERS or name.endswith(".egg-info")
                        or any(os.path.lexists(sub / marker) for marker in ENV_MARKERS)
                        or excluded.ignored(sub, True) or rules.ignored(sub, True)):
                    continue
                keep.append(name)
            dirs[:] = keep
            for name in sorted(files):
                dotenv = env_files and is_env_file(name)
                if not name.endswith(SOURCE_SUFFIXES) and not dotenv:
                    continue
                path = here / name
                if excluded.ignored(path, False) or rules.ignored(path, False):
                    continue
                if os.path.islink(path):
                    found.skipped.append((path, _link_reason(path, real_roots)))
                    continue
                if dotenv:
                    found.env_files.append(path)
                elif path not in seen:
                    seen.add(path)
                    found.files.append((path, root))
    return found
