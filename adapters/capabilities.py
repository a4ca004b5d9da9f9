"""What a provider does with each OpenAI parameter, and the one unsupported-parameter policy.

A backend declares a ``Capabilities`` table; the core reads it. Parameters are

* ``passed``      - sent on (perhaps under the same name in another place of the native body);
* ``renamed``     - sent under another native name;
* ``clamped``     - brought into the provider's range (inclusive bounds after clamping);
* ``emulated``    - served by the adapter in another way (the value says how);
* ``unsupported`` - the provider has no equivalent: the client's policy decides.

``features`` says, per response feature (``RESPONSE_FEATURES``: streaming, stream usage, tool calls,
finish reasons...), how the provider's reply is turned into OpenAI's: ``(verdict, detail)``.

``unsupported="warn"`` (default) drops the parameter and warns once per client and parameter;
``"drop"`` drops it silently; ``"error"`` refuses the request before any network call with an
``openai.BadRequestError`` (the transport answers 400).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._warn import warn

__all__ = [
    "CHAT_PARAMETERS",
    "EMBEDDING_EMULATED",
    "EMBEDDING_PARAMETERS",
    "ENDPOINTS",
    "OPENAI_DEFAULTS",
    "RESPONSE_FEATURES",
    "Capabilities",
    "Extra",
    "Policy",
    "Refused",
    "UnsupportedParameterWarning",
    "describe",
    "is_default",
    "describe_extra",
    "describe_feature",
    "note_for",
]

PolicyName = Literal["warn", "drop", "error"]

#: Every OpenAI chat.completions.create parameter the tables speak of (the compatibility table's rows).
CHAT_PARAMETERS = (
    "messages", "model", "temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stop",
    "stream", "stream_options", "presence_penalty", "frequency_penalty", "seed", "logprobs",
    "top_logprobs", "logit_bias", "response_format", "tools", "tool_choice", "parallel_tool_calls",
    "user", "functions", "function_call", "metadata", "reasoning_effort", "service_tier", "store",
    "prediction", "modalities", "audio", "web_search_options", "verbosity", "prompt_cache_key",
    "safety_identifier", "prompt_cache_retention", "prompt_cache_options", "moderation",
)
#: OpenAI parameters no provider has (the tables mark them unsupported on every backend).
OPENAI_ONLY = frozenset({"logit_bias", "service_tier", "store", "prediction", "modalities", "audio",
                         "web_search_options", "verbosity", "prompt_cache_key", "safety_identifier",
                         "prompt_cache_retention", "prompt_cache_options", "moderation"})
EMBEDDING_PARAMETERS = ("input", "model", "dimensions", "encoding_format", "user")
#: What the adapter does for every provider's embeddings (``embeddings.plan`` and the merged reply).
EMBEDDING_EMULATED = {"encoding_format": "base64 encoded by the adapter",
                      "input": "split into batches of the model's limit, merged in order"}

#: OpenAI API areas, named as the transport names them (first path segments, dotted).
ENDPOINTS = (
    "chat.completions", "embeddings", "models", "completions", "images", "audio", "moderations",
    "files", "fine_tuning", "batches", "assistants", "threads", "vector_stores", "responses",
    "realtime", "uploads",
)

#: What an OpenAI reply carries that a provider may give natively, translate, emulate or lack.
RESPONSE_FEATURES = (
    "streaming", "stream_usage", "tool_calls", "tool_call_streaming", "reasoning_content", "finish_reason",
    "content_filter", "image_input", "usage_details", "errors", "search_sources", "logprobs",
)


class UnsupportedParameterWarning(UserWarning):
    """A parameter the provider lacks was dropped (``unsupported="warn"``)."""


#: OpenAI's defaults for parameters a provider may lack: a call that sets one (``frequency_penalty=0``,
#: as playground code does) asks for nothing the provider must do.
OPENAI_DEFAULTS: Mapping[str, Any] = {"frequency_penalty": 0, "presence_penalty": 0, "n": 1, "logprobs": False,
                                      "logit_bias": {}, "parallel_tool_calls": True}


def is_default(name: str, value: Any) -> bool:
    """Whether ``value`` is what OpenAI uses for ``name`` when it is not given (``0.0`` counts as ``0``,
    ``False`` does not)."""
    if name not in OPENAI_DEFAULTS:
        return False
    default = OPENAI_DEFAULTS[name]
    if isinstance(default, bool) or isinstance(value, bool):
        return value is default
    return bool(value == default)


class Refused(Exception):
    """A request the adapter will not send; the transport answers it with an OpenAI error body."""

    def __init__(self, message: str, *, status: int = 400, code: str = "unsupported_parameter",
                 param: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.code, self.param = message, status, code, param


@dataclass(frozen=True)
class Extra:
    """How a backend treats one ``extra_body`` field (a provider's own, not OpenAI's).

    ``verdict``: ``passes`` (sent as given, where the provider takes tuning fields), ``translated``
    (``native(value)`` gives the provider's fields for it) or ``ignored`` (the adapter owns it or the
    provider has no equivalent: a warning says so). ``detail`` is what the tables print.
    """

    verdict: Literal["passes", "translated", "ignored"]
    detail: str = ""
    native: Callable[[Any], Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class Capabilities:
    """A provider's declared handling of OpenAI parameters and endpoints."""

    passed: frozenset[str] = frozenset()
    renamed: Mapping[str, str] = field(default_factory=dict)
    clamped: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    emulated: Mapping[str, str] = field(default_factory=dict)
    unsupported: frozenset[str] = frozenset()
    embedding_passed: frozenset[str] = frozenset({"input", "model"})
    embedding_emulated: Mapping[str, str] = field(default_factory=dict)
    embedding_unsupported: frozenset[str] = frozenset()
    endpoints: frozenset[str] = frozenset({"chat.completions", "embeddings", "models"})
    notes: Mapping[str, str] = field(default_factory=dict)
    #: response feature -> (verdict: native | translated | emulated | unsupported, how)
    features: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: ``extra_body`` fields the backend knows (others pass as given: the provider judges them)
    extras: Mapping[str, Extra] = field(default_factory=dict)
    #: where extras go in the native body (for the tables), e.g. ``"parameters"`` or ``"the top level"``
    extras_at: str = "at the top level"
    #: request headers the provider reads (name -> meaning), and the client options that set them
    headers: Mapping[str, str] = field(default_factory=dict)
    #: reply headers the provider sends on success (name -> meaning), kept on the OpenAI response
    reply_headers: Mapping[str, str] = field(default_factory=dict)

    def clamp(self, name: str, value: Any) -> Any:
        """``value`` brought into the declared range of ``name`` (unchanged if none is declared)."""
        bounds = self.clamped.get(name)
        if bounds is None or not isinstance(value, int | float) or isinstance(value, bool):
            return value
        low, high = bounds
        return min(max(value, low), high)


