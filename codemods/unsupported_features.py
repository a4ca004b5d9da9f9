"""Mark calls of OpenAI features the provider lacks; leave the code as it is.

    run = client.beta.threads.runs.create(thread_id=t.id, assistant_id=a.id)
      ->  # TODO(migrate:ASSISTANTS): client.beta.threads.runs is not supported by dashscope: rebuild ...
          run = client.beta.threads.runs.create(thread_id=t.id, assistant_id=a.id)

A feature is supported when the backend declares its endpoint in ``CAPABILITIES.endpoints`` (the
adapter translates it), or, with ``--style compat``, in ``COMPAT_ENDPOINTS`` (what a plain openai
client gets at the provider's OpenAI-compatible root: legacy completions and images are not served
there on every provider, though the adapter serves them). One comment per code goes above the statement, once (a second run adds nothing), and each call is
listed in the report (the supported ones too: kinds ``chat``, ``embeddings``, ``models``...).

Leaves alone: anything whose receiver is not known or very plausibly an OpenAI client
(``request.files.get(...)`` in a Flask view is not OpenAI's Files API).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ._api_calls import LIBRARY_CLASSES, OWN_CLIENT_LIBRARIES, library_endpoint
from ._literals import string_value
from ._pass import Rule, Transform
from ._qualnames import dotted

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    MarkUnsupportedFeatures: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "ENDPOINT_TODOS", "MarkUnsupportedFeatures"]

#: endpoint -> (TODO code, what to do)
ENDPOINT_TODOS = {
    "assistants": ("ASSISTANTS", "rebuild the flow on chat.completions with tools, or keep an OpenAI client for it"),
    "threads": ("ASSISTANTS", "rebuild the flow on chat.completions with tools, or keep an OpenAI client for it"),
    "vector_stores": ("VECTOR_STORES", "keep vectors in your own store; embeddings work on the provider"),
    "files": ("FILES", "send content inline in messages, or keep an OpenAI client for files"),
    "uploads": ("UPLOADS", "send content inline in messages, or keep an OpenAI client for uploads"),
    "fine_tuning": ("FINE_TUNING", "fine-tune in the provider's console and use the resulting model name"),
    "batches": ("BATCHES", "loop over chat.completions.create (with concurrency) instead"),
    "audio": ("AUDIO", "use the provider's own speech SDK"),
    "moderations": ("MODERATIONS", "use the provider's content-safety service or its built-in filtering"),
    "realtime": ("REALTIME", "use streamed chat.completions, or keep an OpenAI client for realtime"),
    "responses": ("RESPONSES", "rewrite the call with chat.completions.create"),
    "images": ("IMAGES", "use the provider's own image SDK, or keep an OpenAI client for images"),
    "containers": ("CONTAINERS", "run the code yourself (a sandbox or a subprocess), or keep an OpenAI client for "
                                 "containers"),
    "videos": ("VIDEOS", "use the provider's own video generation API, or keep an OpenAI client for videos"),
    "completions": ("COMPLETIONS", "use chat.completions.create with the prompt as a user message"),
    "models": ("MODELS", "name the provider's models in the code (`migrate models --provider P` lists them)"),
}
_KINDS = {"chat.completions": "chat"}
#: How LangChain and LlamaIndex classes are given another API root.
_LIBRARY_ROOTS = frozenset({"base_url", "openai_api_base", "api_base", "azure_endpoint"})


class UnsupportedFeaturesRule(Rule):
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        api = self.facts.api_call(original_node)
        if api is None:
            return self._library(original_node, updated_node)
        if not self.facts.uses_openai and not self.facts.is_client(api.receiver):
            return updated_node  # the client comes from elsewhere: maybe not OpenAI's
        endpoint = api.endpoint
        endpoints = self.state.endpoints
        if api.served_by(endpoints) or endpoint not in ENDPOINT_TODOS:
            self.state.find(original_node, _KINDS.get(endpoint, endpoint), ".".join(api.path))
            return updated_node
        code, advice = ENDPOINT_TODOS[endpoint]
        receiver = dotted(api.receiver) or "client"
        partly = any(name.startswith(endpoint + ".") for name in endpoints)  # e.g. images.generations only
        what = ".".join([receiver, *(api.path if partly and len(api.path) == 2 else api.path[:-1])])
        self.state.find(original_node, "unsupported", f"{'.'.join(api.path)} ({endpoint})")
        self.state.todo(original_node, code, f"{what} is not {self._where()}: "
                                             f"{self._advice(advice, api.served_by(self.state.target.endpoints))}")
        return updated_node

    def _where(self) -> str:
        """Who lacks it: the provider, or (compat style) its OpenAI-compatible endpoint."""
        if self.options.style == "compat":
            return f"served by {self.state.provider}'s OpenAI-compatible endpoint"
        return f"supported by {self.state.provider}"

    def _advice(self, advice: str, adapter_serves: bool) -> str:
        if self.options.style == "compat" and adapter_serves:
            return f"{advice}, or migrate with --style adapter (adapters.OpenAI serves it)"
        return advice

    def _library(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """A library class that makes the calls for the user (the Agents SDK's OpenAIResponsesModel)
        is judged like the call it makes."""
        resolved = self.facts.resolve(original_node.func)
        endpoint = library_endpoint(resolved)
        if endpoint is None and resolved is not None:
            self._own_client(original_node, resolved)
        if endpoint is None or resolved is None:
            return updated_node
        if endpoint in self.state.endpoints or endpoint not in ENDPOINT_TODOS:
            self.state.find(original_node, _KINDS.get(endpoint, endpoint), resolved)
            return updated_node
        code, advice = ENDPOINT_TODOS[endpoint]
        self.state.find(original_node, "unsupported", f"{resolved} ({endpoint})")
        self.state.todo(original_node, code, f"{resolved} calls client.{endpoint}, which is not {self._where()}: "
                                             f"{self._advice(advice, endpoint in self.state.target.endpoints)}")
        return updated_node


    def _own_client(self, node: cst.Call, resolved: str) -> None:
        """A library class that builds its own OpenAI client (LangChain's ``ChatOpenAI``): left, and
        marked, so ``migrate status`` still counts a site that calls OpenAI."""
        top, name = resolved.split(".", 1)[0], resolved.rsplit(".", 1)[-1]
        if top not in OWN_CLIENT_LIBRARIES or name not in LIBRARY_CLASSES[top]:
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in _LIBRARY_ROOTS:
                url = string_value(arg.value)
                if url is None or "api.openai.com" not in url:
                    return  # pointed elsewhere already (a provider, a local server)
        target = self.state.target
        self.state.todo(node, "LIBRARY_CLIENT",
                        f"{name} ({top}) builds its own OpenAI client, which this rewrite leaves: it still calls "
                        f"OpenAI. Run the app under `migrate run --provider {target.name}`, or give it "
                        f"{target.name}'s OpenAI-compatible root ({target.compat_base_url}; "
                        f"{target.compat_base_url_var} overrides it), the key in {target.key_var} and a "
                        f"{target.name} model")


TRANSFORM = Transform(
    "MarkUnsupportedFeatures", (UnsupportedFeaturesRule,),
    "Mark calls of OpenAI features the provider lacks with TODO(migrate) comments.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
