"""Provider extras over real HTTP: ``extra_body``, headers both ways, reasoning, search sources, logprobs.

Real openai clients (sync and async) -> provider transport -> the emulator on 127.0.0.1, which
answers with the reference samples' shapes. Each test checks what reached the provider (the
recorded native request) and what reached the user (the openai SDK's own objects).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest

from adapters import AsyncOpenAI, OpenAI
from adapters.capabilities import UnsupportedParameterWarning
from adapters.emulator import Emulator, RecordedRequest
from adapters.extras import ExtraBodyWarning
from tests.adapters.scenarios import KEYS

USER = [{"role": "user", "content": "What changed in the port schedule this week?"}]


@pytest.fixture(params=[True, False], ids=["sync", "async"])
def sync(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


class Run:
    """One call in the sync or async client; streams are collected into a list of chunks."""

    def __init__(self, emulator: Emulator, provider: str, sync: bool, **options: Any) -> None:
        self.kwargs = dict(provider=provider, api_key=KEYS[provider], base_url=emulator.base_url(provider),
                           max_retries=0, **options)
        self.sync, self.emulator, self.provider = sync, emulator, provider

    def __call__(self, fn: Callable[[Any], Any]) -> Any:
        if self.sync:
            with OpenAI(**self.kwargs) as client:
                value = fn(client)
                return list(value) if isinstance(value, openai.Stream) else value

        async def run() -> Any:
            async with AsyncOpenAI(**self.kwargs) as client:
                value = await fn(client)
                if isinstance(value, openai.AsyncStream):
                    return [item async for item in value]
                return value

        return asyncio.run(run())

    def chat(self, **params: Any) -> Any:
        params.setdefault("messages", USER)
        return self(lambda c: c.chat.completions.create(**params))

    def sent(self) -> list[RecordedRequest]:
        return [r for r in self.emulator.requests if r.endpoint == "chat"]

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.sent()[-1].json
        return body


@pytest.fixture
def quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# -- 1. extra_body ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_dashscope_extras_go_inside_parameters_and_sources_come_back(emulator: Emulator, sync: bool,
                                                                     stream: bool) -> None:
    run = Run(emulator, "dashscope", sync, unsupported="error")
    search = {"forced_search": True, "search_strategy": "turbo", "enable_source": True}
    reply = run.chat(model="qwen-plus", stream=stream,
                     extra_body={"enable_search": True, "search_options": search, "top_k": 20,
                                 "repetition_penalty": 1.05, "my_new_field": "x"})
    params = run.body()["parameters"]
    assert params["enable_search"] is True and params["search_options"] == search
    assert (params["top_k"], params["repetition_penalty"], params["my_new_field"]) == (20, 1.05, "x")
    assert set(run.body()) == {"model", "input", "parameters"}
    found = [c.search_info for c in reply if getattr(c, "search_info", None)] if stream else [reply.search_info]
    assert found == [{"search_results": [{"index": 1, "title": "Port schedule update",
                                          "url": "https://news.example.com/port-schedule",
                                          "site_name": "Example News",
                                          "icon": "https://news.example.com/favicon.ico"}]}]


def test_other_providers_names_are_translated_for_dashscope(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "dashscope", sync)
    run.chat(model="qwen-plus", extra_body={"web_search": {"enable": True, "search_mode": "required"},
                                            "penalty_score": 1.2, "do_sample": False})
    params = run.body()["parameters"]
    assert params["enable_search"] is True and params["search_options"] == {"forced_search": True}
    assert (params["repetition_penalty"], params["top_k"]) == (1.2, 1)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_zhipu_takes_a_dashscope_search_request_as_its_web_search_tool(emulator: Emulator, sync: bool,
                                                                       stream: bool) -> None:
    run = Run(emulator, "zhipu", sync)
    reply = run.chat(model="glm-4.6", stream=stream, extra_body={"enable_search": True, "do_sample": False,
                                                                  "search_options": {"enable_source": True}})
    body = run.body()
    assert body["tools"] == [{"type": "web_search", "web_search": {"enable": True, "search_result": True}}]
    assert body["do_sample"] is False
    found = [c.web_search for c in reply if getattr(c, "web_search", None)] if stream else [reply.web_search]
    assert [item["link"] for item in found[0]] == ["https://news.example.com/port-schedule"] and len(found) == 1


def test_zhipu_keeps_function_tools_beside_the_search_tool(emulator: Emulator, sync: bool) -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}
    run = Run(emulator, "zhipu", sync)
    reply = run.chat(model="glm-4.6", tools=[tool], extra_body={"web_search": {"enable": True}})
    assert [t["type"] for t in run.body()["tools"]] == ["function", "web_search"]
    assert reply.choices[0].message.tool_calls[0].function.name == "lookup"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_qianfan_extras_at_the_top_level_and_its_search_results(emulator: Emulator, sync: bool, stream: bool) -> None:
    run = Run(emulator, "qianfan", sync)
    web_search = {"enable": True, "enable_citation": True, "search_mode": "auto", "search_number": 5}
    reply = run.chat(model="ernie-4.5-turbo-128k", stream=stream,
                     extra_body={"web_search": web_search, "penalty_score": 1.2})
    assert run.body()["web_search"] == web_search and run.body()["penalty_score"] == 1.2
    found = [c.search_results for c in reply if getattr(c, "search_results", None)] if stream \
        else [reply.search_results]
    assert found == [[{"index": 1, "url": "https://news.example.com/port-schedule", "title": "Port schedule update"}]]
    if not stream:  # the search's own prompt tokens are counted apart, as Qianfan counts them
        assert reply.usage.prompt_tokens_details.search_tokens == 1100 < reply.usage.prompt_tokens


def test_qianfan_translates_dashscope_spellings(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "qianfan", sync)
    run.chat(model="ernie-4.5-turbo-128k", extra_body={"enable_search": True, "repetition_penalty": 3.0,
                                                       "search_options": {"forced_search": True}})
    assert run.body()["web_search"] == {"enable": True, "search_mode": "required"}
    assert run.body()["penalty_score"] == 2.0


def test_extras_are_not_subject_to_the_parameter_policy(emulator: Emulator, sync: bool, quiet: None) -> None:
    for provider, model in (("dashscope", "qwen-plus"), ("zhipu", "glm-4.6"), ("qianfan", "ernie-4.5-turbo-128k")):
        run = Run(emulator, provider, sync, unsupported="error")
        assert run.chat(model=model, extra_body={"top_k": 5}).choices[0].message.content


def test_an_extra_the_adapter_owns_is_left_out_with_a_warning(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "dashscope", sync)
    with pytest.warns(ExtraBodyWarning, match="'result_format' was not sent to dashscope"):
        reply = run.chat(model="qwen-plus", extra_body={"result_format": "text"})
    assert run.body()["parameters"]["result_format"] == "message"
    assert reply.choices[0].message.content.startswith("Echo from qwen-plus")


def test_the_policy_still_applies_to_openai_parameters(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "dashscope", sync, unsupported="error")
    with pytest.raises(openai.BadRequestError, match="frequency_penalty"):
        run.chat(model="qwen-plus", frequency_penalty=0.5, extra_body={"top_k": 5})
    assert run.sent() == []


# -- 2. headers ------------------------------------------------------------------------------------


def test_user_headers_reach_the_provider_and_openai_ones_do_not(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "dashscope", sync, default_headers={"X-Trace-Id": "trace-1", "OpenAI-Project": "proj_x"})
    run(lambda c: c.chat.completions.create(model="qwen-plus", messages=USER, extra_headers={
        "X-DashScope-DataInspection": '{"input":"cip","output":"cip"}', "OpenAI-Organization": "org-x",
        "Api-Key": "leak", "Ocp-Apim-Subscription-Key": "leak", "OpenAI-Beta": "assistants=v2"}))
    headers = run.sent()[-1].headers
    assert headers["x-dashscope-datainspection"] == '{"input":"cip","output":"cip"}'
    assert headers["x-trace-id"] == "trace-1"
    assert headers["authorization"] == f"Bearer {KEYS['dashscope']}"
    assert not {"openai-organization", "openai-project", "openai-beta", "api-key", "ocp-apim-subscription-key"} \
        & set(headers)
    assert not [name for name in headers if name.startswith("x-stainless")]
    assert headers["user-agent"].startswith("qianyi/")


def test_an_authorization_header_given_per_request_is_the_app_s_key(emulator: Emulator, sync: bool) -> None:
    """``extra_headers={"Authorization": ...}`` replaces openai's own, as ``with_options(api_key=...)`` does:
    a provider key is sent (DESIGN.md, "Keys"), an OpenAI key is refused before anything is sent."""
    run = Run(emulator, "dashscope", sync)
    run(lambda c: c.chat.completions.create(model="qwen-plus", messages=USER,
                                            extra_headers={"Authorization": "Bearer sk-dashscope-per-request-0003"}))
    assert [r.headers["authorization"] for r in run.sent()] == ["Bearer sk-dashscope-per-request-0003"]
    with pytest.raises(openai.AuthenticationError, match="OpenAI project key"):
        run(lambda c: c.chat.completions.create(model="qwen-plus", messages=USER,
                                                extra_headers={"Authorization": "Bearer sk-proj-notmine"}))
    assert len(run.sent()) == 1


def test_a_provider_client_does_not_build_the_sdks_platform_headers(emulator: Emulator, sync: bool) -> None:
    """No provider is sent openai's X-Stainless platform headers, so its client leaves them out of the
    SDK's requests (a user's default headers stay, and survive with_options)."""
    run = Run(emulator, "zhipu", sync, default_headers={"X-Trace-Id": "trace-2"})
    raw = run(lambda c: c.with_options(timeout=30).chat.completions.with_raw_response.create(
        model="glm-4.6", messages=USER))
    built = {name.lower() for name in raw.http_request.headers}
    assert "x-trace-id" in built and "x-stainless-retry-count" in built  # (a per-request one, as openai adds it)
    assert not {"x-stainless-lang", "x-stainless-os", "x-stainless-arch", "x-stainless-runtime",
                "x-stainless-runtime-version", "x-stainless-package-version", "x-stainless-async"} & built
    assert raw.parse().choices[0].message.content
    assert run.sent()[-1].headers["x-trace-id"] == "trace-2"
    plain = openai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    assert "X-Stainless-Lang" in plain.default_headers  # (what the openai SDK builds by itself)


@pytest.mark.parametrize(("provider", "option", "header"), [("dashscope", "workspace", "x-dashscope-workspace"),
                                                            ("qianfan", "appid", "appid")])
def test_workspace_and_appid_client_options(emulator: Emulator, sync: bool, provider: str, option: str,
                                            header: str) -> None:
    run = Run(emulator, provider, sync, **{option: "ws-or-app-7"})
    model, embedder = {"dashscope": ("qwen-plus", "text-embedding-v4"),
                       "qianfan": ("ernie-4.5-turbo-128k", "embedding-v1")}[provider]
    run.chat(model=model, stream=True)
    run(lambda c: c.embeddings.create(model=embedder, input=["a"]))
    assert [r.headers.get(header) for r in emulator.requests] == ["ws-or-app-7", "ws-or-app-7"]


def test_a_header_option_the_provider_has_not_is_refused() -> None:
    with pytest.raises(openai.OpenAIError, match="workspace= is not a zhipu option"):
        OpenAI(provider="zhipu", api_key=KEYS["zhipu"], workspace="ws-1")
    with pytest.raises(openai.OpenAIError, match="appid= is not a dashscope option; dashscope takes workspace="):
        OpenAI(provider="dashscope", api_key=KEYS["dashscope"], appid="app-1")


def test_the_workspace_variable_is_read_like_the_dashscope_sdk(emulator: Emulator,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_WORKSPACE", "ws-env")
    Run(emulator, "dashscope", True).chat(model="qwen-plus")
    assert emulator.requests[-1].headers["x-dashscope-workspace"] == "ws-env"


RATE_LIMITS = {"x-ratelimit-limit-requests": "300", "x-ratelimit-remaining-requests": "299",
               "x-ratelimit-limit-input-tokens": "300000", "x-ratelimit-remaining-input-tokens": "299980",
               "x-ratelimit-limit-output-tokens": "100000", "x-ratelimit-remaining-output-tokens": "99990"}


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_qianfan_rate_limit_headers_reach_with_raw_response(emulator: Emulator, sync: bool, stream: bool) -> None:
    run = Run(emulator, "qianfan", sync)

    def call(client: Any) -> Any:
        return client.chat.completions.with_raw_response.create(model="ernie-4.5-turbo-128k", messages=USER,
                                                                stream=stream)

    raw = run(call)
    assert {k: raw.headers.get(k) for k in RATE_LIMITS} == RATE_LIMITS
    assert raw.headers["content-type"].startswith("text/event-stream" if stream else "application/json")


def test_dashscope_request_id_header_is_kept(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "dashscope", sync)
    raw = run(lambda c: c.chat.completions.with_raw_response.create(model="qwen-plus", messages=USER))
    assert raw.headers["x-request-id"] == raw.parse().id.removeprefix("chatcmpl-")


def test_provider_headers_are_kept_on_errors_too(emulator: Emulator, sync: bool) -> None:
    emulator.fail("dashscope", 429, retry_after=3)
    with pytest.raises(openai.RateLimitError) as caught:
        Run(emulator, "dashscope", sync).chat(model="qwen-plus")
    assert caught.value.response.headers["x-request-id"] and caught.value.response.headers["retry-after"] == "3"


# -- 3. reasoning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("effort", "thinking", "budget"), [("high", True, 32768), ("low", True, 2048),
                                                            ("none", False, None), ("minimal", False, None)])
def test_reasoning_effort_on_a_dashscope_hybrid_model(emulator: Emulator, sync: bool, effort: str, thinking: bool,
                                                      budget: int | None) -> None:
    run = Run(emulator, "dashscope", sync)
    reply = run.chat(model="qwen-plus", reasoning_effort=effort)
    params = run.body()["parameters"]
    assert params["enable_thinking"] is thinking and params.get("thinking_budget") == budget
    # Thinking is stream-only: a non-stream call that thinks was streamed and joined.
    assert (run.sent()[-1].headers.get("x-dashscope-sse") == "enable") is thinking
    assert bool(getattr(reply.choices[0].message, "reasoning_content", None)) is thinking
    assert reply.choices[0].message.content.startswith("Echo from qwen-plus")


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("model", "sent"), [("gpt-4o", {"type": "disabled"}), ("gpt-4o-mini", {"type": "disabled"}),
                                             ("glm-4.6", None), ("o3", None)])
def test_zhipu_thinks_only_where_the_openai_model_did(emulator: Emulator, sync: bool, stream: bool, model: str,
                                                     sent: dict[str, str] | None) -> None:
    """gpt-4o mapped to a GLM that thinks by default is told not to (no reasoning tokens or deltas the app
    never had); a GLM named by the user, or a reasoning OpenAI model, keeps the provider's default."""
    run = Run(emulator, "zhipu", sync)
    reply = run.chat(model=model, stream=stream)
    assert run.body().get("thinking") == sent
    reasoning = [getattr(chunk.choices[0].delta, "reasoning_content", None) for chunk in reply if chunk.choices] \
        if stream else [getattr(reply.choices[0].message, "reasoning_content", None)]
    assert any(reasoning) is (sent is None)
    if stream:  # what a streaming app prints: every content delta is text, never None, when nothing thinks
        contents = [chunk.choices[0].delta.content for chunk in reply if chunk.choices]
        assert sent is None or None not in contents[:-1]


