"""Qianfan v2 image generation as the emulator speaks it (shared/reference/images.md §3).

    POST /v2/images/generations   {"model", "prompt", "n": 1-4, "size": "WxH", "user"?}
      -> {"id": "as-...", "created", "data": [{"url"}, ...]}

Errors in the v2 envelope (an unknown model is a 401 ``invalid_model``); a refused prompt
(``[refuse]``) is a 403 ``prompt_unsafe``.
"""

from __future__ import annotations

from . import files, qianfan
from .imagery import REFUSE, image_model, parse_size, size_problem
from .replies import request_key
from .wire import Answer, Context, RecordedRequest, Rejected, json_answer

NAME = "qianfan"
_IMAGES = "/v2/images/generations"

error, stream_error = qianfan.error, qianfan.stream_error


def endpoint(path: str) -> str | None:
    return "images" if path == _IMAGES else None


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    try:
        if not ctx.known_key(NAME, request.bearer or ""):
            raise Rejected("invalid_iam_token", 401)
        body = request.json
        if request.method != "POST" or not isinstance(body, dict):
            raise Rejected("Request body is not valid JSON", 400, "malformed_json")
        info = image_model(NAME, body.get("model"))
        if info is None:
            raise Rejected(qianfan.MESSAGES["invalid_model"][1], 401, "invalid_model")
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            raise Rejected("prompt is required", 400, "invalid_argument")
        size = parse_size(body.get("size", "1024x1024"), "x")
        problem = "size must look like 1024x1024" if size is None else size_problem(info, *size)
        if problem or size is None:
            raise Rejected(f"invalid size: {problem}", 400, "invalid_argument")
        n = body.get("n", 1)
        if not isinstance(n, int) or not 1 <= n <= int(info.get("max_n") or 1):
            raise Rejected("n must be within [1, 4]", 400, "invalid_argument")
        if REFUSE in prompt:
            raise Rejected("The prompt is unsafe", 403, "prompt_unsafe")
        data = [{"url": files.image_url(request, NAME, request_key(request.key, i), *size)} for i in range(n)]
        return json_answer({"id": "as-" + request.key[:10], "created": qianfan.CREATED, "data": data})
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)
