"""Every fixture pair and no-op file of every transform and pipeline (see harness.py)."""

from __future__ import annotations

import pytest

from .harness import Case, assert_rewrites, cases, directories

PAIRS = [case for directory in directories() for case in cases(directory, noop=False)]
NOOPS = [case for directory in directories() for case in cases(directory, noop=True)]


@pytest.mark.parametrize("case", NOOPS, ids=lambda c: c.id)
def test_leaves_alone(case: Case) -> None:
    assert_rewrites(case)


@pytest.mark.parametrize("case", PAIRS, ids=lambda c: c.id)
def test_rewrites(case: Case) -> None:
    assert_rewrites(case)


def test_every_transform_has_fixtures() -> None:
    import codemods

    for codemod in codemods.CODEMODS:
        directory = codemod.__module__.rsplit(".", 1)[1]
        assert cases(directory, noop=False), f"no fixture pairs for {directory}"
        assert cases(directory, noop=True), f"no no-op fixtures for {directory}"
