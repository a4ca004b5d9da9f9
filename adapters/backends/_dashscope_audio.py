"""DashScope speech recognition and text-to-speech (shared/reference/audio.md): pure, the transport sends.

    audio.transcriptions   POST /services/aigc/multimodal-generation/generation   (qwen3-asr-flash)
        {"input": {"messages": [system: [{"text": <prompt>}], user: [{"audio": "data:<mime>;base64,..."}]]},
         "parameters": {"asr_options": {"language"?, "enable_lid": true, "enable_itn": false}}}
        -> output.choices[0].message.content[{"text"}], annotations[{"language"}], usage.seconds
    audio.speech           the same path (qwen3-tts-flash): {"input": {"text", "voice"}}
        -> output.audio.url (a WAV, fetched without credentials; or base64 in output.audio.data)

The system turn carries context words (biasing), as OpenAI's ``prompt`` does.
"""

from __future__ import annotations

import base64
from collections.abc import Generator, Mapping
from typing import Any

from .. import audio, openai_wire
from ..native import Context, FileReply, NativeRequest, Plan

__all__ = ["from_native", "to_native"]

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
    return _speech(speech, ctx)


def _speech(speech: audio.Speech, ctx: Context) -> Generator[NativeRequest, Any, None]:
    reply = yield NativeRequest("POST", PATH, {"model": ctx.model, "input": {"text": speech.text,
                                                                              "voice": speech.voice}})
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
