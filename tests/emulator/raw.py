"""Plain-HTTP access to the emulator for tests: no SDK between the test and the wire."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    complete: bool  # False when the server dropped the connection before the body ended

    def json(self) -> Any:
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode()

    def events(self) -> list[dict[str, Any]]:
        """SSE events as {"id", "event", "data", "comments"} dicts (data unparsed)."""
        found: list[dict[str, Any]] = []
        current: dict[str, Any] = {"comments": []}
        for line in self.body.decode().split("\n"):
            if not line:
                if len(current) > 1 or current["comments"]:
                    found.append(current)
                current = {"comments": []}
            elif line.startswith(":"):
                current["comments"].append(line[1:])
            else:
                name, _, value = line.partition(":")
                current[name] = value
        return found

    def data(self) -> list[Any]:
        """The JSON payloads of the stream's ``data`` fields (``[DONE]`` kept as the string)."""
        out = []
        for event in self.events():
            if "data" in event:
                raw = event["data"].removeprefix(" ")
                out.append(raw if raw == "[DONE]" else json.loads(raw))
        return out


def call(
    url: str, path: str, body: Any = None, *, method: str = "POST", headers: dict[str, str] | None = None,
    key: str | None = "sk-test", raw: bytes | None = None, timeout: float = 10,
) -> Response:
    """Send one request; ``key`` goes in a Bearer header unless ``None``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent = {"Content-Type": "application/json", **(headers or {})}
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    try:
        conn.request(method, path, body=data, headers=sent)
        reply = conn.getresponse()
        complete = True
        try:
            content = reply.read()
        except http.client.IncompleteRead as exc:
            content, complete = exc.partial, False
        return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, content, complete)
    finally:
        conn.close()
