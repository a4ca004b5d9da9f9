"""The compatibility table: what each provider does with each OpenAI parameter, endpoint and reply
feature, rendered from the backends' capability tables so it cannot drift from what they do.

    python -m adapters.compat_table > docs/providers.md

A backend with protocol variants of its own (Qianfan's legacy v1) declares them in
``VARIANT_CAPABILITIES`` and gets a column per variant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence

from . import registry
from .capabilities import (
    CHAT_PARAMETERS,
    EMBEDDING_PARAMETERS,
    ENDPOINTS,
    RESPONSE_FEATURES,
    Capabilities,
    describe,
    describe_extra,
    describe_feature,
)

__all__ = ["columns", "render"]

Column = tuple[str, Capabilities]
Describe = Callable[[Capabilities, str], tuple[str, str]]

HEADER = """\
# Provider compatibility

Generated from the backends' capability tables (`CAPABILITIES` in `adapters/backends/*.py`) by
`python -m adapters.compat_table > docs/providers.md`. Do not edit by hand: a test fails when this
file differs from what the tables say.

Verdicts for parameters: **passes** (sent as given), **renamed** (sent under the provider's name),
**clamped** (brought into the provider's range), **emulated** (served by the adapter another way),
**dropped** (the provider has no equivalent: dropped with a warning under `unsupported="warn"`, the
default; silently under `"drop"`; refused before any call under `"error"`), **unsupported** (never
sent). For reply features: **native** (the provider's reply already has it), **translated**,
**emulated**, **unsupported**.

`extra_body` fields are the user's explicit request to the provider: the `unsupported=` policy does
not apply to them. A provider's own fields **pass** (where it takes tuning fields: DashScope inside
`parameters`, the others at the top level), other providers' names for the same thing are
**translated**, fields the adapter owns or the provider lacks are **ignored** with an
`ExtraBodyWarning`, and fields no table knows are sent as given (**unknown to qianyi**: the provider
judges them).

Headers: what the user adds (`extra_headers=`, `default_headers=`) reaches the provider, except
hop-by-hop headers, credentials (`Authorization`, `Api-Key`, `Ocp-Apim-Subscription-Key`, `Cookie`:
the backend authenticates), OpenAI's own headers (`OpenAI-Organization`, `OpenAI-Project`, any
`OpenAI-*`) and the openai SDK's (`X-Stainless-*`, its `User-Agent`); a provider client does not
even build the SDK's platform headers (`X-Stainless-Lang`, `-OS`, `-Arch`, `-Runtime`...) into its
requests. The provider's reply headers stay on the OpenAI response (`with_raw_response.headers`, and
on errors), except its body framing (`Content-Type`, `Content-Encoding`, `Content-Length`) and
`Set-Cookie`.
"""


def columns(names: Iterable[str] | None = None) -> list[Column]:
    """(column title, table) for each backend, and each declared variant; built-ins by default so the
    checked-in document does not depend on which plugins are installed."""
    out: list[Column] = []
    for name in sorted(names if names is not None else registry.BUILTIN):
        backend = registry.get(name)
        out.append((name, backend.CAPABILITIES))
        variants = getattr(backend, "VARIANT_CAPABILITIES", {})
        out += [(f"{name} ({variant})", caps) for variant, caps in sorted(variants.items())]
    return out


def render(cols: Sequence[Column] | None = None) -> str:
    """The whole markdown document."""
    cols = columns() if cols is None else cols
    chat_rows = _chat_rows(cols)
    sections = [
        HEADER,
        _table("Chat completions parameters", "parameter", chat_rows, cols,
               lambda caps, row: describe(caps, row)),
        _table("Embeddings parameters", "parameter", EMBEDDING_PARAMETERS, cols,
               lambda caps, row: describe(caps, row, embeddings=True)),
        _table("Extras (`extra_body`)", "field", sorted({n for _, caps in cols for n in caps.extras}), cols,
               describe_extra),
        _table("Reply features", "feature", RESPONSE_FEATURES, cols, describe_feature),
        _headers("Request headers the provider reads", cols, lambda caps: caps.headers),
        _headers("Reply headers kept on the OpenAI response", cols, lambda caps: caps.reply_headers),
        _table("OpenAI endpoints", "endpoint", ENDPOINTS, cols, _endpoint),
    ]
    return "\n".join(sections)


def _endpoint(caps: Capabilities, row: str) -> tuple[str, str]:
    if row in caps.endpoints:
        return "supported", ""
    parts = sorted(name.split(".", 1)[1] for name in caps.endpoints if name.startswith(row + "."))
    if parts:
        return "partly", f"{', '.join(parts)}; the rest: a clear 400 error before any call"
    return "unsupported", "a clear 400 error before any call"


def _chat_rows(cols: Sequence[Column]) -> list[str]:
    """The OpenAI parameters, each followed by the values of it some backend treats on their own."""
    values = sorted({key for _, caps in cols for key in (*caps.emulated, *caps.notes) if "." in key})
    rows: list[str] = []
    for name in CHAT_PARAMETERS:
        rows.append(name)
        rows += [value for value in values if value.split(".", 1)[0] == name]
    return rows


def _table(title: str, what: str, rows: Iterable[str], cols: Sequence[Column], cell: Describe) -> str:
    lines = [f"## {title}", "", f"| {what} | " + " | ".join(name for name, _ in cols) + " |",
             "|---" * (len(cols) + 1) + "|"]
    for row in rows:
        cells = [_cell(*cell(caps, row)) for _, caps in cols]
        lines.append(f"| `{row}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _headers(title: str, cols: Sequence[Column], table: Callable[[Capabilities], Mapping[str, str]]) -> str:
    """One line per provider header: the provider, the header, what it means."""
    lines = [f"## {title}", "", "| provider | header | meaning |", "|---|---|---|"]
    for name, caps in cols:
        for header, meaning in table(caps).items():
            lines.append(f"| {name} | `{header}` | {_cell(meaning, '')} |")
    return "\n".join(lines) + "\n"


def _cell(verdict: str, detail: str) -> str:
    text = f"{verdict}: {detail}" if detail else verdict
    return text.replace("|", "\\|").replace("\n", " ")


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
