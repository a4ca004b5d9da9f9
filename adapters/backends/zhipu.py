"""zhipu — OpenAI chat/embeddings <-> Zhipu AI's native v4 API (shared/reference/zhipu.md).

Everything here is pure: dicts in, dicts out. transport.py does the sending.
TODO(issue 3): translation functions; only the provider's constants are declared so far.
"""

from __future__ import annotations

NAME = "zhipu"
DEFAULT_BASE_URL = "https://open.bigmodel.cn/api/paas/v4"
KEY_VARS = ("ZHIPUAI_API_KEY",)
BASE_URL_VAR = "ZHIPUAI_BASE_URL"
COMPAT_BASE_URL = "https://open.bigmodel.cn/api/paas/v4"
COMPAT_BASE_URL_VAR = "ZHIPUAI_COMPAT_BASE_URL"
REGIONS = {"cn": DEFAULT_BASE_URL, "intl": "https://api.z.ai/api/paas/v4"}
