"""Name the provider's models where OpenAI model names flow into OpenAI calls.

    client.chat.completions.create(model="gpt-4o", ...)   ->  ...create(model="qwen-plus", ...)
    MODEL = "gpt-4o-mini"                                  ->  MODEL = "qwen-flash"
    client.chat.completions.create(model=MODEL, ...)          (only if MODEL is used nowhere else)

Names map through ``adapters.catalogue.map_model`` (a user's ``model_map`` first). A module or class
constant is rewritten only when every use of it is the ``model=`` of an OpenAI call; one that also
feeds something else (``tiktoken.encoding_for_model(MODEL)``) is left, and the runtime maps it.
When every client in the file is already pointed at one provider, that provider's names are used.

Embedding models: stored vector indexes depend on the vector size, which the runtime keeps (1536,
3072) only while it sees the OpenAI name. So in the adapter style an OpenAI embedding name stays
(a finding says whether the provider keeps its size). Where the name is renamed (the compat style,
which has no runtime, or a ``model_map`` entry), the embeddings calls it reaches keep the size:

    client.embeddings.create(model="text-embedding-3-small", input=docs)
      -> client.embeddings.create(model="text-embedding-v4", input=docs, dimensions=1536)

Thinking: a chat model that did not reason renamed to one that thinks by default (gpt-4o -> glm-4.6)
gets the provider's switch in the call's ``extra_body``; where the call cannot say it, the adapter
style leaves the OpenAI name for the runtime, the compat style marks TODO(migrate:THINKING)
(``_thinking`` says when):

    client.chat.completions.create(model="gpt-4o", messages=m)
      -> client.chat.completions.create(model="glm-4.6", messages=m, extra_body={"thinking": {"type": "disabled"}})

Leaves alone: provider model names in the catalogue, names built at run time, everything with
``keep_models``, a call's own ``dimensions=``. Marks with TODO(migrate:UNKNOWN_MODEL): a literal
that is neither (a fine-tune, an Azure deployment name), in files that import openai; with
TODO(migrate:EMBEDDING_SIZE): a renamed embedding model's call whose vector size changes (the
provider model cannot make the old size, or ``**kwargs`` hide whether ``dimensions=`` is passed);
with TODO(migrate:MODEL_CONSTANT): a call whose constant keeps its OpenAI name (it feeds something
else too) where no runtime maps it as this run would (the compat style; a ``model_map`` entry); with
TODO(migrate:REEMBED): any other embeddings call whose OpenAI model changes (here, or at run time in
the adapter style): another model's vectors are not comparable with stored ones, even at the same size.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from adapters import catalogue

from ._api_calls import keyword, with_keyword
from ._literals import make_string, string_value, with_value
from ._model_flow import Literal, Reach
from ._pass import FileState, Rule, Transform
from ._target import provider_facts
from ._thinking import Plan, plan, with_switch
from .client_construction import client_provider

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteModelNames: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteModelNames"]


@dataclass(frozen=True)
class _Embedding:
    """An OpenAI embedding model and the provider model it maps to: what happens to its vectors."""

    name: str
    target: str
    size: int  #: the OpenAI model's vector size
    sizes: tuple[int, ...]  #: what the provider model offers (empty: unknown to the catalogue)
    default: int | None  #: what it makes without ``dimensions=``

    @classmethod
    def of(cls, name: str, target: str, provider: str) -> _Embedding | None:
        size = catalogue.openai_dimensions(name)
        if size is None:
            return None
        info = catalogue.provider_model(provider, target) or {}
        sizes = tuple(info.get("dimensions") or ())
        default = info.get("default_dimension", sizes[0] if sizes else None)
        return cls(name, target, size, sizes, default if isinstance(default, int) else None)

    @property
    def offered(self) -> bool:
        return self.size in self.sizes

    @property
    def kept(self) -> bool:
        """Whether calls get the old size without asking (the provider model's default is that size)."""
        return self.default == self.size

    def changes(self, hidden: bool = False) -> str:
        """The TODO for a call without ``dimensions=`` (``hidden``: its ``**kwargs`` may pass one)."""
        if self.default is None:
            return (f"{self.name} made {self.size}-dimensional vectors and {self.target} is not in the "
                    f"catalogue: check its vector size, and re-embed stored vectors if it differs")
        change = f"the vector size changes from {self.size} ({self.name}) to {self.default} ({self.target})"
        if hidden:
            return (f"{change} unless dimensions={self.size} is passed, which this call's **kwargs hide: "
                    f"pass it, or re-embed the vectors stored from {self.name}")
        return (f"{change}: re-embed the vectors stored from {self.name}, or map it with --model-map to "
                f"a model that offers {self.size}")


class ModelNamesRule(Rule):
    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        self.provider = self._file_provider()
        self.sized: dict[int, int] = {}  # embeddings calls (by id) -> the dimensions= they get

    def _file_provider(self) -> str:
        found = {client_provider(call, self.facts) for calls in self.facts.assigned_calls.values()
                 for call in calls if self.facts.client_constructor(call) is not None}
        providers = {f[0] if f else self.state.provider for f in found}
        return providers.pop() if len(providers) == 1 else self.state.provider

    def _renamed_embedding(self, name: str) -> _Embedding | None:
        """The embedding model ``name`` is, when this run renames it (adapter style: only by the
        user's map, since the runtime keeps the size of a name it still sees)."""
        if self.options.style == "adapter" and name not in self.options.model_map:
            return None
        mapped = catalogue.map_model(name, self.provider, self.options.model_map)
        return _Embedding.of(name, mapped, self.provider) if mapped != name else None

    @cached_property
    def thinking(self) -> Plan:
        """Where a renamed model that did not reason gets the provider's thinking switch (``_thinking``)."""
        return plan(self.facts, provider_facts(self.provider), self.options.style, self._renamed)

    def _renamed(self, reach: Reach) -> tuple[str, str] | None:
        """``(name, provider model)`` when this run renames the literal ``reach`` holds."""
        name = string_value(reach.node)
        if name is None or not reach.mapped or self.options.keep_models:
            return None
        if self.options.style == "adapter" and name not in self.options.model_map and \
                _Embedding.of(name, catalogue.map_model(name, self.provider), self.provider) is not None:
            return None  # left for the runtime (``_left_for_the_runtime``)
        mapped = catalogue.map_model(name, self.provider, self.options.model_map)
        return (name, mapped) if mapped != name else None

    def visit_Call(self, node: cst.Call) -> None:
        if keyword(node, "model") is None and not any(a.star == "**" for a in node.args):
            return
        api = self.facts.api_call(node)
        if api is None:
            return
        if self.options.keep_models:  # the runtime maps the name: another embedding model all the same
            if api.endpoint == "embeddings":
                self._reembed(node, self.facts.model_flow.by_call.get(id(node), []))
            return
        for call, message in self.thinking.todos:
            if call is node:
                self.state.todo(node, "THINKING", message)
        switched = self.thinking.switches.get(id(node))
        if switched is not None:
            self.state.find(node, "thinking", switched[1])
        reached = self.facts.model_flow.by_call.get(id(node), [])
        if api.endpoint == "embeddings":
            self._keep_size(node, reached)
        for reach in reached:
            if not reach.mapped:
                self._check_kept(node, reach)

    def _quiet(self, reach: Reach) -> bool:
        """Whether every call ``reach`` reaches is an endpoint the provider lacks (its TODO says enough)."""
        endpoints = self.state.endpoints
        return all((api := self.facts.api_call(call)) is not None and not api.served_by(endpoints)
                   for call in reach.calls)

    def _check_kept(self, call: cst.Call, reach: Reach) -> None:
        """Mark a call whose model name keeps its OpenAI name because it also feeds something
        else, where nothing at run time would map that name as this run would have."""
        value = string_value(reach.node)
        if value is None:
            return
        mapped = catalogue.map_model(value, self.provider, self.options.model_map)
        if mapped == value:
            return
        if self.options.style == "compat":
            why = f"{self.provider}'s OpenAI-compatible endpoint does not know that name"
        elif value in self.options.model_map:
            why = (f"the runtime maps it to {catalogue.map_model(value, self.provider)}, not to {mapped} as "
                   f"the model map says (unless the client gets model_map= too)")
        else:
            return  # the runtime maps it, as this run would have
        self.state.todo(call, "MODEL_CONSTANT",
                        f"{reach.via} ({value!r}) also feeds something other than model=, so it keeps its OpenAI "
                        f"name, and {why}: pass model=\"{mapped}\" here, or give the call a constant of its own")

    def _keep_size(self, call: cst.Call, reached: list[Reach]) -> None:
        """Give an embeddings call whose model is renamed the OpenAI model's vector size, or mark it."""
        names = {string_value(reach.node) for reach in reached if reach.mapped}
        name = names.pop() if len(names) == 1 else None
        embedding = self._renamed_embedding(name) if name else None
        if embedding is not None and not embedding.kept and keyword(call, "dimensions") is None:
            if not embedding.offered or any(arg.star == "**" for arg in call.args):
                self.state.todo(call, "EMBEDDING_SIZE", embedding.changes(hidden=embedding.offered))
                return  # it says to re-embed already: one note per call
            self.sized[id(call)] = embedding.size
            self.state.find(call, "model", f"dimensions={embedding.size} keeps the vector size of "
                                           f"{embedding.name} on {embedding.target}")
        self._reembed(call, reached)

    def _reembed(self, call: cst.Call, reached: list[Reach]) -> None:
        """Another model makes other vectors, whatever their size: say so once per embeddings call whose
        OpenAI model changes (renamed here or by the runtime). Only while the file still imports openai
        and not adapters: an already migrated file is left as it is."""
        imports = self.facts.imports
        names = {string_value(reach.node) for reach in reached}
        name = names.pop() if len(names) == 1 else None
        if name is None or catalogue.openai_dimensions(name) is None or \
                not imports.imports_module("openai") or imports.imports_module("adapters"):
            return
        target = catalogue.map_model(name, self.provider, self.options.model_map)
        if target == name:
            return
        self.state.todo(call, "REEMBED", f"this call now embeds with {self.provider}'s {target}, not {name}: its "
                                         f"vectors are not comparable with stored ones, even at the same size: "
                                         f"re-embed stored vectors")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        switched = self.thinking.switches.get(id(original_node)) if self.facts.flow.sinks else None
        if switched is not None:
            self.state.edited()
            updated_node = with_switch(updated_node, switched[0])
        size = self.sized.get(id(original_node))
        if size is None:
            return updated_node
        self.state.edited()
        return with_keyword(updated_node, "dimensions", cst.Integer(str(size)))

    def leave_SimpleString(self, original_node: cst.SimpleString,
                           updated_node: cst.SimpleString) -> cst.BaseExpression:
        if self.options.keep_models:
            return updated_node
        return self._literal(original_node, updated_node)

    def leave_ConcatenatedString(self, original_node: cst.ConcatenatedString,
                                 updated_node: cst.ConcatenatedString) -> cst.BaseExpression:
        if self.options.keep_models:
            return updated_node
        return self._literal(original_node, updated_node)

    def _literal(self, original: Literal, updated: Literal) -> Literal:
        reach = self.facts.model_flow.literals.get(id(original)) if self.facts.flow.sinks or \
            self.facts.flow.splats else None
        name = string_value(original) if reach is not None else None
        if reach is None or name is None:
            return updated
        known = catalogue.is_known(name)
        if not reach.mapped:
            if not known and self.facts.uses_openai and not self._quiet(reach):
                self._unknown(original, name)
            return updated  # it feeds something else too: the runtime maps it
        if self.options.style == "adapter" and name not in self.options.model_map and \
                self._left_for_the_runtime(original, name):
            return updated
        kept = self.thinking.kept.get(id(original))
        if kept is not None:
            self.state.find(original, "model", kept)
            return updated
        mapped = catalogue.map_model(name, self.provider, self.options.model_map)
        if mapped != name:
            self.state.find(original, "model", f"{name} -> {mapped}")
            self.state.edited()
            if isinstance(updated, cst.SimpleString):
                return with_value(updated, mapped)
            return updated.left.with_changes(value=with_value(updated.left, mapped).value) \
                if isinstance(updated.left, cst.SimpleString) else make_string(mapped)
        if not known and self.facts.uses_openai and not self._quiet(reach):
            self._unknown(original, name)
        return updated

    def _unknown(self, node: cst.CSTNode, name: str) -> None:
        self.state.find(node, "model", f"unknown model {name!r} left as it is")
        self.state.todo(node, "UNKNOWN_MODEL",
                        f"model {name!r} is not in the catalogue for {self.provider}: name a "
                        f"{self.provider} model, or map it with --model-map")

    def _left_for_the_runtime(self, node: Literal, name: str) -> bool:
        """Whether ``name`` is an OpenAI embedding model, left for the runtime to map (and said so)."""
        embedding = _Embedding.of(name, catalogue.map_model(name, self.provider), self.provider)
        if embedding is None:
            return False
        if embedding.offered:
            detail = f"keeps its {embedding.size} dimensions"
        else:
            detail = (f"cannot keep its {embedding.size} dimensions ({embedding.target} makes "
                      f"{embedding.default or 'another size'}): vectors stored from {name} must be re-embedded")
        self.state.find(node, "model", f"{name} left for the runtime, which maps it to {embedding.target} "
                                       f"and {detail}")
        return True


TRANSFORM = Transform(
    "RewriteModelNames", (ModelNamesRule,),
    "Map OpenAI model names passed to OpenAI calls onto the provider's models.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
