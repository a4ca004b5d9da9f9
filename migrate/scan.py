"""What of a tree's OpenAI usage works on which provider, before anything is rewritten.

    run = scan([Path("src")])                          # every installed provider
    run.sites[0].verdicts["zhipu"].status              # "works" | "caveat" | "unsupported"
    verdicts_for(source, "zhipu", path="app.py")       # one file, one provider (the rewrite report)

``codemods.sites.analyse`` says what each site is; this module judges it per provider, reading
only the backend's ``CAPABILITIES`` (``capabilities.describe``, ``describe_feature``,
``endpoints``) and the model catalogue — the tables the runtime itself follows — at the moment
of the call, so a changed table changes the verdict. A verdict is the worst of its reasons:

    works        the provider takes it as it is (or natively)
    caveat       it runs, but translated, clamped, emulated, mapped, dropped from the account,
                 or through ``migrate run`` (each reason says which: ``Reason.how``)
    unsupported  it will not work there; the reason says what to do

An embeddings site whose model changes (whatever the vector size) carries ``reembed``: vectors
stored from the OpenAI model must be re-embedded. Files are found, prefiltered and parsed in worker
processes as ``migrate rewrite`` does; nothing is written.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters import catalogue, registry
from adapters.capabilities import (
    Capabilities,
    describe,
    describe_extra,
    describe_feature,
    is_default,
    note_for,
)
from codemods._api_calls import operation_of
from codemods._target import thinking_off_of
from codemods._thinking import code_of, switch
from codemods.sites import (
    AGENTS_DEFAULT,
    CATEGORIES,
    FEATURE_PARAMETERS,
    MARKERS,
    Site,
    analyse_bytes,
    is_openai_model,
)

from . import _clash
from ._discover import discover
from ._errors import NameClash, UsageError
from ._fs import NotRegular, TooLarge, read
from ._isolate import run_isolated
from ._jobs import (
    FILES_PER_PROCESS,
    MAX_FILE_SIZE,
    Job,
    check_max_file_size,
    not_read,
    nul_byte,
    size_limit_for,
)
from ._paths import check_provider, display_path
from ._prefilter import Prefilter
from ._results import Failed, Skipped
from ._verdicts import STATUSES, Reason, ScannedSite, Status, Verdict

__all__ = ["STATUSES", "Reason", "ScanRun", "ScannedSite", "Status", "Verdict", "judge", "scan", "verdicts_for"]

_ENDPOINTS = {"chat": "chat.completions"}
_PARTIAL = frozenset({"images", "audio"})  # areas providers serve in part: judged per operation


@dataclass(frozen=True)
class ScanRun:
    """Every site found under the given paths, judged for ``providers``."""

    providers: tuple[str, ...]
    sites: tuple[ScannedSite, ...]
    files: int = 0
    failed: tuple[Failed, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    def blocked(self, provider: str | None = None) -> list[ScannedSite]:
        """The sites not supported on ``provider`` (on any of the run's providers when ``None``)."""
        names = [provider] if provider else list(self.providers)
        return [s for s in self.sites if any(s.verdicts[name].status == "unsupported" for name in names)]

    def counts(self) -> dict[str, dict[str, Counter[str]]]:
        """category -> provider -> how many sites had each status (categories in report order)."""
        out: dict[str, dict[str, Counter[str]]] = {}
        for category in CATEGORIES:
            found = [s for s in self.sites if s.site.category == category]
            if found:
                out[category] = {p: Counter(s.verdicts[p].status for s in found) for p in self.providers}
        return out

    def totals(self) -> dict[str, Counter[str]]:
        """provider -> how many sites had each status, and how many need re-embedding (``reembed``)."""
        out: dict[str, Counter[str]] = {}
        for provider in self.providers:
            verdicts = [s.verdicts[provider] for s in self.sites]
            out[provider] = Counter(v.status for v in verdicts)
            out[provider]["reembed"] = sum(v.reembed for v in verdicts)
        return out


# -- judging one site -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """One column of the verdicts: a backend, or a protocol variant of one (``qianfan-v1``)."""

    provider: str  # the column's name
    caps: Capabilities
    backend: Any
    model_map: Mapping[str, str] = field(default_factory=dict)
    #: The backend's name, for the catalogue (``qianfan`` for ``qianfan-v1``).
    catalogue_name: str = ""
    #: Models the variant serves in place of the catalogue's pick.
    substitutes: Mapping[str, str] = field(default_factory=dict)

    def mapped(self, model: str) -> str:
        chosen = catalogue.map_model(model, self.catalogue_name, self.model_map)
        # A model the user mapped is kept; the catalogue's own pick may be one the variant lacks.
        return chosen if model in self.model_map else self.substitutes.get(chosen, chosen)

    def model_info(self, model: str | None) -> tuple[str, Mapping[str, Any]] | None:
        """(provider model, its catalogue entry) for the model a site names, when both are known."""
        if model is None:
            return None
        mapped = self.mapped(model)
        info = catalogue.provider_model(self.catalogue_name, mapped)
        return (mapped, info) if info else None


def variants() -> dict[str, tuple[str, str]]:
    """``qianfan-v1`` -> (``qianfan``, ``v1``): each backend's protocol variants, judged as targets of their own."""
    found = {}
    for name in registry.names():
        for variant in getattr(registry.get(name), "VARIANT_CAPABILITIES", {}):
            found[f"{name}-{variant}"] = (name, variant)
    return found


def _target(provider: str, model_map: Mapping[str, str] | None) -> _Target:
    name, variant = variants().get(provider, (provider, None))
    backend = registry.get(name)
    caps = getattr(backend, "CAPABILITIES", None) or Capabilities()
    substitutes: Mapping[str, str] = {}
    if variant is not None:
        caps = getattr(backend, "VARIANT_CAPABILITIES", {})[variant]
        substitutes = getattr(backend, "VARIANT_SUBSTITUTES", {}).get(variant, {})
    return _Target(provider, caps, backend, dict(model_map or {}), name, substitutes)


def _check_target(name: str) -> str:
    """``name`` if it is a backend or a backend's variant; else the usual unknown-provider error."""
    return name if name in variants() else check_provider(name)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _parameter(t: _Target, name: str, value: object = None, *, embeddings: bool = False) -> Reason:
    """One parameter, as ``capabilities.describe`` says (a literal inside a clamp range passes)."""
    verdict, detail = describe(t.caps, name, embeddings=embeddings)
    if verdict == "dropped" and is_default(name, value):
        return Reason(name, "works", "passes", f"OpenAI's default ({value!r}): nothing to send")
    declared = t.caps.notes.get(f"embeddings.{name}" if embeddings else name, "")
    note = note_for(t.caps, name, value, embeddings=embeddings)  # a value-specific note only for its value
    if declared and declared != note:
        detail = detail.removesuffix(declared).removesuffix("; ")
    p = t.provider
    if verdict == "passes":
        return Reason(name, "caveat", "note", detail) if detail else Reason(name, "works", "passes", "sent as it is")
    if verdict == "renamed":
        return Reason(name, "caveat", "translated", f"sent as {t.caps.renamed[name]}" + (f"; {note}" if note else ""))
    if verdict == "clamped":
        low, high = t.caps.clamped[name]
        number = _number(value)
        if number is not None and low <= number <= high:
            return Reason(name, "caveat", "note", note) if note else Reason(name, "works", "passes", "within range")
        change = f": {value} becomes {t.caps.clamp(name, value)}" if number is not None else " when outside it"
        bounds = detail.removesuffix(f"; {note}") if note else detail
        return Reason(name, "caveat", "clamped", f"{bounds}{change}" + (f"; {note}" if note else ""))
    if verdict == "emulated":
        return Reason(name, "caveat", "emulated", detail)
    if verdict == "dropped":
        why = f"; note: {note}" if note else ""
        return Reason(name, "unsupported", "dropped",
                      f"{p} has no '{name}': dropped with a warning at run time (refused under "
                      f"unsupported='error'); remove it{why}")
    return Reason(name, "unsupported", "not sent", f"{p} does not declare '{name}': never sent; remove it")


def _feature(t: _Target, name: str) -> Reason:
    verdict, detail = describe_feature(t.caps, name)
    if verdict == "native":
        return Reason(name, "works", "native", detail or "as OpenAI sends it")
    if verdict in ("translated", "emulated"):
        return Reason(name, "caveat", verdict, detail)
    if verdict == "unsupported":
        return Reason(name, "unsupported", "unsupported", f"{t.provider} has none: {detail}" if detail else
                      f"{t.provider} has none")
    return Reason(name, "caveat", "unknown", f"the {t.provider} backend does not declare it")


def _endpoint(t: _Target, endpoint: str) -> Reason:
    if endpoint in t.caps.endpoints:
        return Reason(endpoint, "works", "endpoint", f"{t.provider} serves {endpoint}")
    from codemods.unsupported_features import ENDPOINT_TODOS

    todo = ENDPOINT_TODOS.get(endpoint) or ENDPOINT_TODOS.get(endpoint.split(".")[0])  # images.edits: images'
    advice = (todo or ("", "keep an OpenAI client for it"))[1]
    return Reason(endpoint, "unsupported", "endpoint",
                  f"not available on {t.provider} (a clear error before any call): {advice}")


def _models_with(t: _Target, capability: str) -> str:
    names = [name for name, info in catalogue.provider_models(t.catalogue_name).items() if info.get(capability)]
    return f" such as {', '.join(repr(n) for n in names[:2])}" if names else ""


def _model_can(t: _Target, site: Site, capability: str, what: str, status: Status) -> list[Reason]:
    """What the catalogue says the site's model can do (nothing when the model is not known)."""
    found = t.model_info(site.model)
    if found is None or found[1].get(capability, True):
        return []
    mapped = found[0]
    return [Reason(f"model {mapped}", status, "model",
                   f"{t.provider} model {mapped!r} has no {what}: map {site.model!r} to a model with it"
                   f"{_models_with(t, capability)} (--model-map)")]


def _parameters(t: _Target, site: Site, names: Iterable[str], *, embeddings: bool = False) -> list[Reason]:
    return [_parameter(t, name, site.value(name), embeddings=embeddings) for name in names
            if name in site.parameters]


def _chat(t: _Target, site: Site) -> list[Reason]:
    owned = {name for feature in site.features for name in FEATURE_PARAMETERS.get(feature, ())}
    reasons = [] if "chat.completions" in t.caps.endpoints else [_endpoint(t, "chat.completions")]
    reasons += _parameters(t, site, [n for n in site.parameters if n not in owned and n != "model"])
    found = t.model_info(site.model)
    if found and found[1].get("stream_only") and "streaming" not in site.features:
        reasons.append(Reason(f"model {found[0]}", "caveat", "emulated",
                              f"{found[0]!r} only streams: the reply is streamed and joined"))
    if site.dynamic:
        reasons.append(Reason("**", "caveat", "unknown", "parameters passed with ** were not checked"))
    reasons += _thinking_at_run_time(t, site)
    return reasons + [_extra(t, name) for name in site.extras]


def _thinking_at_run_time(t: _Target, site: Site) -> list[Reason]:
    """A model chosen at run time on a provider whose counterparts of plain models think by default:
    what decides whether the call thinks (``codemods/_thinking.py``)."""
    if site.model is not None or "model" not in site.parameters or "reasoning_effort" in site.parameters or \
            {"thinking", "enable_thinking"} & set(site.extras):
        return []
    example = t.mapped("gpt-4o")
    fields = switch("gpt-4o", example, thinking_off_of(t.backend))
    if fields is None:
        return []
    return [Reason("model", "caveat", "note", f"chosen at run time: an OpenAI name that did not reason (gpt-4o) "
                                              f"runs with thinking off through the adapter; a {t.provider} model that "
                                              f"thinks by default ({example}) thinks unless the call passes "
                                              f"extra_body={code_of(fields)}")]


def _extra(t: _Target, name: str) -> Reason:
    """One ``extra_body`` field, as the backend's ``extras`` table says (the policy does not apply)."""
    if name == "*":
        return Reason("extra_body", "caveat", "unknown", "fields not written as literals were not checked; "
                      "they are sent as given")
    verdict, detail = describe_extra(t.caps, name)
    subject = f"extra_body.{name}"
    if verdict == "passes":
        return Reason(subject, "works", "passes", f"sent as {detail}" if detail else "sent as it is")
    if verdict == "translated":
        return Reason(subject, "caveat", "translated", f"sent as {detail.removeprefix('-> ')}")
    if verdict == "ignored":
        return Reason(subject, "caveat", "dropped", f"not sent to {t.provider} (a warning at run time): {detail}")
    return Reason(subject, "caveat", "unknown", f"not known to qianyi for {t.provider}: {detail}")


def _streaming(t: _Target, site: Site) -> list[Reason]:
    reasons = _parameters(t, site, FEATURE_PARAMETERS["streaming"]) + [_feature(t, "streaming")]
    if "stream_options" in site.parameters:
        reasons.append(_feature(t, "stream_usage"))
    if "tools" in site.features:
        reasons.append(_feature(t, "tool_call_streaming"))
    return reasons


def _tools(t: _Target, site: Site) -> list[Reason]:
    return (_parameters(t, site, FEATURE_PARAMETERS["tools"]) + [_feature(t, "tool_calls")]
            + _model_can(t, site, "tools", "tool calling", "unsupported"))


def _json_object(t: _Target, site: Site) -> list[Reason]:
    return [_parameter(t, "response_format")] + _model_can(t, site, "json_mode", "JSON mode", "caveat")


def _json_schema(t: _Target, site: Site) -> list[Reason]:
    reason = _parameter(t, "response_format.json_schema")
    return [reason] + _model_can(t, site, "json_mode", "JSON mode", "caveat")


def _vision(t: _Target, site: Site) -> list[Reason]:
    return [_feature(t, "image_input")] + _model_can(t, site, "vision", "image input", "unsupported")


def _vector_size(t: _Target, site: Site) -> Reason | None:
    if site.model is None:
        return Reason("vector size", "caveat", "unknown", "the model is not written literally: check the vector "
                      "size the provider's model produces against stored vectors")
    found = t.model_info(site.model)
    sizes: list[int] = list(found[1].get("dimensions") or []) if found else []
    if found is None or not sizes:
        return None
    mapped, info = found
    asked = site.value("dimensions")
    asked = asked if isinstance(asked, int) and not isinstance(asked, bool) else None
    wanted = asked or catalogue.openai_dimensions(site.model)
    if "dimensions" in site.parameters and asked is None:
        return Reason("vector size", "caveat", "unknown", f"{mapped!r} offers {', '.join(map(str, sizes))} dimensions")
    if (wanted is None or wanted in sizes) and mapped != site.model:
        return Reason("vector size", "caveat", "vector size",  # another model: other vectors, whatever the size
                      f"{mapped!r} gives {f'{wanted}-dimensional' if wanted else 'its own'} vectors, but not the vectors "
                      f"{site.model!r} gave: stored vectors must be re-embedded")
    if wanted is None or wanted in sizes:
        return Reason("vector size", "works", "passes", f"{mapped!r} gives {wanted}-dimensional vectors"
                      if wanted else f"{mapped!r}'s own size")
    if asked is not None:
        return Reason("vector size", "unsupported", "vector size",
                      f"{mapped!r} cannot give {asked}-dimensional vectors; it offers "
                      f"{', '.join(map(str, sizes))}: ask for one of those, or map {site.model!r} elsewhere")
    default = info.get("default_dimension", sizes[0])
    return Reason("vector size", "caveat", "vector size",
                  f"{site.model!r} gave {wanted}-dimensional vectors, {t.provider} model {mapped!r} gives {default}: "
                  f"stored vectors must be re-embedded (or --model-map to a model with {wanted})")


def _completions(t: _Target, site: Site) -> list[Reason]:
    """Legacy completions run on the provider's chat API: say so, and what becomes of their own parameters."""
    if "completions" not in t.caps.endpoints:
        return [_endpoint(t, "completions")]
    from adapters.completions import COMPLETION_NOTES

    reasons = [Reason("completions", "caveat", "translated", f"served through {t.provider}'s chat API: "
                                                               f"{COMPLETION_NOTES['prompt']}")]
    reasons += [Reason(name, "caveat", "emulated" if name == "echo" else "dropped", COMPLETION_NOTES[name])
                for name in ("suffix", "echo", "best_of") if name in site.parameters]
    return reasons + _parameters(t, site, [n for n in site.parameters if n not in COMPLETION_NOTES and n != "model"])


def _embeddings(t: _Target, site: Site) -> list[Reason]:
    reasons = [] if "embeddings" in t.caps.endpoints else [_endpoint(t, "embeddings")]
    names = [n for n in site.parameters if n != "model"]
    reasons += _parameters(t, site, names, embeddings=True)
    size = _vector_size(t, site)
    return reasons + ([size] if size else [])


#: Name prefixes of other vendors' models (served through their own OpenAI-compatible endpoints).
_FOREIGN_MODELS = {"gemini-": "Google Gemini", "gemma-": "Google Gemma", "claude-": "Anthropic Claude",
                   "grok-": "xAI Grok", "mistral-": "Mistral", "mixtral-": "Mistral", "command-r": "Cohere",
                   "llama-": "Meta Llama", "llama3": "Meta Llama"}


def _model(t: _Target, site: Site) -> list[Reason]:
    name, p = site.name, t.provider
    if site.detail == AGENTS_DEFAULT:
        return [Reason(name, "caveat", "model", f"an agent without model= runs on the Agents SDK's default, an OpenAI "
                                                f"name that depends on the installed SDK: give it a {p} model "
                                                f"(`migrate rewrite` marks it)")]
    mapped = t.mapped(name)
    if mapped != name:
        source = "your model map" if name in t.model_map else "the catalogue"
        quiet = switch(name, mapped, thinking_off_of(t.backend))
        thinking = f", with thinking off: {mapped} thinks by default, {name} did not" if quiet else ""
        return [Reason(name, "caveat", "mapped", f"runs as {p} model {mapped!r} ({source}){thinking}")]
    if catalogue.provider_model(t.catalogue_name, name):
        return [Reason(name, "works", "passes", f"a {p} model")]
    if is_openai_model(name) or catalogue.looks_openai(name):
        return [Reason(name, "unsupported", "model", f"the catalogue has no {p} model for {name!r} (the runtime "
                                                     f"refuses it before any call): name one, or map it with "
                                                     f"--model-map")]
    owners = [other for other in catalogue.load()["providers"] if catalogue.provider_model(other, name)]
    if owners:
        return [Reason(name, "unsupported", "model", f"a {', '.join(owners)} model, not {p}'s: name a {p} "
                                                     f"model, or map it with --model-map")]
    vendor = next((v for prefix, v in _FOREIGN_MODELS.items() if name.lower().split("/")[-1].startswith(prefix)), None)
    if vendor is not None:  # another vendor's model, reached through its own OpenAI-compatible base_url
        return [Reason(name, "unsupported", "model", f"a {vendor} model, which {p} does not serve: name a {p} "
                                                     f"model, or map it with --model-map")]
    return [Reason(name, "caveat", "unknown", f"not in the catalogue: sent unchanged (a fine-tune or deployment "
                                              f"name?); name a {p} model or map it with --model-map")]


def _client(t: _Target, site: Site) -> list[Reason]:
    p = t.provider
    if site.detail == "openai_provider":
        return [Reason("provider=", "unsupported", "rewrite",
                       f"built with openai's own provider= object: left alone; build adapters.OpenAI(provider="
                       f"{p!r}) yourself if it should move")]
    if site.name.startswith("adapters."):
        return [Reason(site.name, "works", "passes", "already a qianyi client")]
    if site.detail == "module":
        return [Reason("module client", "caveat", "translated",
                       f"openai's module-level client: `migrate rewrite` gives the module a {p} client")]
    reasons = [Reason(site.name, "works", "translated", f"becomes adapters.OpenAI(provider={p!r})")]
    if site.detail == "azure":
        reasons.append(Reason("azure", "caveat", "dropped", "Azure arguments are dropped: deployment names must "
                                                          f"become {p} model names"))
    if "base_url" in site.parameters:
        reasons.append(Reason("base_url", "caveat", "dropped",
                              f"dropped: the adapter uses {p}'s root ({t.backend.BASE_URL_VAR} overrides it)"))
    for name in ("organization", "project"):
        if name in site.parameters:
            reasons.append(Reason(name, "caveat", "dropped", f"{p} has no OpenAI account fields: dropped"))
    return reasons


def _env_var(t: _Target, site: Site) -> list[Reason]:
    var, p = site.name, t.provider
    kind, _, access = site.detail.partition(" ")
    ours = t.backend.KEY_VARS[0] if kind in ("key", "azure_key") else t.backend.BASE_URL_VAR
    if access == "write" and kind in ("key", "azure_key", "base_url"):
        return [Reason(var, "caveat", "note", f"set in the source: the adapter reads {ours}; set that outside the "
                                              f"source")]
    if kind in ("key", "azure_key", "base_url"):
        extra = "; the key written as its default is removed" if "default" in access else ""
        never = " (the adapter never sends an OpenAI key)" if kind != "base_url" else ""
        return [Reason(var, "caveat", "translated", f"read {ours} instead{never}{extra}")]
    if kind == "account":
        return [Reason(var, "caveat", "dropped", f"{p} has no equivalent: remove it")]
    return [Reason(var, "caveat", "unknown", f"not read by qianyi: check what it is for on {p}")]


def _legacy(t: _Target, site: Site) -> list[Reason]:
    del t
    if site.detail:
        return [Reason(site.name, "caveat", "rewrite", f"openai 0.x: `migrate rewrite` turns it into "
                                                       f"client.{site.detail} (judged on its own line)")]
    return [Reason(site.name, "unsupported", "rewrite", "openai 0.x API with no openai>=1 equivalent: rewrite it "
                                                        "with chat.completions, or remove it")]


def _library(t: _Target, site: Site) -> list[Reason]:
    return [Reason(site.name, "caveat", "migrate run",
                   f"builds its own OpenAI client: runs under `migrate run --provider {t.provider}` (the shim gives "
                   f"that client the provider transport); `migrate rewrite` leaves it")]


def _api_key(t: _Target, site: Site) -> list[Reason]:
    del site
    return [Reason("api_key", "caveat", "note", f"an API key is written in the source (not shown): `migrate rewrite` "
                                                f"reads {t.backend.KEY_VARS[0]} instead; revoke the key")]


def _turn_order(t: _Target, _site: Site) -> list[Reason]:
    return [_parameter(t, "messages.assistant_first")]


def _endpoint_site(t: _Target, site: Site) -> list[Reason]:
    operation = operation_of(tuple(site.name.split(".")))
    if operation in t.caps.endpoints:  # a part of an area (images.generations, audio.speech)
        return [Reason(operation, "works", "endpoint", f"{t.provider} serves {operation}")]
    return [_endpoint(t, operation if site.category in _PARTIAL else _ENDPOINTS.get(site.category, site.category))]


_JUDGES: dict[str, Callable[[_Target, Site], list[Reason]]] = {
    "client": _client, "chat": _chat, "streaming": _streaming, "tools": _tools, "json_object": _json_object,
    "json_schema": _json_schema, "vision": _vision, "embeddings": _embeddings, "legacy": _legacy,
    "completions": _completions, "turn_order": _turn_order,
    "model": _model, "env_var": _env_var, "api_key": _api_key, "library": _library,
}


def _verdict(t: _Target, site: Site) -> Verdict:
    reasons = tuple(_JUDGES.get(site.category, _endpoint_site)(t, site)) or \
        (Reason(site.name, "works", "passes", f"nothing {t.provider} handles differently"),)
    status: Status = max((reason.status for reason in reasons), key=STATUSES.index, default="works")
    reembed = any(reason.how == "vector size" and reason.status == "caveat" for reason in reasons)
    return Verdict(t.provider, status, reasons, reembed)


def judge(site: Site, provider: str, *, model_map: Mapping[str, str] | None = None) -> Verdict:
    """``site``'s verdict on ``provider``, from the backend's capability table and the catalogue."""
    return _verdict(_target(provider, model_map), site)


def _judged(display: str, sites: Iterable[Site], targets: Sequence[_Target]) -> list[ScannedSite]:
    return [ScannedSite(display, site, {t.provider: _verdict(t, site) for t in targets}) for site in sites]


def verdicts_for(source: str | bytes, provider: str, *, path: str | None = None,
                 lines: Collection[int] | None = None,
                 model_map: Mapping[str, str] | None = None) -> list[ScannedSite]:
    """The sites of one file (text or bytes) judged for ``provider``, only those on ``lines`` if given.

    For the rewrite report: pass the lines of the findings and TODOs a file got. Raises
    ``codemods.SourceError`` when the file cannot be decoded or parsed.
    """
    data = source.encode("utf-8") if isinstance(source, str) else source
    sites = [s for s in analyse_bytes(data, path=path) if lines is None or s.line in lines]
    return _judged(path or "<source>", sites, [_target(provider, model_map)])


# -- a whole tree ----------------------------------------------------------------------------------


Outcome = tuple[str, list[Site] | str]  # (display, sites or why the file failed)


def _scan_file(job: Job) -> Outcome:
    from codemods import SourceError

    if (why := nul_byte(job.data)) is not None:
        return job.display, why
    try:
        return job.display, analyse_bytes(job.data, path=job.display)
    except SourceError as exc:
        return job.display, exc.reason
    except RecursionError:
        return job.display, "too deeply nested for the parser"


def _run(jobs: list[Job], processes: int) -> list[Outcome]:
    """Each job's sites, parsed in worker processes (at least one: a file that crashes the parser
    fails alone, see ``_isolate``)."""
    processes = max(1, min(processes, len(jobs) // FILES_PER_PROCESS))
    return run_isolated(_scan_file, jobs, processes, crashed=_crashed, warm=_load)


def _load() -> None:
    import codemods.sites  # noqa: F401  (loaded once here; forked workers inherit it)


def _crashed(job: Job, why: str) -> Outcome:
    return job.display, why


def _gate(model_map: Mapping[str, str] | None) -> Callable[[bytes], bool]:
    """The rewrite's prefilter, widened by the analysis' marker words: exact for the scan too."""
    rewrite_gate = Prefilter(model_map or {})
    markers = tuple(marker.encode("ascii") for marker in MARKERS)

    def worth(data: bytes) -> bool:
        lowered = data.lower()
        return any(marker in lowered for marker in markers) or rewrite_gate(data)

    return worth


def scan(paths: Sequence[Path | str], *, providers: Sequence[str] | None = None,
         model_map: Mapping[str, str] | None = None, exclude: Sequence[str] = (), jobs: int | None = None,
         prefilter: bool = True, gitignore: bool = True, max_file_size: int | None = MAX_FILE_SIZE,
         force: bool = False) -> ScanRun:
    """Find every OpenAI SDK usage site under ``paths`` and judge it for each of ``providers``
    (default: every installed backend). Writes nothing. Raises ``UsageError`` for a missing path,
    an unknown provider or a bad ``jobs``, ``NameClash`` when the import name ``adapters`` the
    migration needs is taken (unless ``force``); a file that cannot be read or parsed is a ``Failed``."""
    roots = [Path(p) for p in paths]
    if not roots:
        raise UsageError("no path given: name the files or folders to scan")
    missing = [str(p) for p in roots if not os.path.exists(p)]
    if missing:
        raise UsageError(f"path not found: {', '.join(missing)}")
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {jobs}")
    check_max_file_size(max_file_size)
    names = tuple(_check_target(p.strip().lower()) for p in providers) if providers else tuple(registry.names())
    targets = [_target(name, model_map) for name in names]
    found = discover(roots, exclude, gitignore=gitignore)
    worth = _gate(model_map) if prefilter else None
    failed: list[Failed] = []
    skipped = [Skipped(p, display_path(p), why) for p, why in found.skipped]
    todo: list[Job] = []
    for path, _root in found.files:
        display = display_path(path)
        try:
            data, _snapshot = read(path, size_limit_for(path, max_file_size))
        except (OSError, NotRegular, TooLarge) as exc:
            result = not_read(path, display, exc, max_file_size)
            if isinstance(result, Failed):
                failed.append(result)
            elif isinstance(result, Skipped):
                skipped.append(result)
            continue
        if worth is None or worth(data):
            todo.append(Job(path, display, data))
    paths_of = {job.display: job.path for job in todo}
    sites: list[ScannedSite] = []
    for display, outcome in _run(todo, jobs or os.cpu_count() or 1):
        if isinstance(outcome, str):
            failed.append(Failed(paths_of[display], display, outcome))
        else:
            sites += _judged(display, outcome, targets)
    if sites and not force:  # the migration would import `adapters`: is that name free?
        root_of = dict(found.files)
        migrated = [(paths_of[d], root_of[paths_of[d]]) for d in {s.display for s in sites}]
        clashes = _clash.clashes(migrated, display_path)
        if clashes:
            raise NameClash(clashes)
    sites.sort(key=lambda s: (s.display, s.site.line, CATEGORIES.index(s.site.category), s.site.name))
    return ScanRun(names, tuple(sites), len(found.files), tuple(sorted(failed, key=lambda f: f.display)),
                   tuple(skipped))
