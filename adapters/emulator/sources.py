"""Web-search sources and log probabilities the emulator answers with (shapes from the reference samples:
shared/reference/samples/{dashscope/chat_response_search_info,dashscope/chat_response_logprobs,
zhipu/chat_response_web_search,qianfan/v2_chat_response_search_results}.json; content made up).

Each provider says the same source its own way: DashScope ``output.search_info.search_results``,
Zhipu a top-level ``web_search`` list, Qianfan a top-level ``search_results`` list.
"""

from __future__ import annotations

from typing import Any

from .replies import pieces

__all__ = ["dashscope_search_info", "logprobs", "qianfan_search_results", "zhipu_web_search"]

_TITLE, _URL, _SITE = "Port schedule update", "https://news.example.com/port-schedule", "Example News"
_ICON = "https://news.example.com/favicon.ico"


def dashscope_search_info() -> dict[str, Any]:
    return {"search_results": [{"index": 1, "title": _TITLE, "url": _URL, "site_name": _SITE, "icon": _ICON}]}


def zhipu_web_search() -> list[dict[str, Any]]:
    return [{"title": _TITLE, "link": _URL, "content": "Two sailings were moved to Thursday because of maintenance.",
             "media": _SITE, "icon": _ICON, "refer": "ref_1", "publish_date": "2026-11-18"}]


def qianfan_search_results() -> list[dict[str, Any]]:
    return [{"index": 1, "url": _URL, "title": _TITLE}]


def logprobs(text: str, top: int) -> dict[str, Any]:
    """OpenAI-shaped log probabilities for ``text`` (one entry per word), ``top`` alternatives each."""
    content = []
    for n, token in enumerate(pieces(text)):
        logprob = -0.01 * (n + 1)
        alternatives = [{"token": token, "bytes": list(token.encode()), "logprob": logprob}]
        alternatives += [{"token": f"{token.strip()}{k}", "bytes": list(f"{token.strip()}{k}".encode()),
                          "logprob": logprob - 4.0 * k} for k in range(1, top)]
        content.append({"token": token, "bytes": list(token.encode()), "logprob": logprob,
                        "top_logprobs": alternatives[:top]})
    return {"content": content}