def test_extra_body_thinking_wins_over_the_kept_behaviour(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "zhipu", sync)
    reply = run.chat(model="gpt-4o", extra_body={"thinking": {"type": "enabled"}})
    assert run.body()["thinking"] == {"type": "enabled"} and reply.choices[0].message.reasoning_content


@pytest.mark.parametrize(("model", "thinks"), [("gpt-4o", False), ("o3", True), ("qwen3-32b", True)])
def test_dashscope_qwen3_thinks_only_where_the_openai_model_did(emulator: Emulator, sync: bool, model: str,
                                                               thinks: bool) -> None:
    """An open-weight Qwen3 thinks by default: gpt-4o mapped onto one (model_map) is told not to, as on
    Zhipu; a reasoning OpenAI name or the Qwen3 named by the user keeps the model's default."""
    run = Run(emulator, "dashscope", sync, model_map={"gpt-4o": "qwen3-32b", "o3": "qwen3-32b"})
    chunks = run.chat(model=model, stream=True)
    assert run.body()["model"] == "qwen3-32b"
    assert run.body()["parameters"].get("enable_thinking") is (None if thinks else False)
    assert any(getattr(c.choices[0].delta, "reasoning_content", None) for c in chunks if c.choices) is thinks


@pytest.mark.parametrize("model", ["qwen3-32b", "qwen3-30b-a3b", "qwq-32b", "qwen3-235b-a22b-thinking-2507"])
def test_dashscope_models_outside_the_catalogue_follow_their_family(emulator: Emulator, sync: bool, model: str,
                                                                    quiet: None) -> None:
    run = Run(emulator, "dashscope", sync)
    reply = run.chat(model=model)
    assert reply.choices[0].message.content == f"Echo from {model}: {USER[0]['content']}"
    hybrid = model.startswith("qwen3-3")
    assert run.body()["parameters"].get("enable_thinking") is (False if hybrid else None)
    assert bool(getattr(reply.choices[0].message, "reasoning_content", None)) is not hybrid


