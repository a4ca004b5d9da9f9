"""How a backend authenticates, behind one small interface the transport drives.

An ``Auth`` turns a native request into an authorised one. It is written sans-I/O, like httpx's
``Auth.auth_flow``: ``authorise()`` is a generator that may *yield* requests of its own (Qianfan v1
fetching an access token) and receives each reply, then *returns* the authorised request. The
transport drives it with a sync or an async client, so one implementation serves both.

Nothing here prints or keeps a key where a repr, log or exception would show it.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .keys import clean_key, openai_key_reason, unsendable_reason
from .native import ErrorInfo, NativeError, NativeRequest

__all__ = ["Auth", "BearerAuth", "CredentialError", "OpenAIKeyError", "RefusedAuth", "Setup", "TokenReply", "bearer_setup", "resolve_key"]


@dataclass(frozen=True)
class TokenReply:
    """What the transport hands back to an auth flow for a request it yielded."""

    status: int
    json: Any


AuthFlow = Generator[NativeRequest, TokenReply, NativeRequest]


class Auth(Protocol):
    def authorise(self, request: NativeRequest) -> AuthFlow: ...

    def reset(self) -> None:
        """Forget cached tokens (called once after the provider rejects one)."""


class CredentialError(Exception):
    """No usable key: the message names the variable to set. Turned into ``openai.OpenAIError``."""


class BearerAuth:
    """``Authorization: Bearer <key>``: DashScope, Qianfan v2, Zhipu's plain API key."""

    def __init__(self, key: str) -> None:
        self._key = key
        #: What ``authorise`` adds, for a transport to set without running the flow (once per request).
        self.fixed_headers = {"Authorization": f"Bearer {key}"}

    def __repr__(self) -> str:
        return "BearerAuth(key='***')"

    def authorise(self, request: NativeRequest) -> AuthFlow:
        request.headers["Authorization"] = f"Bearer {self._key}"
        return request
        yield  # pragma: no cover - makes this a generator that never needs I/O

    def reset(self) -> None:
        return None


@dataclass(frozen=True)
class Setup:
    """A configured backend instance: where to send, how to authenticate, which protocol variant."""

    base_url: str
    auth: Auth
    variant: str = "default"
    #: headers every request carries (client options such as DashScope's ``workspace=``)
    headers: Mapping[str, str] = field(default_factory=dict)
    #: set when the key must not be sent (an OpenAI key): every request is answered with this error
    refusal: ErrorInfo | None = None

    def __repr__(self) -> str:
        return f"Setup(base_url={self.base_url!r}, auth={self.auth!r}, variant={self.variant!r})"


class OpenAIKeyError(CredentialError):
    """The key is plainly OpenAI's: every request is refused before anything is sent (a 401, which the
    openai SDK raises as ``openai.AuthenticationError``, as OpenAI answers a wrong key)."""


class RefusedAuth:
    """The auth of a client whose key must not be sent: it holds no key, and refuses to authorise."""

    def __init__(self, refusal: ErrorInfo) -> None:
        self.refusal = refusal

    def __repr__(self) -> str:
        return "RefusedAuth()"

    def authorise(self, _request: NativeRequest) -> AuthFlow:
        raise NativeError(self.refusal)
        yield  # pragma: no cover - a generator, like every auth flow

    def reset(self) -> None:
        return None


def refused_setup(message: str, provider: str, base_url: str, code: str = "openai_key_refused") -> Setup:
    """The setup of a client given an OpenAI key (or a key that cannot be used): requests are answered
    with a 401 saying why."""
    info = ErrorInfo(401, code, message, provider, type="authentication_error", param="api_key", retry=False)
    return Setup(base_url, RefusedAuth(info), refusal=info)


def refuse_openai_key(key: str, env: Mapping[str, str], provider: str, var: str, source: str | None = None) -> None:
    """An OpenAI key must never reach a provider (DESIGN.md, "Keys"), nor a key no header can carry;
    ``source`` says where it came from."""
    where = source or f"The api_key given to the {provider} client"
    unsendable = unsendable_reason(key)
    if unsendable is not None:
        raise CredentialError(f"{where} {unsendable}; API keys are printable ASCII. Check how it was read "
                              f"or pasted ({var}).")
    reason = openai_key_reason(key, env)
    if reason is not None:
        raise OpenAIKeyError(
            f"{where} is {reason}; qianyi never sends an OpenAI key to another provider. "
            f"Set {var} to your {provider} key (or pass that key as api_key=)."
        )


def resolve_key(explicit: str | None, env: Mapping[str, str], names: Sequence[str], provider: str) -> str:
    """The explicit key, else the first of ``names`` set in ``env``, stripped of surrounding whitespace.

    An error names ``names[0]``: no key at all (``CredentialError``), or an OpenAI key
    (``OpenAIKeyError``).
    """
    explicit = clean_key(explicit or "")
    source = next((n for n in names if clean_key(env.get(n) or "")), None) if not explicit else None
    key = explicit or (clean_key(env[source]) if source else "")
    if not key:
        raise CredentialError(
            f"The api_key client option must be set either by passing api_key to the client or by "
            f"setting the {names[0]} environment variable ({provider})."
        )
    refuse_openai_key(key, env, provider, names[0], f"The value of {source}" if source else None)
    return key


def base_url_of(explicit: str | None, env: Mapping[str, str], var: str, default: str,
                regions: Mapping[str, str] | None = None, region: str | None = None) -> str:
    """Explicit ``base_url`` > the provider's variable > ``region=`` > the default root."""
    if explicit:
        return explicit.rstrip("/")
    if env.get(var):
        return env[var].rstrip("/")
    if region:
        if not regions or region not in regions:
            known = ", ".join(sorted(regions or {})) or "none"
            raise ValueError(f"Unknown region {region!r}; known regions: {known}. Or pass base_url=.")
        return regions[region]
    return default


def bearer_setup(backend: Any, api_key: str | None, base_url: str | None, env: Mapping[str, str],
                 options: Mapping[str, Any]) -> Setup:
    """The common setup: a bearer key from the backend's ``KEY_VARS`` and its base URL rules."""
    key = resolve_key(api_key, env, backend.KEY_VARS, backend.NAME)
    url = base_url_of(base_url, env, backend.BASE_URL_VAR, backend.DEFAULT_BASE_URL,
                      getattr(backend, "REGIONS", None), options.get("region"))
    return Setup(url, BearerAuth(key))
