"""A third-party backend used by the registry tests (loaded through an in-process EntryPoint).

It reuses DashScope's translation: what is tested is discovery, not translation.
"""

from adapters.backends.dashscope import (  # noqa: F401
    CAPABILITIES,
    error_of,
    from_native,
    from_native_event,
    to_native,
)

NAME = "acme"
DEFAULT_BASE_URL = "https://api.acme.example/v1"
KEY_VARS = ("ACME_API_KEY",)
BASE_URL_VAR = "ACME_BASE_URL"
COMPAT_BASE_URL = "https://api.acme.example/compat/v1"
COMPAT_BASE_URL_VAR = "ACME_COMPAT_BASE_URL"


def setup(api_key, base_url, env, options):  # type: ignore[no-untyped-def]
    import sys

    from adapters.auth import bearer_setup

    return bearer_setup(sys.modules[__name__], api_key, base_url, env, options)
