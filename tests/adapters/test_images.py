"""``client.images.generate`` on every provider, over HTTP to the emulator (sync and async).

DashScope runs an image task (submit, poll, results), Zhipu one call per image, Qianfan v2 one call
for up to four; ``b64_json`` fetches the provider's URL through the same client, without the key.
"""

from __future__ import annotations

import base64
import struct

import openai
import pytest
from openai.types import ImagesResponse

from adapters import UnsupportedParameterWarning
from adapters.emulator import Emulator
from adapters.images import ImageSizeWarning, fit
from tests.adapters.scenarios import KEYS
from tests.adapters.test_scenarios import PROVIDERS, Client

FAST = {"poll_interval": 0.01}
MODELS = {"dashscope": "wan2.2-t2i-plus", "zhipu": "cogview-4-250304", "qianfan": "irag-1.0"}


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def client(provider: str, emulator: Emulator, sync: bool = True, **options: object) -> Client:
    return Client(provider, emulator, sync, provider_options=FAST, **options)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_generates_urls_with_the_mapped_model(provider: str, sync: bool, emulator: Emulator) -> None:
    result = client(provider, emulator, sync).call(
        lambda c: c.images.generate(model="dall-e-3", prompt="a lighthouse at dawn", size="1024x1024", n=2))

    assert isinstance(result, ImagesResponse) and len(result.data) == 2
    assert all(d.url and d.url.startswith(emulator.url + "/files/") and d.b64_json is None for d in result.data)
    models = {r.json.get("model") for r in emulator.requests if isinstance(r.json, dict)}
    assert models == {MODELS[provider]}
    assert all("/tasks/" in r.path or r.json.get("prompt", "") == "a lighthouse at dawn"
               or r.json["input"].get("prompt") == "a lighthouse at dawn" for r in emulator.requests)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_a_call_without_model_uses_openais_default(provider: str, sync: bool, emulator: Emulator) -> None:
    """``model`` is optional in images.generate (OpenAI uses dall-e-2): the provider gets dall-e-2's counterpart."""
    from adapters import catalogue

    result = client(provider, emulator, sync).call(lambda c: c.images.generate(prompt="a cat", size="512x512"))
    assert len(result.data) == 1
    models = {r.json.get("model") for r in emulator.requests if isinstance(r.json, dict)}
    assert models == {catalogue.map_model("dall-e-2", provider)} and "" not in models


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_b64_json_fetches_the_file_without_the_key(provider: str, sync: bool, emulator: Emulator) -> None:
    result = client(provider, emulator, sync).call(
        lambda c: c.images.generate(model="dall-e-2", prompt="a cat", response_format="b64_json", size="512x512"))

    assert result.data[0].url is None
    assert png_size(base64.b64decode(result.data[0].b64_json or "")) == (512, 512)
    fetched = [r for r in emulator.requests if r.provider == "files"]
    assert len(fetched) == 1 and "authorization" not in fetched[0].headers
    key = KEYS[provider]
    assert all(key not in str(r.headers) and key not in r.path for r in fetched)


def test_gpt_image_models_answer_base64_as_openai_does(emulator: Emulator) -> None:
    result = client("zhipu", emulator).call(lambda c: c.images.generate(model="gpt-image-1", prompt="a cat"))
    assert png_size(base64.b64decode(result.data[0].b64_json or "")) == (1280, 1280)  # glm-image's default
    assert emulator.requests[0].json["model"] == "glm-image"


def test_dashscope_polls_the_task_until_it_is_done(emulator: Emulator) -> None:
    emulator.tasks.polls = 4
    result = client("dashscope", emulator).call(lambda c: c.images.generate(model="dall-e-3", prompt="tea"))

    paths = [(r.method, r.path.split("/tasks/")[0]) for r in emulator.requests]
    assert paths == [("POST", "/api/v1/services/aigc/text2image/image-synthesis")] + [("GET", "/api/v1")] * 4
    submit = emulator.requests[0]
    assert submit.headers["x-dashscope-async"] == "enable"
    assert submit.json["parameters"] == {"size": "1024*1024", "n": 1}
    assert result.data[0].revised_prompt == "tea, highly detailed"  # DashScope's actual_prompt


