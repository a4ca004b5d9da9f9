"""DashScope speech recognition and text-to-speech (shared/reference/audio.md): pure, the transport sends.

    audio.transcriptions   POST /services/aigc/multimodal-generation/generation   (qwen3-asr-flash)
        {"input": {"messages": [system: [{"text": <prompt>}], user: [{"audio": "data:<mime>;base64,..."}]]},
         "parameters": {"asr_options": {"language"?, "enable_lid": true, "enable_itn": false}}}
        -> output.choices[0].message.content[{"text"}], annotations[{"language"}], usage.seconds
    audio.speech           the same path (qwen3-tts-flash): {"input": {"text", "voice"}}
        -> output.audio.url (a WAV, fetched without credentials; or base64 in output.audio.data)

The system turn carries context words (biasing), as OpenAI's ``prompt`` does.

Streams: speech with ``stream_format="sse"`` is asked for with ``X-DashScope-SSE: enable``; its events
carry base64 PCM in ``output.audio.data`` until ``finish_reason: "stop"`` (seen in the dashscope SDK,
shared/reference/audio.md) and become ``speech.audio.delta`` / ``.done``. The reference documents no
stream for qwen3-asr-flash, so a streamed transcription is the whole transcript as OpenAI's events
(one ``transcript.text.delta``, then ``transcript.text.done``), as OpenAI itself answers whisper-1.
"""

from __future__ import annotations

import base64
from collections.abc import Generator, Mapping
from typing import Any

from .. import audio, openai_wire
from ..native import Context, FileReply, NativeRequest, Plan, StreamState

__all__ = ["event", "from_native", "to_native"]

PATH = "/services/aigc/multimodal-generation/generation"
VOICES = ("Cherry", "Ethan")  # female, male
OWN_VOICES = frozenset({"Cherry", "Ethan", "Serena", "Chelsie", "Jennifer", "Ryan", "Katerina", "Elias", "Dylan",
                        "Sunny"})


def to_native(endpoint: str, body: Mapping[str, Any], ctx: Context) -> Plan:
    if endpoint == "audio.transcriptions":
        req = audio.read_transcription(body, ctx, language=True)
        mime = audio.MIME.get(req.format or "", req.upload.content_type)
        data = base64.b64encode(req.upload.data).decode("ascii")
        messages: list[dict[str, Any]] = [{"role": "system", "content": [{"text": req.prompt or ""}]},
                                          {"role": "user", "content": [{"audio": f"data:{mime};base64,{data}"}]}]
        options: dict[str, Any] = {"enable_lid": True, "enable_itn": False}
        if req.language:
            options["language"] = req.language
        native = {"model": ctx.model, "input": {"messages": messages}, "parameters": {"asr_options": options}}
        return [NativeRequest("POST", PATH, native)]
    speech = audio.read_speech(body, ctx, voices=VOICES, own=OWN_VOICES)
    ctx.notes["speech_format"] = speech.format
    if speech.stream:
        return [NativeRequest("POST", PATH, _speech_body(speech, ctx), {"X-DashScope-SSE": "enable"}, stream=True)]
    return _speech(speech, ctx)


def _speech_body(speech: audio.Speech, ctx: Context) -> dict[str, Any]:
    return {"model": ctx.model, "input": {"text": speech.text, "voice": speech.voice}}


def _speech(speech: audio.Speech, ctx: Context) -> Generator[NativeRequest, Any, None]:
    reply = yield NativeRequest("POST", PATH, _speech_body(speech, ctx))
    ctx.notes.setdefault("request_id", reply.get("request_id"))
    made = (reply.get("output") or {}).get("audio") or {}
    if made.get("data"):
        ctx.notes["speech"] = base64.b64decode(made["data"])
        return
    yield NativeRequest("GET", "", url=str(made["url"]), file=True)


def from_native(endpoint: str, replies: list[Any], ctx: Context) -> dict[str, Any] | FileReply:
    if endpoint == "audio.transcriptions":
        reply = replies[0]
        ctx.notes.setdefault("request_id", reply.get("request_id"))
        message = (((reply.get("output") or {}).get("choices") or [{}])[0]).get("message") or {}
        language = next((a.get("language") for a in message.get("annotations") or [] if a.get("language")), None)
        seconds = (reply.get("usage") or {}).get("seconds")
        return audio.transcript(openai_wire.text_of(message.get("content")), ctx, language=language,
                                duration=float(seconds) if seconds is not None else None)
    wav = ctx.notes.get("speech") or next(r.content for r in replies if isinstance(r, FileReply))
    fmt = ctx.notes["speech_format"]
    return FileReply(audio.pcm_of(wav) if fmt == "pcm" else wav, audio.MIME[fmt])


def event(payload: Mapping[str, Any], state: StreamState) -> list[dict[str, Any]]:
    """One event of a speech stream (errors already raised by the caller) -> OpenAI's speech events."""
    state.id = state.id or str(payload.get("request_id") or "")
    output = payload.get("output") or {}
    made = output.get("audio") or {}
    return audio.speech_events(state, str(made.get("data") or ""), done=output.get("finish_reason") == "stop",
                               usage=payload.get("usage"))
