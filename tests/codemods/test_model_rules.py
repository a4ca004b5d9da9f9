"""The rewrite and ``migrate scan`` resolve model names as the runtime does (the catalogue's family rules)."""

from __future__ import annotations

import pytest

import codemods
from adapters import catalogue, registry
from codemods._target import thinking_off_of
from codemods.sites import analyse
from migrate.scan import judge

NAMES = ("openai/gpt-4o", "gpt-35-turbo", "gpt-4-1106-preview", "gpt-5.2-pro", "chatgpt-4o-latest", "o1-preview",
         "gpt-4o-2024-08-06", "text-davinci-003", "GPT-4o-mini")
SOURCE = 'from openai import OpenAI\n\nclient = OpenAI()\nclient.chat.completions.create(model="{}", messages=[])\n'


@pytest.mark.parametrize("provider", ["dashscope", "qianfan", "zhipu"])
@pytest.mark.parametrize("name", NAMES)
def test_rewrite_and_scan_map_a_name_as_the_runtime_does(name: str, provider: str) -> None:
    target = catalogue.map_model(name, provider)
    assert target != name
    out = codemods.rewrite_source(SOURCE.format(name), provider=provider).code
    assert f'model="{target}"' in out and name not in out
    [site] = [s for s in analyse(SOURCE.format(name)) if s.category == "model"]
    [reason] = judge(site, provider).reasons
    assert reason.how == "mapped" and repr(target) in reason.detail


def test_an_openai_looking_name_without_a_counterpart_is_marked_and_scanned_as_refused() -> None:
    source = SOURCE.format("gpt-7-ultra")
    out = codemods.rewrite_source(source, provider="zhipu").code
    assert "TODO(migrate:UNKNOWN_MODEL)" in out and 'model="gpt-7-ultra"' in out
    [site] = [s for s in analyse(source) if s.category == "model"]
    [reason] = judge(site, "zhipu").reasons
    assert reason.status == "unsupported" and "refuses it before any call" in reason.detail
    assert "--model-map" in reason.detail


def test_a_deployment_name_is_left_with_a_note_not_refused() -> None:
    source = SOURCE.format("my-gpt4-deployment")
    [site] = [s for s in analyse(source) if s.category == "model"]
    [reason] = judge(site, "zhipu").reasons
    assert reason.status == "caveat" and "sent unchanged" in reason.detail


@pytest.mark.parametrize("provider", ["dashscope", "qianfan", "zhipu"])
@pytest.mark.parametrize("name", [n for n, info in catalogue.openai_models().items() if info.get("kind") == "chat"])
def test_a_renamed_chat_model_thinks_as_its_openai_model_did(name: str, provider: str) -> None:
    """Every chat name of the catalogue: the rewrite adds the switch exactly where the runtime would
    have turned thinking off (a model that did not reason, a counterpart that thinks by default)."""
    target = catalogue.map_model(name, provider)
    off = thinking_off_of(registry.get(provider))(target)
    expected = off is not None and not catalogue.openai_models()[name].get("reasoning")
    rewrite = codemods.rewrite_source(SOURCE.format(name), provider=provider)
    assert ("extra_body=" in rewrite.code) is expected
    assert [f.detail for f in rewrite.findings if f.kind == "thinking"] == \
        ([f'extra_body {{"thinking": {{"type": "disabled"}}}} added: {target} thinks by default, {name} did not']
         if expected else [])
    [site] = [s for s in analyse(SOURCE.format(name)) if s.category == "model"]
    [reason] = judge(site, provider).reasons
    assert ("with thinking off" in reason.detail) is expected


def test_a_name_left_for_the_runtime_says_why() -> None:
    source = ('import os\nfrom openai import OpenAI\n\nclient = OpenAI()\n'
              'client.chat.completions.create(model=os.getenv("M", "gpt-4o"), messages=[])\n')
    rewrite = codemods.rewrite_source(source, provider="zhipu")
    assert '"gpt-4o"' in rewrite.code and "extra_body" not in rewrite.code and not rewrite.todos
    [finding] = [f for f in rewrite.findings if f.kind == "model"]
    assert finding.detail.startswith("gpt-4o left for the runtime, which maps it to glm-4.6 with thinking off")
    assert "its model may be another at run time" in finding.detail


@pytest.mark.parametrize(("call", "noted"), [("model=os.environ['CHAT_MODEL']", True),
                                             ("model=os.environ['CHAT_MODEL'], reasoning_effort='low'", False),
                                             ("model='gpt-4o'", False)])
def test_scan_says_what_decides_thinking_for_a_model_chosen_at_run_time(call: str, noted: bool) -> None:
    source = f"import os\nfrom openai import OpenAI\n\nclient = OpenAI()\nclient.chat.completions.create({call}, messages=[])\n"
    [site] = [s for s in analyse(source) if s.category == "chat"]
    notes = [r.detail for r in judge(site, "zhipu").reasons if r.detail.startswith("chosen at run time")]
    assert bool(notes) is noted
    assert not [r for r in judge(site, "dashscope").reasons if r.detail.startswith("chosen at run time")]
    if noted:
        assert 'extra_body={"thinking": {"type": "disabled"}}' in notes[0] and "(glm-4.6)" in notes[0]
