"""Parse files in worker processes, so a file that crashes the parser takes down a worker, not the run.

    results = run_isolated(work, jobs, processes, crashed=lambda job, why: Failed(...))

LibCST's native parser overflows its stack on some long flat expressions CPython accepts (a
generated ``x = a and a and ...`` of 20,000 terms): the process dies with SIGSEGV, which no
``try`` catches. So the parsing happens in child processes. Each worker takes a chunk of jobs and
answers one result per job, in order; a worker that dies (a signal, the OOM killer, ``os._exit``)
ends the job it was on (the first of its chunk not answered) as ``crashed(job, why)``, its other
jobs go back in the queue, and a new worker takes its place. The parent waits on the workers' pipes
and their process sentinels together, so a dead worker is seen at once: never a hang.

Workers are forked where processes can be (they inherit whatever the parent loaded: call ``warm``
first); elsewhere they are spawned and run ``warm`` themselves. They ignore SIGINT (the parent
decides what an interrupt does) and are terminated, never waited for, when the run ends or fails.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

__all__ = ["run_isolated"]

J = TypeVar("J")
R = TypeVar("R")
_DONE = "done"  # a worker's answer after the last result of a chunk


def _serve(conn: Connection, work: Callable[[Any], Any], warm: Callable[[], object] | None) -> None:
    """A worker's life: answer each job of each chunk received, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    faulthandler.disable()  # a crash is the parent's to report, as a failed file, not a C traceback
    if warm is not None:
        warm()
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        for job in chunk:
            conn.send(work(job))
        conn.send(_DONE)


@dataclass
class _Worker(Generic[J]):
    process: Any  # multiprocessing.Process (BaseProcess)
    conn: Connection
    chunk: list[J] = field(default_factory=list)
    answered: int = 0


def _why(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGSEGV:
            return (f"the parser crashed on this file ({name}; LibCST's parser overflows its stack on very "
                    f"long expressions, as generated code has); left as it is")
        return f"the worker process was killed ({name}) while on this file; left as it is"
    return f"the worker process died (exit code {exitcode}) while on this file; left as it is"


def run_isolated(work: Callable[[J], R], jobs: Sequence[J], processes: int, *, crashed: Callable[[J, str], R],
                 progress: Callable[[int, int], None] | None = None,
                 warm: Callable[[], object] | None = None) -> list[R]:
    """``work(job)`` for every job, in ``processes`` workers (at least one); a job whose worker died
    on it gives ``crashed(job, why)``. Results come in completion order."""
    if not jobs:
        return []
    processes = max(1, min(processes, len(jobs)))
    fork = hasattr(os, "fork")
    context: Any = multiprocessing.get_context("fork" if fork else "spawn")
    if fork and warm is not None:
        warm()  # once here; the forked workers inherit it
    count = min(len(jobs), processes * 4)  # several interleaved chunks per worker: one slow file holds little back
    queue: deque[list[J]] = deque(list(jobs[i::count]) for i in range(count))
    out: list[R] = []
    workers: list[_Worker[J]] = []

    def start() -> _Worker[J]:
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, work, None if fork else warm), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def answer(result: R) -> None:
        out.append(result)
        if progress is not None:
            progress(len(out), len(jobs))

    def bury(worker: _Worker[J]) -> None:
        """A dead worker: the job it was on fails, the rest of its chunk goes back, a new one starts."""
        worker.process.join()
        culprit, rest = worker.chunk[worker.answered:worker.answered + 1], worker.chunk[worker.answered + 1:]
        for job in culprit:  # none when it died after its last answer
            answer(crashed(job, _why(worker.process.exitcode)))
        if rest:
            queue.appendleft(rest)
        worker.conn.close()
        workers.remove(worker)
        if queue:
            workers.append(start())

    if progress is not None:
        progress(0, len(jobs))
    try:
        workers = [start() for _ in range(min(processes, len(queue)))]
        while True:
            for worker in list(workers):
                if not worker.chunk and queue:
                    worker.chunk, worker.answered = queue.popleft(), 0
                    try:
                        worker.conn.send(worker.chunk)
                    except OSError:
                        bury(worker)
            busy = [w for w in workers if w.chunk]
            if not busy:
                if queue:  # workers that died as they were handed work were replaced: hand it again
                    continue
                return out
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if (worker.conn in ready or worker.process.sentinel in ready) and not _drain(worker, answer):
                    bury(worker)
    finally:
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.process.kill()
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.process.join()
                worker.conn.close()


def _drain(worker: _Worker[J], answer: Callable[[Any], None]) -> bool:
    """Take what ``worker`` has sent; ``False`` if it is dead with its chunk unfinished."""
    while worker.chunk:
        try:
            if not worker.conn.poll() and (worker.process.is_alive() or not worker.conn.poll()):
                return bool(worker.process.is_alive())  # still working; or dead, its last words read
            message = worker.conn.recv()
        except Exception:  # noqa: BLE001 - EOF, or a message cut short: the worker died sending it
            return False
        if isinstance(message, str) and message == _DONE:
            worker.chunk, worker.answered = [], 0
        else:
            worker.answered += 1
            answer(message)
    return True
