"""``# TODO(migrate:<CODE>): ...`` comments: the codes, and adding a comment above a statement once.

A TODO is added as the last comment line right above the statement it concerns, indented like
it. A statement that already carries a TODO with the same code gets no second one, so a second
run adds nothing. (LibCST parses the comments above a file's first statement into the module
header: those count too.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, cast

import libcst as cst

__all__ = ["TODO_CODES", "add_todos", "has_todo", "todo_comment"]

#: Every TODO code -> what it means and what to do (the documentation lists these).
TODO_CODES: dict[str, str] = {
    "ASSISTANTS": "The Assistants API (assistants, threads, runs) has no equivalent at the provider. "
                  "Rebuild the flow on chat completions with tools, or keep an OpenAI client for it.",
    "VECTOR_STORES": "Vector stores are OpenAI-hosted retrieval; the provider has none. Keep the "
                     "vectors in your own store (embeddings work on the provider).",
    "FILES": "The Files/Uploads API is not available on the provider. Send content inline in "
             "messages, or keep an OpenAI client for files.",
    "FINE_TUNING": "Fine-tuning jobs do not carry over; fine-tune in the provider's console and "
                   "use the resulting model name.",
    "BATCHES": "The Batch API is not available on the provider through the adapter; loop over "
               "chat completions (with concurrency) instead.",
    "AUDIO": "Speech, transcription and translation endpoints are not available on the provider "
             "through the adapter (or, compat style, at its OpenAI-compatible endpoint); use the provider's "
             "own speech SDK.",
    "MODERATIONS": "The provider has no moderation endpoint; use its content-safety service or "
                   "rely on its built-in filtering.",
    "REALTIME": "The Realtime API has no equivalent through the adapter.",
    "RESPONSES": "The Responses API is not available on this provider through the adapter (the "
                 "built-in providers serve it) or, compat style, at its OpenAI-compatible endpoint; rewrite "
                 "the call with chat.completions.create (or use the adapter style).",
    "IMAGES": "Image generation is not available on this provider through the adapter or, compat style, "
              "at its OpenAI-compatible endpoint (the adapter style serves it where the provider has it).",
    "COMPLETIONS": "Legacy text completions (client.completions) are not offered (compat style: the "
                   "OpenAI-compatible endpoint does not serve them; the adapter style runs them through chat); "
                   "use chat.completions.create with the prompt as a user message.",
    "UPLOADS": "The Uploads API is not available on the provider.",
    "MODELS": "The provider's OpenAI-compatible endpoint is not known to list models (compat style; "
              "unconfirmed): name the provider's models in the code, or migrate with --style adapter.",
    "API_KEY": "A key the application supplies (a parameter, a config value, an attribute, a key typed "
               "into a UI) is kept: it must now hold a provider key, as the adapter refuses OpenAI keys. "
               "A key written in the source (redacted) or a placeholder (\"EMPTY\", \"ollama\") was replaced "
               "by the provider's key variable; a written key should be revoked. A place that sets "
               "OPENAI_API_KEY is marked: the adapter reads the provider's variable.",
    "BASE_URL": "A base_url that may not be OpenAI's (a relay, a proxy, a self-hosted server, a "
                "variable) was dropped so the adapter uses the provider's API root; the TODO keeps "
                "the old value. Set the provider's base-URL variable if you need another root.",
    "AZURE": "An Azure OpenAI client: azure_endpoint, api_version and deployment settings were "
             "removed. Deployment names used as model= must become provider models "
             "(--model-map).",
    "HTTP_CLIENT": "The adapter brings its own http_client (its transport); settings made on "
                   "yours (proxies, certificates) must move to the environment or the adapter.",
    "CLIENT_KWARGS": "Client options passed as **kwargs may hold an OpenAI api_key or base_url; "
                     "check them.",
    "ORGANIZATION": "organization= / project= (or OPENAI_ORG_ID / OPENAI_PROJECT_ID) have no provider "
                    "equivalent: the provider key decides the account. They were removed from the client "
                    "(or are read here); remove the setting where it comes from.",
    "EMBEDDING_SIZE": "An OpenAI embedding model was renamed (compat style, or --model-map) to a provider "
                      "model whose vectors have another size, and stored vector indexes depend on it: "
                      "re-embed the stored vectors, or map the model to one that offers the old size. "
                      "Where the provider model offers it, the call gets dimensions= instead of this mark.",
    "REEMBED": "An embeddings call now runs on a provider model instead of the OpenAI model (renamed by the "
               "rewrite, or mapped at run time). Vectors of another model are not comparable with stored "
               "ones even when the size is the same: re-embed stored vectors (or keep an OpenAI client for "
               "embeddings).",
    "MODEL_CONSTANT": "A model= constant kept its OpenAI name because it also feeds something else "
                      "(tiktoken.encoding_for_model, a log line), and nothing maps that name at run time "
                      "the way the rewrite would have (compat style: the provider's compatible endpoint "
                      "does not know it; adapter style with --model-map: the runtime's own mapping "
                      "differs). Pass the provider model to the call, or give the call its own constant.",
    "THINKING": "The call's OpenAI model did not reason, and the provider model it was renamed to thinks "
                "by default (GLM-4.5 and later, open-weight Qwen3), but the rewrite could not write the "
                "provider's switch into the call (its extra_body is not a dict written there, **kwargs may "
                "carry one, or the call may also get a model that should think). Add the switch the TODO "
                "names where the model is the renamed one, or the app gets reasoning it never had "
                "(reasoning_content deltas with content None, slower and costlier answers).",
    "UNKNOWN_MODEL": "A model name that is neither an OpenAI model the catalogue maps nor a "
                     "provider model: pick a provider model, or map it with --model-map.",
    "OPENAI_PROVIDER": "The client is built with openai's own provider= object (Bedrock, Vertex); "
                       "it is left alone. Switch it by hand if it should run on the provider.",
    "LEGACY_API": "An openai 0.x API with no openai>=1 equivalent (Edit, FineTune, Engine...): "
                  "rewrite it on chat.completions, or remove it.",
    "LEGACY_ARGS": "Per-call api_key/api_base/api_type/api_version/organization (0.x) are not accepted "
                   "by openai>=1; they were dropped: configure the client instead.",
    "LEGACY_SETTING": "A 0.x module setting (api_type, api_key_path, proxy...) that openai>=1 does "
                      "not have; configure the client instead.",
    "LEGACY_ERROR": "An openai.error exception openai>=1 does not have; catch openai.OpenAIError "
                    "or remove the handler.",
    "LEGACY_RESPONSE": "Responses are objects in openai>=1: dict-style access that could not be "
                       "followed to a create call must become attribute access by hand.",
    "CONTAINERS": "OpenAI's containers API (code interpreter sandboxes) has no provider counterpart: run "
                  "the code yourself, or keep an OpenAI client for it.",
    "VIDEOS": "OpenAI's videos API (Sora) is not available through the adapter: use the provider's own "
              "video generation API, or keep an OpenAI client for it.",
    "LIBRARY_CLIENT": "Another library (LangChain's ChatOpenAI, LlamaIndex's OpenAI, ...) builds its own "
                      "OpenAI client here, which the rewrite leaves: it still calls OpenAI. Run the app under "
                      "`migrate run --provider P` (the shim gives that client the provider transport), or "
                      "give it the provider's OpenAI-compatible root, the provider's key and a provider model.",
    "MODULE_CLIENT": "openai's module-level client is configured here outside module level; the "
                     "migrated module builds its own client, so this setting no longer applies, except "
                     "openai.api_key in adapter style where the client has no key of its own (or its key is "
                     "None at run time): the client takes it once, at its first request.",
    "MOCK": "A test mock of the openai SDK: a patch target now names the openai>=1 method the migrated "
            "code calls (set the provider's key variable to any value in the test: the code builds a "
            "provider client first), or a mocked reply is still a 0.x dict the code now reads as an object.",
    "HTTP_MOCK": "An HTTP-level mock of api.openai.com (respx, responses, requests-mock, VCR cassettes) "
                 "cannot intercept the provider's native requests: use qianyi's `emulator` pytest fixture, "
                 "or mock at the SDK level.",
    "RAW_HTTP": "Code that sends OpenAI-format HTTP requests itself (requests, httpx, aiohttp, another "
                "library): its base URL now points at the provider's OpenAI-compatible endpoint, so "
                "paths such as /chat/completions exist there. Send the provider's model names and "
                "check each parameter against the provider's compatible API.",
}


def todo_comment(code: str, message: str) -> str:
    """The comment text: ``# TODO(migrate:CODE): message``."""
    return f"# TODO(migrate:{code}): {message}"


def _marker(code: str) -> str:
    return f"# TODO(migrate:{code})"


def has_todo(lines: Sequence[cst.EmptyLine], code: str) -> bool:
    """Whether ``lines`` already hold a TODO with ``code``."""
    marker = _marker(code)
    return any(line.comment is not None and line.comment.value.startswith(marker) for line in lines)


Statement = TypeVar("Statement", bound=cst.SimpleStatementLine | cst.BaseCompoundStatement | cst.ExceptHandler)


def add_todos(statement: Statement, todos: Sequence[tuple[str, str]],
              header: Sequence[cst.EmptyLine] = ()) -> Statement:
    """``statement`` with a comment line for each ``(code, message)`` it does not carry yet."""
    existing = [*header, *statement.leading_lines]
    new: list[cst.EmptyLine] = [
        cst.EmptyLine(comment=cst.Comment(todo_comment(code, message)))
        for code, message in todos
        if not has_todo(existing, code)
    ]
    if not new:
        return statement
    # with_changes keeps the node's class; LibCST's annotation cannot say so for a union.
    return cast(Statement, statement.with_changes(leading_lines=[*statement.leading_lines, *new]))
