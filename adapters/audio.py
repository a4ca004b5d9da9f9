"""``client.audio.transcriptions.create`` and ``client.audio.speech.create`` on a provider: the shared parts.

    transcriptions (multipart from the openai SDK: file, model, prompt, language, response_format...)
      -> read_transcription(): the upload, its real format (from the bytes, not the name), the prompt
         and language; temperature / timestamp_granularities through the unsupported= policy;
         srt / vtt (timestamps the providers do not give) and streaming refused
      -> the backend's native call -> transcript(): ``{"text"}``, plain text, or a minimal
         ``verbose_json`` (language, duration, no segments)
    speech (JSON: model, input, voice, response_format, speed, instructions)
      -> read_speech(): the provider voice for OpenAI's (``VOICES``), the format the provider makes:
         ``wav``/``pcm`` pass; ``mp3``/``opus``/``aac``/``flac`` asked for are refused (no silent
         format change); none asked (OpenAI's default is mp3) -> WAV with an ``AudioFormatWarning``
      -> the backend's call -> ``FileReply`` with the audio bytes

Pure functions; shared/reference/audio.md has the providers' side.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._warn import warn
from .capabilities import Refused
from .multipart import Upload
from .native import Context, FileReply

__all__ = ["AudioFormatWarning", "Speech", "Transcription", "audio_format", "pcm_of", "read_speech",
           "read_transcription", "transcript"]

#: OpenAI voices, by how they sound: the provider's voice for each kind (a provider voice passes as is).
FEMALE = frozenset({"alloy", "coral", "nova", "sage", "shimmer", "marin"})
MALE = frozenset({"ash", "ballad", "echo", "fable", "onyx", "verse", "cedar"})
MIME = {"wav": "audio/wav", "mp3": "audio/mpeg", "pcm": "audio/pcm", "m4a": "audio/mp4", "ogg": "audio/ogg",
        "webm": "audio/webm", "flac": "audio/flac"}
_NOTE = "audio"


class AudioFormatWarning(UserWarning):
    """The speech comes back in another format than OpenAI's default (mp3), which was not asked for."""


def audio_format(data: bytes) -> str | None:
    """The container of ``data`` from its first bytes (``None``: not known)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    if data[4:8] == b"ftyp":
        return "m4a"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:4] == b"fLaC":
        return "flac"
    return None


@dataclass(frozen=True)
class Transcription:
    """A transcription request, checked."""

    upload: Upload
    format: str | None
    prompt: str | None
    language: str | None
    response_format: str


def read_transcription(body: Mapping[str, Any], ctx: Context, *, language: bool = False) -> Transcription:
    """The request checked for ``ctx.provider``; ``language``: the provider takes a language hint."""
    upload = body.get("file")
    if not isinstance(upload, Upload) or not upload.data:
        raise Refused("audio.transcriptions needs a file (the audio to transcribe).", param="file")
    if str(body.get("stream", "")).lower() == "true":
        raise Refused(f"{ctx.provider} cannot stream transcripts through qianyi yet; call without stream=True.",
                      param="stream")
    wanted = str(body.get("response_format") or "json")
    if wanted in ("srt", "vtt"):
        raise Refused(f"{ctx.provider} gives no timestamps, so response_format={wanted!r} cannot be made; ask for "
                      f"'json', 'text' or 'verbose_json' (without segments).", param="response_format")
    if wanted not in ("json", "text", "verbose_json"):
        raise Refused(f"response_format must be 'json', 'text' or 'verbose_json', not {wanted!r}.",
                      param="response_format")
    for name in ("temperature", "timestamp_granularities", "chunking_strategy", "include"):
        if body.get(name) not in (None, "", []):
            ctx.policy.unsupported(name, "(transcriptions)")
    if body.get("language") and not language:
        ctx.policy.unsupported("language", "(transcriptions; the language is detected)")
    ctx.notes[_NOTE] = {"response_format": wanted, "language": body.get("language")}
    return Transcription(upload, audio_format(upload.data), body.get("prompt") or None,
                         str(body["language"]) if body.get("language") else None, wanted)


def transcript(text: str, ctx: Context, *, language: str | None = None,
               duration: float | None = None) -> dict[str, Any] | FileReply:
    """OpenAI's answer in the format asked for."""
    note = ctx.notes.get(_NOTE) or {}
    wanted = note.get("response_format", "json")
    if wanted == "text":
        return FileReply(text.encode(), "text/plain; charset=utf-8")
    if wanted == "verbose_json":
        return {"task": "transcribe", "language": language or note.get("language") or "",
                "duration": float(duration or 0.0), "text": text, "segments": []}
    return {"text": text}


def wav_seconds(data: bytes) -> float | None:
    """The length of a PCM WAV file (``None`` if it is not one)."""
    if audio_format(data) != "wav" or len(data) < 44:
        return None
    rate, = struct.unpack("<I", data[24:28])
    per_second, = struct.unpack("<I", data[28:32])
    return (len(data) - 44) / per_second if per_second and rate else None


@dataclass(frozen=True)
class Speech:
    """A speech request, checked: the provider's voice and the format to answer in."""

    text: str
    voice: str
    format: str  # wav or pcm
    speed: float | None


def read_speech(body: Mapping[str, Any], ctx: Context, *, voices: tuple[str, str], own: frozenset[str],
                speed: tuple[float, float] | None = None) -> Speech:
    """The request checked; ``voices``: the provider's (female, male) voice for OpenAI's; ``own``: its
    voice names (passed as they are); ``speed``: its range, when it has one."""
    text = body.get("input")
    if not isinstance(text, str) or not text.strip():
        raise Refused("audio.speech needs input (the text to speak).", param="input")
    if body.get("stream_format") not in (None, "audio"):
        raise Refused(f"{ctx.provider} cannot stream speech events (stream_format='sse'); leave stream_format "
                      f"out and read the audio body as it arrives.", param="stream_format")
    fmt = body.get("response_format")
    if fmt is None:
        warn(f"{ctx.provider} makes WAV or PCM speech, not mp3 (OpenAI's default): the audio comes back as WAV; "
             f"pass response_format='wav' to say so.", AudioFormatWarning)
        fmt = "wav"
    if fmt not in ("wav", "pcm"):
        raise Refused(f"{ctx.provider} cannot produce {fmt} speech (only wav or pcm); ask for "
                      f"response_format='wav' and convert it yourself.", param="response_format")
    voice = str(body.get("voice") or "alloy")
    chosen = voice if voice in own else voices[1] if voice.lower() in MALE else voices[0]
    if voice not in own and voice.lower() not in FEMALE | MALE:
        ctx.policy.unsupported("voice", f"value {voice!r} (sent as {chosen!r})")
    if body.get("instructions"):
        ctx.policy.unsupported("instructions", "(speech)")
    asked = body.get("speed")
    kept: float | None = None
    if asked is not None and float(asked) != 1.0:
        if speed is None:
            ctx.policy.unsupported("speed", "(speech)")
        else:
            kept = min(max(float(asked), speed[0]), speed[1])
    return Speech(text, chosen, str(fmt), kept)


def pcm_of(wav: bytes) -> bytes:
    """The samples of a WAV file (its ``data`` chunk)."""
    at = wav.find(b"data", 12)
    return wav[at + 8:] if at >= 0 else wav
