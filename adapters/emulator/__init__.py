"""A loopback emulator of the providers' native HTTP APIs, for tests and ``migrate emulate``.

    from adapters.emulator import Emulator, Reply
    with Emulator() as emu:                       # 127.0.0.1, free port
        emu.base_url("dashscope")                 # http://127.0.0.1:PORT/api/v1
        emu.script("zhipu", Reply(text="hi"))     # the next Zhipu chat answers "hi"
        emu.fail("qianfan", status=429)           # the next Qianfan v2 call is rate limited

One server speaks DashScope (native and compatible-mode), Zhipu v4, Qianfan v2 and Qianfan v1 at
once; replies are deterministic. Importing this package loads only the standard library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Emulator", "RecordedRequest", "Reply", "serve_forever"]

if TYPE_CHECKING:
    from .replies import Reply
    from .server import Emulator, RecordedRequest, serve_forever


def __getattr__(name: str) -> Any:
    if name == "Reply":
        from .replies import Reply

        return Reply
    if name in ("Emulator", "RecordedRequest", "serve_forever"):
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module 'adapters.emulator' has no attribute {name!r}")