def submits(emulator: Emulator) -> list[str]:
    return [r.path for r in emulator.requests if r.method == "POST"]


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_a_task_that_outlasts_the_timeout_is_not_submitted_again(sync: bool, emulator: Emulator) -> None:
    """The openai client retries timeouts (twice by default): each retry would be a new, billed task. The
    error names the task instead, is not retried, and the task can still be fetched."""
    emulator.tasks.polls = 1000
    slow = client("dashscope", emulator, sync, timeout=0.5, max_retries=2)
    with pytest.raises(openai.InternalServerError) as caught:
        slow.call(lambda c: c.images.generate(model="dall-e-3", prompt="tea"))

    assert len(submits(emulator)) == 1 and 3 <= len(emulator.requests) < 60
    task_id = emulator.requests[1].path.rsplit("/", 1)[1]
    assert caught.value.status_code == 504 and caught.value.response.headers["x-should-retry"] == "false"
    assert task_id in str(caught.value) and "not submitted again" in str(caught.value)
    assert f"/tasks/{task_id}" in str(caught.value) and "longer timeout=" in str(caught.value)
    dashscope = pytest.importorskip("dashscope")
    from dashscope import ImageSynthesis
    from dashscope.api_entities.http_request import close_shared_sync_session

    dashscope.base_http_api_url = emulator.base_url("dashscope")
    try:  # what the message says works: the official SDK fetches the same task
        fetched = ImageSynthesis.fetch(task_id, api_key=KEYS["dashscope"])
    finally:
        close_shared_sync_session()
    assert fetched.output.task_id == task_id and fetched.output.task_status == "RUNNING"


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_failing_polls_are_retried_in_place_not_by_resubmitting(sync: bool, emulator: Emulator) -> None:
    emulator.fail("dashscope", status=500, code="InternalError", endpoint="task")  # one poll fails: retried
    result = client("dashscope", emulator, sync, max_retries=2).call(
        lambda c: c.images.generate(model="dall-e-3", prompt="tea"))
    assert len(result.data) == 1 and len(submits(emulator)) == 1

    emulator.requests.clear()
    emulator.fail("dashscope", status=500, code="InternalError", endpoint="task", times=3)  # for good
    with pytest.raises(openai.InternalServerError) as caught:
        client("dashscope", emulator, sync, max_retries=2).call(
            lambda c: c.images.generate(model="dall-e-3", prompt="tea"))
    assert len(submits(emulator)) == 1
    assert "image task" in str(caught.value) and "not submitted again" in str(caught.value)

    emulator.requests.clear()
    emulator.fail("dashscope", kind="timeout", delay=2.0, endpoint="task")  # a poll that never answers
    with pytest.raises(openai.InternalServerError, match="Polling the task failed"):
        client("dashscope", emulator, sync, timeout=0.5, max_retries=2).call(
            lambda c: c.images.generate(model="dall-e-3", prompt="tea"))
    assert len(submits(emulator)) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_refused_prompts_are_content_filter_errors(provider: str, emulator: Emulator) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(provider, emulator).call(lambda c: c.images.generate(model="dall-e-3", prompt="a [refuse] cat"))
    assert caught.value.code == "content_filter"


def test_a_failed_dashscope_task_names_the_task(emulator: Emulator) -> None:
    with pytest.raises(openai.BadRequestError, match=r"image task [0-9a-f-]+ ended FAILED"):
        client("dashscope", emulator, sync=False).call(
            lambda c: c.images.generate(model="dall-e-3", prompt="[refuse]"))


def test_provider_errors_on_submit_arrive_as_openai_exceptions(emulator: Emulator) -> None:
    emulator.fail("dashscope", status=429, code="Throttling.RateQuota", endpoint="image-task")
    with pytest.raises(openai.RateLimitError):
        client("dashscope", emulator).call(lambda c: c.images.generate(model="dall-e-3", prompt="x"))
    emulator.fail("dashscope", status=500, code="InternalError", endpoint="task", times=3)
    with pytest.raises(openai.InternalServerError):
        client("dashscope", emulator).call(lambda c: c.images.generate(model="dall-e-3", prompt="x"))


