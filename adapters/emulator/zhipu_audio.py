"""Zhipu speech recognition and text-to-speech as the emulator speaks them (shared/reference/audio.md §1-2).

    POST /api/paas/v4/audio/transcriptions   multipart: model (glm-asr-2512), file (.wav/.mp3 <= 25 MB), prompt?
      -> {"id", "created", "request_id", "model", "text"}
    POST /api/paas/v4/audio/speech           {"model": "glm-tts", "input" (<= 1024), "voice",
                                              "response_format": "wav" | "pcm", "speed" [0.5, 2]}
      -> the audio bytes (audio/wav, or bare 16-bit PCM)

With ``stream`` true both answer SSE ending in ``data: [DONE]`` (C); the event shapes are unconfirmed
(shared/reference/audio.md says "U shape"), so the emulator sends the forms public code shows:
transcripts as ``{"type": "transcript.text.delta", "delta"}`` ... ``{"type": "transcript.text.done",
"text"}``, speech (PCM only, ``encode_format`` base64 or hex) as chat-like chunks with the audio in
``choices[0].delta.content`` (zai-sdk's ``AudioSpeechChunk``), the last with ``finish_reason: "stop"``.

Keys as for chat (``zhipu.py``). Multipart bodies are read with the standard library's e-mail parser.
"""

from __future__ import annotations

import base64
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from .. import catalogue
from . import files, zhipu
from .openai_shape import DONE
from .sound import kind, transcript
from .wire import Answer, Context, RecordedRequest, Rejected, dumps, file_answer, json_answer, sse_answer

NAME = "zhipu"
_ASR = "/api/paas/v4/audio/transcriptions"
_TTS = "/api/paas/v4/audio/speech"
VOICES = frozenset({"tongtong", "chuichui", "xiaochen", "jam", "kazi", "douji", "luodo"})

error, stream_error = zhipu.error, zhipu.stream_error


def endpoint(path: str) -> str | None:
    return {_ASR: "transcriptions", _TTS: "speech"}.get(path)


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    try:
        zhipu.authenticate(request.bearer, ctx)
        if request.method != "POST":
            raise Rejected(f"API 不存在: {request.method} {request.path}", 404, "1222")
        if request.endpoint == "transcriptions":
            return _recognise(request)
        if not isinstance(request.json, dict):
            raise Rejected("请求体不是合法的 JSON。", 400, "1214")
        return _speak(request.json)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def _model(name: Any, wanted: str) -> None:
    info = catalogue.provider_model(NAME, name) if isinstance(name, str) else None
    if info is None or info.get("kind") != wanted:
        raise Rejected(zhipu.MESSAGES["1211"], 400, "1211")


def _fields(request: RecordedRequest) -> dict[str, tuple[str | None, bytes]]:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise Rejected("Content-Type 必须为 multipart/form-data", 400, "1214")
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n"
                                                  + request.body)
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = (part.get_filename(), payload)
    return fields


def _recognise(request: RecordedRequest) -> Answer:
    fields = _fields(request)
    _model(fields.get("model", (None, b""))[1].decode(), "transcription")
    if "file" not in fields:
        raise Rejected("file 不能为空", 400, "1214")
    filename, data = fields["file"]
    suffix = (filename or "").rsplit(".", 1)[-1].lower()
    if suffix not in ("wav", "mp3") or kind(data) != suffix:
        raise Rejected("仅支持 .wav 和 .mp3 格式的音频文件", 400, "1214")
    if len(data) > 25 * 1024 * 1024:
        raise Rejected("音频文件不能超过 25 MB", 400, "1214")
    ident = "20260101000000" + request.key[:18]
    head = {"id": ident, "created": zhipu.CREATED, "request_id": ident, "model": "glm-asr-2512"}
    text = transcript(data)
    if fields.get("stream", (None, b""))[1].decode().lower() == "true":
        words = text.split(" ")
        deltas = [{**head, "type": "transcript.text.delta", "delta": w if not i else " " + w}
                  for i, w in enumerate(words)]
        return sse_answer([_data(event) for event in [*deltas, {**head, "type": "transcript.text.done",
                                                                 "text": text}]] + [DONE])
    return json_answer({**head, "text": text})


def _data(payload: Any) -> bytes:
    return f"data: {dumps(payload)}\n\n".encode()


def _speak(body: dict[str, Any]) -> Answer:
    _model(body.get("model"), "speech")
    text = body.get("input")
    if not isinstance(text, str) or not text or len(text) > 1024:
        raise Rejected("input 不能为空且不超过 1024 个字符", 400, "1214")
    if body.get("voice", "tongtong") not in VOICES:
        raise Rejected(f"voice 不支持 {body.get('voice')}", 400, "1214")
    fmt = body.get("response_format", "pcm")
    if fmt not in ("wav", "pcm"):
        raise Rejected(f"response_format 只支持 wav 和 pcm，不支持 {fmt}", 400, "1214")
    speed = body.get("speed", 1.0)
    if not isinstance(speed, int | float) or not 0.5 <= speed <= 2:
        raise Rejected("speed 取值范围为 [0.5, 2]", 400, "1214")
    wav = files.wav(1.0)
    if body.get("stream") is True:
        return _speak_stream(wav[44:], fmt, body.get("encode_format", "base64"), text)
    return file_answer(wav, "audio/wav") if fmt == "wav" else file_answer(wav[44:], "audio/pcm")


def _speak_stream(pcm: bytes, fmt: str, encoding: Any, text: str) -> Answer:
    if fmt != "pcm":
        raise Rejected("流式输出仅支持 pcm 格式", 400, "1214")
    if encoding not in ("base64", "hex"):
        raise Rejected(f"encode_format 只支持 base64 和 hex，不支持 {encoding}", 400, "1214")
    size = len(pcm) // 4
    pieces = [pcm[at:at + size] for at in range(0, len(pcm), size)]
    head = {"id": "20260101000000tts", "created": zhipu.CREATED, "model": "glm-tts"}
    events = [{**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content":
                                                           base64.b64encode(p).decode() if encoding == "base64"
                                                           else p.hex()}, "finish_reason": None}]}
              for p in pieces]
    events.append({**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                        "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": len(text), "completion_tokens": len(pieces),
                             "total_tokens": len(text) + len(pieces)}})
    return sse_answer([_data(event) for event in events] + [DONE])
