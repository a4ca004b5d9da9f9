"""``client.audio.transcriptions`` and ``client.audio.speech`` on Zhipu and DashScope over HTTP to the emulator
(sync and async); Qianfan and the formats a provider cannot make are clear errors."""

from __future__ import annotations

import io
import struct
import warnings

import openai
import pytest

from adapters import UnsupportedParameterWarning
from adapters.audio import AudioFormatWarning
from adapters.emulator import Emulator
from adapters.emulator.files import wav
from tests.adapters.test_scenarios import Client

SPEAKERS = ["zhipu", "dashscope"]


def recording(seconds: float = 2.0) -> bytes:
    return wav(seconds)


@pytest.mark.parametrize("provider", SPEAKERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_transcribes_an_uploaded_wav(provider: str, sync: bool, emulator: Emulator) -> None:
    result = Client(provider, emulator, sync).call(lambda c: c.audio.transcriptions.create(
        model="whisper-1", file=("meeting.wav", recording(), "audio/wav"), prompt="Qianyi"))

    assert result.text == "Heard 2.0 seconds of audio"
    sent = emulator.requests[-1]
    if provider == "zhipu":
        assert sent.headers["content-type"].startswith("multipart/form-data")
        assert b'name="model"\r\n\r\nglm-asr-2512' in sent.body and b'name="prompt"\r\n\r\nQianyi' in sent.body
    else:
        messages = sent.json["input"]["messages"]
        assert sent.json["model"] == "qwen3-asr-flash" and messages[0]["content"] == [{"text": "Qianyi"}]
        assert messages[1]["content"][0]["audio"].startswith("data:audio/wav;base64,UklGR")


@pytest.mark.parametrize("provider", SPEAKERS)
def test_text_and_verbose_json_formats(provider: str, emulator: Emulator) -> None:
    client = Client(provider, emulator, True)
    text = client.call(lambda c: c.audio.transcriptions.create(model="whisper-1", file=("a.wav", recording(1.0)),
                                                               response_format="text"))
    assert text.strip() == "Heard 1.0 seconds of audio"
    verbose = client.call(lambda c: c.audio.transcriptions.create(
        model="whisper-1", file=("a.wav", recording(1.0)), response_format="verbose_json", language="en"
        ) if provider == "dashscope" else c.audio.transcriptions.create(
        model="whisper-1", file=("a.wav", recording(1.0)), response_format="verbose_json"))
    assert verbose.text == "Heard 1.0 seconds of audio" and verbose.segments == []
    with pytest.raises(openai.BadRequestError, match="no timestamps"):
        client.call(lambda c: c.audio.transcriptions.create(model="whisper-1", file=("a.wav", recording()),
                                                            response_format="srt"))


def test_zhipu_refuses_formats_it_cannot_read_and_drops_the_language_with_a_warning(emulator: Emulator) -> None:
    client = Client("zhipu", emulator, True)
    m4a = b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 64
    with pytest.raises(openai.BadRequestError, match=r"\.wav and \.mp3 files only; m4a audio"):
        client.call(lambda c: c.audio.transcriptions.create(model="whisper-1", file=("voice.m4a", m4a)))
    assert emulator.requests == []
    with pytest.warns(UnsupportedParameterWarning, match="'language'"):
        result = client.call(lambda c: c.audio.transcriptions.create(
            model="whisper-1", file=("named-wrongly.mp3", recording()), language="zh"))
    assert result.text.startswith("Heard")  # sent as audio.wav: the bytes decide, not the name
    assert b'filename="audio.wav"' in emulator.requests[-1].body


@pytest.mark.parametrize("provider", SPEAKERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_speech_in_wav_with_a_mapped_voice(provider: str, sync: bool, emulator: Emulator) -> None:
    audio = Client(provider, emulator, sync).call(lambda c: c.audio.speech.create(
        model="tts-1", voice="onyx", input="Hello there", response_format="wav"))
    data = audio.read() if hasattr(audio, "read") else audio.content
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    native = next(r.json for r in emulator.requests if isinstance(r.json, dict))
    if provider == "zhipu":
        assert native == {"model": "glm-tts", "input": "Hello there", "voice": "xiaochen", "response_format": "wav",
                          "stream": False}
    else:
        assert native == {"model": "qwen3-tts-flash", "input": {"text": "Hello there", "voice": "Ethan"}}
        fetched = [r for r in emulator.requests if r.provider == "files"]
        assert len(fetched) == 1 and "authorization" not in fetched[0].headers


@pytest.mark.parametrize("provider", SPEAKERS)
def test_pcm_is_the_bare_samples(provider: str, emulator: Emulator) -> None:
    audio = Client(provider, emulator, True).call(lambda c: c.audio.speech.create(
        model="tts-1", voice="alloy", input="Hi", response_format="pcm"))
    assert audio.content == wav(1.0)[44:]


@pytest.mark.parametrize("provider", SPEAKERS)
def test_formats_the_provider_cannot_make_are_refused_and_the_default_is_wav_with_a_warning(
        provider: str, emulator: Emulator) -> None:
    client = Client(provider, emulator, True)
    with pytest.raises(openai.BadRequestError, match="cannot produce mp3 speech"):
        client.call(lambda c: c.audio.speech.create(model="tts-1", voice="alloy", input="Hi", response_format="mp3"))
    assert emulator.requests == []
    with pytest.warns(AudioFormatWarning, match="comes back as WAV"):
        audio = client.call(lambda c: c.audio.speech.create(model="tts-1", voice="alloy", input="Hi"))
    assert audio.content[:4] == b"RIFF"


def test_speed_is_clamped_on_zhipu_and_follows_the_policy_on_dashscope(emulator: Emulator) -> None:
    Client("zhipu", emulator, True).call(lambda c: c.audio.speech.create(
        model="tts-1", voice="nova", input="Hi", response_format="wav", speed=4.0))
    assert emulator.requests[-1].json["speed"] == 2.0 and emulator.requests[-1].json["voice"] == "tongtong"
    with pytest.warns(UnsupportedParameterWarning, match="'speed'"):
        Client("dashscope", emulator, True).call(lambda c: c.audio.speech.create(
            model="tts-1", voice="nova", input="Hi", response_format="wav", speed=1.5))


def test_qianfan_has_no_audio_and_says_so(emulator: Emulator) -> None:
    client = Client("qianfan", emulator, True)
    with pytest.raises(openai.BadRequestError, match="'audio.transcriptions' API is not supported by qianfan"):
        client.call(lambda c: c.audio.transcriptions.create(model="whisper-1", file=("a.wav", recording())))
    with pytest.raises(openai.BadRequestError, match="'audio.speech' API is not supported by qianfan"):
        client.call(lambda c: c.audio.speech.create(model="tts-1", voice="alloy", input="Hi"))
    with warnings.catch_warnings():  # openai 3.x deprecates translations
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(openai.BadRequestError, match="'audio.translations' API is not supported by zhipu"):
            Client("zhipu", emulator, True).call(
                lambda c: c.audio.translations.create(model="whisper-1", file=("a.wav", recording())))
    assert emulator.requests == []


def test_provider_errors_arrive_as_openai_exceptions(emulator: Emulator) -> None:
    emulator.fail("zhipu", status=429, code="1302", endpoint="speech")
    with pytest.raises(openai.RateLimitError):
        Client("zhipu", emulator, True).call(lambda c: c.audio.speech.create(
            model="tts-1", voice="alloy", input="Hi", response_format="wav"))


def test_file_objects_upload_too(emulator: Emulator) -> None:
    result = Client("dashscope", emulator, True).call(lambda c: c.audio.transcriptions.create(
        model="gpt-4o-transcribe", file=io.BytesIO(recording(3.0))))
    assert result.text == "Heard 3.0 seconds of audio"
    assert struct.unpack("<I", recording(3.0)[24:28]) == (24000,)
