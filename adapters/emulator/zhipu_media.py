"""Zhipu's image generation as the emulator speaks it (shared/reference/images.md §2).

    POST /api/paas/v4/images/generations   {"model", "prompt", "size": "WxH", "quality"?, "user_id"?}
      -> {"created", "data": [{"url"}], "content_filter": [...]}   one image per call

Keys as for chat (``zhipu.py``). A refused prompt (``[refuse]``) is error 1301 with HTTP 400.
"""

from __future__ import annotations

from . import files, zhipu
from .imagery import REFUSE, image_model, parse_size, size_problem
from .wire import Answer, Context, RecordedRequest, Rejected, json_answer

NAME = "zhipu"
_IMAGES = "/api/paas/v4/images/generations"

error, stream_error = zhipu.error, zhipu.stream_error


def endpoint(path: str) -> str | None:
    return "images" if path == _IMAGES else None


def handle(request: RecordedRequest, ctx: Context) -> Answer:
    try:
        zhipu.authenticate(request.bearer, ctx)
        body = request.json
        if request.method != "POST" or not isinstance(body, dict):
            raise Rejected("请求体不是合法的 JSON。", 400, "1214")
        return _images(request, body)
    except Rejected as exc:
        return error(exc.status, exc.code, exc.message, request)


def _images(request: RecordedRequest, body: dict[str, object]) -> Answer:
    info = image_model(NAME, body.get("model"))
    if info is None:
        raise Rejected(zhipu.MESSAGES["1211"], 400, "1211")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise Rejected("prompt 不能为空", 400, "1214")
    size = parse_size(body.get("size", info.get("default_size", "1024x1024")), "x")
    problem = "size 格式错误" if size is None else size_problem(info, *size)
    if problem or size is None:
        raise Rejected(f"size 参数错误: {problem}", 400, "1214")
    quality = body.get("quality")
    if quality is not None and quality not in (info.get("quality") or ("hd", "standard")):
        raise Rejected(f"quality 不支持 {quality}", 400, "1214")
    user_id = body.get("user_id")
    if user_id is not None and not (isinstance(user_id, str) and 6 <= len(user_id) <= 128):
        raise Rejected("user_id 长度需在 6 到 128 个字符之间", 400, "1214")
    if REFUSE in prompt:
        raise Rejected(zhipu.MESSAGES["1301"], 400, "1301")
    url = files.image_url(request, NAME, request.key, *size)
    return json_answer({"created": zhipu.CREATED, "data": [{"url": url}],
                        "content_filter": [{"role": "assistant", "level": 3}]})
