"""The shapes of OpenAI SDK calls, by syntax alone.

    client.chat.completions.with_raw_response.create(...)
      -> receiver ``client``, path ("chat", "completions", "create"), endpoint "chat.completions"

Whether ``client`` really is an OpenAI client is ``_facts.Facts.is_client``'s business. Arguments
are read with ``keyword`` and written with ``keyword_arg`` / ``laid_out`` / ``with_keyword``.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

__all__ = ["ADAPTER_CLIENTS", "CLIENT_CLASSES", "LIBRARY_CLASSES", "LIBRARY_ENDPOINTS", "OWN_CLIENT_LIBRARIES", "RESOURCES", "ApiCall", "endpoint_of", "keyword",
           "keyword_arg", "laid_out", "library_endpoint", "operation_of", "split_api_call", "with_keyword"]

#: openai's client classes -> the adapters factory that replaces each.
CLIENT_CLASSES = {
    "OpenAI": "OpenAI",
    "AsyncOpenAI": "AsyncOpenAI",
    "AzureOpenAI": "OpenAI",
    "AsyncAzureOpenAI": "AsyncOpenAI",
}
ADAPTER_CLIENTS = frozenset({"adapters.OpenAI", "adapters.AsyncOpenAI", "adapters.LazyOpenAI", "adapters.LazyAsyncOpenAI"})

_WRAPPERS = frozenset({"with_raw_response", "with_streaming_response"})
_BETA = frozenset({"assistants", "threads", "vector_stores", "realtime", "chat"})
#: First path segment -> endpoint name (as ``adapters.capabilities.ENDPOINTS`` spells them).
RESOURCES = {
    "beta": "beta", "chat": "chat.completions", "embeddings": "embeddings", "models": "models", "images": "images",
    "completions": "completions", "audio": "audio", "moderations": "moderations", "files": "files",
    "uploads": "uploads", "batches": "batches", "fine_tuning": "fine_tuning", "responses": "responses",
    "realtime": "realtime", "vector_stores": "vector_stores", "assistants": "assistants",
    "threads": "threads", "containers": "containers", "videos": "videos",
}
#: Paths that are OpenAI's whatever the receiver is called (others need a known client).
_DISTINCTIVE = frozenset({
    ("embeddings", "create"), ("moderations", "create"), ("images", "generate"),
    ("images", "edit"), ("images", "create_variation"), ("responses", "create"),
    ("responses", "stream"), ("responses", "parse"), ("batches", "create"), ("completions", "create"),
})


#: Other libraries' callables that build OpenAI clients: top package -> names (any submodule).
LIBRARY_CLASSES: dict[str, frozenset[str]] = {
    "langchain_openai": frozenset({"ChatOpenAI", "AzureChatOpenAI", "OpenAIEmbeddings", "AzureOpenAIEmbeddings",
                                   "OpenAI", "AzureOpenAI"}),
    "langchain": frozenset({"ChatOpenAI", "AzureChatOpenAI", "OpenAIEmbeddings", "AzureOpenAIEmbeddings"}),
    "langchain_community": frozenset({"ChatOpenAI", "AzureChatOpenAI", "OpenAIEmbeddings",
                                      "AzureOpenAIEmbeddings"}),
    "llama_index": frozenset({"OpenAI", "AzureOpenAI", "OpenAIEmbedding", "AzureOpenAIEmbedding",
                              "OpenAIMultiModal", "OpenAILike", "OpenAIAgent", "OpenAIResponses"}),
    "instructor": frozenset({"from_openai", "patch", "apatch"}),
}
#: Those of them that build a client of their own, which the rewrite leaves (instructor wraps the user's).
OWN_CLIENT_LIBRARIES = frozenset(LIBRARY_CLASSES) - {"instructor"}


#: Other libraries' classes that make the OpenAI calls for the user: (top package, class) -> endpoint.
#: The OpenAI Agents SDK's models take the user's client (``openai_client=``) and call one endpoint.
LIBRARY_ENDPOINTS = {
    ("agents", "OpenAIResponsesModel"): "responses",
    ("agents", "OpenAIChatCompletionsModel"): "chat.completions",
}


def library_endpoint(resolved: str | None) -> str | None:
    """The endpoint a library class (``agents.OpenAIResponsesModel``, any submodule) calls, if any."""
    if not resolved:
        return None
    return LIBRARY_ENDPOINTS.get((resolved.split(".", 1)[0], resolved.rsplit(".", 1)[-1]))


@dataclass(frozen=True)
class ApiCall:
    """A call through an OpenAI client's resources."""

    receiver: cst.BaseExpression
    path: tuple[str, ...]
    endpoint: str

    @property
    def operation(self) -> str:
        """The part of an area the call uses, as the runtime names it (``images.generations``)."""
        return operation_of(self.path)

    def served_by(self, endpoints: frozenset[str] | set[str]) -> bool:
        """Whether a provider serving ``endpoints`` serves this call (its area, or this part of it)."""
        return self.endpoint in endpoints or self.operation in endpoints

    @property
    def distinctive(self) -> bool:
        """Whether the path alone marks an OpenAI(-shaped) client."""
        if self.endpoint == "chat.completions" or self.path[0] == "beta":
            return True
        if self.endpoint in {"fine_tuning", "audio"} and len(self.path) >= 3:
            return True
        return self.path[:2] in _DISTINCTIVE


