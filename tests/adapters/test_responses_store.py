"""The Responses API beyond ``create``: images on a text model's name, and what OpenAI answers from its
storage (``retrieve``, ``delete``, ``input_items.list``, ``cancel``, ``item_reference`` inputs), served
from the client's own store. Real openai clients over HTTP to the emulator, per provider, sync and
async (one client per scenario, as the store is per client)."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types.responses import Response

from adapters import catalogue
from adapters.emulator import Emulator
from tests.adapters.test_responses import aw, chat_requests, run, streamed

IMAGE = "data:image/png;base64,iVBORw0KGgo="
LOOK = [{"role": "user", "content": [{"type": "input_text", "text": "what is this?"},
                                     {"type": "input_image", "image_url": IMAGE}]}]


def sent_models(emulator: Emulator) -> list[str]:
    return [str(r.json.get("model")) for r in chat_requests(emulator)]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_images_on_a_text_models_name_go_to_its_vision_counterpart(provider: str, sync: bool, stream: bool,
                                                                   emulator: Emulator) -> None:
    """As chat completions do: gpt-4o is a text model on every provider, its images go to the vision one;
    a follow-up whose earlier turn had the image goes there too, a text-only conversation does not."""
    async def scenario(client: Any) -> tuple[Any, Any]:
        if stream:
            _, first = await streamed(client, model="gpt-4o", input=LOOK)
        else:
            first = await aw(client.responses.create(model="gpt-4o", input=LOOK))
        follow = await aw(client.responses.create(model="gpt-4o", input="and its colour?",
                                                  previous_response_id=first.id))
        await aw(client.responses.create(model="gpt-4o", input="just text"))
        return first, follow

    first, follow = run(provider, emulator, sync, scenario)
    vision = catalogue.resolve("gpt-4o", provider, vision=True)
    assert vision != catalogue.resolve("gpt-4o", provider)
    assert sent_models(emulator) == [vision, vision, catalogue.resolve("gpt-4o", provider)]
    assert "what is this?" in first.output_text and first.model == vision
    assert IMAGE.split(",")[1] in json.dumps(chat_requests(emulator)[1].json)


def test_input_items_list_pages_through_the_stored_conversation(provider: str, sync: bool,
                                                                emulator: Emulator) -> None:
    async def scenario(client: Any) -> tuple[Any, ...]:
        first = await aw(client.responses.create(model="gpt-4o", input="first question"))
        second = await aw(client.responses.create(
            model="gpt-4o", previous_response_id=first.id,
            input=[{"role": "user", "content": "second question"},
                   {"role": "user", "content": [{"type": "input_text", "text": "third"}]}]))
        newest = await aw(client.responses.input_items.list(second.id))
        oldest = await aw(client.responses.input_items.list(second.id, order="asc", limit=2))
        following = await aw(client.responses.input_items.list(second.id, order="asc", limit=2,
                                                               after=oldest.data[-1].id))
        walked = []
        pages = client.responses.input_items.list(second.id, order="asc", limit=1)
        if hasattr(pages, "__aiter__"):
            walked = [item async for item in pages]
        else:
            walked = list(pages)
        try:
            await aw(client.responses.input_items.list("resp_unknown"))
        except openai.NotFoundError as exc:
            missing = exc
        return first, second, newest, oldest, following, walked, missing

    first, second, newest, oldest, following, walked, missing = run(provider, emulator, sync, scenario)

    def text(item: Any) -> str:
        return "".join(getattr(part, "text", "") for part in item.content)

    # the model saw: first question, its answer (after its reasoning where the model thinks), then the
    # two new turns; newest first by default
    thought = [item.type for item in first.output] == ["reasoning", "message"]
    answer = [first.output[0].content[0].text, first.output_text] if thought else [first.output_text]
    conversation = ["first question", *answer, "second question", "third"]
    assert [text(i) for i in newest.data] == conversation[::-1]
    assert [getattr(i, "role", "assistant") for i in newest.data][:2] == ["user", "user"]
    assert all(i.id for i in newest.data) and len({i.id for i in newest.data}) == len(conversation)
    assert not newest.has_more
    assert [text(i) for i in oldest.data] == conversation[:2] and oldest.has_more
    assert [text(i) for i in following.data] == conversation[2:4]
    assert [text(i) for i in walked] == conversation
    assert "resp_unknown" in str(missing)
    assert len(chat_requests(emulator)) == 2  # listing never calls the provider


def test_input_items_of_a_function_call_round_trip(provider: str, emulator: Emulator) -> None:
    from tests.adapters.test_responses import TOOLS

    async def scenario(client: Any) -> Any:
        asked = await aw(client.responses.create(model="gpt-4o", input="[tool] weather in Paris?", tools=TOOLS))
        call = next(item for item in asked.output if item.type == "function_call")
        answered = await aw(client.responses.create(
            model="gpt-4o", previous_response_id=asked.id, tools=TOOLS,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}]))
        return call, await aw(client.responses.input_items.list(answered.id, order="asc"))

    call, listed = run(provider, emulator, True, scenario)
    kinds = [item.type for item in listed.data]
    assert kinds[0] == "message" and "function_call" in kinds and kinds[-1] == "function_call_output"
    assert listed.data[-1].call_id == call.call_id and listed.data[-1].output == "sunny"


def test_item_references_resolve_from_the_store(provider: str, sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> tuple[Any, Any, Any]:
        first = await aw(client.responses.create(model="gpt-4o", input="remember the lighthouse"))
        question = (await aw(client.responses.input_items.list(first.id))).data[0]
        answer = next(item for item in first.output if item.type == "message")
        follow = await aw(client.responses.create(model="gpt-4o", input=[
            {"type": "item_reference", "id": question.id}, {"type": "item_reference", "id": answer.id},
            {"role": "user", "content": "what did I ask you to remember?"}]))
        try:
            await aw(client.responses.create(model="gpt-4o", input=[{"type": "item_reference", "id": "msg_nope"}]))
        except openai.NotFoundError as exc:
            return first, follow, exc
        raise AssertionError("an unknown item_reference was sent")

    first, follow, missing = run(provider, emulator, sync, scenario)
    sent = json.dumps(chat_requests(emulator)[-1].json, ensure_ascii=False)
    assert "remember the lighthouse" in sent and first.output_text in sent
    assert "what did I ask you to remember?" in sent and isinstance(follow, Response)
    assert "msg_nope" in str(missing) and len(chat_requests(emulator)) == 2  # refused before any call


def test_images_behind_an_item_reference_go_to_the_vision_model(emulator: Emulator) -> None:
    async def scenario(client: Any) -> None:
        first = await aw(client.responses.create(model="gpt-4o", input=LOOK))
        image_turn = (await aw(client.responses.input_items.list(first.id))).data[0]
        await aw(client.responses.create(model="gpt-4o", input=[{"type": "item_reference", "id": image_turn.id}]))

    run("zhipu", emulator, True, scenario)
    assert sent_models(emulator) == [catalogue.resolve("gpt-4o", "zhipu", vision=True)] * 2


def test_retrieve_delete_and_cancel(provider: str, sync: bool, emulator: Emulator) -> None:
    async def scenario(client: Any) -> dict[str, Any]:
        made = await aw(client.responses.create(model="gpt-4o", input="hello"))
        seen: dict[str, Any] = {"made": made, "retrieved": await aw(client.responses.retrieve(made.id))}
        try:
            await aw(client.responses.cancel(made.id))
        except openai.BadRequestError as exc:
            seen["cancel"] = exc
        try:
            await aw(client.responses.retrieve(made.id, stream=True))
        except openai.BadRequestError as exc:
            seen["retrieve_stream"] = exc
        seen["deleted"] = await aw(client.responses.delete(made.id))
        for name, call in (("after_delete", lambda: client.responses.retrieve(made.id)),
                           ("cancel_unknown", lambda: client.responses.cancel("resp_unknown")),
                           ("delete_unknown", lambda: client.responses.delete(made.id))):
            try:
                await aw(call())
            except openai.NotFoundError as exc:
                seen[name] = exc
        return seen

    seen = run(provider, emulator, sync, scenario)
    assert seen["retrieved"].model_dump() == seen["made"].model_dump()
    assert "background=True" in str(seen["cancel"]) and seen["made"].id in str(seen["cancel"])
    assert "without stream=True" in str(seen["retrieve_stream"])
    assert seen["deleted"] is None  # the SDK's delete returns None
    assert {"after_delete", "cancel_unknown", "delete_unknown"} <= set(seen)
    assert len(chat_requests(emulator)) == 1


def test_bad_list_arguments_are_clear_errors(emulator: Emulator) -> None:
    async def scenario(client: Any) -> list[Exception]:
        made = await aw(client.responses.create(model="gpt-4o", input="hello"))
        errors: list[Exception] = []
        for kwargs in ({"limit": 0}, {"limit": 101}, {"after": "msg_nope"}):
            try:
                await aw(client.responses.input_items.list(made.id, **kwargs))
            except openai.APIStatusError as exc:
                errors.append(exc)
        return errors

    errors = run("dashscope", emulator, True, scenario)
    assert [type(e) for e in errors] == [openai.BadRequestError, openai.BadRequestError, openai.NotFoundError]
    assert "limit" in str(errors[0]) and "msg_nope" in str(errors[2])
