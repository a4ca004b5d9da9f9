"""The emulator under load: loopback latency per request and a burst of concurrent clients.

Users run their whole test suites on the emulator, so a request must cost well under a millisecond
of waiting and a burst of clients must queue, not be reset. Bounded: a few thousand loopback requests.

    python benchmarks/emulator_load.py
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from adapters.emulator import Emulator

PATH = "/api/paas/v4/chat/completions"
BODY = json.dumps({"model": "glm-4.5-flash", "messages": [{"role": "user", "content": "hi"}]}).encode()
HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer bench-key"}


def sequential(emu: Emulator, count: int = 500) -> list[float]:
    """Seconds per request over one keep-alive connection."""
    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=30)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        conn.request("POST", PATH, BODY, HEADERS)
        conn.getresponse().read()
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def burst(emu: Emulator, clients: int = 500) -> int:
    """Errors when ``clients`` connect and ask at once (each on its own connection)."""
    gate = threading.Barrier(clients, timeout=60)

    def one(_: int) -> bool:
        gate.wait()
        try:
            conn = http.client.HTTPConnection(emu.host, emu.port, timeout=60)
            conn.request("POST", PATH, BODY, HEADERS)
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    with ThreadPoolExecutor(clients) as pool:
        return sum(not ok for ok in pool.map(one, range(clients)))


def main() -> None:
    with Emulator() as emu:
        sequential(emu, 50)  # warm up
        times = sequential(emu)
        errors = burst(emu)
        kept = len(emu.requests)
    print(f"sequential keep-alive request: median {statistics.median(times) * 1e6:,.0f} µs "
          f"(p90 {sorted(times)[int(len(times) * 0.9)] * 1e6:,.0f} µs)")
    print(f"500 concurrent clients: {errors} errors")
    print(f"request log: {kept} kept (bound {Emulator.MAX_REQUESTS:,})")


if __name__ == "__main__":
    main()
