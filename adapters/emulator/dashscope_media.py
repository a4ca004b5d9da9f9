"""DashScope's image generation as the emulator speaks it (shared/reference/images.md §1).

    POST /api/v1/services/aigc/text2image/image-synthesis   X-DashScope-Async: enable (required)
      {"model", "input": {"prompt"}, "parameters": {"size": "W*H", "n"}}  -> {"output": {"task_id", "task_status"}}
    GET  /api/v1/tasks/{task_id}    PENDING/RUNNING, then SUCCEEDED with output.results[{"url"}]
                                    (or FAILED with code/message; UNKNOWN for an unknown id)
    POST /api/v1/services/aigc/multimodal-generation/generation with an image model (wan2.6):
      the synchronous form, output.choices[].message.content[{"image": url}]; other models go on to
      the chat dialect (``dashscope.py``)

A task finishes after ``emu.tasks.polls`` polls (default 2). Result URLs point at ``files.py``.
"""

from __future__ import annotations

from typing import Any

from .. import catalogue
from . import dashscope, dashscope_audio, files
from .imagery import REFUSE, image_model, parse_size, size_problem
from .replies import request_key
from .wire import Answer, Context, RecordedRequest, Rejected, json_answer, obj, uuid_like

NAME = "dashscope"
_TASK = "/api/v1/services/aigc/text2image/image-synthesis"
_MULTIMODAL = "/api/v1/services/aigc/multimodal-generation/generation"
_TASKS = "/api/v1/tasks/"
_TIMES = {"submit_time": "2026-01-15 10:00:01.123", "scheduled_time": "2026-01-15 10:00:01.456"}

error, stream_error = dashscope.error, dashscope.stream_error


def endpoint(path: str) -> str | None:
    if path == _TASK:
        return "image-task"
    if path.startswith(_TASKS):
        return "task"
    if path == _MULTIMODAL:
        return "multimodal"
    return None


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    spoken = _spoken(request)
    if spoken is None and request.endpoint == "multimodal" and image_model(NAME, obj(request.json).get("model")) is None:
        return dashscope.handle(request, ctx)  # a vision chat model
    try:
        if not ctx.known_key(NAME, request.bearer or ""):
            raise Rejected("Invalid API-key provided." if request.bearer else "No API-key provided.", 401,
                           "InvalidApiKey")
        if request.endpoint == "task":
            return _poll(request, ctx)
        if request.method != "POST" or not isinstance(request.json, dict):
            raise Rejected("Request body is not valid JSON.", 400, "BadRequest.IllegalInput")
        if spoken is not None:
            return dashscope_audio.handle(request, spoken)
        if request.endpoint == "image-task":
            return _submit(request, ctx)
        return _sync(request)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def _spoken(request: RecordedRequest) -> str | None:
    """``transcription`` or ``speech`` for a multimodal call to a speech model (``dashscope_audio.py``)."""
    if request.endpoint != "multimodal":
        return None
    info = catalogue.provider_model(NAME, str(obj(request.json).get("model")))
    kind = (info or {}).get("kind")
    return kind if kind in ("transcription", "speech") else None


def _checked(request: RecordedRequest, api: str, prompt: Any) -> tuple[dict[str, Any], int, int, int]:
    body = request.json
    info = image_model(NAME, body.get("model"))
    if info is None or info.get("api", "task") != api:
        raise Rejected("Model not exist.", 400, "InvalidParameter")
    if not isinstance(prompt, str) or not prompt:
        raise Rejected('Field required: input.prompt', 400, "InvalidParameter")
    params = obj(body.get("parameters"))
    size = parse_size(params.get("size", info.get("default_size", "1024x1024").replace("x", "*")), "*")
    if size is None:
        raise Rejected("The size must be written as width*height, e.g. 1024*1024.", 400, "InvalidParameter")
    problem = size_problem(info, *size)
    if problem:
        raise Rejected(f"The size is not match the allowed size: {problem}.", 400, "InvalidParameter")
    n = params.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= int(info.get("max_n") or 1):
        raise Rejected(f"n must be within [1, {info.get('max_n') or 1}].", 400, "InvalidParameter")
    return info, size[0], size[1], n


def _urls(request: RecordedRequest, key: str, width: int, height: int, n: int) -> list[str]:
    return [files.image_url(request, NAME, request_key(key, i), width, height) for i in range(n)]


def _submit(request: RecordedRequest, ctx: Context) -> Answer:
    if request.headers.get("x-dashscope-async", "").lower() != "enable":
        raise Rejected("current user api does not support synchronous calls", 403, "AccessDenied")
    prompt = str(obj(request.json.get("input")).get("prompt") or "")
    _info, width, height, n = _checked(request, "task", prompt)
    task = ctx.tasks.submit(request.key, {})
    output: dict[str, Any] = {"task_id": task.id, "task_status": "FAILED" if REFUSE in prompt else "SUCCEEDED",
                              **_TIMES, "end_time": "2026-01-15 10:00:09.789"}
    if REFUSE in prompt:
        output.update(code="DataInspectionFailed", message=dashscope.MESSAGES["DataInspectionFailed"])
    else:
        output["results"] = [{"orig_prompt": prompt, "actual_prompt": f"{prompt}, highly detailed", "url": url}
                             for url in _urls(request, task.id.replace("-", ""), width, height, n)]
        output["task_metrics"] = {"TOTAL": n, "SUCCEEDED": n, "FAILED": 0}
    task.result.update({"output": output, "usage": {"image_count": n}} if "results" in output else {"output": output})
    return json_answer({"output": {"task_status": "PENDING", "task_id": task.id},
                        "request_id": uuid_like(request.key)})


def _poll(request: RecordedRequest, ctx: Context) -> Answer:
    if request.method != "GET":
        raise Rejected(f"Url not found: {request.method} {request.path}", 404, "NotFound")
    task_id = request.path[len(_TASKS):]
    task, done = ctx.tasks.poll(task_id)
    request_id = uuid_like(request_key(request.key, task.polls_left if task else 0))
    if task is None:
        return json_answer({"request_id": request_id, "output": {"task_id": task_id, "task_status": "UNKNOWN"}})
    if not done:
        return json_answer({"request_id": request_id, "output": {"task_id": task_id, "task_status": "RUNNING",
                                                                 **_TIMES}})
    return json_answer({"request_id": request_id, **task.result})


def _sync(request: RecordedRequest) -> Answer:
    messages = obj(request.json.get("input")).get("messages") or [{}]
    content = obj(messages[-1]).get("content") or [{}]
    prompt = "".join(str(obj(part).get("text", "")) for part in content) if isinstance(content, list) else None
    _info, width, height, n = _checked(request, "sync", prompt)
    if prompt and REFUSE in prompt:
        raise Rejected(dashscope.MESSAGES["DataInspectionFailed"], 400, "DataInspectionFailed")
    urls = _urls(request, request.key, width, height, n)
    choices = [{"finish_reason": "stop", "message": {"role": "assistant", "content": [{"image": url}]}}
               for url in urls]
    return json_answer({"output": {"choices": choices},
                        "usage": {"image_count": n, "width": width, "height": height},
                        "request_id": uuid_like(request.key)})