@pytest.mark.parametrize(("provider", "asked", "sent"), [
    ("dashscope", "1792x1024", "1440*823"),
    ("dashscope", "256x256", "512*512"),
    ("zhipu", "256x256", "512x512"),
    ("qianfan", "1024x1792", "1024x1792"),
])
def test_sizes_are_fitted_to_the_model_with_a_warning(provider: str, asked: str, sent: str,
                                                      emulator: Emulator) -> None:
    c = client(provider, emulator)
    if asked.replace("x", "*") == sent or asked == sent:
        c.call(lambda c: c.images.generate(model="dall-e-3", prompt="x", size=asked))
    else:
        with pytest.warns(ImageSizeWarning, match=f"cannot make {asked} images"):
            c.call(lambda c: c.images.generate(model="dall-e-3", prompt="x", size=asked))
    body = emulator.requests[0].json
    assert body.get("size", body.get("parameters", {}).get("size")) == sent


def test_fit_keeps_allowed_sizes_and_picks_the_nearest_listed_one() -> None:
    assert fit(1024, 1024, {"side": [512, 1440]}) == (1024, 1024)
    assert fit(1024, 1792, {"sizes": ["1664x928", "1328x1328", "928x1664"]}) == (928, 1664)
    width, height = fit(1024, 1024, {"pixels": [1638400, 2073600], "ratio": [0.25, 4]})
    assert 1638400 <= width * height <= 2073600 and width == height
    assert fit(4000, 100, {"side": [512, 2048], "multiple": 16, "pixels": [0, 2097152]})[0] % 16 == 0


def test_wan26_runs_synchronously(emulator: Emulator) -> None:
    result = client("dashscope", emulator).call(
        lambda c: c.images.generate(model="wan2.6-t2i", prompt="a fox", response_format="b64_json"))
    assert png_size(base64.b64decode(result.data[0].b64_json or "")) == (1280, 1280)
    assert emulator.requests[0].path.endswith("/multimodal-generation/generation")
    assert emulator.requests[0].json["input"]["messages"][0]["content"] == [{"text": "a fox"}]


def test_quality_maps_on_zhipu_and_follows_the_policy_elsewhere(emulator: Emulator) -> None:
    client("zhipu", emulator).call(lambda c: c.images.generate(model="dall-e-3", prompt="x", quality="hd"))
    assert emulator.requests[-1].json["quality"] == "hd"
    with pytest.warns(UnsupportedParameterWarning, match="'quality'"):
        client("qianfan", emulator).call(lambda c: c.images.generate(model="dall-e-3", prompt="x", quality="hd"))
    with pytest.warns(UnsupportedParameterWarning, match="'style'"):
        client("dashscope", emulator).call(lambda c: c.images.generate(model="dall-e-3", prompt="x", style="vivid"))


def test_what_cannot_be_made_is_refused_before_any_call(emulator: Emulator) -> None:
    c = client("dashscope", emulator)
    with pytest.raises(openai.BadRequestError, match="PNG images only"):
        c.call(lambda c: c.images.generate(model="gpt-image-1", prompt="x", output_format="jpeg"))
    with pytest.raises(openai.BadRequestError, match="images.edits"):
        c.call(lambda c: c.images.edit(model="dall-e-2", image=b"\x89PNG", prompt="x"))
    assert emulator.requests == []


def test_qianfan_v1_has_no_images(emulator: Emulator) -> None:
    from adapters import OpenAI

    v1 = OpenAI(provider="qianfan", api_version="v1", api_key="ak", secret_key="sk",
                base_url=emulator.base_url("qianfan-v1"), max_retries=0)
    with pytest.raises(openai.BadRequestError, match="v1 API has no 'images.generations'"):
        v1.images.generate(model="dall-e-3", prompt="x")
    v1.close()