def test_reasoning_effort_on_a_model_that_cannot_think_goes_through_the_policy(emulator: Emulator,
                                                                               sync: bool) -> None:
    with pytest.raises(openai.BadRequestError, match="qwen-max' does not think"):
        Run(emulator, "dashscope", sync, unsupported="error").chat(model="qwen-max", reasoning_effort="high")
    with pytest.warns(UnsupportedParameterWarning, match="ernie-4.5-turbo-128k' does not think"):
        Run(emulator, "qianfan", sync).chat(model="ernie-4.5-turbo-128k", reasoning_effort="high")


@pytest.mark.parametrize(("effort", "expected"), [("xhigh", {"reasoning_effort": "high"}),
                                                  ("medium", {"reasoning_effort": "medium"}),
                                                  ("none", {"enable_thinking": False})])
def test_reasoning_effort_on_qianfan(emulator: Emulator, sync: bool, effort: str, expected: dict[str, Any]) -> None:
    run = Run(emulator, "qianfan", sync)
    reply = run.chat(model="ernie-x1-turbo-32k", reasoning_effort=effort)
    assert {k: run.body().get(k) for k in ("reasoning_effort", "enable_thinking") if k in run.body()} == expected
    assert bool(getattr(reply.choices[0].message, "reasoning_content", None)) is (effort != "none")


