"""Zhipu speech recognition and text-to-speech (shared/reference/audio.md): pure, the transport sends.

    audio.transcriptions   POST /audio/transcriptions   multipart: model=glm-asr-2512, file (.wav or .mp3,
                                                         <= 25 MB, <= 30 s), prompt   -> {"text", ...}
    audio.speech           POST /audio/speech           {"model": "glm-tts", "input", "voice",
                                                         "response_format": "wav" | "pcm", "speed"}  -> the audio

Other upload formats (m4a, ogg, webm, flac) cannot be converted without a codec: refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import audio, multipart
from ..capabilities import Refused
from ..multipart import Upload
from ..native import Context, FileReply, NativeRequest

__all__ = ["from_native", "to_native"]

TRANSCRIPTIONS_PATH = "/audio/transcriptions"
SPEECH_PATH = "/audio/speech"
VOICES = ("tongtong", "xiaochen")  # female, male
OWN_VOICES = frozenset({"tongtong", "chuichui", "xiaochen", "jam", "kazi", "douji", "luodo"})
SPEED = (0.5, 2.0)
MOST_BYTES = 25 * 1024 * 1024


def to_native(endpoint: str, body: Mapping[str, Any], ctx: Context) -> list[NativeRequest]:
    if endpoint == "audio.transcriptions":
        req = audio.read_transcription(body, ctx)
        if req.format not in ("wav", "mp3"):
            found = f"{req.format} audio" if req.format else f"{req.upload.filename!r} (not WAV or MP3)"
            raise Refused(f"zhipu transcribes .wav and .mp3 files only; {found} cannot be sent. Convert it first "
                          f"(e.g. ffmpeg -i input output.wav).", param="file")
        if len(req.upload.data) > MOST_BYTES:
            raise Refused("zhipu transcribes files up to 25 MB (and 30 s); split the audio.", param="file")
        fields: dict[str, Any] = {"model": ctx.model,
                                  "file": Upload(f"audio.{req.format}", audio.MIME[req.format], req.upload.data)}
        if req.prompt:
            fields["prompt"] = req.prompt
        content, content_type = multipart.encode(fields)
        return [NativeRequest("POST", TRANSCRIPTIONS_PATH, headers={"content-type": content_type}, content=content)]
    speech = audio.read_speech(body, ctx, voices=VOICES, own=OWN_VOICES, speed=SPEED)
    native: dict[str, Any] = {"model": ctx.model, "input": speech.text, "voice": speech.voice,
                              "response_format": speech.format, "stream": False}
    if speech.speed is not None:
        native["speed"] = speech.speed
    ctx.notes["speech_format"] = speech.format
    return [NativeRequest("POST", SPEECH_PATH, native, file=True)]


def from_native(endpoint: str, replies: list[Any], ctx: Context) -> dict[str, Any] | FileReply:
    reply = replies[0]
    if endpoint == "audio.transcriptions":
        ctx.notes.setdefault("request_id", reply.get("request_id"))
        return audio.transcript(str(reply.get("text") or ""), ctx)
    return FileReply(reply.content, audio.MIME[ctx.notes["speech_format"]])
