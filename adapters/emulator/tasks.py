"""Asynchronous tasks the emulator runs (DashScope image tasks): submitted, polled, finished.

A task answers ``PENDING`` when submitted, ``RUNNING`` on its polls until the ``polls``-th, then
its result. Thread-safe; ``clear()`` forgets every task.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .replies import request_key

__all__ = ["Task", "TaskBook"]


@dataclass
class Task:
    """One submitted task: what it will answer once done, and how often it was polled."""

    id: str
    result: dict[str, Any]
    polls_left: int
    submitted: str = "2026-01-15 10:00:01.123"
    extra: dict[str, Any] = field(default_factory=dict)


class TaskBook:
    """The emulator's tasks; ``polls`` is how many polls a new task needs to finish (default 2)."""

    def __init__(self, polls: int = 2) -> None:
        self.polls = polls
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()

    def submit(self, seed: str, result: dict[str, Any]) -> Task:
        """A new task (its id made from ``seed`` and the number of tasks so far)."""
        with self._lock:
            key = request_key(seed, len(self._tasks))
            task_id = f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:32]}"
            task = self._tasks[task_id] = Task(task_id, result, self.polls)
        return task

    def poll(self, task_id: str) -> tuple[Task | None, bool]:
        """The task and whether it is done now (``None``: unknown id)."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                return None, False
            task.polls_left -= 1
            return task, task.polls_left <= 0

    def clear(self) -> None:
        with self._lock:
            self._tasks.clear()
            self.polls = 2