@pytest.mark.parametrize(("provider", "model", "extra"), [
    ("dashscope", "qwen-plus", {"enable_thinking": True}),
    ("dashscope", "qwen-plus", {"thinking": {"type": "enabled"}}),
    ("zhipu", "glm-4.6", {"enable_thinking": True}),
    ("qianfan", "ernie-x1-turbo-32k", {"thinking": {"type": "enabled"}}),
])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_reasoning_content_reaches_the_user_on_every_provider(emulator: Emulator, sync: bool, provider: str,
                                                              model: str, extra: dict[str, Any],
                                                              stream: bool) -> None:
    run = Run(emulator, provider, sync)
    reply = run.chat(model=model, stream=stream, extra_body=extra)
    if stream:
        reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in reply if c.choices)
        content = "".join(c.choices[0].delta.content or "" for c in reply if c.choices)
    else:
        reasoning, content = reply.choices[0].message.reasoning_content, reply.choices[0].message.content
    assert reasoning == f"The user wrote: {USER[0]['content']}"
    assert content == f"Echo from {model}: {USER[0]['content']}"


def test_zhipu_thinking_is_translated_from_dashscope_spelling(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "zhipu", sync)
    reply = run.chat(model="glm-4.6", extra_body={"enable_thinking": False})
    assert run.body()["thinking"] == {"type": "disabled"}
    assert getattr(reply.choices[0].message, "reasoning_content", None) is None


