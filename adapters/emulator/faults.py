"""Fault injection: what goes wrong, for which requests, how many times.

    emu.fail("dashscope", status=429, retry_after=1)     # next DashScope call: native 429 body
    emu.fail("zhipu", kind="midstream", times=2)         # next two Zhipu calls: stream breaks
    emu.fail("qianfan-v1", kind="timeout", delay=2.0)    # next v1 call answers after 2 s
    emu.fail("zhipu", endpoint="embeddings", skip=3)     # the fourth embeddings call fails

Kinds: ``error`` (the provider's own error shape for ``status``/``code``), ``midstream`` (the
stream starts, then a native in-stream error), ``cut`` (the connection closes mid-stream without
an end marker), ``timeout`` (nothing is sent for ``delay`` seconds, then the normal answer),
``malformed`` (HTTP 200 with a body that is not JSON), ``truncated`` (a stream that ends cleanly
half-way, without its finish marker, as a proxy that gives up may end it), ``html`` (HTTP 200 with an
HTML page, as a captive portal or a misconfigured gateway answers), ``empty`` (HTTP 200 with no body),
``gzip`` (the normal JSON answer, gzip-encoded with ``Content-Encoding: gzip`` though nobody asked, as
some gateways send it).
``code``/``message`` default to the provider's usual ones for ``status``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

__all__ = ["KINDS", "Fault", "FaultBook"]

KINDS = ("error", "midstream", "cut", "timeout", "malformed", "truncated", "html", "empty", "gzip")


@dataclass(frozen=True)
class Fault:
    provider: str
    kind: str = "error"
    status: int = 429
    code: str | int | None = None
    message: str | None = None
    times: int = 1
    retry_after: float | None = None
    delay: float = 5.0
    endpoint: str | None = None
    #: Matching requests let through before the fault starts (a failure in the middle of a batch run).
    skip: int = 0

    def matches(self, provider: str, endpoint: str) -> bool:
        return self.provider == provider and self.endpoint in (None, endpoint)


class FaultBook:
    """Pending faults; ``take`` hands out the first that matches and counts it down (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; use one of {', '.join(KINDS)}")
        if fault.times < 1 or fault.skip < 0:
            raise ValueError(f"times must be at least 1 and skip at least 0, not {fault.times} and {fault.skip}")
        with self._lock:
            self._faults.append(fault)

    def take(self, provider: str, endpoint: str) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self._faults):
                if fault.matches(provider, endpoint):
                    if fault.skip:
                        self._faults[i] = replace(fault, skip=fault.skip - 1)
                        return None
                    if fault.times == 1:
                        del self._faults[i]
                    else:
                        self._faults[i] = replace(fault, times=fault.times - 1)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
