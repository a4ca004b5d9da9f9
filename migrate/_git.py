"""Ask git which of the files a run would write have uncommitted changes; fail closed.

Files outside any git repository (no ``.git`` at or above their folder, no ``GIT_DIR``) count as
clean: there is nothing to compare them with. Untracked files count as uncommitted (git holds no
copy of them). A file inside a repository that git cannot answer for (git not installed, git's
"dubious ownership" refusal, ``GIT_DIR`` naming another repository, any other git error) raises
``GitCannotAnswer``: the run refuses rather than risk rewriting work git has no copy of.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from ._errors import GitCannotAnswer

__all__ = ["uncommitted"]


def _repository(folder: Path) -> Path | None:
    """The folder holding the ``.git`` at or above ``folder`` (``None``: not in a repository)."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(lines[:2]) or "no message"


_GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")


def _ask(folder: Path, env: dict[str, str] | None = None) -> tuple[Path, Path]:
    """The top folder and the git folder git uses for ``folder``."""
    try:
        out = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel", "--absolute-git-dir"],
                             capture_output=True, text=True, errors="replace", check=False, env=env)
    except OSError as exc:
        raise GitCannotAnswer(f"git could not be run ({exc.strerror or exc})") from None
    lines = out.stdout.splitlines()
    if out.returncode != 0 or len(lines) != 2:
        raise GitCannotAnswer(f"git fails in {folder}: {_first_line(out.stderr)}")
    return Path(lines[0]), Path(os.path.realpath(lines[1]))


def _toplevel(folder: Path, repository: Path | None) -> Path:
    top, git_dir = _ask(folder)
    if repository is not None and any(os.environ.get(name) for name in _GIT_ENV):
        # GIT_DIR & co. set: git answers for the repository they name; it must be the files' own.
        own = _ask(folder, {k: v for k, v in os.environ.items() if k not in _GIT_ENV})
        if own != (top, git_dir):
            raise GitCannotAnswer(f"GIT_DIR or GIT_WORK_TREE names another repository ({git_dir}) than the "
                                  f"one holding {folder} ({own[1]})")
    return top


def uncommitted(paths: Iterable[Path]) -> list[Path]:
    """Those of ``paths`` (absolute) that git reports as modified, staged or untracked; raises
    ``GitCannotAnswer`` when some are inside a repository git cannot answer for."""
    tops: dict[Path, Path | None] = {}
    by_repo: dict[Path, list[Path]] = defaultdict(list)
    for path in paths:
        folder = path.parent
        if folder not in tops:
            repository = _repository(folder)
            if repository is None and not os.environ.get("GIT_DIR"):
                tops[folder] = None
            else:
                if shutil.which("git") is None:
                    raise GitCannotAnswer(f"{path} is inside a git repository ({repository}) but git is not "
                                          f"installed")
                tops[folder] = _toplevel(folder, repository)
        top = tops[folder]
        if top is not None:
            by_repo[top].append(path)
    dirty: list[Path] = []
    for top, files in by_repo.items():
        real_top = Path(os.path.realpath(top))
        relative = {}
        for file in files:
            real = Path(os.path.realpath(file))
            if not real.is_relative_to(real_top):  # GIT_DIR / GIT_WORK_TREE name another tree
                raise GitCannotAnswer(f"git answers for {top}, which does not hold {file} (GIT_DIR or "
                                      f"GIT_WORK_TREE set?)")
            relative[real.relative_to(real_top).as_posix()] = file
        # --no-optional-locks: asking must not refresh (write) the index.
        out = subprocess.run(["git", "--no-optional-locks", "-C", str(top), "status", "--porcelain=v1", "-z",
                              "--untracked-files=all", "--", *relative], capture_output=True, check=False)
        if out.returncode != 0:
            raise GitCannotAnswer(f"git status fails in {top}: "
                                  f"{_first_line(out.stderr.decode('utf-8', 'replace'))}")
        entries = out.stdout.decode("utf-8", "surrogateescape").split("\0")
        skip_next = False
        for entry in entries:
            if skip_next or len(entry) < 4:
                skip_next = False
                continue
            status, name = entry[:2], entry[3:]
            skip_next = "R" in status or "C" in status  # the next field is the old name
            if name in relative:
                dirty.append(relative[name])
    return sorted(dirty)