# -- 4. logprobs, top_p, native n and json_schema, regions ----------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_dashscope_logprobs_are_returned(emulator: Emulator, sync: bool, stream: bool) -> None:
    run = Run(emulator, "dashscope", sync)
    reply = run.chat(model="qwen-plus", logprobs=True, top_logprobs=2, stream=stream)
    assert (run.body()["parameters"]["logprobs"], run.body()["parameters"]["top_logprobs"]) == (True, 2)
    if stream:
        tokens = [t for c in reply if c.choices and c.choices[0].logprobs for t in c.choices[0].logprobs.content]
    else:
        tokens = reply.choices[0].logprobs.content
    text = f"Echo from qwen-plus: {USER[0]['content']}"
    assert "".join(t.token for t in tokens) == text
    assert all(len(t.top_logprobs) == 2 and t.logprob < 0 and bytes(t.bytes).decode() == t.token for t in tokens)


def test_top_p_one_is_kept_just_under_one_for_older_dashscope_models(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "dashscope", sync)
    assert run.chat(model="qwen-max", top_p=1.0).choices[0].message.content
    assert run.body()["parameters"]["top_p"] == 0.999999


def test_qianfan_regions_are_checked() -> None:
    with OpenAI(provider="qianfan", api_key=KEYS["qianfan"], region="cn-beijing") as client:
        assert str(client.base_url).rstrip("/") == "https://qianfan.baidubce.com/v2"
    with pytest.raises(openai.OpenAIError, match="Unknown region 'mars'; known regions: bj, cn-beijing"):
        OpenAI(provider="qianfan", api_key=KEYS["qianfan"], region="mars")
    with pytest.raises(openai.OpenAIError, match="Unknown region 'intl'"):
        OpenAI(provider="qianfan", api_version="v1", api_key="ak", secret_key="sk", region="intl")


