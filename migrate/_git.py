"""Ask git which of the files a run would write have uncommitted changes.

Files outside any git repository, or on a machine without git, count as clean: there is nothing
to compare them with. Untracked files count as uncommitted (git holds no copy of them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

__all__ = ["uncommitted"]


def _toplevel(folder: Path) -> Path | None:
    try:
        out = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=False)
    except OSError:
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def uncommitted(paths: Iterable[Path]) -> list[Path]:
    """Those of ``paths`` (absolute) that git reports as modified, staged or untracked."""
    if shutil.which("git") is None:
        return []
    tops: dict[Path, Path | None] = {}
    by_repo: dict[Path, list[Path]] = defaultdict(list)
    for path in paths:
        folder = path.parent
        if folder not in tops:
            tops[folder] = _toplevel(folder)
        top = tops[folder]
        if top is not None:
            by_repo[top].append(path)
    dirty: list[Path] = []
    for top, files in by_repo.items():
        real_top = Path(os.path.realpath(top))
        relative = {Path(os.path.realpath(f)).relative_to(real_top).as_posix(): f for f in files}
        # --no-optional-locks: asking must not refresh (write) the index.
        out = subprocess.run(["git", "--no-optional-locks", "-C", str(top), "status", "--porcelain=v1", "-z",
                              "--untracked-files=all", "--", *relative], capture_output=True, check=False)
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
