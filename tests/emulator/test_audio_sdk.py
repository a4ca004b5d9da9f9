"""The official SDKs' audio calls against the emulator: zhipuai transcriptions and speech, dashscope ASR and TTS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.emulator import Emulator
from adapters.emulator.files import wav

dashscope = pytest.importorskip("dashscope")
zhipuai = pytest.importorskip("zhipuai")
from dashscope import MultiModalConversation  # noqa: E402
from dashscope.api_entities.http_request import close_shared_sync_session  # noqa: E402

KEY = "sk-emulator-audio"
ZHIPU_KEY = "0123456789abcdef0123456789abcdef.emulatorsecret"


@pytest.fixture(autouse=True)
def sdk_points_at(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(dashscope, "base_http_api_url", emulator.base_url("dashscope"))
    yield
    close_shared_sync_session()


@pytest.fixture
def zhipu(emulator: Emulator) -> Iterator[zhipuai.ZhipuAI]:
    client = zhipuai.ZhipuAI(api_key=ZHIPU_KEY, base_url=emulator.base_url("zhipu"), max_retries=0)
    yield client
    client.close()


def test_zhipuai_transcription_uploads_multipart(emulator: Emulator, zhipu: zhipuai.ZhipuAI) -> None:
    result = zhipu.audio.transcriptions.create(model="glm-asr-2512", file=("hello.wav", wav(2.0), "audio/wav"))
    assert getattr(result, "text", None) == "Heard 2.0 seconds of audio"
    assert emulator.requests[-1].headers["content-type"].startswith("multipart/form-data")


def test_zhipuai_speech_answers_audio_bytes(emulator: Emulator, zhipu: zhipuai.ZhipuAI) -> None:
    audio = zhipu.audio.speech(model="glm-tts", input="你好", voice="tongtong", response_format="wav",
                               encode_format="base64")
    assert audio.content[:4] == b"RIFF"
    with pytest.raises(zhipuai.APIRequestFailedError, match="1214"):
        zhipu.audio.speech(model="glm-tts", input="你好", voice="tongtong", response_format="mp3",
                           encode_format="base64")


def test_dashscope_asr_and_tts(emulator: Emulator) -> None:
    import base64

    uri = "data:audio/wav;base64," + base64.b64encode(wav(1.0)).decode()
    heard = MultiModalConversation.call(api_key=KEY, model="qwen3-asr-flash", messages=[
        {"role": "system", "content": [{"text": ""}]}, {"role": "user", "content": [{"audio": uri}]}],
        asr_options={"language": "en", "enable_lid": True})
    assert heard.status_code == 200
    assert heard.output.choices[0].message.content[0]["text"] == "Heard 1.0 seconds of audio"
    spoken = MultiModalConversation.call(api_key=KEY, model="qwen3-tts-flash", text="Hello", voice="Cherry")
    assert spoken.status_code == 200 and spoken.output.audio.url.endswith(".wav")
    assert emulator.requests[-1].json["input"] == {"text": "Hello", "voice": "Cherry"}


def test_zhipuai_streams_a_transcript(emulator: Emulator, zhipu: zhipuai.ZhipuAI) -> None:
    events = list(zhipu.audio.transcriptions.create(model="glm-asr-2512", file=("a.wav", wav(2.0), "audio/wav"),
                                                    stream=True))
    kinds = [getattr(e, "type", None) for e in events]
    assert kinds[-1] == "transcript.text.done" and set(kinds[:-1]) == {"transcript.text.delta"}
    assert "".join(getattr(e, "delta", "") for e in events[:-1]) == getattr(events[-1], "text", None)


def test_zhipuai_streams_speech_as_pcm_chunks(emulator: Emulator, zhipu: zhipuai.ZhipuAI) -> None:
    import base64

    chunks = list(zhipu.audio.speech(model="glm-tts", input="你好", voice="tongtong", response_format="pcm",
                                     encode_format="base64", stream=True))
    assert [c.choices[0].finish_reason for c in chunks][-1] == "stop"
    assert sum(len(base64.b64decode(c.choices[0].delta.content or "")) for c in chunks) == 48000
    hexed = list(zhipu.audio.speech(model="glm-tts", input="你好", voice="tongtong", response_format="pcm",
                                    encode_format="hex", stream=True))
    assert sum(len(bytes.fromhex(c.choices[0].delta.content or "")) for c in hexed) == 48000
    with pytest.raises(zhipuai.APIRequestFailedError, match="1214"):  # streaming is PCM only
        list(zhipu.audio.speech(model="glm-tts", input="你好", voice="tongtong", response_format="wav",
                                encode_format="base64", stream=True))


def test_dashscope_tts_stream(emulator: Emulator) -> None:
    import base64

    parts = list(MultiModalConversation.call(api_key=KEY, model="qwen3-tts-flash", text="Hello", voice="Cherry",
                                             stream=True))
    assert all(p.status_code == 200 for p in parts) and parts[-1].output.finish_reason == "stop"
    assert sum(len(base64.b64decode(p.output.audio.data or "")) for p in parts) == 48000
    assert emulator.requests[-1].headers["x-dashscope-sse"] == "enable"