def test_native_n_where_the_catalogue_says_the_model_serves_it(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "dashscope", sync)
    reply = run.chat(model="qwen-plus", n=3)
    assert [r.json["parameters"].get("n") for r in run.sent()] == [3]
    assert [c.index for c in reply.choices] == [0, 1, 2] and reply.usage.prompt_tokens > 0
    emulator.clear()
    reply = run.chat(model="qwen-turbo", n=3)  # not served natively: one call per choice
    assert [r.json["parameters"].get("n") for r in run.sent()] == [None, None, None]
    assert len(reply.choices) == 3


def test_native_json_schema_where_the_catalogue_says_so(emulator: Emulator, sync: bool) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
              "additionalProperties": False}
    response_format = {"type": "json_schema", "json_schema": {"name": "place", "schema": schema, "strict": True}}
    run = Run(emulator, "dashscope", sync)
    for model, native in (("qwen-plus", True), ("qwen-turbo", False)):
        reply = run.chat(model=model, response_format=response_format)
        sent = run.body()["parameters"]["response_format"]
        assert sent == (response_format if native else {"type": "json_object"})
        assert reply.choices[0].message.content == '{"city": "x"}'
        assert len(run.sent()[-1].json["input"]["messages"]) == (1 if native else 2)  # no schema prompt when native


def test_header_values_pass_as_they_came_whatever_their_encoding() -> None:
    from adapters._http import http
    from adapters.headers import forwarded, kept

    provider_reply = [(b"X-Note", "你好".encode()), (b"Content-Length", b"3"), (b"Set-Cookie", b"a=b")]
    assert kept(provider_reply) == {"x-note": "你好".encode()}
    response = http.Response(200, headers=kept(provider_reply), content=b"{}")  # no encoding error
    assert response.headers.raw[0] == (b"x-note", "你好".encode())
    assert forwarded([(b"X-Trace", b"\xe4"), (b"OPENAI-PROJECT", b"p"), (b"x-stainless-os", b"Linux")]) \
        == {"X-Trace": b"\xe4"}


# -- 5. extras on a Responses call (translated onto chat) ------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_responses_extras_reach_the_provider_as_on_a_chat_call(emulator: Emulator, sync: bool, stream: bool) -> None:
    cases = (("dashscope", "qwen-plus", {"enable_search": True, "top_k": 20}),
             ("zhipu", "glm-4.6", {"do_sample": False, "my_new_field": "x"}),
             ("qianfan", "ernie-4.5-turbo-128k", {"penalty_score": 1.2}))
    for provider, model, extra in cases:
        run = Run(emulator, provider, sync, unsupported="error")
        reply = run(lambda c, model=model, extra=extra: c.responses.create(
            model=model, input="Port schedule?", stream=stream, extra_body=extra))
        body = run.body()
        sent = body["parameters"] if provider == "dashscope" else body
        assert {name: sent.get(name) for name in extra} == extra, provider
        text = "".join(e.delta for e in reply if e.type == "response.output_text.delta") if stream \
            else reply.output_text
        assert text.startswith(f"Echo from {model}")


def test_a_responses_extra_the_provider_cannot_take_is_named(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "dashscope", sync)
    with pytest.warns(ExtraBodyWarning, match="'result_format' was not sent to dashscope"):
        reply = run(lambda c: c.responses.create(model="qwen-plus", input="Port schedule?",
                                                 extra_body={"result_format": "text"}))
    assert run.body()["parameters"]["result_format"] == "message" and reply.output_text


def test_an_extra_never_replaces_what_the_translation_sends(emulator: Emulator, sync: bool) -> None:
    run = Run(emulator, "zhipu", sync)
    run(lambda c: c.responses.create(model="glm-4.6", input="Port schedule?", extra_body={"messages": []}))
    assert run.body()["messages"] == [{"role": "user", "content": "Port schedule?"}]
