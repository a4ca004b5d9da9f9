"""Whether a module mocks HTTP (a test): the OpenAI URLs in it are what its mocks answer, not requests.

    respx.post("https://api.openai.com/v1/chat/completions").mock(...)        respx, responses,
    httpx_mock.add_response(url=URL)   requests_mock.post(URL)                requests-mock, pytest-httpx,
    httpx.MockTransport(handler)       mock.patch("app.requests.post")        aioresponses, VCR...

Such URLs are left as they are (``RewriteEnvVars`` moves OpenAI's URLs in files that send their own
requests) and marked HTTP_MOCK (``RewriteMockTargets``): the mock's target depends on what the code
under test became, which this file does not say.
"""

from __future__ import annotations

import libcst as cst

from ._facts import Facts
from ._literals import string_value
from ._qualnames import dotted
from ._walk import Visitor

__all__ = ["HTTP_MOCKERS", "mocks_http"]

#: Libraries whose import makes a module an HTTP-mocking test.
HTTP_MOCKERS = frozenset({"respx", "responses", "requests_mock", "aioresponses", "vcr", "pytest_recording",
                          "httpretty", "pook", "pytest_httpx"})
#: pytest fixtures of those libraries, used without an import.
_FIXTURES = frozenset({"httpx_mock", "requests_mock", "respx_mock", "aioresponses"})
_PATCHERS = frozenset({"unittest.mock.patch", "mock.patch", "unittest.mock.patch.object", "mock.patch.object"})
_FIXTURE_PATCHERS = frozenset({"mocker.patch", "mocker.patch.object", "monkeypatch.setattr"})
#: A patch target naming one of these sends no request: the test answers it.
_HTTP_NAMES = frozenset({"requests", "httpx", "aiohttp", "urllib3", "urlopen", "urllib", "Session", "AsyncClient"})


class _Finder(Visitor):
    def __init__(self, facts: Facts) -> None:
        self.facts, self.found = facts, False

    def visit_Call(self, node: cst.Call) -> bool:
        name = self.facts.resolve(node.func)
        spelled = dotted(node.func) or ""
        if name == "httpx.MockTransport" or spelled.partition(".")[0] in _FIXTURES:
            self.found = True
        elif (name in _PATCHERS or spelled in _FIXTURE_PATCHERS) and node.args:
            first = node.args[0].value
            target = string_value(first) if isinstance(first, cst.SimpleString) else dotted(first)
            self.found = self.found or bool(target and _HTTP_NAMES & set(target.split(".")))
        return not self.found


def mocks_http(module: cst.Module, facts: Facts) -> bool:
    """Whether ``module`` mocks HTTP: imports a mocking library, uses one's pytest fixture, builds an
    ``httpx.MockTransport``, or patches an HTTP library (``mock.patch("app.requests.post")``)."""
    if facts.imports.imports_module(*HTTP_MOCKERS):
        return True
    finder = _Finder(facts)
    finder.visit(module)
    return finder.found
