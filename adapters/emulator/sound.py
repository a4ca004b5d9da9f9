"""What the emulator hears and says: a deterministic transcript for uploaded audio, WAV for speech."""

from __future__ import annotations

import struct

__all__ = ["kind", "transcript"]


def kind(data: bytes) -> str | None:
    """``wav`` or ``mp3`` from the first bytes (the formats the providers' recognisers take)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def transcript(data: bytes) -> str:
    """``Heard 1.0 seconds of audio`` for a WAV file, ``Heard N bytes of audio`` otherwise."""
    if kind(data) == "wav" and len(data) >= 44:
        per_second, = struct.unpack("<I", data[28:32])
        if per_second:
            return f"Heard {(len(data) - 44) / per_second:.1f} seconds of audio"
    return f"Heard {len(data)} bytes of audio"
