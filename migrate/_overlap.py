"""Do some work in a forked child while this process gets ahead with something it will need.

    found = overlapped(find_and_read_files, meanwhile=load_codemods)

A run's start is two independent jobs: finding and reading the files (disk, the prefilter), and
loading the codemods (LibCST's import alone is ~0.13 s). Where processes can be forked, a child
does the first and sends its result back pickled through a pipe while this process does the
second. ``meanwhile`` is work done ahead of need: without ``fork`` (or ``os.fork``) it is
skipped and ``work`` runs here; when the child fails in any way, ``work`` runs here too. The
result is the same either way, only the time differs; an exception raised by ``work`` itself is
raised here, as if it had run here.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable
from typing import TypeVar

__all__ = ["overlapped"]

T = TypeVar("T")


def overlapped(work: Callable[[], T], meanwhile: Callable[[], object], *, fork: bool = True) -> T:
    """``work()``, computed in a forked child while this process runs ``meanwhile()`` (``fork=False``,
    or no ``os.fork``: ``work()`` here, and no ``meanwhile``)."""
    if not fork or not hasattr(os, "fork"):
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 0
        try:
            os.close(read_end)
            try:
                outcome: tuple[bool, object] = (True, work())
            except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
                outcome = (False, exc)
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except BaseException:  # noqa: BLE001 - the parent sees no result and does the work itself
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        meanwhile()
    except BaseException:  # interrupted (or failed): the child's work is not wanted any more
        os.kill(pid, signal.SIGKILL)
        os.close(read_end)
        os.waitpid(pid, 0)
        raise
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return work()  # the child could not answer (killed, or its result would not pickle)
    try:
        ok, value = pickle.loads(data)
    except Exception:  # noqa: BLE001 - an exception that does not unpickle: run it here to raise it
        return work()
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]
