"""Legacy text completions (``client.completions.create``) served by a provider's chat API.

    {"model", "prompt": "Once upon", "max_tokens": 16, "stop", "n", "stream"}
      -> one chat request per prompt: {"model", "messages": [{"role": "user", "content": "Once upon"}], ...}
    chat.completion {"choices": [{"message": {"content"}}]}  ->  text_completion {"choices": [{"text"}]}
    chat.completion.chunk {"delta": {"content"}}             ->  text_completion chunk {"text"}

None of the three providers has a completions API for its general models (shared/reference/
responses.md §3), so the prompt becomes a user turn: a chat model answers it rather than continuing
the text. A list of prompts is one chat call per prompt (choices ordered prompt by prompt, ``n``
each, as OpenAI orders them). ``echo`` is emulated (the prompt is put before the text); ``suffix``
(fill-in-the-middle) and ``best_of`` go through the unsupported-parameter policy; ``logprobs=N``
asks chat for ``logprobs``/``top_logprobs`` (the provider's table decides whether it is sent) and
chat log-probabilities come back in the completions shape. Token-id prompts cannot be sent.

Pure functions; ``exchange.py`` calls them around the backend's chat translation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .capabilities import Refused
from .native import Context

__all__ = ["COMPLETION_NOTES", "chunk_from_chat", "from_chat", "to_chat"]

#: Parameters that mean the same on chat and are handed to the backend's chat translation as they are.
_CHAT_PARAMETERS = ("model", "max_tokens", "n", "stop", "stream", "stream_options", "temperature", "top_p",
                    "presence_penalty", "frequency_penalty", "seed", "user", "logit_bias")
#: Every parameter of OpenAI's completions API: anything else in a body came through ``extra_body``.
_COMPLETION_PARAMETERS = frozenset({*_CHAT_PARAMETERS, "prompt", "suffix", "best_of", "echo", "logprobs"})
#: What the adapter does with each completions-only parameter (for docs, scan and the tables).
COMPLETION_NOTES = {
    "prompt": "the prompt is sent as a user message (a chat model answers it); a list of prompts is one call per "
              "prompt",
    "echo": "emulated: the prompt is put before the generated text",
    "suffix": "no fill-in-the-middle on chat: dropped per the unsupported= policy",
    "best_of": "values above n are dropped per the unsupported= policy",
    "logprobs": "sent as chat logprobs/top_logprobs where the provider has them",
}
_NOTE = "completion"  # ctx.notes key: what the reply side needs (prompts, n, echo)


def to_chat(body: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
    """The chat requests (one per prompt) that serve a completions request."""
    prompts = _prompts(body.get("prompt"), ctx)
    if body.get("stream") and len(prompts) > 1:
        raise Refused(f"{ctx.provider} serves completions through chat, one call per prompt, and cannot stream "
                      f"{len(prompts)} prompts at once; stream one prompt per call.", param="prompt")
    if body.get("suffix"):
        ctx.policy.unsupported("suffix", "(fill-in-the-middle; completions are served through chat)")
    n = int(body.get("n") or 1)
    best_of = body.get("best_of")
    if isinstance(best_of, int) and best_of > n:
        ctx.policy.unsupported("best_of", f"(best_of={best_of}; the first {n} answer(s) are returned)")
    chat: dict[str, Any] = {name: body[name] for name in _CHAT_PARAMETERS if body.get(name) is not None}
    # Fields that are not OpenAI's (extra_body): the chat translation passes or translates them as extras.
    chat.update({name: value for name, value in body.items() if name not in _COMPLETION_PARAMETERS})
    logprobs = body.get("logprobs")
    if isinstance(logprobs, int) and not isinstance(logprobs, bool):
        chat["logprobs"] = True
        if logprobs > 0:
            chat["top_logprobs"] = logprobs
    ctx.notes[_NOTE] = {"prompts": prompts, "n": n, "echo": bool(body.get("echo")), "echoed": False}
    return [{**chat, "messages": [{"role": "user", "content": prompt}]} for prompt in prompts]


def _prompts(prompt: Any, ctx: Context) -> list[str]:
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, str) for p in prompt):
        return list(prompt)
    if isinstance(prompt, list) and prompt and all(isinstance(p, int | list) for p in prompt):
        raise Refused(f"{ctx.provider} takes text prompts only: token-id prompts cannot be translated; pass the "
                      f"text (decode the tokens first).", param="prompt")
    raise Refused("prompt must be a string or a non-empty list of strings.", param="prompt")


def from_chat(completion: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """A ``text_completion`` from the merged chat completion of the plan's calls."""
    note = ctx.notes.get(_NOTE) or {}
    prompts: Sequence[str] = note.get("prompts") or [""]
    per_prompt = max(1, int(note.get("n") or 1))
    choices = []
    for position, c in enumerate(completion.get("choices") or []):
        text = (c.get("message") or {}).get("content") or ""
        if note.get("echo"):
            text = prompts[min(position // per_prompt, len(prompts) - 1)] + text
        choices.append({"index": position, "text": text, "finish_reason": _finish(c.get("finish_reason")),
                        "logprobs": _logprobs(c.get("logprobs"))})
    out = {"id": _id(completion.get("id")), "object": "text_completion", "created": completion.get("created", 0),
           "model": completion.get("model", ctx.model), "choices": choices}
    if completion.get("usage") is not None:
        out["usage"] = completion["usage"]
    return out


def chunk_from_chat(chunk: Mapping[str, Any], ctx: Context) -> dict[str, Any] | None:
    """A ``text_completion`` stream chunk from a chat one (``None``: nothing to send, e.g. the role-only
    first delta)."""
    note = ctx.notes.get(_NOTE) or {}
    choices = []
    for c in chunk.get("choices") or []:
        text = (c.get("delta") or {}).get("content") or ""
        if note.get("echo") and not note.get("echoed"):
            note["echoed"] = True
            text = (note.get("prompts") or [""])[0] + text
        if not text and c.get("finish_reason") is None:
            continue
        choices.append({"index": c.get("index", 0), "text": text, "finish_reason": _finish(c.get("finish_reason")),
                        "logprobs": _logprobs(c.get("logprobs"))})
    if not choices and not chunk.get("usage"):
        return None
    out = {"id": _id(chunk.get("id")), "object": "text_completion", "created": chunk.get("created", 0),
           "model": chunk.get("model", ctx.model), "choices": choices}
    if chunk.get("usage"):
        out["usage"] = chunk["usage"]
    return out


def _id(chat_id: Any) -> str:
    ident = str(chat_id or "")
    return "cmpl-" + ident.removeprefix("chatcmpl-") if not ident.startswith("cmpl-") else ident


def _finish(reason: Any) -> str | None:
    """Completions know ``stop``, ``length`` and ``content_filter`` (a tool call cannot happen here)."""
    if reason is None:
        return None
    return reason if reason in ("length", "content_filter") else "stop"


def _logprobs(chat: Any) -> dict[str, Any] | None:
    """Chat log-probabilities (``content[]`` of token entries) in the completions shape."""
    entries = chat.get("content") if isinstance(chat, Mapping) else None
    if not entries:
        return None
    tokens, offsets, offset = [], [], 0
    for entry in entries:
        tokens.append(str(entry.get("token", "")))
        offsets.append(offset)
        offset += len(tokens[-1])
    return {"tokens": tokens, "token_logprobs": [e.get("logprob") for e in entries], "text_offset": offsets,
            "top_logprobs": [{str(t.get("token", "")): t.get("logprob") for t in e.get("top_logprobs") or []}
                             for e in entries]}
