"""Dependency files: qianyi added, openai pins relaxed, 0.x-only companions named, lock files left alone.

Fixture pairs: ``fixtures/deps/<case>.before.{txt,toml}`` -> ``<case>.after.*`` (``.toml`` is read as a
pyproject.toml, ``.txt`` as a requirements file); ``noop_<case>.*`` must need no change.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from migrate import _deps, api
from migrate._versions import Range, allows, allows_poetry

FIXTURES = Path(__file__).parent / "fixtures" / "deps"
CHAT = 'import openai\nopenai.api_key = "x"\nr = openai.ChatCompletion.create(model="gpt-4", messages=[])\n'


def _as_file(case: Path) -> Path:
    return Path("pyproject.toml") if case.suffix == ".toml" else Path("requirements.txt")


def _edit(case: Path, target: _deps.Target = _deps.SUPPORTED) -> _deps.Edit:
    return _deps.edit(_as_file(case), case.read_bytes().decode(), target)


@pytest.mark.parametrize("before", sorted(FIXTURES.glob("*.before.*")), ids=lambda p: p.name)
def test_dependency_fixtures(before: Path) -> None:
    after = before.with_name(before.name.replace(".before.", ".after."))
    edit = _edit(before)
    assert edit.text == after.read_bytes().decode() and edit.listed
    again = _deps.edit(_as_file(before), edit.text, _deps.SUPPORTED)
    assert again.text is None and again.listed  # a second run changes nothing


@pytest.mark.parametrize("noop", sorted(FIXTURES.glob("noop_*")), ids=lambda p: p.name)
def test_dependency_files_with_nothing_to_do(noop: Path) -> None:
    edit = _edit(noop)
    assert edit.text is None and edit.listed and not edit.notes


def test_companions_that_need_openai_0x_are_named() -> None:
    notes = _edit(FIXTURES / "pinned.before.txt").notes
    assert notes == ("instructor==0.2.5 works only with openai 0.x, and the migrated code needs openai>=1: move to "
                     "instructor>=1 (instructor.from_openai), or remove it",
                     "langchain==0.0.300 works only with openai 0.x, and the migrated code needs openai>=1: move "
                     "to langchain>=0.1 with langchain-openai, or remove it")
    pep621 = _edit(FIXTURES / "pep621.before.toml").notes  # keywords are not requirements
    assert [n.split(" works")[0] for n in pep621] == ["openai-function-call>=0.0.5", "instructor>=0.2,<0.3"]
    assert [n.split(" works")[0] for n in _edit(FIXTURES / "poetry.before.toml").notes] == ["instructor ^0.2"]


def test_the_supported_range_is_what_qianyi_declares() -> None:
    declared = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"openai{_deps.SUPPORTED.spec}" in declared


@pytest.mark.parametrize(("spec", "expected"), [
    ("==0.28.0", False), (">=1.2", True), ("~=1.3", True), ("~=1.3.0", False), ("<1", False), ("==0.*", False),
    ("==1.*", True), (">=0.27,<2", True), ("", True), (">=4", False), ("<=1.40", True), ("<1.40", False),
    ("@ https://example/openai.whl", None)])
def test_specifiers(spec: str, expected: bool | None) -> None:
    assert allows(spec, _deps.SUPPORTED.span) is expected


@pytest.mark.parametrize(("constraint", "expected"), [
    ("^0.28", False), ("^1.3", True), ("~1.3", False), ("1.50.0", True), ("*", True), (">=0.27,<1", False),
    ("^0.28 || ^1.40", True), ("~0.27", False), ("^0.0.3", False)])
def test_poetry_constraints(constraint: str, expected: bool) -> None:
    assert allows_poetry(constraint, _deps.SUPPORTED.span) is expected
    assert allows_poetry(constraint, Range((0,), None)) is True


def test_a_0x_app_gets_installable_requirements_and_lock_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(CHAT)
    (tmp_path / "pyproject.toml").write_bytes((FIXTURES / "poetry.before.toml").read_bytes())
    (tmp_path / "poetry.lock").write_text("# lock\n")
    (tmp_path / "requirements-dev.txt").write_text("openai==0.28.0 --hash=sha256:00\n")
    run = api.rewrite([tmp_path], provider="dashscope", write=True, force=True)
    assert (tmp_path / "pyproject.toml").read_bytes() == (FIXTURES / "poetry.after.toml").read_bytes()
    assert (tmp_path / "poetry.lock").read_text() == "# lock\n"
    assert (tmp_path / "requirements-dev.txt").read_text() == "openai==0.28.0 --hash=sha256:00\n"
    notes = "\n".join(run.notes)
    assert "poetry.lock is a lock file and was not edited: regenerate it (`poetry lock`)" in notes
    assert "requirements-dev.txt is a lock file and was not edited: regenerate it (`pip-compile`)" in notes
    assert "openai 0.x only:" in notes and "add `qianyi`" not in notes and "by hand" not in notes


def test_compat_style_relaxes_0x_pins_and_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(CHAT)
    (tmp_path / "requirements.txt").write_text("openai==0.28.0\n")
    api.rewrite([tmp_path], provider="zhipu", style="compat", write=True, force=True)
    assert (tmp_path / "requirements.txt").read_text() == "openai>=1\n"


def test_the_by_hand_note_only_when_nothing_could_be_edited(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(CHAT)
    (tmp_path / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    run = api.rewrite([tmp_path], provider="dashscope")
    [note] = [n for n in run.notes if "by hand" in n]
    assert note.endswith("pyproject.toml: no [project] dependencies array and no [tool.poetry.dependencies] table; "
                         "add 'qianyi' to your dependencies by hand")
    (tmp_path / "requirements.txt").write_text("openai<1\n")
    run = api.rewrite([tmp_path], provider="dashscope")
    assert not [n for n in run.notes if "by hand" in n]
