"""``client.audio.transcriptions.create`` and ``client.audio.speech.create`` on a provider: the shared parts.

    transcriptions (multipart from the openai SDK: file, model, prompt, language, response_format...)
      -> read_transcription(): the upload, its real format (from the bytes, not the name), the prompt
         and language; temperature / timestamp_granularities through the unsupported= policy;
         srt / vtt (timestamps the providers do not give) refused
      -> the backend's native call -> transcript(): ``{"text"}``, plain text, or a minimal
         ``verbose_json`` (language, duration, no segments)
      stream=True -> OpenAI's events, ``transcript.text.delta`` ... ``transcript.text.done`` (``Transcribing``
         turns a provider's stream into them; ``transcript_stream`` makes them from a whole transcript)
    speech (JSON: model, input, voice, response_format, speed, instructions, stream_format)
      -> read_speech(): the provider voice for OpenAI's (``VOICES``), the format the provider makes:
         ``wav``/``pcm`` pass; ``mp3``/``opus``/``aac``/``flac`` asked for are refused (no silent
         format change); none asked (OpenAI's default is mp3) -> WAV with an ``AudioFormatWarning``
      -> the backend's call -> ``FileReply`` with the audio bytes
      stream_format="sse" -> the provider's PCM stream as ``speech.audio.delta`` events (base64 audio),
         then ``speech.audio.done``; streamed speech is PCM only (WAV asked for is refused)

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
from .native import Context, FileReply, StreamState
from .sse import encode_data

__all__ = ["STREAM_NOTE", "AudioFormatWarning", "Speech", "Transcription", "audio_format", "pcm_of", "read_speech",
           "read_transcription", "speech_events", "streaming", "transcript", "transcript_events",
           "transcript_stream"]

#: OpenAI voices, by how they sound: the provider's voice for each kind (a provider voice passes as is).
FEMALE = frozenset({"alloy", "coral", "nova", "sage", "shimmer", "marin"})
MALE = frozenset({"ash", "ballad", "echo", "fable", "onyx", "verse", "cedar"})
MIME = {"wav": "audio/wav", "mp3": "audio/mpeg", "pcm": "audio/pcm", "m4a": "audio/mp4", "ogg": "audio/ogg",
        "webm": "audio/webm", "flac": "audio/flac"}
_NOTE = "audio"
#: Set in ``Context.notes`` for a streamed audio call ("transcriptions" or "speech"): the backend's
#: stream translation then makes OpenAI's audio events, not chat chunks.
STREAM_NOTE = "audio_stream"


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
    stream: bool = False


def streaming(value: Any) -> bool:
    """A form field or JSON flag as a bool (multipart sends ``"true"``/``"false"``)."""
    return value is True or str(value).lower() == "true"


def read_transcription(body: Mapping[str, Any], ctx: Context, *, language: bool = False) -> Transcription:
    """The request checked for ``ctx.provider``; ``language``: the provider takes a language hint."""
    upload = body.get("file")
    if not isinstance(upload, Upload) or not upload.data:
        raise Refused("audio.transcriptions needs a file (the audio to transcribe).", param="file")
    stream = streaming(body.get("stream"))
    wanted = str(body.get("response_format") or "json")
    if stream and wanted not in ("json", "text"):
        raise Refused(f"A streamed transcript is text events; response_format={wanted!r} cannot be streamed "
                      f"(leave it out, or call without stream=True).", param="response_format")
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
    ctx.notes[_NOTE] = {"response_format": wanted, "language": body.get("language"), "stream": stream}
    if stream:
        ctx.notes[STREAM_NOTE] = "transcriptions"
    return Transcription(upload, audio_format(upload.data), body.get("prompt") or None,
                         str(body["language"]) if body.get("language") else None, wanted, stream)


def transcript(text: str, ctx: Context, *, language: str | None = None,
               duration: float | None = None) -> dict[str, Any] | FileReply:
    """OpenAI's answer in the format asked for."""
    note = ctx.notes.get(_NOTE) or {}
    wanted = note.get("response_format", "json")
    if note.get("stream"):
        return transcript_stream(text)
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
    #: ``stream_format="sse"``: the audio as ``speech.audio.delta`` events (PCM).
    stream: bool = False


