"""qianfan — OpenAI chat/embeddings <-> Baidu Qianfan v2 and legacy v1 (shared/reference/qianfan.md).

Everything here is pure: dicts in, dicts out. transport.py does the sending.
TODO(issue 3): translation functions; only the provider's constants are declared so far.
"""

from __future__ import annotations

NAME = "qianfan"
DEFAULT_BASE_URL = "https://qianfan.baidubce.com/v2"
KEY_VARS = ("QIANFAN_API_KEY", "QIANFAN_BEARER_TOKEN")
BASE_URL_VAR = "QIANFAN_V2_BASE_URL"
V1_BASE_URL = "https://aip.baidubce.com"
V1_KEY_VARS = ("QIANFAN_AK", "QIANFAN_SK")
V1_BASE_URL_VAR = "QIANFAN_BASE_URL"
COMPAT_BASE_URL = "https://qianfan.baidubce.com/v2"
COMPAT_BASE_URL_VAR = "QIANFAN_COMPAT_BASE_URL"
