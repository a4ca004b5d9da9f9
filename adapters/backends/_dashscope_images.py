"""DashScope image generation (shared/reference/images.md §1): pure plans, the transport sends them.

    wan2.x / qwen-image (asynchronous task)          wan2.6-t2i (synchronous)
    POST /services/aigc/text2image/image-synthesis   POST /services/aigc/multimodal-generation/generation
      X-DashScope-Async: enable                        {"input": {"messages": [user: [{"text"}]]},
      {"input": {"prompt"}, "parameters": {"size": "W*H", "n"}}    "parameters": {"size", "n"}}
      -> {"output": {"task_id", "task_status": "PENDING"}}        -> output.choices[].message.content[{"image"}]
    GET /tasks/{task_id}  (after 1 s, doubling every 3 polls up to 5 s, as the SDK polls; the client's
      timeout bounds the wait: past it, or when a poll keeps failing, the error names the task and is
      not retried by the openai client, which would submit a new, billed task) until SUCCEEDED -> output.results[{"url", "actual_prompt"?}];
      FAILED / CANCELED / UNKNOWN -> the mapped error (DataInspectionFailed: 400 content_filter)

More images than a model makes per call (``max_n``; qwen-image: 1, an unconfirmed limit) are more
tasks, one after the other. ``provider_options={"poll_interval": s}`` sets the first wait.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import Any

from .. import images
from ..native import Context, ErrorInfo, NativeError, NativeRequest

__all__ = ["plan"]

TASK_PATH = "/services/aigc/text2image/image-synthesis"
SYNC_PATH = "/services/aigc/multimodal-generation/generation"
POLL_FIRST, POLL_MOST = 1.0, 5.0
FAILED = frozenset({"FAILED", "CANCELED", "UNKNOWN"})

ErrorOf = Callable[[int, Any, Mapping[str, str]], "ErrorInfo | None"]
Steps = Generator[NativeRequest, Any, None]


def plan(body: Mapping[str, Any], ctx: Context, error_of: ErrorOf) -> Steps:
    """The native requests for one ``images.generate`` (``error_of``: the backend's error mapper)."""
    req = images.read(body, ctx)
    batches = [min(req.per_call, req.n - done) for done in range(0, req.n, req.per_call)]
    if req.info.get("api") == "sync":
        return _sync(req, batches, ctx)
    return _tasks(req, batches, ctx, error_of)


def _tasks(req: images.ImageRequest, batches: list[int], ctx: Context, error_of: ErrorOf) -> Steps:
    first = float(ctx.options.get("poll_interval") or POLL_FIRST)
    for count in batches:
        native = {"model": ctx.model, "input": {"prompt": req.prompt},
                  "parameters": {"size": req.size("*"), "n": count}}
        submitted = yield NativeRequest("POST", TASK_PATH, native, {"X-DashScope-Async": "enable"})
        ctx.notes.setdefault("request_id", submitted.get("request_id"))
        task_id = str((submitted.get("output") or {})["task_id"])
        wait, polls = first, 0
        while True:
            reply = yield NativeRequest("GET", f"/tasks/{task_id}", delay=wait, overdue=_overdue(task_id))
            output = (reply or {}).get("output") or {}
            status = output.get("task_status")
            if status == "SUCCEEDED":
                break
            if status in FAILED:
                raise NativeError(_failure(output, task_id, str(status), error_of))
            polls += 1
            if polls % 3 == 0:
                wait = min(wait * 2, max(POLL_MOST, first))
        made = [r for r in output.get("results") or [] if isinstance(r, Mapping) and r.get("url")]
        if not made:  # every image of the task failed: each result carries its own code
            first_failed: Mapping[str, Any] = next(iter(output.get("results") or []), {})
            raise NativeError(_failure(first_failed, task_id, "FAILED", error_of))
        images.add_results(ctx, [{"url": r["url"], "revised_prompt": r.get("actual_prompt")} for r in made])
    yield from images.fetches(ctx)


def _overdue(task_id: str) -> str:
    """What to do about a submitted task whose poll could not be answered in time: not to submit it again."""
    return (f"The dashscope image task {task_id} was submitted and may still finish; it was not submitted again "
            f"(a new task would be billed again). Fetch its result with GET /api/v1/tasks/{task_id} (in the "
            f"dashscope SDK: ImageSynthesis.fetch({task_id!r})) within 24 hours, or call again with a longer "
            f"timeout= (image tasks take seconds to minutes).")


def _failure(output: Mapping[str, Any], task_id: str, status: str, error_of: ErrorOf) -> ErrorInfo:
    code = output.get("code")
    if not code and status == "UNKNOWN":
        return ErrorInfo(404, "not_found", f"dashscope does not know image task {task_id} (unknown or expired).",
                         "dashscope")
    message = f"The image task {task_id} ended {status}: {output.get('message') or 'no reason given'}"
    info = error_of(500 if not code else 400, {"code": code or "InternalError", "message": message}, {})
    assert info is not None
    return info


def _sync(req: images.ImageRequest, batches: list[int], ctx: Context) -> Steps:
    for count in batches:
        native = {"model": ctx.model,
                  "input": {"messages": [{"role": "user", "content": [{"text": req.prompt}]}]},
                  "parameters": {"size": req.size("*"), "n": count}}
        reply = yield NativeRequest("POST", SYNC_PATH, native)
        ctx.notes.setdefault("request_id", reply.get("request_id"))
        choices = (reply.get("output") or {}).get("choices") or []
        urls = [part["image"] for c in choices for part in (c.get("message") or {}).get("content") or []
                if isinstance(part, Mapping) and part.get("image")]
        images.add_results(ctx, [{"url": url} for url in urls])
    yield from images.fetches(ctx)
