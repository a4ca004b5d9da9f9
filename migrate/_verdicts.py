"""What ``migrate scan`` hands back for each site: its verdict per provider (no judging here).

Below ``scan`` (which judges), ``_results`` (whose rewrite results carry verdicts) and the renderers,
so none of them needs the others to name these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from codemods.sites import Site

__all__ = ["STATUSES", "Reason", "ScannedSite", "Status", "Verdict"]

Status = Literal["works", "caveat", "unsupported"]
#: Verdicts from best to worst.
STATUSES: tuple[Status, ...] = ("works", "caveat", "unsupported")


@dataclass(frozen=True)
class Reason:
    """One thing a verdict rests on. ``how``: passes, native, translated, renamed, clamped, emulated,
    mapped, note, dropped, not sent, endpoint, model, vector size, rewrite, migrate run, unknown."""

    subject: str
    status: Status
    how: str
    detail: str


@dataclass(frozen=True)
class Verdict:
    """A site on one provider: the worst of its reasons."""

    provider: str
    status: Status
    reasons: tuple[Reason, ...]
    reembed: bool = False

    @property
    def summary(self) -> str:
        """The reasons that set the status, as one line."""
        worst = [reason for reason in self.reasons if reason.status == self.status] or list(self.reasons)
        return "; ".join(f"{reason.subject}: {reason.detail}" for reason in worst)


@dataclass(frozen=True)
class ScannedSite:
    """A site (with the path it was found in, as reports show it) and its verdict per provider."""

    display: str
    site: Site
    verdicts: Mapping[str, Verdict]
