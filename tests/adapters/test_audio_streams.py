"""Streamed audio: ``audio.transcriptions.create(stream=True)`` and ``audio.speech.create(stream_format="sse")``
on Zhipu and DashScope, over HTTP to the emulator (sync and async), in the shape OpenAI streams them:
``transcript.text.delta`` ... ``transcript.text.done`` (the openai SDK's own event types) and
``speech.audio.delta`` (base64 audio) ... ``speech.audio.done`` SSE frames. Qianfan has no audio."""

from __future__ import annotations

import asyncio
import base64
import json
import warnings
from typing import Any

import openai
import pytest
from openai.types.audio import TranscriptionTextDeltaEvent, TranscriptionTextDoneEvent

from adapters import AsyncOpenAI, OpenAI
from adapters.audio import AudioFormatWarning
from adapters.emulator import Emulator
from adapters.emulator.files import wav
from tests.adapters.scenarios import KEYS
from tests.adapters.test_scenarios import Client

SPEAKERS = ["zhipu", "dashscope"]


@pytest.mark.parametrize("provider", SPEAKERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_transcription_streams_text_events(provider: str, sync: bool, emulator: Emulator) -> None:
    client = Client(provider, emulator, sync)
    events = client.collect(lambda c: c.audio.transcriptions.create(
        model="whisper-1", file=("meeting.wav", wav(2.0), "audio/wav"), stream=True))
    whole = Client(provider, emulator, sync).call(lambda c: c.audio.transcriptions.create(
        model="whisper-1", file=("meeting.wav", wav(2.0), "audio/wav")))

    *deltas, done = events
    assert deltas and all(isinstance(e, TranscriptionTextDeltaEvent) for e in deltas)
    assert isinstance(done, TranscriptionTextDoneEvent)
    assert "".join(e.delta for e in deltas) == done.text == whole.text == "Heard 2.0 seconds of audio"
    if provider == "zhipu":  # the provider's own stream, passed on as it comes
        assert len(deltas) > 1
        assert b'name="stream"\r\n\r\ntrue' in emulator.requests[0].body
    else:  # qwen3-asr-flash answers at once (no stream documented): one delta, then done
        assert len(deltas) == 1 and "x-dashscope-sse" not in emulator.requests[0].headers


def sse_events(raw: bytes) -> list[dict[str, Any]]:
    """The ``data:`` frames of an SSE body, as JSON (a ``[DONE]`` would not parse: OpenAI sends none)."""
    return [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: ")]


def speak(provider: str, emulator: Emulator, sync: bool, **kwargs: Any) -> bytes:
    """The raw body of ``audio.speech.create`` as a user reads it, streamed through
    ``with_streaming_response`` (the openai SDK types the SSE body as binary content)."""
    options = dict(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider), max_retries=0)
    kwargs = {"model": "gpt-4o-mini-tts", "voice": "alloy", "input": "Hello there", **kwargs}
    if sync:
        with OpenAI(**options) as client, client.audio.speech.with_streaming_response.create(**kwargs) as reply:
            assert reply.headers["content-type"].startswith("text/event-stream")
            return b"".join(reply.iter_bytes())

    async def main() -> bytes:
        async with AsyncOpenAI(**options) as client, \
                client.audio.speech.with_streaming_response.create(**kwargs) as reply:
            return b"".join([chunk async for chunk in reply.iter_bytes()])

    return asyncio.run(main())


@pytest.mark.parametrize("provider", SPEAKERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_speech_streams_audio_delta_events(provider: str, sync: bool, emulator: Emulator) -> None:
    events = sse_events(speak(provider, emulator, sync, response_format="pcm", stream_format="sse"))
    pcm = Client(provider, emulator, sync).call(lambda c: c.audio.speech.create(
        model="gpt-4o-mini-tts", voice="alloy", input="Hello there", response_format="pcm")).content

    *deltas, done = events
    assert len(deltas) > 1 and {e["type"] for e in deltas} == {"speech.audio.delta"}
    assert b"".join(base64.b64decode(e["audio"]) for e in deltas) == pcm and len(pcm) == 48000
    assert done["type"] == "speech.audio.done"
    assert set(done["usage"]) == {"input_tokens", "output_tokens", "total_tokens"}
    assert done["usage"]["total_tokens"] == done["usage"]["input_tokens"] + done["usage"]["output_tokens"] > 0
    sent = emulator.requests[0]
    if provider == "zhipu":
        assert sent.json["stream"] is True and sent.json["response_format"] == "pcm"
        assert sent.json["encode_format"] == "base64"
    else:
        assert sent.headers["x-dashscope-sse"] == "enable"
        assert sent.json["input"] == {"text": "Hello there", "voice": "Cherry"}


@pytest.mark.parametrize("provider", SPEAKERS)
def test_streamed_speech_is_pcm_only(provider: str, emulator: Emulator) -> None:
    client = Client(provider, emulator, True)
    for fmt in ("wav", "mp3"):
        with pytest.raises(openai.BadRequestError, match="pcm") as caught:
            client.call(lambda c, f=fmt: c.audio.speech.create(model="tts-1", voice="alloy", input="hi",
                                                              response_format=f, stream_format="sse"))
        assert provider in str(caught.value)
    assert not emulator.requests
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        events = sse_events(speak(provider, emulator, True, stream_format="sse"))  # OpenAI's default: mp3
    assert any(issubclass(w.category, AudioFormatWarning) and "PCM" in str(w.message) for w in seen)
    assert events[-1]["type"] == "speech.audio.done"


@pytest.mark.parametrize("provider", SPEAKERS)
def test_a_streamed_transcript_has_no_timestamped_formats(provider: str, emulator: Emulator) -> None:
    with pytest.raises(openai.BadRequestError, match="verbose_json"):
        Client(provider, emulator, True).call(lambda c: c.audio.transcriptions.create(
            model="whisper-1", file=("a.wav", wav(1.0)), response_format="verbose_json", stream=True))
    assert not emulator.requests


def test_a_transcript_stream_cut_midway_raises(emulator: Emulator) -> None:
    emulator.fail("zhipu", kind="cut", endpoint="transcriptions")
    with pytest.raises(openai.APIError, match="incomplete"):
        Client("zhipu", emulator, True).collect(lambda c: c.audio.transcriptions.create(
            model="whisper-1", file=("a.wav", wav(2.0)), stream=True))


def test_a_speech_stream_cut_midway_ends_with_an_error_frame(emulator: Emulator) -> None:
    emulator.fail("dashscope", kind="cut", endpoint="multimodal")
    events = sse_events(speak("dashscope", emulator, True, response_format="pcm", stream_format="sse"))
    assert events[-1].get("error") and "incomplete" in events[-1]["error"]["message"]
    assert all(e.get("type") != "speech.audio.done" for e in events)


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_qianfan_has_no_audio_streams_either(sync: bool, emulator: Emulator) -> None:
    client = Client("qianfan", emulator, sync)
    with pytest.raises(openai.BadRequestError, match="qianfan"):
        client.call(lambda c: c.audio.transcriptions.create(model="whisper-1", file=("a.wav", wav(1.0)),
                                                            stream=True))
    with pytest.raises(openai.BadRequestError, match="qianfan"):
        client.call(lambda c: c.audio.speech.create(model="tts-1", voice="alloy", input="hi",
                                                    response_format="pcm", stream_format="sse"))
    assert not emulator.requests