#: SDK method paths -> the API path the runtime sees (``images.generate`` posts to images/generations).
_OPERATIONS: dict[tuple[str, ...], str] = {("images", "generate"): "images.generations", ("images", "edit"): "images.edits",
               ("images", "create_variation"): "images.variations"}


def operation_of(path: tuple[str, ...]) -> str:
    """``("images", "generate")`` -> ``images.generations``; ``("audio", "speech", "create")`` -> ``audio.speech``."""
    path = path[1:] if path and path[0] == "beta" else path
    return _OPERATIONS.get(path[:2]) or ".".join(path[:2])


def endpoint_of(path: tuple[str, ...]) -> str | None:
    """The endpoint a resource path calls, or ``None`` when it is no OpenAI path."""
    if len(path) < 2:
        return None
    beta = path[0] == "beta"
    if beta:
        if len(path) < 3 or path[1] not in _BETA:
            return None
        path = path[1:]
    head = path[0]
    if head == "chat":
        return "chat.completions" if len(path) >= 3 and path[1] == "completions" else None
    if head in {"assistants", "threads"} and not beta:
        return None
    return RESOURCES.get(head)


def split_api_call(func: cst.BaseExpression) -> ApiCall | None:
    """Split a call's ``func`` into receiver and resource path, if it has an OpenAI shape."""
    attrs: list[str] = []
    node = func
    while isinstance(node, cst.Attribute):
        attrs.append(node.attr.value)
        node = node.value
    attrs.reverse()
    receiver_parts = 0
    # The receiver is what comes before the first resource name: `self.client` in
    # `self.client.chat.completions.create`, `openai` in `openai.files.list`.
    while receiver_parts < len(attrs) and attrs[receiver_parts] not in RESOURCES and \
            attrs[receiver_parts] != "beta":
        receiver_parts += 1
    path = tuple(a for a in attrs[receiver_parts:] if a not in _WRAPPERS)
    endpoint = endpoint_of(path)
    if endpoint is None:
        return None
    receiver = func
    for _ in range(len(attrs) - receiver_parts):
        assert isinstance(receiver, cst.Attribute)
        receiver = receiver.value
    return ApiCall(receiver=receiver, path=path, endpoint=endpoint)


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    """The ``name=`` argument of ``call``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    """``name=value`` (no spaces around ``=``, as PEP 8 writes keyword arguments)."""
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


def laid_out(args: list[cst.Arg], original: cst.Call) -> list[cst.Arg]:
    """``args`` with commas laid out like ``original``'s (one per line stays one per line); the last
    argument takes the original last one's comma and the break before ``)`` (a trailing comma stays
    trailing, a closing parenthesis on its own line stays there). A comment after the old last
    argument stays with it, or goes with it when it was removed."""
    space = original.whitespace_before_args
    after: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
    if isinstance(space, cst.ParenthesizedWhitespace):  # its line break and indent, not its comments
        after = cst.ParenthesizedWhitespace(indent=space.indent, last_line=space.last_line)
    sep = cst.Comma(whitespace_after=after)
    last = original.args[-1] if original.args else None
    closing = last.whitespace_after_arg if last else cst.SimpleWhitespace("")
    if isinstance(closing, cst.ParenthesizedWhitespace):
        closing = cst.ParenthesizedWhitespace(indent=closing.indent, last_line=closing.last_line)
    fixed = []
    for i, arg in enumerate(args):
        own = arg.whitespace_after_arg
        broken = isinstance(own, cst.ParenthesizedWhitespace)  # it was the last, before a `)` of its own line
        if i == len(args) - 1:
            arg = arg.with_changes(comma=last.comma if last else cst.MaybeSentinel.DEFAULT,
                                   whitespace_after_arg=own if broken else closing)
            fixed.append(arg)
            continue
        if broken:
            assert isinstance(own, cst.ParenthesizedWhitespace)
            comma = sep if not isinstance(after, cst.ParenthesizedWhitespace) else cst.Comma(
                whitespace_after=own.with_changes(indent=after.indent, last_line=after.last_line))
            arg = arg.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace(""))
        elif arg.comma is cst.MaybeSentinel.DEFAULT:
            arg = arg.with_changes(comma=sep)
        fixed.append(arg)
    return fixed


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``name=value`` added after its arguments, in the call's own layout."""
    args = list(call.args)
    if args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=laid_out([*args, keyword_arg(name, value)], call))
