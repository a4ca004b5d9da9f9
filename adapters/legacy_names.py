"""The openai 0.x names and their openai>=1 counterparts: data shared by the shim and the codemods.

Imports nothing (the codemods read it without loading the openai SDK).
"""

from __future__ import annotations

__all__ = ["LEGACY_ERRORS"]

#: ``openai.error.<0.x name>`` -> the ``openai.<1.x name>`` raised for the same failures. Where 1.x
#: has no one class (TryAgain, InvalidAPIType), the broader class keeps an ``except`` catching at
#: least what it caught.
LEGACY_ERRORS = {
    "OpenAIError": "OpenAIError",
    "APIError": "APIError",
    "Timeout": "APITimeoutError",
    "TryAgain": "APIError",
    "APIConnectionError": "APIConnectionError",
    "InvalidRequestError": "BadRequestError",
    "AuthenticationError": "AuthenticationError",
    "PermissionError": "PermissionDeniedError",
    "RateLimitError": "RateLimitError",
    "ServiceUnavailableError": "InternalServerError",
    "InvalidAPIType": "OpenAIError",
}
