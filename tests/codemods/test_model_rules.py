"""The rewrite and ``migrate scan`` resolve model names as the runtime does (the catalogue's family rules)."""

from __future__ import annotations

import pytest

import codemods
from adapters import catalogue
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
