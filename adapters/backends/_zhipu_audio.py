"""Zhipu speech recognition and text-to-speech (shared/reference/audio.md): pure, the transport sends.

    audio.transcriptions   POST /audio/transcriptions   multipart: model=glm-asr-2512, file (.wav or .mp3,
                                                         <= 25 MB, <= 30 s), prompt   -> {"text", ...}
    audio.speech           POST /audio/speech           {"model": "glm-tts", "input", "voice",
                                                         "response_format": "wav" | "pcm", "speed"}  -> the audio

Streams (``stream`` true, SSE ending in ``data: [DONE]``): a transcript's text deltas become OpenAI's
``transcript.text.delta`` / ``.done``; speech's base64 PCM chunks (``encode_format: base64``; streaming
is PCM only) become ``speech.audio.delta`` / ``.done``. The reference leaves both event shapes
unconfirmed: ``event`` reads either form seen in public code — OpenAI-like typed events
(``{"type": "transcript.text.delta", "delta"}``) or chat-like chunks (``choices[0].delta.content``,
which zai-sdk's types parse both streams as).

Other upload formats (m4a, ogg, webm, flac) cannot be converted without a codec: refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .. import audio, multipart
from ..capabilities import Refused
from ..multipart import Upload
from ..native import Context, ErrorInfo, FileReply, NativeError, NativeRequest, SSEEvent, StreamState

__all__ = ["event", "from_native", "to_native"]

ErrorOf = Callable[[int, Any, Mapping[str, str]], "ErrorInfo | None"]

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
        if req.stream:
            fields["stream"] = "true"
        content, content_type = multipart.encode(fields)
        return [NativeRequest("POST", TRANSCRIPTIONS_PATH, headers={"content-type": content_type}, content=content,
                              stream=req.stream)]
    speech = audio.read_speech(body, ctx, voices=VOICES, own=OWN_VOICES, speed=SPEED)
    native: dict[str, Any] = {"model": ctx.model, "input": speech.text, "voice": speech.voice,
                              "response_format": speech.format, "stream": speech.stream}
    if speech.stream:
        native["encode_format"] = "base64"  # the chunks then pass on to speech.audio.delta as they are
    if speech.speed is not None:
        native["speed"] = speech.speed
    ctx.notes["speech_format"] = speech.format
    return [NativeRequest("POST", SPEECH_PATH, native, file=not speech.stream, stream=speech.stream)]


def from_native(endpoint: str, replies: list[Any], ctx: Context) -> dict[str, Any] | FileReply:
    reply = replies[0]
    if endpoint == "audio.transcriptions":
        ctx.notes.setdefault("request_id", reply.get("request_id"))
        return audio.transcript(str(reply.get("text") or ""), ctx)
    return FileReply(reply.content, audio.MIME[ctx.notes["speech_format"]])


def event(sse: SSEEvent, state: StreamState, error_of: ErrorOf) -> list[dict[str, Any]]:
    """One frame of a transcription or speech stream -> OpenAI's audio events (``[DONE]`` ends it)."""
    speech = state.ctx.notes.get(audio.STREAM_NOTE) == "speech"
    made = audio.speech_events if speech else audio.transcript_events
    if sse.data.strip() == "[DONE]":
        return made(state, done=True)
    try:
        payload = json.loads(sse.data)
    except ValueError:
        return []
    info = error_of(200, payload, {}) if isinstance(payload, Mapping) else None
    if info is not None:
        raise NativeError(info)
    if not isinstance(payload, Mapping):
        return []
    state.id = state.id or str(payload.get("request_id") or payload.get("id") or "")
    kind = payload.get("type")
    if kind in ("transcript.text.delta", "transcript.text.done"):
        done = kind == "transcript.text.done"
        return audio.transcript_events(state, str(payload.get("delta") or ""), done=done,
                                       text=payload.get("text") if done else None)
    choice = (payload.get("choices") or [{}])[0]
    piece = str((choice.get("delta") or {}).get("content") or "")
    done = choice.get("finish_reason") is not None
    if speech:
        return audio.speech_events(state, piece, done=done, usage=_usage(payload.get("usage")))
    return audio.transcript_events(state, piece, done=done)


def _usage(usage: Any) -> dict[str, Any] | None:
    if not isinstance(usage, Mapping):
        return None
    return {"input_tokens": usage.get("prompt_tokens", usage.get("input_tokens")),
            "output_tokens": usage.get("completion_tokens", usage.get("output_tokens")),
            "total_tokens": usage.get("total_tokens")}
