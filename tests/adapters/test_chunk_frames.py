"""Chat stream frames written from a template (``sse.ChunkFrames``) are the bytes ``encode_data`` writes."""

from __future__ import annotations

from typing import Any

import pytest

from adapters import openai_wire
from adapters.sse import ChunkFrames, encode_data

TEXTS = ["w0 ", "", "é 中文 🙂", 'quote " backslash \\ slash /', "line\nbreak\ttab\r", "\x00\x1f control", "\u2028"]


def chunk(text: Any, *, id: str = "chatcmpl-1", model: str = "glm-4.6", created: int = 1700000000,
          index: int = 0, **delta: Any) -> dict[str, Any]:
    return openai_wire.chunk(id=id, model=model, created=created, index=index, delta={"content": text, **delta})


def test_text_chunks_are_byte_identical_to_the_generic_encoding() -> None:
    frames = ChunkFrames()
    for text in TEXTS * 2:
        assert frames(chunk(text)) == encode_data(chunk(text))


def test_a_new_head_mid_stream_is_written_with_its_own_values() -> None:
    frames = ChunkFrames()
    heads = [{}, {"id": "chatcmpl-2"}, {"model": "qwen-plus"}, {"created": 1}, {"index": 1}, {}]
    for head in heads:
        assert frames(chunk("x", **head)) == encode_data(chunk("x", **head))


@pytest.mark.parametrize("other", [
    openai_wire.chunk(id="c", model="m", created=1, delta={"role": "assistant", "content": ""}),
    openai_wire.chunk(id="c", model="m", created=1, delta={"reasoning_content": "think"}),
    openai_wire.chunk(id="c", model="m", created=1, delta={}, finish_reason="stop"),
    openai_wire.chunk(id="c", model="m", created=1, delta={"content": "x"}, logprobs={"content": []}),
    openai_wire.chunk(id="c", model="m", created=1, usage={"prompt_tokens": 1, "completion_tokens": 1,
                                                           "total_tokens": 2}),
    {**openai_wire.chunk(id="c", model="m", created=1, delta={"content": "x"}), "search_info": {"a": 1}},
    {**chunk(None)},
], ids=["role", "reasoning", "finish", "logprobs", "usage", "extras", "null-text"])
def test_every_other_chunk_is_encoded_whole(other: dict[str, Any]) -> None:
    frames = ChunkFrames()
    frames(chunk("warm the template"))
    assert frames(other) == encode_data(other)
    assert frames(chunk("after")) == encode_data(chunk("after"))
