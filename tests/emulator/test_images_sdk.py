"""The official SDKs' image calls against the emulator: the DashScope task flow and sync images, Zhipu images."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest

from adapters.emulator import Emulator

dashscope = pytest.importorskip("dashscope")
zhipuai = pytest.importorskip("zhipuai")
from dashscope import ImageSynthesis  # noqa: E402
from dashscope.api_entities.http_request import close_shared_sync_session  # noqa: E402

KEY = "sk-emulator-images"
ZHIPU_KEY = "0123456789abcdef0123456789abcdef.emulatorsecret"


@pytest.fixture(autouse=True)
def sdk_points_at(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(dashscope, "base_http_api_url", emulator.base_url("dashscope"))
    emulator.tasks.polls = 1  # the SDK waits a second between polls
    yield
    close_shared_sync_session()


def _png(url: str) -> bytes:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url) as reply:
        return reply.read()


def test_image_synthesis_call_submits_polls_and_gets_the_results(emulator: Emulator) -> None:
    r = ImageSynthesis.call(api_key=KEY, model="wanx2.1-t2i-turbo", prompt="a lighthouse", n=2, size="1024*1024")

    assert r.status_code == 200 and r.output.task_status == "SUCCEEDED"
    assert len(r.output.results) == 2 and r.usage.image_count == 2
    assert _png(r.output.results[0].url).startswith(b"\x89PNG")
    submit, poll = emulator.requests[0], emulator.requests[1]
    assert submit.headers["x-dashscope-async"] == "enable" and submit.json["input"]["prompt"] == "a lighthouse"
    assert poll.method == "GET" and poll.path == f"/api/v1/tasks/{r.output.task_id}"


def test_async_call_fetch_and_wait(emulator: Emulator) -> None:
    emulator.tasks.polls = 2
    task = ImageSynthesis.async_call(api_key=KEY, model="wan2.2-t2i-flash", prompt="a fox", size="768*768")
    assert task.output.task_status == "PENDING"
    assert ImageSynthesis.fetch(task, api_key=KEY).output.task_status == "RUNNING"
    done = ImageSynthesis.wait(task, api_key=KEY)
    assert done.output.task_status == "SUCCEEDED" and done.output.results[0].url.endswith("-768x768.png")


def test_a_refused_prompt_ends_the_task_failed_and_a_bad_size_is_refused(emulator: Emulator) -> None:
    r = ImageSynthesis.call(api_key=KEY, model="wanx2.1-t2i-turbo", prompt="[refuse]")
    assert r.output.task_status == "FAILED" and r.output.code == "DataInspectionFailed"
    bad = ImageSynthesis.async_call(api_key=KEY, model="wanx2.1-t2i-turbo", prompt="x", size="2048*2048")
    assert bad.status_code == 400 and bad.code == "InvalidParameter"


def test_wan26_sync_image_generation(emulator: Emulator) -> None:
    from dashscope.aigc.image_generation import ImageGeneration

    r = ImageGeneration.call(api_key=KEY, model="wan2.6-t2i",
                             messages=[{"role": "user", "content": [{"text": "a fox"}]}], size="1280*1280")
    assert r.status_code == 200
    image = r.output.choices[0].message.content[0]["image"]
    assert image.endswith("-1280x1280.png") and emulator.requests[0].path.endswith("/multimodal-generation/generation")


def test_zhipuai_images_generations(emulator: Emulator) -> None:
    client = zhipuai.ZhipuAI(api_key=ZHIPU_KEY, base_url=emulator.base_url("zhipu"), max_retries=0)
    r = client.images.generations(model="cogview-4-250304", prompt="a lighthouse", size="1024x1024", quality="hd")
    assert r.data[0].url.endswith("-1024x1024.png") and _png(r.data[0].url).startswith(b"\x89PNG")
    assert emulator.requests[0].json["quality"] == "hd"
    with pytest.raises(zhipuai.APIRequestFailedError, match="1301"):
        client.images.generations(model="cogview-4-250304", prompt="[refuse]")