def describe(caps: Capabilities, name: str, *, embeddings: bool = False) -> tuple[str, str]:
    """(verdict, detail) for one OpenAI parameter: what the compatibility table and scan print.

    Verdicts: ``passes``, ``renamed``, ``clamped``, ``emulated``, ``dropped`` (declared unsupported:
    dropped with a warning, or refused, per the client's ``unsupported=`` policy) and
    ``unsupported`` (not declared at all: never sent). A declared note (``notes[name]``, for
    embeddings ``notes["embeddings.<name>"]``) is added to the detail.
    """
    verdict, detail = _verdict(caps, name, embeddings)
    note = caps.notes.get(f"embeddings.{name}" if embeddings else name, "")
    if note and note != detail:
        detail = f"{detail}; {note}" if detail else note
    return verdict, detail


def note_for(caps: Capabilities, name: str, value: object = None, *, embeddings: bool = False) -> str:
    """The declared note on ``name`` as it concerns ``value`` (``None``: not known). A note written
    ``<number> -> <what happens>`` (Zhipu's ``"0 -> do_sample=false"``) is about that number only."""
    note = caps.notes.get(f"embeddings.{name}" if embeddings else name, "")
    head, arrow, _ = note.partition(" -> ")
    try:
        about = float(head) if arrow else None
    except ValueError:
        about = None
    if about is not None and isinstance(value, int | float) and not isinstance(value, bool) and value != about:
        return ""
    return note


