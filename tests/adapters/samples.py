"""The providers' wire samples (../shared/reference/samples), as test inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "samples"


def sample(provider: str, name: str) -> Any:
    """A JSON sample parsed."""
    return json.loads((SAMPLES / provider / name).read_text(encoding="utf-8"))


def sse_lines(provider: str, name: str) -> list[str]:
    """An SSE transcript as lines without their endings."""
    return (SAMPLES / provider / name).read_text(encoding="utf-8").splitlines()
