"""The OpenAI Agents SDK's default client: agents given a model name (or none) run on the provider.

    from agents import Agent, Runner                 from agents import Agent, Runner, set_default_openai_client, set_tracing_disabled
                                                     import adapters
    agent = Agent(name="A", model="gpt-4.1")   ->    agent = Agent(name="A", model="qwen-plus")
                                                     set_default_openai_client(adapters.AsyncOpenAI(provider="dashscope"), use_for_tracing=False)
                                                     set_tracing_disabled(True)  # ...
    print(Runner.run_sync(agent, "Hi").final_output) print(Runner.run_sync(agent, "Hi").final_output)

An ``Agent`` whose ``model=`` is a name (or absent) runs on a client the SDK builds itself from
``OPENAI_API_KEY``: no client in the code to rewrite. The placement rule: the module that *runs*
agents (calls ``Runner.run``, ``run_sync`` or ``run_streamed``) sets the SDK's default client, once,
just above its first top-level statement that runs them (or defines the function that does), so
it is set before any run that module starts and after the module's own set-up (a ``load_dotenv()``
above it has run). A module that already sets a default client (``set_default_openai_client``,
``set_default_openai_provider``) is left as it is, and so is one whose agents all get model objects
built with a client of their own (``OpenAIResponsesModel(openai_client=...)``: that client is
rewritten instead). The SDK exports traces to OpenAI (api.openai.com, with the default client's
key unless ``use_for_tracing=False``, else ``OPENAI_API_KEY``): a module that runs agents turns
tracing off at the same place (model objects or not), unless it decides about tracing itself. The default Responses API stays: every provider serves it through the adapter
(the compat style, on the providers' OpenAI-compatible endpoints, switches the SDK to chat completions).

Names come from the module's own ``from agents import ...`` (extended), else ``agents.`` where it
does ``import agents``, else a ``from agents import`` line of their own after its last agents
import. ``Agent(model="...")`` names are mapped as a call's are (``--keep-models`` leaves them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import libcst as cst

from adapters import catalogue

from ._api_calls import keyword, library_endpoint
from ._facts import Facts
from ._imports import import_of
from ._literals import make_string, string_value, with_value
from ._pass import FileState, Rule, Transform
from ._qualnames import dotted
from ._thinking import code_of, switch
from ._walk import Visitor
from .client_construction import rebuild_client

if TYPE_CHECKING:
    from ._codemod import RuleCodemod

    RewriteAgentsClient: type[RuleCodemod]  # built on first use: see __getattr__ at the end

__all__ = ["TRANSFORM", "RewriteAgentsClient", "is_agent", "runs_agents"]

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
Namer = Callable[[str], str]
_RUN_METHODS = frozenset({"run", "run_sync", "run_streamed"})
_SETS_CLIENT = frozenset({"set_default_openai_client", "set_default_openai_provider"})
_SETS_TRACING = frozenset({"set_tracing_disabled", "set_trace_processors", "set_tracing_export_api_key"})
_CLIENT, _API, _TRACING = "set_default_openai_client", "set_default_openai_api", "set_tracing_disabled"
_TRACING_NOTE = "# the Agents SDK exports traces to OpenAI (api.openai.com): off after the migration"


def _agents_name(resolved: str | None) -> str | None:
    """The last part of a qualified name from the ``agents`` package, else None."""
    if not resolved or resolved.split(".", 1)[0] != "agents":
        return None
    return resolved.rsplit(".", 1)[-1]


def runs_agents(resolved: str | None) -> bool:
    """Whether a call of ``resolved`` runs an agent (``agents.Runner.run_sync``, any submodule)."""
    parts = (resolved or "").split(".")
    return len(parts) >= 3 and parts[0] == "agents" and parts[-2] == "Runner" and parts[-1] in _RUN_METHODS


def is_agent(call: cst.Call, facts: Facts) -> bool:
    """Whether ``call`` builds an ``agents.Agent`` that runs on the SDK's default client: its
    ``model=`` is absent, a name, or anything but a model object built here with its own client."""
    if _agents_name(facts.resolve(call.func)) != "Agent":
        return False
    model = keyword(call, "model")
    return model is None or not (isinstance(model.value, cst.Call) and
                                 library_endpoint(facts.resolve(model.value.func)) is not None)


class _Runs(Visitor):
    def __init__(self, facts: Facts) -> None:
        self.facts, self.found = facts, False

    def visit_Call(self, node: cst.Call) -> None:
        self.found = self.found or runs_agents(self.facts.resolve(node.func))


class AgentsClientRule(Rule):
    @classmethod
    def applies(cls, facts: Facts) -> bool:
        return facts.imports.imports_module("agents")

    def __init__(self, state: FileState) -> None:
        super().__init__(state)
        self.runs = self.default_agents = self.model_objects = 0
        self.sets_client = self.sets_tracing = False
        self.first_run: cst.Call | None = None

    def visit_Call(self, node: cst.Call) -> None:
        resolved = self.facts.resolve(node.func)
        name = _agents_name(resolved)
        if name is None:
            return
        if runs_agents(resolved):
            self.runs += 1
            self.first_run = self.first_run or node
        elif name in _SETS_CLIENT:
            self.sets_client = True
        elif name in _SETS_TRACING:
            self.sets_tracing = True
        elif library_endpoint(resolved) is not None:
            self.model_objects += 1
        elif is_agent(node, self.facts):
            self.default_agents += 1

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """``Agent(model="gpt-4.1")``: the name mapped as a call's."""
        if self.options.keep_models or not is_agent(original_node, self.facts):
            return updated_node
        arg = keyword(original_node, "model")
        if arg is None and not any(a.star for a in original_node.args):
            suggested = catalogue.map_model("gpt-4.1", self.state.provider, self.options.model_map)
            self.state.todo(original_node, "UNKNOWN_MODEL",
                            f"this agent runs on the Agents SDK's default model, an OpenAI name that depends on the "
                            f"installed SDK and may have no {self.state.provider} counterpart: give it "
                            f"model=\"{suggested}\" (or another {self.state.provider} model)")
            return updated_node
        name = string_value(arg.value) if arg is not None else None
        if arg is None or name is None or not isinstance(arg.value, cst.SimpleString):
            return updated_node
        mapped = catalogue.map_model(name, self.state.provider, self.options.model_map)
        if mapped == name:
            if not catalogue.is_known(name):
                self.state.todo(original_node, "UNKNOWN_MODEL",
                                f"model {name!r} is not in the catalogue for {self.state.provider}: name a "
                                f"{self.state.provider} model, or map it with --model-map")
            return updated_node
        quiet = switch(name, mapped, self.state.target.thinking_off)
        if quiet is not None and self.options.style == "adapter":
            # the SDK's Responses calls take no extra_body the runtime passes on: the OpenAI name tells it
            self.state.find(arg.value, "model", f"{name} left for the runtime, which maps it to {mapped} with thinking "
                                                f"off ({mapped} thinks by default, {name} did not)")
            return updated_node
        if quiet is not None:
            self.state.todo(original_node, "THINKING",
                            f"{mapped} thinks by default and {name} did not: give the agent "
                            f"model_settings=ModelSettings(extra_body={code_of(quiet)})")
        self.state.find(arg.value, "model", f"{name} -> {mapped}")
        self.state.edited()
        new_value = with_value(arg.value, mapped)
        return updated_node.with_changes(args=[
            a.with_changes(value=new_value) if a.keyword is not None and a.keyword.value == "model" else a
            for a in updated_node.args])

    def _sets_default(self) -> bool:
        """Whether the module must set the SDK's default client (it runs agents that use it)."""
        if not self.runs or self.sets_client:
            return False
        return bool(self.default_agents) or not self.model_objects

    def leave_Module(self, _original: cst.Module, updated_node: cst.Module) -> cst.Module:
        client, tracing = self._sets_default(), bool(self.runs) and not self.sets_tracing
        if not client and not tracing:
            return updated_node
        compat = self.options.style == "compat"
        names = ([_CLIENT] + ([_API] if compat else []) if client else []) + ([_TRACING] if tracing else [])
        imported = _import_names(list(updated_node.body), names)
        if imported is None:
            return updated_node  # agents imported only inside blocks: nothing to extend
        body, call_name = imported
        lines = []
        if client:
            lines.append(self._client_line(call_name(_CLIENT)))
            if self.first_run is not None:
                self.state.find(self.first_run, "client", "Agents SDK default client")
        if client and compat:  # the compatible endpoints serve chat completions, not the SDK's default Responses API
            lines.append(_line(call_name(_API), make_string("chat_completions"),
                               f"# {self.state.provider}'s OpenAI-compatible endpoint serves chat completions"))
        if tracing:
            lines.append(_line(call_name(_TRACING), cst.Name("True"), _TRACING_NOTE))
        at = next(i for i, s in enumerate(body) if _runs_in(s, self.facts))
        body[at:at] = lines
        self.state.edited()
        return updated_node.with_changes(body=body)

    def _client_line(self, function: str) -> cst.SimpleStatementLine:
        """``set_default_openai_client(<the provider's async client>, use_for_tracing=False)``."""
        compat = self.options.style == "compat"
        built = cst.Call(cst.parse_expression("openai.AsyncOpenAI"), [])
        client = rebuild_client(built, built, self.state, lambda _code, _message: None)
        if not compat:
            client = client.with_changes(func=cst.parse_expression("adapters.AsyncOpenAI"))
        self.state.need_modules.add("openai" if compat else "adapters")
        call = cst.Call(cst.parse_expression(function), [
            cst.Arg(client, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(cst.Name("False"), keyword=cst.Name("use_for_tracing"),
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))),
        ])
        return cst.SimpleStatementLine([cst.Expr(call)])


