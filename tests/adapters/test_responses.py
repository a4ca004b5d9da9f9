"""The Responses API on every provider: real openai clients -> provider transport -> emulator over HTTP.

Each scenario runs per provider, sync and async (one client per scenario, so ``previous_response_id``
is remembered across its calls). DashScope's own ``/responses`` endpoint is exercised with the
models the reference lists for it; every other model is translated onto the native chat API.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

import openai
import pydantic
import pytest
from openai.types.responses import Response

from adapters import AsyncOpenAI, OpenAI
from adapters.emulator import Emulator, Reply
from tests.adapters.conftest import install_shim
from tests.adapters.scenarios import KEYS, mapped

TOOLS = [{"type": "function", "name": "get_weather", "description": "Weather for a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]


async def aw(value: Any) -> Any:
    """The value, awaited when the async client gave a coroutine."""
    return await value if inspect.isawaitable(value) else value


async def events(stream: Any) -> list[Any]:
    if hasattr(stream, "__aiter__"):
        return [event async for event in stream]
    return list(stream)


async def streamed(client: Any, **kwargs: Any) -> tuple[list[Any], Any]:
    """``responses.stream(...)``: its events and ``get_final_response()``, sync or async."""
    manager = client.responses.stream(**kwargs)
    if isinstance(client, openai.AsyncOpenAI):
        async with manager as stream:
            seen = [event async for event in stream]
            return seen, await stream.get_final_response()
    with manager as stream:
        seen = list(stream)
        return seen, stream.get_final_response()


def run(provider: str, emulator: Emulator, sync: bool, scenario: Callable[[Any], Awaitable[Any]],
        **options: Any) -> Any:
    """Run ``scenario(client)`` with one sync or async client on ``provider`` (closed afterwards)."""
    options.setdefault("max_retries", 0)
    kwargs = dict(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider), **options)

    async def main() -> Any:
        if sync:
            with OpenAI(**kwargs) as client:
                return await scenario(client)
        async with AsyncOpenAI(**kwargs) as client:
            return await scenario(client)

    return asyncio.run(main())


def chat_requests(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.requests if r.endpoint == "chat" or "generation" in r.path]


def test_string_input_and_instructions(provider: str, sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> Response:
        return await aw(client.responses.create(model="gpt-4o", input="hello there", instructions="Be brief."))

    response = run(provider, emulator, sync, scenario)
    target = mapped("gpt-4o", provider)
    assert isinstance(response, Response) and response.id.startswith("resp_")
    assert response.output_text == f"Echo from {target}: hello there"
    assert response.status == "completed" and response.model == target
    assert response.usage is not None and response.usage.total_tokens == (
        response.usage.input_tokens + response.usage.output_tokens) > 0
    sent = json.dumps(chat_requests(emulator)[-1].json)
    assert "Be brief." in sent and "hello there" in sent


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_function_call_round_trip(provider: str, sync: bool, stream: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> tuple[Any, Any]:
        if stream:
            _, first = await streamed(client, model="gpt-4o", input="weather in Hangzhou?", tools=TOOLS)
        else:
            first = await aw(client.responses.create(model="gpt-4o", input="weather in Hangzhou?", tools=TOOLS))
        call = next(item for item in first.output if item.type == "function_call")
        follow = await aw(client.responses.create(
            model="gpt-4o", tools=TOOLS, stream=stream, previous_response_id=first.id,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny, 21C"}]))
        if stream:
            follow = (await events(follow))[-1].response
        return call, follow

    call, follow = run(provider, emulator, sync, scenario)
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "x"} and call.call_id
    assert follow.output_text == "Tool said: sunny, 21C"
    history = chat_requests(emulator)[-1].json
    assert "weather in Hangzhou?" in json.dumps(history) and call.call_id in json.dumps(history)


def test_whole_history_as_input_items(provider: str, sync: bool, emulator: Emulator) -> None:
    """What agent loops send: the conversation replayed as items (message, call, call output)."""
    items = [
        {"role": "developer", "content": "You are terse."},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "weather in Rome?"}]},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city": "Rome"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "rainy"},
    ]

    async def scenario(client: Any) -> Response:
        return await aw(client.responses.create(model="gpt-4o", input=items, tools=TOOLS))

    assert run(provider, emulator, sync, scenario).output_text == "Tool said: rainy"


def test_stream_event_sequence(provider: str, sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> list[Any]:
        return await events(await aw(client.responses.create(model="gpt-4o", input="stream me please",
                                                             stream=True)))

    seen = run(provider, emulator, sync, scenario)
    kinds = [event.type for event in seen]
    assert kinds[:2] == ["response.created", "response.in_progress"] and kinds[-1] == "response.completed"
    assert [event.sequence_number for event in seen] == list(range(len(seen)))
    text_start = kinds.index("response.content_part.added")
    assert kinds[text_start - 1] == "response.output_item.added" and kinds.count("response.output_text.delta") > 2
    assert kinds[-4:-1] == ["response.output_text.done", "response.content_part.done", "response.output_item.done"]
    deltas = "".join(event.delta for event in seen if event.type == "response.output_text.delta")
    final = seen[-1].response
    assert deltas == final.output_text == f"Echo from {mapped('gpt-4o', provider)}: stream me please"
    assert final.usage is not None and final.usage.output_tokens > 0 and final.status == "completed"
    assert seen[0].response.id == final.id and seen[0].response.status == "in_progress"


def test_stream_helper_with_tools_and_final_response(provider: str, sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> tuple[list[Any], Any]:
        return await streamed(client, model="gpt-4o", input="weather in Rome?", tools=TOOLS)

    seen, final = run(provider, emulator, sync, scenario)
    kinds = [event.type for event in seen]
    assert "response.function_call_arguments.delta" in kinds and "response.function_call_arguments.done" in kinds
    calls = [item for item in final.output if item.type == "function_call"]
    assert len(calls) == 1 and json.loads(calls[0].arguments) == {"city": "x"}


class Weather(pydantic.BaseModel):
    city: str
    celsius: int


def test_parse_with_a_json_schema(provider: str, sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> Any:
        return await aw(client.responses.parse(model="gpt-4o", input="Weather in Paris?", text_format=Weather))

    parsed = run(provider, emulator, sync, scenario)
    assert isinstance(parsed.output_parsed, Weather) and parsed.output_parsed.city == "x"
    assert chat_requests(emulator)[-1].json is not None


def test_json_object_format(provider: str, sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> Response:
        return await aw(client.responses.create(model="gpt-4o", input="give me an object",
                                                text={"format": {"type": "json_object"}}))

    assert "give me an object" in json.loads(run(provider, emulator, sync, scenario).output_text)["echo"]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_reasoning_item_where_the_provider_thinks(provider: str, sync: bool, stream: bool,
                                                  emulator: Emulator) -> None:
    emulator.script(provider, Reply(text="42", reasoning="six times seven"))

    async def scenario(client: Any) -> Any:
        reply = await aw(client.responses.create(model="gpt-4o", input="answer?", stream=stream))
        return (await events(reply))[-1].response if stream else reply

    response = run(provider, emulator, sync, scenario)
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output[0].content[0].text == "six times seven" and response.output_text == "42"


def test_max_output_tokens_gives_an_incomplete_response(provider: str, sync: bool, emulator: Emulator) -> None:
    emulator.script(provider, Reply(text="a long answer cut short", finish_reason="length"))

    async def scenario(client: Any) -> Response:
        return await aw(client.responses.create(model="gpt-4o", input="tell me", max_output_tokens=5))

    response = run(provider, emulator, sync, scenario)
    assert response.status == "incomplete" and response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert "5" in json.dumps(chat_requests(emulator)[-1].json)


VISION = {"dashscope": "qwen-vl-max", "zhipu": "glm-4v-plus-0111", "qianfan": "ernie-4.5-turbo-vl-32k"}


def test_image_input_parts(provider: str, sync: bool, emulator: Emulator) -> None:
    image = "data:image/png;base64,iVBORw0KGgo="
    items = [{"role": "user", "content": [{"type": "input_text", "text": "what is this?"},
                                          {"type": "input_image", "image_url": image}]}]

    async def scenario(client: Any) -> Response:
        return await aw(client.responses.create(model=VISION[provider], input=items))

    assert "what is this?" in run(provider, emulator, sync, scenario).output_text
    assert "iVBORw0KGgo=" in json.dumps(chat_requests(emulator)[-1].json)


def test_previous_response_id_store_false_and_unknown_ids(provider: str, sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> tuple[Any, ...]:
        kept = await aw(client.responses.create(model="gpt-4o", input="remember lighthouses"))
        unkept = await aw(client.responses.create(model="gpt-4o", input="forget me", store=False))
        follow = await aw(client.responses.create(model="gpt-4o", input="and then?", previous_response_id=kept.id))
        retrieved = await aw(client.responses.retrieve(follow.id))
        errors = []
        for ident in (unkept.id, "resp_unknown"):
            try:
                await aw(client.responses.create(model="gpt-4o", input="x", previous_response_id=ident))
            except openai.NotFoundError as exc:
                errors.append(exc)
        await aw(client.responses.delete(follow.id))
        try:
            await aw(client.responses.retrieve(follow.id))
        except openai.NotFoundError as exc:
            errors.append(exc)
        return follow, retrieved, errors

    follow, retrieved, errors = run(provider, emulator, sync, scenario)
    history = json.dumps(chat_requests(emulator)[-1].json)
    assert "remember lighthouses" in history and "and then?" in history
    assert retrieved.id == follow.id and retrieved.output_text == follow.output_text
    assert len(errors) == 3 and all("not found" in str(e).lower() for e in errors)
    assert "store=False" in str(errors[0]) and len(chat_requests(emulator)) == 3  # refused before any call


def test_previous_response_ids_belong_to_their_client(emulator: Emulator) -> None:
    one, two = (OpenAI(provider="zhipu", api_key=KEYS["zhipu"], base_url=emulator.base_url("zhipu"), max_retries=0)
                for _ in range(2))
    with one, two:
        first = one.responses.create(model="gpt-4o", input="hi")
        with pytest.raises(openai.NotFoundError):
            two.responses.create(model="gpt-4o", input="x", previous_response_id=first.id)


@pytest.mark.parametrize(("tool", "words"), [
    ({"type": "file_search", "vector_store_ids": ["vs_1"]}, "file search"),
    ({"type": "code_interpreter", "container": {"type": "auto"}}, "code interpreter"),
    ({"type": "computer_use_preview", "display_width": 1, "display_height": 1, "environment": "linux"},
     "computer use"),
])
def test_hosted_tools_are_clear_errors(provider: str, tool: dict[str, Any], words: str, emulator: Emulator) -> None:
    with OpenAI(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider),
                max_retries=0) as client, pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-4o", input="x", tools=[tool])
    assert words in str(caught.value) and provider in str(caught.value)
    assert not emulator.requests


def test_background_is_a_clear_error(provider: str, emulator: Emulator) -> None:
    with OpenAI(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider),
                max_retries=0) as client, pytest.raises(openai.BadRequestError, match="background"):
        client.responses.create(model="gpt-4o", input="x", background=True)
    assert not emulator.requests


def test_web_search_maps_to_the_chat_search_option(provider: str, emulator: Emulator) -> None:
    """The built-in search tool becomes chat's ``web_search_options`` (the provider's search where the
    chat translation maps it; otherwise the unsupported= policy speaks, never silence)."""
    with OpenAI(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider), max_retries=0,
                unsupported="error") as client:
        try:
            response = client.responses.create(model="gpt-4o", input="news?", tools=[{"type": "web_search"}])
        except openai.BadRequestError as exc:
            assert "web_search_options" in str(exc)
        else:
            assert response.output_text


def test_dashscope_serves_its_listed_models_at_its_own_endpoint(sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> tuple[Any, ...]:
        first = await aw(client.responses.create(model="qwen3-max", input="weather in Paris?", tools=TOOLS,
                                                 instructions="Be brief."))
        call = first.output[-1]
        follow = await aw(client.responses.create(
            model="qwen3-max", tools=TOOLS, previous_response_id=first.id, stream=True,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "21C"}]))
        final = (await events(follow))[-1].response
        onward = await aw(client.responses.create(model="qwen-plus", input="and now?", previous_response_id=final.id))
        return call, final, onward

    call, final, onward = run("dashscope", emulator, sync, scenario)
    native = [r for r in emulator.requests if r.path == "/compatible-mode/v1/responses"]
    assert len(native) == 2 and native[1].json["previous_response_id"] and call.name == "get_weather"
    assert native[0].json["input"][0] == {"role": "system", "content": "Be brief."}
    assert final.output_text == "Tool said: 21C"
    # a model DashScope does not serve there continues the same conversation through chat
    assert onward.output_text == "Echo from qwen-plus: and now?"
    assert "21C" in json.dumps(chat_requests(emulator)[-1].json)


def test_dashscope_translates_what_its_endpoint_would_ignore(emulator: Emulator) -> None:
    with OpenAI(provider="dashscope", api_key=KEYS["dashscope"], base_url=emulator.base_url("dashscope"),
                max_retries=0) as client:
        parsed = client.responses.parse(model="qwen3-max", input="Weather?", text_format=Weather)
    assert parsed.output_parsed is not None and not any("compatible-mode" in r.path for r in emulator.requests)


def test_provider_errors_keep_their_exception_class(provider: str, sync: bool, emulator: Emulator) -> None:
    emulator.fail(provider, 429)

    async def scenario(client: Any) -> Any:
        return await aw(client.responses.create(model="gpt-4o", input="x"))

    with pytest.raises(openai.RateLimitError):
        run(provider, emulator, sync, scenario)


def test_stream_cut_midway_raises(provider: str, sync: bool, emulator: Emulator) -> None:
    emulator.fail(provider, 500, kind="midstream")

    async def scenario(client: Any) -> Any:
        return await events(await aw(client.responses.create(model="gpt-4o", input="a b c d e f", stream=True)))

    with pytest.raises(openai.APIError):
        run(provider, emulator, sync, scenario)


def test_unmodified_code_under_the_shim(provider: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in install_shim(provider, emulator, monkeypatch):
        client = openai.OpenAI()
        first = client.responses.create(model="gpt-4o", input="weather in Oslo?", tools=TOOLS)
        call = first.output[-1]
        with client.responses.stream(model="gpt-4o", previous_response_id=first.id, tools=TOOLS, input=[
                {"type": "function_call_output", "call_id": call.call_id, "output": "snow"}]) as stream:
            final = stream.get_final_response()
        client.close()
    assert call.type == "function_call" and final.output_text == "Tool said: snow"
