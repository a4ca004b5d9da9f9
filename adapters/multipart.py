"""``multipart/form-data`` bodies: read the openai SDK's uploads, write a provider's (pure functions).

    parse(body, "multipart/form-data; boundary=x")  ->  {"model": "whisper-1", "file": Upload(...)}
    encode({"model": "glm-asr-2512", "file": Upload(...)})  ->  (body, "multipart/form-data; boundary=...")

Text fields come back as strings (a repeated field as a list of them, as the SDK sends array
fields ``name[]``); file fields as ``Upload``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Upload", "encode", "parse"]


@dataclass(frozen=True, repr=False)
class Upload:
    """One uploaded file (its bytes stay out of reprs)."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


def _boundary(content_type: str) -> bytes:
    for item in content_type.split(";")[1:]:
        name, _, value = item.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1")
    raise ValueError("The multipart/form-data request has no boundary; it cannot be read.")


def _disposition(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in header.split(";")[1:]:
        name, _, value = item.strip().partition("=")
        out[name.lower()] = value.strip().strip('"')
    return out


def parse(body: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a multipart body (``ValueError`` when it is not one)."""
    delimiter = b"--" + _boundary(content_type)
    fields: dict[str, Any] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, sep, data = part.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("A multipart/form-data part has no header/body separator; the request is malformed.")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, text = line.partition(":")
            if colon:
                headers[key.strip().lower()] = text.strip()
        info = _disposition(headers.get("content-disposition", ""))
        name = info.get("name", "").removesuffix("[]")
        data = data[:-2] if data.endswith(b"\r\n") else data
        if "filename" in info:
            value: Any = Upload(info["filename"], headers.get("content-type", "application/octet-stream"), data)
        else:
            value = data.decode("utf-8", "replace")
        if name in fields:  # an array field: name[] repeated
            previous = fields[name]
            fields[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[name] = value
    return fields


def encode(fields: Mapping[str, Any]) -> tuple[bytes, str]:
    """A multipart body for ``fields`` (strings, numbers, ``Upload``s) and its content type."""
    chunks: list[bytes] = []
    for name, value in fields.items():
        if isinstance(value, Upload):
            chunks.append(f'Content-Disposition: form-data; name="{name}"; filename="{value.filename}"\r\n'
                          f"Content-Type: {value.content_type}\r\n\r\n".encode() + value.data)
        else:
            chunks.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode())
    boundary = "qianyi" + hashlib.sha256(b"".join(chunks)).hexdigest()[:24]
    delimiter = f"--{boundary}\r\n".encode()
    body = b"".join(delimiter + chunk + b"\r\n" for chunk in chunks) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