def read_speech(body: Mapping[str, Any], ctx: Context, *, voices: tuple[str, str], own: frozenset[str],
                speed: tuple[float, float] | None = None) -> Speech:
    """The request checked; ``voices``: the provider's (female, male) voice for OpenAI's; ``own``: its
    voice names (passed as they are); ``speed``: its range, when it has one."""
    text = body.get("input")
    if not isinstance(text, str) or not text.strip():
        raise Refused("audio.speech needs input (the text to speak).", param="input")
    stream = body.get("stream_format") == "sse"
    if body.get("stream_format") not in (None, "audio", "sse"):
        raise Refused(f"stream_format must be 'sse' or 'audio', not {body.get('stream_format')!r}.",
                      param="stream_format")
    fmt = body.get("response_format")
    if stream and fmt != "pcm":
        if fmt is not None:
            raise Refused(f"{ctx.provider} streams speech as PCM (16-bit mono) only; response_format={fmt!r} "
                          f"cannot be streamed: ask for response_format='pcm', or leave stream_format out.",
                          param="response_format")
        warn(f"{ctx.provider} streams speech as PCM (16-bit mono), not mp3 (OpenAI's default): the "
             f"speech.audio.delta events carry PCM; pass response_format='pcm' to say so.", AudioFormatWarning)
        fmt = "pcm"
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
    if stream:
        ctx.notes[STREAM_NOTE] = "speech"
    return Speech(text, chosen, str(fmt), kept, stream)


def pcm_of(wav: bytes) -> bytes:
    """The samples of a WAV file (its ``data`` chunk)."""
    at = wav.find(b"data", 12)
    return wav[at + 8:] if at >= 0 else wav


# -- streams: OpenAI's audio events ---------------------------------------------------------------


def transcript_events(state: StreamState, delta: str = "", *, done: bool = False,
                      text: str | None = None) -> list[dict[str, Any]]:
    """OpenAI's transcription events for a piece of a provider's stream: ``delta`` (new text), then,
    when ``done``, the whole ``text`` (the deltas joined, unless the provider gave it)."""
    if state.finished:
        return []
    heard = state.extra.setdefault("transcript", [])
    out: list[dict[str, Any]] = []
    if delta:
        heard.append(delta)
        out.append({"type": "transcript.text.delta", "delta": delta, "logprobs": None})
    if done:
        state.finished = True
        out.append({"type": "transcript.text.done", "text": text if text is not None else "".join(heard),
                    "logprobs": None})
    return out


def transcript_stream(text: str) -> FileReply:
    """A whole transcript as OpenAI's event stream (for a provider that answers it at once)."""
    frames = [{"type": "transcript.text.delta", "delta": text, "logprobs": None}] if text else []
    frames.append({"type": "transcript.text.done", "text": text, "logprobs": None})
    return FileReply(b"".join(encode_data(frame) for frame in frames), "text/event-stream")


def speech_events(state: StreamState, audio: str = "", *, done: bool = False,
                  usage: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """OpenAI's speech events for a piece of a provider's stream: ``audio`` (base64 PCM), then, when
    ``done``, ``speech.audio.done`` with the usage (zeros where the provider gives none)."""
    if state.finished:
        return []
    out: list[dict[str, Any]] = [{"type": "speech.audio.delta", "audio": audio}] if audio else []
    if done:
        state.finished = True
        given = usage or {}
        tokens = {name: int(given.get(name) or 0) for name in ("input_tokens", "output_tokens")}
        out.append({"type": "speech.audio.done",
                    "usage": {**tokens, "total_tokens": int(given.get("total_tokens") or sum(tokens.values()))}})
    return out
