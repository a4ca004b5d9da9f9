"""The emulator's public surface: names, addresses, lifecycle, the pytest fixtures, ``serve_forever``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

import adapters.emulator
from adapters.emulator import Emulator, Reply

from .raw import call


def test_exported_names() -> None:
    assert sorted(adapters.emulator.__all__) == ["Emulator", "RecordedRequest", "Reply", "serve_forever"]
    for name in adapters.emulator.__all__:
        assert getattr(adapters.emulator, name) is not None


def test_addresses(emulator: Emulator) -> None:
    root = emulator.url
    assert root.startswith("http://127.0.0.1:") and emulator.port > 0
    assert [emulator.base_url(p) for p in ("dashscope", "zhipu", "qianfan", "qianfan-v1")] == [
        f"{root}/api/v1", f"{root}/api/paas/v4", f"{root}/v2", root]
    assert [emulator.compat_base_url(p) for p in ("dashscope", "zhipu", "qianfan")] == [
        f"{root}/compatible-mode/v1", f"{root}/api/paas/v4", f"{root}/v2"]
    with pytest.raises(ValueError, match="no OpenAI-compatible endpoint"):
        emulator.compat_base_url("qianfan-v1")
    with pytest.raises(ValueError, match="unknown provider 'openai'"):
        emulator.base_url("openai")


def test_fixture_hands_out_a_cleared_emulator(emulator: Emulator, qianyi_emulator: Emulator) -> None:
    assert emulator is qianyi_emulator and emulator.requests == []


def test_context_manager_starts_and_stops() -> None:
    with Emulator() as emu:
        url = emu.url
        assert call(url, "/v2/chat/completions", {"model": "ernie-lite-8k", "messages": [
            {"role": "user", "content": "hi"}]}).status == 200
        assert "127.0.0.1" in repr(emu)
    assert repr(emu) == "Emulator(stopped)"
    with pytest.raises(OSError):
        call(url, "/v2/chat/completions", {}, timeout=2)
    emu.stop()   # twice is fine


def test_two_emulators_do_not_share_state() -> None:
    with Emulator() as one, Emulator() as two:
        one.script("zhipu", "from one")
        body = {"model": "glm-4.5-flash", "messages": [{"role": "user", "content": "hi"}]}
        assert call(two.url, "/api/paas/v4/chat/completions", body).json()["choices"][0]["message"]["content"] == (
            "Echo from glm-4.5-flash: hi")
        assert len(one.requests) == 0 and len(two.requests) == 1


def test_unknown_path_says_what_is_served(emulator: Emulator) -> None:
    r = call(emulator.url, "/v1/chat/completions", {})
    assert r.status == 404 and "/api/paas/v4" in r.json()["error"]["message"]
    assert emulator.requests == []


def test_recorded_request_keeps_the_key_out_of_its_repr(emulator: Emulator) -> None:
    call(emulator.url, "/v2/chat/completions", {"model": "ernie-lite-8k", "messages": [
        {"role": "user", "content": "hi"}]}, key="sk-secret-value")
    sent = emulator.requests[-1]
    assert sent.headers["authorization"] == "Bearer sk-secret-value"   # tests may read it ...
    assert "sk-secret-value" not in repr(sent)                         # ... reprs never show it
    assert (sent.provider, sent.method, sent.query) == ("qianfan", "POST", {})


def test_scripted_replies_are_used_in_order_then_defaults(emulator: Emulator) -> None:
    emulator.script("qianfan", "first", Reply(text="second", finish_reason="length"))
    body = {"model": "ernie-lite-8k", "messages": [{"role": "user", "content": "hi"}]}
    choices = [call(emulator.url, "/v2/chat/completions", body).json()["choices"][0] for _ in range(3)]
    assert [(c["message"]["content"], c["finish_reason"]) for c in choices] == [
        ("first", "stop"), ("second", "length"), ("Echo from ernie-lite-8k: hi", "stop")]


def test_a_refused_request_does_not_use_up_a_script(emulator: Emulator) -> None:
    emulator.script("qianfan", "kept")
    bad = {"model": "ernie-lite-8k", "messages": [{"role": "assistant", "content": "hi"}]}
    assert call(emulator.url, "/v2/chat/completions", bad).status == 400
    good = {"model": "ernie-lite-8k", "messages": [{"role": "user", "content": "hi"}]}
    assert call(emulator.url, "/v2/chat/completions", good).json()["choices"][0]["message"]["content"] == "kept"


def test_serve_forever_announces_its_url_and_stops_on_interrupt() -> None:
    code = ("from adapters.emulator import serve_forever\n"
            "serve_forever(ready=lambda url: print(url, flush=True))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(url + "/api/paas/v4/chat/completions", method="POST", headers={
            "Authorization": "Bearer id.secret", "Content-Type": "application/json"},
            data=json.dumps({"model": "glm-4.5-flash", "messages": [{"role": "user", "content": "hi"}]}).encode())
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert json.load(reply)["choices"][0]["message"]["content"] == "Echo from glm-4.5-flash: hi"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    code = ("import sys, adapters.emulator.pytest_plugin\n"
            "heavy = {'openai', 'httpx', 'dashscope', 'zhipuai', 'qianfan', 'http.server', 'libcst'}\n"
            "print(sorted(heavy & set(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_tests_cannot_reach_other_hosts() -> None:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # past the proxy variables too
    with pytest.raises(OSError, match="only"):
        direct.open("http://example.com/", timeout=2)
    with pytest.raises((OSError, urllib.error.URLError)):
        direct.open("http://10.255.255.1/", timeout=2)
    with pytest.raises((OSError, urllib.error.URLError)):
        urllib.request.urlopen("http://example.com/", timeout=2)  # sent to the closed loopback proxy


def test_a_process_a_test_starts_sends_http_to_a_closed_loopback_port_instead() -> None:
    code = (
        "import openai\n"
        "client = openai.OpenAI(api_key='k', base_url='https://dashscope.aliyuncs.com/compatible-mode/v1',\n"
        "                       max_retries=0, timeout=5)\n"
        "try:\n"
        "    client.models.list()\n"
        "except openai.APIConnectionError as exc:\n"
        "    print(repr(exc.__cause__))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "Connection refused" in done.stdout, done.stdout + done.stderr
