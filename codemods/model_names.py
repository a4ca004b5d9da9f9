"""Name the provider's models where OpenAI model names flow into OpenAI calls.

    client.chat.completions.create(model="gpt-4o", ...)   ->  ...create(model="qwen-plus", ...)
    MODEL = "gpt-4o-mini"                                  ->  MODEL = "qwen-flash"
    client.chat.completions.create(model=MODEL, ...)          (only if MODEL is used nowhere else)

OpenAI embedding model names stay in the adapter style (the runtime maps them and keeps their
vector size, which stored indexes depend on); the compat style maps them and marks the call with
TODO(migrate:EMBEDDING_SIZE) saying how to keep the size (``dimensions=``) or that it changes.

Names map through ``adapters.catalogue.map_model`` (a user's ``model_map`` first). A module or class
constant is rewritten only when every use of it is the ``model=`` of an OpenAI call; one that also
feeds something else (``tiktoken.encoding_for_model(MODEL)``) is left, and the runtime maps it.
When every client in the file is already pointed at one provider, that provider's names are used.

Leaves alone: provider model names in the catalogue, names built at run time, everything with
``keep_models``. Marks with TODO(migrate:UNKNOWN_MODEL): a literal that is neither (a fine-tune, an
Azure deployment name), in files that import openai.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from adapters import catalogue

from ._api_calls import keyword
from ._literals import string_value, with_value
from ._pass import FileState, Rule, RuleCodemod
from .client_construction import client_provider

__all__ = ["RewriteModelNames"]


class ModelNamesRule(Rule):
    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        self.provider = self._file_provider()
        self.literals: set[int] = set()
        self.quiet: set[int] = set()

    def _file_provider(self) -> str:
        found = {client_provider(call, self.facts) for calls in self.facts.assigned_calls.values()
                 for call in calls if self.facts.client_constructor(call) is not None}
        providers = {f[0] if f else self.state.provider for f in found}
        return providers.pop() if len(providers) == 1 else self.state.provider

    def visit_Call(self, node: cst.Call) -> None:
        if self.options.keep_models:
            return
        model = keyword(node, "model")
        if model is None or not isinstance(model.value, cst.SimpleString):
            return
        api = self.facts.api_call(node)
        if api is not None:
            self.literals.add(id(model.value))
            if api.endpoint not in self.state.target.endpoints:
                self.quiet.add(id(model.value))  # the unsupported feature's TODO says enough

    def leave_SimpleString(self, original_node: cst.SimpleString,
                           updated_node: cst.SimpleString) -> cst.SimpleString:
        if self.options.keep_models:
            return updated_node
        if id(original_node) not in self.literals and id(original_node) not in self.facts.model_constant_nodes:
            return updated_node
        name = string_value(original_node)
        if name is None:
            return updated_node
        if self._keeps_embedding_model(original_node, name):
            return updated_node
        mapped = catalogue.map_model(name, self.provider, self.options.model_map)
        if mapped != name:
            self.state.find(original_node, "model", f"{name} -> {mapped}")
            self.state.edited()
            return with_value(updated_node, mapped)
        if not catalogue.is_known(name) and self.facts.uses_openai and id(original_node) not in self.quiet:
            self.state.find(original_node, "model", f"unknown model {name!r} left as it is")
            self.state.todo(original_node, "UNKNOWN_MODEL",
                            f"model {name!r} is not in the catalogue for {self.provider}: name a "
                            f"{self.provider} model, or map it with --model-map")
        return updated_node


    def _keeps_embedding_model(self, node: cst.SimpleString, name: str) -> bool:
        """OpenAI embedding names stay in the adapter style: the runtime keeps their vector size only
        while it sees them (stored indexes depend on it). In the compat style the name must change,
        and a TODO says how the vector size changes."""
        size = catalogue.openai_dimensions(name)
        if size is None or name in self.options.model_map:
            return False
        target = catalogue.map_model(name, self.provider)
        sizes = (catalogue.provider_model(self.provider, target) or {}).get("dimensions") or []
        if self.options.style == "adapter":
            kept = "keeps" if size in sizes else f"cannot keep (it gives {sizes[0] if sizes else '?'})"
            self.state.find(node, "model", f"{name} kept: the runtime maps it to {target} and {kept} "
                                           f"its {size}-dimensional vectors")
            return True
        advice = (f"pass dimensions={size} to embeddings.create to keep {size}-dimensional vectors"
                  if size in sizes else
                  f"{target} gives {sizes[0] if sizes else 'other'}-dimensional vectors, not {size}: stored "
                  f"vectors must be re-embedded (or --model-map to a model with {size})")
        self.state.todo(node, "EMBEDDING_SIZE", f"{name} made {size}-dimensional vectors; {advice}")
        return False


class RewriteModelNames(RuleCodemod):
    DESCRIPTION = "Map OpenAI model names passed to OpenAI calls onto the provider's models."
    RULES: ClassVar[tuple[type[Rule], ...]] = (ModelNamesRule,)
