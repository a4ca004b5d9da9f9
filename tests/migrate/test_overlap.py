"""``migrate._overlap``: work done in a forked child, with the same result (or error) as done here."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from migrate import _overlap, api
from migrate import rewrite as rewrite_module
from migrate._results import Unchanged

T = TypeVar("T")
forking = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")


@forking
def test_the_work_runs_in_a_child_while_this_process_does_the_rest() -> None:
    here = os.getpid()
    done: list[int] = []
    result = _overlap.overlapped(lambda: ("pid", os.getpid()), meanwhile=lambda: done.append(os.getpid()))
    assert result[0] == "pid" and result[1] != here
    assert done == [here]


def test_without_fork_the_work_runs_here_and_nothing_else() -> None:
    done: list[int] = []
    assert _overlap.overlapped(os.getpid, meanwhile=lambda: done.append(1), fork=False) == os.getpid()
    assert done == []


@forking
def test_an_error_of_the_work_is_raised_here() -> None:
    def work() -> None:
        raise api.UsageError("path not found: nowhere")

    with pytest.raises(api.UsageError, match="nowhere"):
        _overlap.overlapped(work, meanwhile=lambda: None)


@forking
@pytest.mark.parametrize("failure", ["dies", "unpicklable"])
def test_when_the_child_cannot_answer_the_work_is_done_here(failure: str) -> None:
    parent = os.getpid()

    def work() -> object:
        if os.getpid() == parent:
            return "done here"
        if failure == "dies":
            os._exit(9)
        return threading.Lock()  # cannot be pickled

    assert _overlap.overlapped(work, meanwhile=lambda: None) == "done here"


def _spy_on_forks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``fork`` argument of each ``overlapped`` call that ``api.rewrite`` makes."""
    forks: list[bool] = []
    real = _overlap.overlapped

    def spy(work: Callable[[], T], meanwhile: Callable[[], object], *, fork: bool = True) -> T:
        forks.append(fork)
        return real(work, meanwhile, fork=fork)

    monkeypatch.setattr(_overlap, "overlapped", spy)
    return forks


@forking
def test_a_run_gives_the_same_results_with_and_without_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forks = _spy_on_forks(monkeypatch)
    # Other tests' emulator threads may still run in this process; the child only reads files.
    monkeypatch.setattr(rewrite_module.threading, "active_count", lambda: 1)
    for i in range(30):
        (tmp_path / f"m{i:02}.py").write_text("import json\n" if i % 3 else "from openai import OpenAI\nOpenAI()\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "unreadable.py").write_text("import openai\n")
    (tmp_path / "sub" / "unreadable.py").chmod(0)
    try:
        forked = api.rewrite([tmp_path], provider="zhipu", jobs=2)
        alone = api.rewrite([tmp_path], provider="zhipu", jobs=1)
    finally:
        (tmp_path / "sub" / "unreadable.py").chmod(0o644)
    assert forks == [True, False]
    assert forked == alone
    assert len(forked.changed) == 10
    unreadable = 0 if os.geteuid() == 0 else 1  # root reads it all the same
    assert len(forked.failed) == unreadable
    assert sum(isinstance(result, Unchanged) for result in forked.results) == 21 - unreadable


def test_no_child_is_forked_while_other_threads_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forks = _spy_on_forks(monkeypatch)
    monkeypatch.setattr(rewrite_module.threading, "active_count", lambda: 2)
    (tmp_path / "app.py").write_text("from openai import OpenAI\nOpenAI()\n")
    assert len(api.rewrite([tmp_path], provider="zhipu", jobs=2).changed) == 1
    assert forks == [False]