def _line(function: str, argument: cst.BaseExpression, comment: str) -> cst.SimpleStatementLine:
    """``function(argument)  # comment``."""
    return cst.SimpleStatementLine([cst.Expr(cst.Call(cst.parse_expression(function), [cst.Arg(argument)]))],
                                   trailing_whitespace=cst.TrailingWhitespace(cst.SimpleWhitespace("  "),
                                                                              cst.Comment(comment)))


def _runs_in(statement: cst.BaseStatement, facts: Facts) -> bool:
    finder = _Runs(facts)
    finder.visit(statement)
    return finder.found


def _import_names(body: list[Statement], names: Sequence[str]) -> tuple[list[Statement], Namer] | None:
    """``body`` importing ``names`` from ``agents``, and how to spell each in a call (None: no
    top-level agents import to build on)."""
    froms = [i for i, s in enumerate(body) if _from_agents(s) is not None]
    if not froms and any(_imports_agents_module(s) for s in body):
        return body, lambda name: f"agents.{name}"
    if froms:
        index = froms[0]
        node = _from_agents(body[index])
        assert node is not None and not isinstance(node.names, cst.ImportStar)
        have = {dotted(a.name) or "": _local(a) for a in node.names}
        missing = [n for n in names if n not in have]
        if missing:
            line = body[index]
            assert isinstance(line, cst.SimpleStatementLine)
            body = [*body[:index], line.with_changes(body=[node.with_changes(names=_extended(node, missing))]),
                    *body[index + 1:]]
        return body, lambda name: have.get(name) or name
    anchors = [i for i, s in enumerate(body) if _agents_import(s)]
    if not anchors:
        return None
    new = cst.SimpleStatementLine([cst.ImportFrom(module=cst.Name("agents"), names=[
        cst.ImportAlias(cst.Name(n), comma=_COMMA if i < len(names) - 1 else cst.MaybeSentinel.DEFAULT)
        for i, n in enumerate(names)])])
    return [*body[:anchors[-1] + 1], new, *body[anchors[-1] + 1:]], lambda name: name


