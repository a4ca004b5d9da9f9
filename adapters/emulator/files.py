"""The host that serves the providers' result files (image and audio URLs), as their object stores do.

    GET /files/<provider>/<key>-<W>x<H>.png   a PNG of that size (one colour, from the key)
    GET /files/<provider>/<key>.wav           a short 24 kHz mono WAV (silence)

Result URLs are signed and need no credentials; a request that carries an ``Authorization`` header
is refused with 403 (a client that sends its provider key there leaks it to another host).
"""

from __future__ import annotations

import functools
import re
import struct
import zlib

from .wire import Answer, Context, RecordedRequest, file_answer, json_answer

__all__ = ["audio_url", "image_url", "png", "wav"]

NAME = "files"
_ROOT = "/files/"
_IMAGE = re.compile(r"^/files/[a-z-]+/([0-9a-f]+)-(\d+)x(\d+)\.png$")
_AUDIO = re.compile(r"^/files/[a-z-]+/([0-9a-f]+)\.wav$")


def endpoint(path: str) -> str | None:
    return "file" if path.startswith(_ROOT) else None


def image_url(request: RecordedRequest, provider: str, key: str, width: int, height: int) -> str:
    return f"http://{request.headers.get('host', '127.0.0.1')}{_ROOT}{provider}/{key}-{width}x{height}.png"


def audio_url(request: RecordedRequest, provider: str, key: str) -> str:
    return f"http://{request.headers.get('host', '127.0.0.1')}{_ROOT}{provider}/{key}.wav"


def handle(request: RecordedRequest, ctx: Context) -> Answer:  # noqa: ARG001
    if "authorization" in request.headers:
        return error(403, "AccessDenied", "Result files are fetched by their signed URL alone; this request "
                     "carried an Authorization header (a credential sent to the wrong host).", request)
    image = _IMAGE.match(request.path)
    if image and request.method == "GET":
        width, height = int(image.group(2)), int(image.group(3))
        return file_answer(png(width, height, image.group(1)[:6]), "image/png")
    if _AUDIO.match(request.path) and request.method == "GET":
        return file_answer(wav(1.0), "audio/wav")
    return error(404, "NoSuchKey", "The specified key does not exist.", request)


def error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> Answer:  # noqa: ARG001
    return json_answer({"Code": str(code or "AccessDenied"), "Message": message or "Access denied."}, status)


def stream_error(status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> bytes:  # noqa: ARG001
    return b""


@functools.lru_cache(maxsize=16)
def png(width: int, height: int, colour: str = "3366cc") -> bytes:
    """A valid PNG of one colour (``colour``: six hex digits)."""
    rgb = bytes.fromhex(colour.ljust(6, "0")[:6])
    raw = (b"\x00" + rgb * width) * height
    chunks = [(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
              (b"IDAT", zlib.compress(raw, 1)), (b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data)) for kind, data in chunks)


@functools.lru_cache(maxsize=4)
def wav(seconds: float, rate: int = 24000) -> bytes:
    """A WAV of silence: 16-bit mono PCM at ``rate``."""
    frames = b"\x00\x00" * int(seconds * rate)
    head = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(frames), b"WAVE", b"fmt ", 16, 1, 1, rate, rate * 2,
                       2, 16, b"data", len(frames))
    return head + frames