def _verdict(caps: Capabilities, name: str, embeddings: bool) -> tuple[str, str]:
    if embeddings:
        if name in caps.embedding_emulated:
            return "emulated", caps.embedding_emulated[name]
        if name in caps.embedding_unsupported:
            return "dropped", ""
        return ("passes", "") if name in caps.embedding_passed else ("unsupported", "not sent")
    if name in caps.clamped:
        low, high = caps.clamped[name]
        extra = f" -> {caps.renamed[name]}" if name in caps.renamed else ""
        return "clamped", f"to [{_number(low)}, {_number(high)}]{extra}"
    if name in caps.renamed:
        return "renamed", f"-> {caps.renamed[name]}"
    if name in caps.emulated:
        return "emulated", caps.emulated[name]
    if name in caps.unsupported:
        return "dropped", ""
    if name in caps.passed:
        return "passes", ""
    if "." in name:  # a value of a parameter (response_format.json_schema) follows the parameter
        return _verdict(caps, name.rsplit(".", 1)[0], embeddings)
    return "unsupported", "not sent"


def describe_extra(caps: Capabilities, name: str) -> tuple[str, str]:
    """(verdict, detail) for one ``extra_body`` field: ``passes``, ``translated``, ``ignored`` or
    ``unknown to qianyi`` (sent as given; the provider judges it)."""
    extra = caps.extras.get(name)
    if extra is None:
        return "unknown to qianyi", f"sent as given {caps.extras_at}; the provider judges it"
    return extra.verdict, extra.detail


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def describe_feature(caps: Capabilities, name: str) -> tuple[str, str]:
    """(verdict, detail) for one response feature; ``("not declared", "")`` when the table is silent."""
    return caps.features.get(name, ("not declared", ""))


class Policy:
    """A client's unsupported-parameter policy; remembers what it already warned about."""

    def __init__(self, provider: str, mode: PolicyName = "warn") -> None:
        if mode not in ("warn", "drop", "error"):
            raise ValueError(f"unsupported= must be 'warn', 'drop' or 'error', not {mode!r}.")
        self.provider, self.mode = provider, mode
        self._warned: set[str] = set()

    def unsupported(self, param: str, detail: str = "") -> None:
        """Apply the policy to a parameter (or a value of one) the provider cannot take.

        Returns when the caller should drop it; raises ``Refused`` under ``"error"``.
        """
        what = f" {detail}" if detail else ""
        if self.mode == "error":
            raise Refused(
                f"{self.provider} does not support '{param}'{what} (unsupported='error'); "
                f"remove it or create the client with unsupported='warn'.",
                param=param,
            )
        if self.mode == "warn" and param not in self._warned:
            self._warned.add(param)
            warn(f"{self.provider} has no '{param}'{what}; it was dropped (unsupported='warn'; "
                 f"pass unsupported='drop' to silence or 'error' to refuse).", UnsupportedParameterWarning)

    def repair(self, param: str, problem: str, repair: str, category: type[Warning] | None = None) -> None:
        """Apply the policy to a request the provider cannot take as sent but the adapter can repair.

        ``problem`` says what the provider cannot take, ``repair`` what is done instead: refused under
        ``"error"``, done silently under ``"drop"``, done with one warning per client under ``"warn"``.
        """
        if self.mode == "error":
            raise Refused(f"{self.provider} {problem} (unsupported='error'); change the request, or create the "
                          f"client with unsupported='warn' to have it repaired: {repair}.", param=param)
        if self.mode == "warn" and problem not in self._warned:
            self._warned.add(problem)
            warn(f"{self.provider} {problem}; {repair} (unsupported='warn'; pass unsupported='drop' to silence "
                 f"or 'error' to refuse).", category or UnsupportedParameterWarning)

    def strip(self, body: Mapping[str, Any], caps: Capabilities, *, embeddings: bool = False) -> dict[str, Any]:
        """``body`` without the parameters the table marks unsupported (policy applied to each; one
        set to OpenAI's own default asks for nothing, so it goes without a word)."""
        banned = caps.embedding_unsupported if embeddings else caps.unsupported
        out = dict(body)
        for name in body:
            if name in banned and body[name] is not None:
                if not is_default(name, body[name]):
                    self.unsupported(name)
                del out[name]
        return out
