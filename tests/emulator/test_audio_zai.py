"""zai-sdk (Zhipu's newer official SDK) streams transcripts and speech from the emulator. zai-sdk cannot
share an environment with zhipuai (pyjwt pins): ``.ci/run`` runs this in its ecosystem venv."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from adapters.emulator import Emulator
from adapters.emulator.files import wav

zai = pytest.importorskip("zai")

KEY = "0123456789abcdef0123456789abcdef.emulatorsecret"


@pytest.fixture
def client(emulator: Emulator) -> Iterator[zai.ZhipuAiClient]:
    made = zai.ZhipuAiClient(api_key=KEY, base_url=emulator.base_url("zhipu"), max_retries=0)
    yield made
    made.close()


def test_zai_transcribes_and_streams_a_transcript(client: zai.ZhipuAiClient) -> None:
    whole = client.audio.transcriptions.create(model="glm-asr-2512", file=("a.wav", wav(2.0), "audio/wav"))
    assert getattr(whole, "text", None) == "Heard 2.0 seconds of audio"
    events = list(client.audio.transcriptions.create(model="glm-asr-2512", file=("a.wav", wav(2.0), "audio/wav"),
                                                     stream=True))
    assert getattr(events[-1], "type", None) == "transcript.text.done"
    assert "".join(getattr(e, "delta", "") for e in events[:-1]) == getattr(events[-1], "text", None)


def test_zai_streams_speech(client: zai.ZhipuAiClient) -> None:
    chunks = list(client.audio.speech(model="glm-tts", input="你好", voice="tongtong", response_format="pcm",
                                      encode_format="base64", stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert sum(len(base64.b64decode(c.choices[0].delta.content or "")) for c in chunks) == 48000
