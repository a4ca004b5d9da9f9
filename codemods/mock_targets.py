"""Point a project's own test mocks at what the migrated code calls.

    mock.patch("openai.ChatCompletion.create")
      ->  mock.patch("openai.resources.chat.Completions.create")
    patch.object(openai.ChatCompletion, "create", fake)   (monkeypatch.setattr, mocker.patch.object too)
      ->  patch.object(openai.resources.chat.Completions, "create", fake)
    mocker.patch("openai.OpenAI")  ->  mocker.patch("adapters.OpenAI")        (adapter style)

The migrated code calls ``client.chat.completions.create`` on a real ``openai`` client, so the class
method is what a patch must replace (it does on every client, the provider's included). Marks with
TODO(migrate:MOCK): a rewritten patch (the migrated code builds a provider client first, so the test
needs the provider's key variable set, to any value) and a mocked return value still shaped like a
0.x dict (``{"choices": [...]}``: the code now reads attributes; build the openai type instead).
Marks with TODO(migrate:HTTP_MOCK): HTTP-level mocks of ``api.openai.com`` (respx, responses,
requests-mock, pytest-httpx, aioresponses, VCR cassettes, ``httpx.MockTransport``, a patched
``requests.post``), which cannot intercept the provider's native calls. In a file without the SDK
their URLs are left as they are (``_http_mocks``), the TODO saying where the migrated code sends.

Leaves alone: patch targets that are not openai's, and files that mock nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ._http_mocks import mocks_http
from ._literals import string_value, with_value
from ._pass import Rule, Transform
from ._qualnames import dotted

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteMockTargets: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["LEGACY_TARGETS", "TRANSFORM", "RewriteMockTargets"]

#: 0.x resource -> the openai>=1 class whose method the migrated code calls (``create`` on both).
LEGACY_TARGETS = {
    "openai.ChatCompletion": ("openai.resources.chat.Completions", "openai.resources.chat.AsyncCompletions"),
    "openai.Completion": ("openai.resources.Completions", "openai.resources.AsyncCompletions"),
    "openai.Embedding": ("openai.resources.Embeddings", "openai.resources.AsyncEmbeddings"),
}
CLIENT_TARGETS = {"openai.OpenAI": "adapters.OpenAI", "openai.AsyncOpenAI": "adapters.AsyncOpenAI"}
#: Callables that patch by a dotted string (``patch``) or by object and attribute (``patch.object``).
PATCHERS = frozenset({"unittest.mock.patch", "mock.patch"})
OBJECT_PATCHERS = frozenset({"unittest.mock.patch.object", "mock.patch.object"})
#: Fixture names whose methods patch (pytest-mock's ``mocker``, pytest's ``monkeypatch``).
FIXTURE_PATCHERS = {("mocker", "patch"): "string", ("mocker", "patch", "object"): "object",
                    ("monkeypatch", "setattr"): "either"}


def _legacy_method(target: str) -> str | None:
    """``openai.ChatCompletion.create`` -> ``openai.resources.chat.Completions.create`` (``acreate``: async)."""
    resource, _, method = target.rpartition(".")
    classes = LEGACY_TARGETS.get(resource)
    if classes is None or method not in ("create", "acreate"):
        return None
    return f"{classes[method == 'acreate']}.create"


class MockTargetsRule(Rule):
    """Applies to every parsed file: a test that patches ``"openai.ChatCompletion.create"`` by its
    dotted name (or through pytest-mock's ``mocker``) need not import openai."""

    _http: bool | None = None  # whether the module mocks HTTP: found at the first OpenAI URL

    def _kind(self, func: cst.BaseExpression) -> str | None:
        name = self.facts.resolve(func)
        if name in PATCHERS:
            return "string"
        if name in OBJECT_PATCHERS:
            return "object"
        spelled = dotted(func)
        return FIXTURE_PATCHERS.get(tuple(spelled.split("."))) if spelled else None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        kind = self._kind(original_node.func)
        if kind is None or not updated_node.args:
            return updated_node
        first = updated_node.args[0].value
        target = string_value(first) if isinstance(first, cst.SimpleString) else None
        if target is not None and kind in ("string", "either"):
            return self._string_target(original_node, updated_node, target)
        if kind in ("object", "either") and len(updated_node.args) > 1:
            return self._object_target(original_node, updated_node)
        return updated_node

    @staticmethod
    def _keep_calling_convention(args: tuple[cst.Arg, ...], replacement: int) -> tuple[cst.Arg, ...]:
        """0.x's ``create`` was a classmethod, openai>=1's is an instance method: a replacement function
        (``lambda **kw: ...``) set on the class would now be called with ``self``. ``staticmethod(...)``
        keeps the fake's own signature. Mocks (not descriptors) need nothing."""
        index = next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == "new"),
                     replacement if len(args) > replacement and args[replacement].keyword is None else None)
        if index is None:
            return args
        wrapped = cst.Call(cst.Name("staticmethod"), [cst.Arg(args[index].value)])
        return (*args[:index], args[index].with_changes(value=wrapped), *args[index + 1:])

    def _string_target(self, original: cst.Call, updated: cst.Call, target: str) -> cst.Call:
        new = _legacy_method(target)
        if new is None and self.state.options.style == "adapter":
            new = CLIENT_TARGETS.get(target)
        if new is None:
            return updated
        self._mark(original, target, new)
        string = updated.args[0].value
        assert isinstance(string, cst.SimpleString)
        arg = updated.args[0].with_changes(value=with_value(string, new))
        args = (arg, *updated.args[1:])
        if new.endswith(".create"):
            args = self._keep_calling_convention(args, 1)
        return updated.with_changes(args=args)

    def _object_target(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        owner = self.facts.resolve(original.args[0].value)
        attribute = original.args[1].value
        method = string_value(attribute) if isinstance(attribute, cst.SimpleString) else None
        if owner not in LEGACY_TARGETS or method not in ("create", "acreate"):
            return updated
        new = _legacy_method(f"{owner}.{method}")
        assert new is not None
        cls, _, _ = new.rpartition(".")
        self._mark(original, f"{owner}.{method}", new)
        self.state.need_modules.add("openai")
        owner_arg = updated.args[0].with_changes(value=cst.parse_expression(cls))
        assert isinstance(attribute, cst.SimpleString)
        method_arg = updated.args[1].with_changes(value=with_value(attribute, "create"))
        return updated.with_changes(args=self._keep_calling_convention((owner_arg, method_arg, *updated.args[2:]), 2))

    def _mark(self, original: cst.Call, old: str, new: str) -> None:
        self.state.edited()
        self.state.find(original, "mock", f"{old} -> {new}")
        self.state.todo(original, "MOCK", f"this patch now replaces {new} (the call the migrated code makes); "
                        f"the code under test builds a {self.state.provider} client first, so set "
                        f"{self.state.target.key_var} to any value in this test")

    def leave_Dict(self, original_node: cst.Dict, updated_node: cst.Dict) -> cst.Dict:
        """A 0.x-shaped response dict in a file that mocks openai: the code now reads attributes."""
        keys = {string_value(e.key) for e in original_node.elements
                if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)}
        if "choices" in keys and self._mocks_something():
            self.state.todo(original_node, "MOCK", "a mocked reply shaped like an openai 0.x dict: the migrated code "
                            "reads attributes; build it with openai.types.chat.ChatCompletion.model_validate(...)")
        return updated_node

    def leave_SimpleString(self, original_node: cst.SimpleString,
                           updated_node: cst.SimpleString) -> cst.SimpleString:
        if "api.openai.com" not in original_node.value or not self._mocks_http():
            return updated_node
        provider = self.state.provider
        if self.facts.uses_openai:
            self.state.todo(original_node, "HTTP_MOCK", "an HTTP mock of api.openai.com cannot intercept the "
                            f"{provider} calls the migrated code makes: use qianyi's `emulator` "
                            "pytest fixture (or mock at the SDK level)")
            return updated_node
        # No SDK here: the URL is what a mock answers (left as it is: RewriteEnvVars skips it), and
        # where the code under test now sends depends on how it was migrated.
        root = self.state.target.compat_base_url
        self.state.find(original_node, "http_mock", "api.openai.com URL left as it is: a mock's target")
        self.state.todo(original_node, "HTTP_MOCK", "this mock of api.openai.com is left as it is: code under "
                        f"test that sends its own requests now sends them to {root} (point the mock there); "
                        f"code that uses the SDK now calls {provider}'s own API (use qianyi's `emulator` "
                        "pytest fixture, or mock at the SDK level)")
        return updated_node

    def _mocks_something(self) -> bool:
        """Whether a patch of openai was rewritten above in this file (a dict elsewhere is not ours)."""
        return any(kind == "mock" for _, kind, _ in self.state.findings)

    def _mocks_http(self) -> bool:
        if self._http is None:
            self._http = mocks_http(self.state.module, self.facts)
        return self._http


TRANSFORM = Transform(
    "RewriteMockTargets", (MockTargetsRule,),
    "Point test mocks of the openai SDK at what the migrated code calls.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
