"""Every place a module uses the OpenAI SDK, read without changing anything (``migrate scan``).

    sites = analyse(source, path="app.py")
    [Site(line=7, category="chat", name="chat.completions.create", parameters=("model", "messages",
          "seed"), model="gpt-4o", features=("streaming",)), Site(line=7, category="streaming", ...), ...]

One call can give several sites: a chat call that streams and passes tools is a ``chat`` site, a
``streaming`` site and a ``tools`` site on the same line (``Site.features`` names the feature sites
of its call, ``FEATURE_PARAMETERS`` which parameters each feature owns). What a site *is* is
decided here; whether it works on a provider is ``migrate.scan``'s business, read from the
backends' capability tables.

Recognition is the codemods' own: ``_facts`` (is this an OpenAI client?), ``_api_calls`` (which
endpoint does this call reach?), ``legacy_calls`` (0.x names), ``_env`` (environment reads). A file
that mentions none of ``MARKERS`` (case-insensitive) and no OpenAI model name has no site, so a
prefilter on those words (and on quoted model names) loses nothing. Key values are never kept: a literal key is a site whose
detail says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import libcst as cst

from adapters import catalogue
from adapters.capabilities import EMBEDDING_PARAMETERS, ENDPOINTS

from . import _env, _source
from ._api_calls import LIBRARY_CLASSES, RESOURCES, ApiCall, keyword, library_endpoint
from ._facts import Facts, collect
from ._lines import lines_of
from ._literals import looks_secret, redact_url, string_value
from ._results import SourceError
from ._walk import Visitor
from .agents_sdk import is_agent
from .client_construction import openai_provider_object
from .legacy_calls import LEGACY_CALLS, legacy_call

__all__ = ["AGENTS_DEFAULT", "CATEGORIES", "ENDPOINT_CATEGORIES", "FEATURES", "FEATURE_PARAMETERS", "LIBRARY_CLASSES",
           "MARKERS", "Scalar", "Site", "analyse", "analyse_bytes", "analyse_module", "is_openai_model", "worth_scanning"]

#: Endpoint categories are named as ``adapters.capabilities.ENDPOINTS`` names them (chat.completions: chat).
ENDPOINT_CATEGORIES = tuple("chat" if endpoint == "chat.completions" else endpoint for endpoint in ENDPOINTS)
FEATURES = ("streaming", "tools", "json_schema", "json_object", "vision")
#: Every category a site can have, in the order reports list them.
CATEGORIES = ("client", "chat", *FEATURES, "turn_order", *(c for c in ENDPOINT_CATEGORIES if c != "chat"), "legacy",
              "containers", "videos", "model", "env_var", "api_key", "library")
#: The chat parameters each feature site speaks for (the ``chat`` site judges the others).
FEATURE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "streaming": ("stream", "stream_options"),
    "tools": ("tools", "tool_choice", "parallel_tool_calls", "functions", "function_call"),
    "json_schema": ("response_format",),
    "json_object": ("response_format",),
    "vision": (),
}
#: Words one of which every file with a site contains (besides OpenAI model names).
MARKERS = ("openai", "adapters", "completions", "embeddings", "instructor", "agents")
#: The ``detail`` of the model site of an agent given no model (it runs on the Agents SDK's default).
AGENTS_DEFAULT = "agents default"
_LIBRARY_EMBEDDINGS = frozenset({"OpenAIEmbeddings", "AzureOpenAIEmbeddings", "OpenAIEmbedding",
                                 "AzureOpenAIEmbedding"})
#: Keyword arguments of SDK calls that are not API parameters (request options, 0.x credentials).
_NOT_PARAMETERS = frozenset({"timeout", "extra_headers", "extra_query", "extra_body", "request_timeout",
                             "api_key", "api_base", "api_type", "api_version", "organization",
                             # instructor's, on the create it patches: never sent to the API
                             "response_model", "max_retries", "validation_context"})
_LEGACY_MODEL = frozenset({"engine", "deployment_id"})
#: Parameters whose string values are kept (names and options, never content a user wrote).
_STRING_VALUES = frozenset({"model", "tool_choice", "function_call", "reasoning_effort", "service_tier",
                            "encoding_format", "purpose", "provider", "base_url", "api_version"})
_MEDIA_PARTS = frozenset({"image_url", "input_audio"})
_TOOL_PARAMETERS = frozenset(FEATURE_PARAMETERS["tools"])
_PARSE = frozenset({"parse"})

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Site:
    """One OpenAI SDK usage. ``parameters``: keyword arguments that reach the API (``dynamic`` when
    ``**`` passes more); ``values``: those written as plain literals (never keys); ``model``: the
    model named, through a module or class constant too; ``features``: the feature sites of the same
    call; ``detail``: what else matters (a client's ``azure`` / ``module`` / ``openai_provider``; an
    environment variable's kind and access, ``key read``, ``base_url write``...)."""

    line: int
    category: str
    name: str
    parameters: tuple[str, ...] = ()
    values: tuple[tuple[str, Scalar], ...] = ()
    model: str | None = None
    features: tuple[str, ...] = ()
    detail: str = ""
    dynamic: bool = False
    path: str | None = None
    #: the fields of a chat call's ``extra_body=`` dict ("*" when some are not written as literals)
    extras: tuple[str, ...] = ()
    cell: int | None = None  # in a notebook: the 1-based cell, and ``line`` the line in it

    @property
    def where(self) -> str:
        """``12``, or ``cell 4:2`` in a notebook."""
        return f"cell {self.cell}:{self.line}" if self.cell is not None else str(self.line)

    def value(self, parameter: str) -> Scalar:
        """The literal value of ``parameter`` (``None`` when not written as a literal)."""
        return dict(self.values).get(parameter)


@cache
def _openai_model_pattern() -> re.Pattern[str]:
    names = sorted(catalogue.OPENAI_PREFIXES, key=len, reverse=True)  # every name the family rules resolve
    return re.compile("[\"'](?:" + "|".join(re.escape(name) for name in names) + ")", re.IGNORECASE)


def worth_scanning(text: str) -> bool:
    """False only when ``analyse`` surely finds nothing: no marker word, and no string that opens with
    an OpenAI model name (any case)."""
    lowered = text.lower()
    return any(marker in lowered for marker in MARKERS) or _openai_model_pattern().search(text) is not None


def is_openai_model(name: str) -> bool:
    """An OpenAI model name the catalogue maps (dated snapshots too), not a provider's own name."""
    providers = catalogue.load()["providers"]
    return catalogue.is_known(name) and not any(name in models for models in providers.values())


def _scalar(expr: cst.BaseExpression) -> tuple[bool, Scalar]:
    """``(True, value)`` for a plain literal (never a string that may be a secret)."""
    if isinstance(expr, cst.Integer | cst.Float):
        return True, expr.evaluated_value
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        known, value = _scalar(expr.expression)
        if known and isinstance(value, int | float) and not isinstance(value, bool):
            return True, -value
        return False, None
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return True, {"True": True, "False": False, "None": None}[expr.value]
    text = string_value(expr)
    if text is not None and not looks_secret(text):
        return True, redact_url(text) if "://" in text else text
    return False, None


@dataclass
class _Arguments:
    names: list[str] = field(default_factory=list)
    values: dict[str, Scalar] = field(default_factory=dict)
    nodes: dict[str, cst.BaseExpression] = field(default_factory=dict)
    dynamic: bool = False


def _arguments(call: cst.Call, keep: Iterable[str] | None = None, *, api: bool = True) -> _Arguments:
    """The call's API parameters (``api=False``: every keyword argument); a literal ``None`` counts
    as not passed (the SDK omits it)."""
    out = _Arguments()
    wanted = set(keep) if keep is not None else None
    skipped = _NOT_PARAMETERS if api else frozenset()
    for arg in call.args:
        if arg.star == "**":
            out.dynamic = True
            continue
        if arg.keyword is None:
            continue
        name = arg.keyword.value
        name = "model" if api and name in _LEGACY_MODEL else name
        if name in skipped or (wanted is not None and name not in wanted) or name in out.nodes:
            continue
        known, value = _scalar(arg.value)
        if known and value is None:
            continue
        out.names.append(name)
        out.nodes[name] = arg.value
        if known and (not isinstance(value, str) or name in _STRING_VALUES):
            out.values[name] = value
    return out


def _extra_body(call: cst.Call) -> tuple[str, ...]:
    """The field names of an ``extra_body={...}`` argument; ``"*"`` stands for fields not written literally."""
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value != "extra_body":
            continue
        if not isinstance(arg.value, cst.Dict):
            return ("*",)
        names = [string_value(e.key) if isinstance(e, cst.DictElement) else None for e in arg.value.elements]
        return tuple(dict.fromkeys(name if name is not None else "*" for name in names))
    return ()


def _dict_type(node: cst.Dict, key: str = "type") -> str | None:
    for element in node.elements:
        if isinstance(element, cst.DictElement) and string_value(element.key) == key:
            return string_value(element.value)
    return None


def _opening_role(node: cst.List) -> str | None:
    """The role of the first non-system message of a literal messages list (``None``: not one)."""
    for element in node.elements:
        role = _dict_type(element.value, "role") if isinstance(element.value, cst.Dict) else None
        if role != "system":
            return role
    return None


class _Finder(Visitor):
    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.found: list[tuple[cst.CSTNode, Site]] = []
        self.chats: list[tuple[cst.Call, str, list[str]]] = []  # open chat calls: name, media parts inside
        self.model_literals: set[int] = set()
        self.env_writes: set[int] = set()
        self.module_client_seen = False

    def add(self, node: cst.CSTNode, category: str, name: str, **fields: Any) -> None:
        self.found.append((node, Site(0, category, name, **fields)))

    def model_of(self, expr: cst.BaseExpression | None) -> str | None:
        """The model ``expr`` names: a literal, or a module or class constant holding one."""
        if expr is None:
            return None
        if isinstance(expr, cst.Name) and expr.value in self.facts.module_constants:
            return string_value(self.facts.module_constants[expr.value])
        if isinstance(expr, cst.Attribute):
            nodes = self.facts.class_constants.get(expr.attr.value, [])
            return string_value(nodes[0]) if len(nodes) == 1 else None
        return string_value(expr)

    def visit_Call(self, node: cst.Call) -> None:
        self._env(node)
        constructor = self.facts.client_constructor(node)
        if constructor is not None:
            self._client(node, constructor)
            return
        legacy = legacy_call(node, self.facts)
        if legacy is not None:
            self._legacy(node, legacy[0])
            return
        api = self.facts.api_call(node)
        if api is not None:
            self._api(node, api)
            return
        resolved = self.facts.resolve(node.func)
        if resolved is not None:
            self._library(node, resolved)

    def leave_Call(self, original_node: cst.Call) -> None:
        if self.chats and self.chats[-1][0] is original_node:
            call, name, media = self.chats.pop()
            self._chat(call, name, media)

    def _client(self, node: cst.Call, constructor: str) -> None:
        args = _arguments(node, api=False)
        values = {k: v for k, v in args.values.items() if k in ("provider", "base_url", "api_version")}
        detail = "openai_provider" if openai_provider_object(node) else \
            "azure" if "Azure" in constructor else ""
        self.add(node, "client", constructor, parameters=tuple(args.names), values=tuple(values.items()),
                 detail=detail, dynamic=args.dynamic)
        key = keyword(node, "api_key")
        if key is not None and string_value(key.value):
            self.add(node, "api_key", f"{constructor}(api_key=...)", detail="literal")

    def _legacy(self, node: cst.Call, name: str) -> None:
        path = LEGACY_CALLS.get(name)
        self.add(node, "legacy", f"openai.{name}", detail=path or "")
        if path is None:
            return
        if path.startswith("chat."):
            self.chats.append((node, path, []))  # the sites are added on leaving: the messages are inside
            return
        args = _arguments(node)
        model = self.model_of(args.nodes.get("model"))
        endpoint = path.rsplit(".", 1)[0]
        self.add(node, endpoint.split(".")[0], path, parameters=tuple(args.names), values=tuple(args.values.items()),
                 model=model, dynamic=args.dynamic)
        self._model_arg(args)

    def _api(self, node: cst.Call, api: ApiCall) -> None:
        if api.endpoint == "chat.completions":
            self.chats.append((node, ".".join(api.path), []))
            return
        args = _arguments(node)
        self.add(node, api.endpoint, ".".join(api.path), parameters=tuple(args.names),
                 values=tuple(args.values.items()), model=self.model_of(args.nodes.get("model")),
                 dynamic=args.dynamic)
        self._model_arg(args)

    def _chat(self, node: cst.Call, name: str, media: list[str]) -> None:
        args = _arguments(node)
        method = name.rsplit(".", 1)[-1]
        features = []
        if method == "stream" or ("stream" in args.names and args.values.get("stream", True) is not False):
            features.append("streaming")
        if _TOOL_PARAMETERS & set(args.names):
            features.append("tools")
        response_format = args.nodes.get("response_format")
        kind = _dict_type(response_format) if isinstance(response_format, cst.Dict) else None
        if kind in ("json_schema", "json_object"):
            features.append(kind)
        elif response_format is not None and method in _PARSE:
            features.append("json_schema")  # a pydantic model given to .parse()
        if media:
            features.append("vision")
        common = {"parameters": tuple(args.names), "values": tuple(args.values.items()),
                  "model": self.model_of(args.nodes.get("model")), "features": tuple(features),
                  "dynamic": args.dynamic, "extras": _extra_body(node)}
        self.add(node, "chat", name, **common)
        for feature in features:
            detail = ", ".join(sorted(set(media))) if feature == "vision" else ""
            self.add(node, feature, name, detail=detail, **common)
        self._model_arg(args)

    def _library(self, node: cst.Call, resolved: str) -> None:
        top, name = resolved.split(".")[0], resolved.rsplit(".", 1)[-1]
        endpoint = library_endpoint(resolved)
        if endpoint is None and is_agent(node, self.facts):
            endpoint = "responses"  # an agent on the Agents SDK's default client: its Responses model
            if keyword(node, "model") is None and not any(arg.star for arg in node.args):
                self.add(node, "model", "the Agents SDK's default model", detail=AGENTS_DEFAULT)
        if endpoint is not None:  # it makes the calls for the user: judged like the call it makes
            model_arg = keyword(node, "model")
            model = self.model_of(model_arg.value) if model_arg is not None else None
            self.add(node, "chat" if endpoint == "chat.completions" else endpoint, resolved, model=model,
                     detail="library")
            if model_arg is not None and isinstance(model_arg.value, cst.SimpleString | cst.ConcatenatedString):
                self._model_literal(model_arg.value)
            return
        if name not in LIBRARY_CLASSES.get(top, ()):
            return
        model_arg = keyword(node, "model") or keyword(node, "model_name")
        model = self.model_of(model_arg.value) if model_arg is not None else None
        self.add(node, "library", resolved, model=model)
        if name in _LIBRARY_EMBEDDINGS:
            args = _arguments(node, keep=set(EMBEDDING_PARAMETERS) - {"input", "model"})
            self.add(node, "embeddings", resolved, parameters=tuple(args.names),
                     values=tuple(args.values.items()), model=model, detail="library")
        if model_arg is not None and isinstance(model_arg.value, cst.SimpleString | cst.ConcatenatedString):
            self._model_literal(model_arg.value)

    def _model_arg(self, args: _Arguments) -> None:
        value = args.nodes.get("model")
        if isinstance(value, cst.SimpleString | cst.ConcatenatedString):
            self._model_literal(value)

    def _model_literal(self, node: cst.BaseExpression) -> None:
        name = string_value(node)
        if name and id(node) not in self.model_literals:
            self.model_literals.add(id(node))
            self.add(node, "model", name)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.facts.uses_openai:
            name = string_value(node)
            if name and is_openai_model(name) and id(node) not in self.model_literals and \
                    not self.facts.tokenizer_only(node):
                self.model_literals.add(id(node))
                self.add(node, "model", name)

    def visit_Dict(self, node: cst.Dict) -> None:
        kind = _dict_type(node)
        if kind not in _MEDIA_PARTS:
            return
        if self.chats:
            self.chats[-1][2].append(kind)
        elif self.facts.uses_openai:
            self.add(node, "vision", "message part", detail=kind)

    def visit_List(self, node: cst.List) -> None:
        """A chat history that opens with an assistant turn (a chat UI's greeting): providers with a
        strict turn order need it repaired."""
        if self.facts.uses_openai and _opening_role(node) == "assistant":
            self.add(node, "turn_order", "messages", detail="opens with an assistant message")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.env_writes.add(id(target.target))
            if isinstance(target.target, cst.Attribute) and self.facts.resolve(target.target) == "openai.api_key" \
                    and string_value(node.value):
                self.add(node, "api_key", "openai.api_key", detail="literal")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._env(node)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self._env(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.module_client_seen and isinstance(node.value, cst.Name) and node.attr.value in RESOURCES \
                and self.facts.resolve(node.value) == "openai":
            self.module_client_seen = True
            self.add(node, "client", "openai", detail="module")

    def _env(self, node: cst.BaseExpression) -> None:
        access = _env.env_access(node, self.facts)
        if access is None or not access.var.startswith(("OPENAI_", "AZURE_OPENAI_")):
            return
        write = access.write or id(node) in self.env_writes
        literal = access.default is not None and bool(string_value(access.default))
        kind = "key" if access.var in _env.KEY_VARS else "base_url" if access.var in _env.BASE_URL_VARS else \
            "account" if access.var in _env.ACCOUNT_VARS else "azure_key" if access.var in _env.AZURE_KEY_VARS \
            else "other"
        how = "write" if write else "read with a literal default" if literal and kind == "key" else "read"
        self.add(node, "env_var", access.var, detail=f"{kind} {how}")


def _order(site: Site) -> tuple[int, int, str]:
    return site.line, CATEGORIES.index(site.category) if site.category in CATEGORIES else len(CATEGORIES), \
        site.name


def analyse_module(module: cst.Module, *, path: str | None = None, facts: Facts | None = None) -> list[Site]:
    """The sites of a parsed module, by line (``facts`` when the caller has them already)."""
    finder = _Finder(facts if facts is not None else collect(module))
    finder.visit(module)
    lines = lines_of(module, [node for node, _ in finder.found])
    sites = {Site(lines.get(id(node), 0), site.category, site.name, site.parameters, site.values, site.model,
                  site.features, site.detail, site.dynamic, path, site.extras): None for node, site in finder.found}
    return sorted(sites, key=_order)


def analyse(source: str, *, path: str | None = None) -> list[Site]:
    """Every OpenAI SDK usage site in ``source``, by line. Raises ``SourceError`` when it does not
    parse (the reason says where, never quoting the source)."""
    text = source[1:] if source.startswith("\ufeff") else source
    if not worth_scanning(text):
        return []
    module = _source.parse(text, path)
    try:
        return analyse_module(module, path=path)
    except RecursionError:
        where = f"{path}: " if path else ""
        raise SourceError(f"{where}too deeply nested for the analysis") from None


def analyse_bytes(data: bytes, *, path: str | None = None) -> list[Site]:
    """``analyse`` on a file's bytes, decoded by its coding cookie or BOM (``SourceError`` if it cannot be);
    a notebook (``path`` ending ``.ipynb``) by its code cells, each site placed in its cell."""
    if path is not None and path.endswith(".ipynb"):
        from . import notebooks

        source = notebooks.read(data)
        sites = analyse(source.module, path=path)
        return [replace(site, cell=cell, line=line) for site in sites
                for cell, line in [source.locate(site.line)]]
    text, _encoding = _source.decode(data)
    return analyse(text, path=path)
