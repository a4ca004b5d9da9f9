"""What the scenario matrix needs to know per provider: test data only, no translation.

Native error codes to inject (the emulator answers each in the provider's own error shape) and the
model names the catalogue maps to, so the tests can check what reached the provider.
"""

from __future__ import annotations

from adapters import catalogue

#: kind -> (HTTP status, native code, message) as the provider sends it.
FAULTS: dict[str, dict[str, tuple[int, str, str]]] = {
    "dashscope": {
        "rate_limit": (429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again later."),
        "auth": (401, "InvalidApiKey", "Invalid API-key provided."),
        "billing": (429, "PrepaidBillOverdue", "Your prepaid bill is overdue."),
        "content_filter": (400, "DataInspectionFailed", "Input data may contain inappropriate content."),
        "context_length": (400, "InvalidParameter", "Range of input length should be [1, 30720]"),
        "server": (500, "InternalError", "An internal error has occured, please try again later."),
    },
    "zhipu": {
        "rate_limit": (429, "1302", "您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。"),
        "auth": (401, "1002", "Authorization Token非法，请确认Authorization Token正确传递。"),
        "billing": (429, "1113", "您的账户已欠费，请充值后重试。"),
        "content_filter": (400, "1301", "系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。"),
        "context_length": (400, "1261", "Prompt 超长"),
        "server": (500, "500", "Internal Error"),
    },
    "qianfan": {
        "rate_limit": (429, "rpm_rate_limit_exceeded", "Rate limit reached for RPM"),
        "auth": (401, "invalid_iam_token", "IAM Certification failed"),
        "billing": (403, "account_overdue", "The account is overdue"),
        "content_filter": (403, "prompt_unsafe", "The prompt is unsafe"),
        "context_length": (400, "tokens_too_long", "Prompt tokens too long"),
        "server": (500, "internal_error", "Internal error"),
    },
}

#: The exception classes the openai SDK raises for each kind.
EXCEPTIONS = {
    "rate_limit": "RateLimitError",
    "auth": "AuthenticationError",
    "content_filter": "BadRequestError",
    "context_length": "BadRequestError",
    "server": "InternalServerError",
}

KEYS = {"dashscope": "sk-dashscope-test-key-0001", "zhipu": "0123456789abcdef0123456789abcdef.s3cretPart",
        "qianfan": "bce-v3/ALTAK-test/0123456789abcdef"}


def mapped(model: str, provider: str) -> str:
    return catalogue.map_model(model, provider)
