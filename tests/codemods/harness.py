"""Fixture pairs for the codemods, compared as bytes (STYLE.md section 2).

    fixtures/<dir>/<case>.before.py  ->  <case>.after.py     rewritten exactly so
    fixtures/<dir>/noop_<case>.py                            must come out byte-identical

``<dir>`` is a transform module (run alone through its LibCST codemod, as ``libcst.tool`` would)
or a pipeline: ``rewrite`` (every transform, adapter style), ``compat`` (``--style compat``),
``keep_models``. A case named ``<name>@<provider>`` runs for that provider (default dashscope).
Every case is also checked to parse and to be left alone by a second run.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext

import codemods
from codemods import _source

FIXTURES = Path(__file__).parent / "fixtures"
PIPELINES: dict[str, dict[str, Any]] = {
    "rewrite": {},
    "compat": {"style": "compat"},
    "keep_models": {"keep_models": True},
}


@dataclass(frozen=True)
class Case:
    directory: str
    name: str
    before: bytes
    after: bytes | None  # None: a no-op case

    @property
    def provider(self) -> str:
        return self.name.partition("@")[2] or "dashscope"

    @property
    def id(self) -> str:
        return f"{self.directory}/{self.name}"


def cases(directory: str, *, noop: bool) -> list[Case]:
    """The pairs (or the no-op files) of one fixture directory."""
    folder = FIXTURES / directory
    if noop:
        return [Case(directory, p.stem, p.read_bytes(), None) for p in sorted(folder.glob("noop_*.py"))]
    found = []
    for before in sorted(folder.glob("*.before.py")):
        name = before.name.removesuffix(".before.py")
        after = folder / f"{name}.after.py"
        found.append(Case(directory, name, before.read_bytes(), after.read_bytes() if after.exists() else b""))
    return found


def directories() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _codemod(directory: str) -> type[codemods.RuleCodemod]:
    module = importlib.import_module(f"codemods.{directory}")
    found = [c for c in codemods.CODEMODS if c.__module__ == module.__name__]
    assert len(found) == 1, f"codemods.{directory} must define one of CODEMODS"
    return found[0]


def apply(directory: str, data: bytes, provider: str) -> bytes:
    """Run the fixture directory's transform (or pipeline) over ``data``."""
    if directory in PIPELINES:
        result = codemods.rewrite_bytes(data, provider=provider, **PIPELINES[directory])
        assert result.data is not None
        return result.data
    text, encoding = _source.decode(data)
    codemod = _codemod(directory)(CodemodContext(), provider=provider)
    out = codemod.transform_module(cst.parse_module(text)).code
    return _source.encode(out, encoding)


def assert_rewrites(case: Case) -> None:
    out = apply(case.directory, case.before, case.provider)
    expected = case.before if case.after is None else case.after
    assert out.decode("latin-1") == expected.decode("latin-1")  # readable diff, exact bytes
    assert out == expected
    cst.parse_module(out)  # still parses
    assert apply(case.directory, out, case.provider) == out  # idempotent: converges in one run
