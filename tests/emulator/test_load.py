"""The emulator under load (issue 14, point 15): users run whole test suites on it.

Bounded: at most a few hundred loopback requests, each test stops by itself. Speed itself is measured
in benchmarks, not here; these tests check the properties that make it fast and safe.
"""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

from adapters.emulator import Emulator

from .raw import call

BODY = {"model": "glm-4.5-flash", "messages": [{"role": "user", "content": "hi"}]}
PATH = "/api/paas/v4/chat/completions"


def test_many_concurrent_clients_are_all_answered() -> None:
    """A burst of 300 clients connecting at once queues (the backlog), none is reset."""
    with Emulator() as emu, ThreadPoolExecutor(300) as pool:
        start = threading.Barrier(300, timeout=30)

        def one(_: int) -> int:
            start.wait()
            return call(emu.url, PATH, BODY, timeout=60).status

        statuses = list(pool.map(one, range(300)))
    assert statuses == [200] * 300


def test_answers_are_not_held_back_by_nagle() -> None:
    """Headers and body are separate writes: TCP_NODELAY on every accepted connection."""
    with Emulator() as emu, socket.create_connection((emu.host, emu.port)) as client:
        client.sendall(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        assert client.recv(12).startswith(b"HTTP/1.1")
        assert emu._server is not None
        with emu._server.connections_lock:
            served = list(emu._server.connections)
        assert served and all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in served)


def test_the_request_log_is_bounded() -> None:
    with Emulator(max_requests=5) as emu:
        for i in range(8):
            call(emu.url, PATH, {**BODY, "messages": [{"role": "user", "content": f"call {i}"}]})
        assert len(emu.requests) == 5
        assert [r.json["messages"][0]["content"] for r in emu.requests] == [f"call {i}" for i in range(3, 8)]
    assert Emulator().max_requests == Emulator.MAX_REQUESTS