_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return dotted(alias.name) or ""


def _extended(node: cst.ImportFrom, missing: Sequence[str]) -> list[cst.ImportAlias]:
    """``node``'s names with ``missing`` appended, laid out as the others are (one a line in parentheses)."""
    aliases = list(node.names) if not isinstance(node.names, cst.ImportStar) else []
    last = aliases[-1]
    parenthesized = node.lpar is not None
    between = aliases[-2].comma if parenthesized and len(aliases) > 1 else _COMMA
    between = between if isinstance(between, cst.Comma) else _COMMA
    trailing = last.comma if parenthesized else cst.MaybeSentinel.DEFAULT
    aliases[-1] = last.with_changes(comma=between)
    added = [cst.ImportAlias(cst.Name(n), comma=between) for n in missing]
    added[-1] = added[-1].with_changes(comma=trailing)
    return aliases + added


def _from_agents(statement: cst.BaseStatement) -> cst.ImportFrom | None:
    node = import_of(statement)
    if isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None and \
            dotted(node.module) == "agents" and not isinstance(node.names, cst.ImportStar):
        return node
    return None


def _imports_agents_module(statement: cst.BaseStatement) -> bool:
    node = import_of(statement)
    return isinstance(node, cst.Import) and any(dotted(a.name) == "agents" and a.asname is None for a in node.names)


def _agents_import(statement: cst.BaseStatement) -> bool:
    node = import_of(statement)
    if isinstance(node, cst.ImportFrom):
        return not node.relative and node.module is not None and (dotted(node.module) or "").split(".")[0] == "agents"
    return isinstance(node, cst.Import) and any((dotted(a.name) or "").split(".")[0] == "agents" for a in node.names)


TRANSFORM = Transform(
    "RewriteAgentsClient", (AgentsClientRule,),
    "Give the OpenAI Agents SDK's default client (agents given a model name) the provider, and turn off "
    "its tracing export to OpenAI.",
    __name__)
__getattr__ = TRANSFORM.attribute  # the codemod class, built when asked for
