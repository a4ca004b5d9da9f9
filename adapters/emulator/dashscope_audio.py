"""DashScope speech recognition and text-to-speech as the emulator speaks them (shared/reference/audio.md §1-2).

    POST /api/v1/services/aigc/multimodal-generation/generation
      qwen3-asr-flash: input.messages = [system: [{"text"}]?, user: [{"audio": data URI or URL}]],
                       parameters.asr_options  -> output.choices[0].message.content[{"text"}] + annotations
      qwen3-tts-flash: input = {"text", "voice", "language_type"?}  -> output.audio {"url", "id", "expires_at"}
                       with X-DashScope-SSE: enable, events with base64 PCM in output.audio.data, the last
                       with finish_reason "stop" and the file's url (S: the dashscope SDK's samples)

Reached through ``dashscope_media.py`` (which owns the path) for models of those kinds.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from . import files
from .dashscope import event
from .sound import transcript
from .wire import Answer, RecordedRequest, Rejected, json_answer, obj, sse_answer, uuid_like

__all__ = ["handle"]

VOICES = frozenset({"Cherry", "Ethan", "Serena", "Chelsie", "Jennifer", "Ryan", "Katerina", "Elias", "Dylan",
                    "Sunny"})


def handle(request: RecordedRequest, kind: str) -> Answer:
    """Answer an ASR (``kind="transcription"``) or TTS (``"speech"``) call."""
    body: dict[str, Any] = request.json
    return _recognise(request, body) if kind == "transcription" else _speak(request, body)


def _recognise(request: RecordedRequest, body: dict[str, Any]) -> Answer:
    messages = obj(body.get("input")).get("messages") or []
    parts = [obj(p) for m in messages if obj(m).get("role") == "user" for p in obj(m).get("content") or []]
    audio = next((p["audio"] for p in parts if isinstance(p.get("audio"), str)), None)
    if audio is None:
        raise Rejected("The audio is missing: put it in the user message as {\"audio\": ...}.", 400,
                       "InvalidParameter")
    if audio.startswith("data:"):
        try:
            data = base64.b64decode(audio.split(",", 1)[1], validate=True)
        except (IndexError, binascii.Error):
            raise Rejected("The audio data URI is not valid base64.", 400, "InvalidParameter") from None
    else:
        data = audio.encode()
    language = obj(obj(body.get("parameters")).get("asr_options")).get("language") or "en"
    message = {"role": "assistant", "content": [{"text": transcript(data)}],
               "annotations": [{"type": "audio_info", "language": language, "emotion": "neutral"}]}
    return json_answer({"output": {"choices": [{"finish_reason": "stop", "message": message}]},
                        "usage": {"input_tokens_details": {"text_tokens": 0}, "output_tokens_details":
                                  {"text_tokens": 5}, "seconds": 1},
                        "request_id": uuid_like(request.key)})


def _speak(request: RecordedRequest, body: dict[str, Any]) -> Answer:
    given = obj(body.get("input"))
    text, voice = given.get("text"), given.get("voice", "Cherry")
    if not isinstance(text, str) or not text:
        raise Rejected("input.text is required.", 400, "InvalidParameter")
    if voice not in VOICES:
        raise Rejected(f"Voice {voice!r} is not supported.", 400, "InvalidParameter")
    url = files.audio_url(request, "dashscope", request.key)
    made = {"url": url, "id": f"audio_{request.key[:24]}", "expires_at": 1763719200, "data": ""}
    usage = {"input_tokens": 12, "output_tokens": 180, "characters": len(text)}
    if request.headers.get("x-dashscope-sse", "").lower() == "enable":
        pcm = files.wav(1.0)[44:]
        size = len(pcm) // 4
        bodies = [{"output": {"finish_reason": None, "audio": {**made, "url": "",
                                                               "data": base64.b64encode(pcm[at:at + size]).decode()}},
                   "usage": usage, "request_id": uuid_like(request.key)} for at in range(0, len(pcm), size)]
        bodies.append({"output": {"finish_reason": "stop", "audio": made}, "usage": usage,
                       "request_id": uuid_like(request.key)})
        return sse_answer([event(n, body) for n, body in enumerate(bodies, 1)])
    return json_answer({"output": {"finish_reason": "stop", "audio": made}, "usage": usage,
                        "request_id": uuid_like(request.key)})
