"""The library API on real trees in tmp_path: discovery, encodings, failures, writes, git, deps."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from migrate import _fs, api
from migrate._prefilter import Prefilter
from migrate.api import Changed, Failed, Skipped, Unchanged
from migrate.cli import exit_code

from .trees import CHAT, KEY, PLAIN, git, snapshot, write


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def by_display(run: api.RewriteRun) -> dict[str, api.FileResult]:
    return {result.display: result for result in run.results}


def test_dry_run_shows_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"app/chat.py": CHAT, "app/util.py": PLAIN})
    before = snapshot(tmp_path)
    run = api.rewrite([tmp_path / "app"], provider="dashscope", write=False)
    assert snapshot(tmp_path) == before
    results = by_display(run)
    chat = results["app/chat.py"]
    assert isinstance(chat, Changed) and not chat.written
    assert chat.diff.startswith("--- a/app/chat.py\n+++ b/app/chat.py\n")
    assert '-client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n' in chat.diff
    assert '+client = OpenAI(provider="dashscope", api_key=os.environ["DASHSCOPE_API_KEY"])\n' in chat.diff
    assert results["app/util.py"] == Unchanged(tmp_path / "app/util.py", "app/util.py")
    assert exit_code(run.results) == 0 and exit_code(run.results, check=True) == 1


def test_write_rewrites_in_place_atomically_and_keeps_mode(tmp_path: Path) -> None:
    write(tmp_path, {"chat.py": CHAT})
    os.chmod(tmp_path / "chat.py", 0o751)
    run = api.rewrite([tmp_path], provider="zhipu", write=True)
    [changed] = run.changed
    assert changed.written
    assert (tmp_path / "chat.py").read_bytes() == changed.data
    assert b'OpenAI(provider="zhipu", api_key=os.environ["ZHIPUAI_API_KEY"])' in changed.data
    assert stat.S_IMODE((tmp_path / "chat.py").stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["chat.py"]  # no temporary file left
    again = api.rewrite([tmp_path], provider="zhipu", write=True)
    assert not again.changed and exit_code(again.results, check=True) == 0  # idempotent


def test_a_failed_write_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        _fs.write_atomic(target, b"new content")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_crlf_bom_and_declared_encodings_survive(tmp_path: Path) -> None:
    latin = "# -*- coding: latin-1 -*-\n# café\n" + CHAT
    write(tmp_path, {
        "crlf.py": CHAT.replace("\n", "\r\n"),
        "bom.py": b"\xef\xbb\xbf" + CHAT.encode(),
        "latin.py": latin.encode("latin-1"),
    })
    run = api.rewrite([tmp_path], provider="qianfan", write=True)
    assert len(run.changed) == 3 and not run.failed
    crlf = (tmp_path / "crlf.py").read_bytes()
    assert b"QIANFAN_API_KEY" in crlf and crlf.count(b"\r\n") == crlf.count(b"\n")
    bom = (tmp_path / "bom.py").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and bom.count(b"\xef\xbb\xbf") == 1
    latin_out = (tmp_path / "latin.py").read_bytes()
    assert "# café".encode("latin-1") in latin_out and b"QIANFAN_API_KEY" in latin_out
    diff = by_display(run)["crlf.py"]
    # the diff keeps the file's line endings, so that it applies (test_reliability checks `git apply`)
    assert isinstance(diff, Changed) and "+from adapters import OpenAI\r\n" in diff.diff


def test_unreadable_files_are_reported_and_skipped_and_the_run_goes_on(tmp_path: Path) -> None:
    write(tmp_path, {
        "ok.py": CHAT,
        "latin_no_cookie.py": "import openai  # caf\xe9\n".encode("latin-1"),
        "broken.py": "import openai\ndef f(:\n",
        "bad_cookie.py": "# -*- coding: klingon -*-\nimport openai\n",
    })
    before = snapshot(tmp_path)
    run = api.rewrite([tmp_path], provider="dashscope", write=True)
    results = by_display(run)
    for name in ("latin_no_cookie.py", "broken.py", "bad_cookie.py"):
        result = results[name]
        assert isinstance(result, Failed), name
        assert (tmp_path / name).read_bytes() == before[name][0]
    assert "decode" in results["latin_no_cookie.py"].reason  # type: ignore[union-attr]
    assert "syntax error at line 2" in results["broken.py"].reason  # type: ignore[union-attr]
    assert isinstance(results["ok.py"], Changed) and results["ok.py"].written
    assert exit_code(run.results) == 3 and exit_code(run.results, check=True) == 3  # 3 wins over 1


def test_symlinks_out_of_the_tree_and_virtualenvs_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"theirs.py": CHAT, "lib/more.py": CHAT})
    tree = tmp_path / "tree"
    write(tree, {"mine.py": CHAT, ".venv/pyvenv.cfg": "home = /usr\n", ".venv/lib/site.py": CHAT,
                 "env2/conda-meta/history": "", "env2/x.py": CHAT, "node_modules/pkg/a.py": CHAT,
                 "pkg/__pycache__/a.py": CHAT, "vendor/site-packages/openai_thing.py": CHAT})
    (tree / "link_file.py").symlink_to(outside / "theirs.py")
    (tree / "link_dir").symlink_to(outside / "lib")
    (tree / "inner_link.py").symlink_to(tree / "mine.py")
    before = snapshot(outside)
    run = api.rewrite([tree], provider="dashscope", write=True)
    assert snapshot(outside) == before
    results = by_display(run)
    assert set(results) == {"tree/mine.py", "tree/link_file.py", "tree/link_dir", "tree/inner_link.py"}
    assert "outside the given paths" in results["tree/link_file.py"].reason  # type: ignore[union-attr]
    assert "outside the given paths" in results["tree/link_dir"].reason  # type: ignore[union-attr]
    assert isinstance(results["tree/inner_link.py"], Skipped)
    assert (tree / "inner_link.py").is_symlink()  # the link was not replaced by a file
    assert b"DASHSCOPE_API_KEY" in (tree / "mine.py").read_bytes()
    assert (tree / ".venv/lib/site.py").read_text() == CHAT
    assert exit_code(run.results) == 0  # skipping on purpose is not a failure


def test_gitignore_and_exclude(tmp_path: Path) -> None:
    write(tmp_path, {
        ".gitignore": "# generated\nbuild/\n*_gen.py\n!keep_gen.py\n/top_only.py\n",
        "src/.gitignore": "local.py\n",
        "src/a.py": CHAT, "src/local.py": CHAT, "src/x_gen.py": CHAT, "src/keep_gen.py": CHAT,
        "src/top_only.py": CHAT, "top_only.py": CHAT, "build/out.py": CHAT,
        "migrations/0001.py": CHAT, "src/tests/test_a.py": CHAT,
    })
    run = api.rewrite([tmp_path], provider="zhipu", exclude=["migrations", "tests/"])
    assert sorted(by_display(run)) == ["src/a.py", "src/keep_gen.py", "src/top_only.py"]
    # A folder given below the .gitignore still obeys it (inside a git repository).
    (tmp_path / ".git").mkdir()
    run = api.rewrite([tmp_path / "src"], provider="zhipu")
    assert sorted(by_display(run)) == ["src/a.py", "src/keep_gen.py", "src/tests/test_a.py", "src/top_only.py"]
    # Without the .gitignore rules everything is looked at.
    run = api.rewrite([tmp_path], provider="zhipu", gitignore=False)
    assert "build/out.py" in by_display(run) and "src/local.py" in by_display(run)


def test_a_file_named_explicitly_is_taken_even_if_ignored(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "*.py\n", "a.py": CHAT, "notes.txt": "openai"})
    run = api.rewrite([tmp_path / "a.py", tmp_path / "notes.txt"], provider="zhipu")
    results = by_display(run)
    assert isinstance(results["a.py"], Changed)
    assert isinstance(results["notes.txt"], Skipped)
    (tmp_path / "link.py").symlink_to(tmp_path / "a.py")
    run = api.rewrite([tmp_path / "link.py"], provider="zhipu", write=True)
    assert [type(r).__name__ for r in run.results] == ["Skipped"] and (tmp_path / "link.py").is_symlink()


VARIED = {
    "plain.py": PLAIN,
    "chat.py": CHAT,
    "model_only.py": 'from app.clients import client\nclient.chat.completions.create(model="gpt-4o", messages=[])\n',
    "mapped_only.py": 'from app.clients import client\nclient.chat.completions.create(model="my-finetune", messages=[])\n',
    "constant_only.py": 'MODEL = "gpt-4o-mini"\n',
    "env_only.py": 'import os\nKEY = os.getenv("OPENAI_API_KEY")\n',
    "already.py": 'from adapters import OpenAI\nclient = OpenAI(provider="zhipu")\n',
    "upper.py": "import OpenAI_compat  # not ours\n",
    "latin_cookie.py": "# coding: latin-1\nx = 'caf\xe9'\n".encode("latin-1"),
    "latin_bare.py": "x = 'caf\xe9'\n".encode("latin-1"),
    "broken_plain.py": "def f(:\n",
    "broken_openai.py": "import openai\ndef f(:\n",
    "unsupported.py": "import openai\nc = openai.OpenAI()\nc.files.create(file=f, purpose='x')\n",
    "bom_plain.py": b"\xef\xbb\xbfx = 1\n",
    "keyed.py": f'from openai import OpenAI\nc = OpenAI(api_key="{KEY}")\n',
}


@pytest.mark.parametrize("style", ["adapter", "compat"])
def test_the_prefilter_changes_no_result(tmp_path: Path, style: str) -> None:
    write(tmp_path, VARIED)
    options = {"provider": "qianfan", "style": style, "model_map": {"my-finetune": "ernie-4.0-8k"}}
    with_filter = api.rewrite([tmp_path], prefilter=True, **options)  # type: ignore[arg-type]
    without = api.rewrite([tmp_path], prefilter=False, **options)  # type: ignore[arg-type]
    assert with_filter == without
    assert [(r.display, type(r).__name__) for r in with_filter.results if not isinstance(r, Unchanged)] == [
        ("broken_openai.py", "Failed"), ("chat.py", "Changed"), ("env_only.py", "Changed"),
        ("keyed.py", "Changed"), ("latin_bare.py", "Failed"), ("mapped_only.py", "Changed"),
        ("model_only.py", "Changed"), ("unsupported.py", "Changed"),
    ]


def test_the_prefilter_passes_what_it_must_and_drops_the_rest() -> None:
    check = Prefilter({"house-model"})
    assert not check(PLAIN.encode()) and not check(b"import numpy\n")
    for data in (b"import OpenAI\n", b"x = 'GPT-4O'\n", b"OPENAI_BASE_URL", b"m = 'house-model'\n",
                 b"# -*- coding: cp1252 -*-\n", b"x = '\xe9'\n", b"import adapters\n"):
        assert check(data), data


def test_jobs_give_the_same_results_as_one_process(tmp_path: Path) -> None:
    write(tmp_path, {f"pkg/m{i:02}.py": CHAT.replace("gpt-4o", "gpt-4o-mini" if i % 2 else "gpt-4o")
                     for i in range(40)})
    write(tmp_path, {"pkg/broken.py": "import openai\nx = (\n"})
    one = api.rewrite([tmp_path], provider="zhipu", jobs=1)
    seen: list[tuple[int, int]] = []
    many = api.rewrite([tmp_path], provider="zhipu", jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert one == many and len(many.changed) == 40 and len(many.failed) == 1
    assert seen[0] == (0, 41) and seen[-1] == (41, 41)


@pytest.mark.parametrize("openai_files", [0, 3])
def test_a_large_tree_with_few_openai_files(tmp_path: Path, openai_files: int) -> None:
    write(tmp_path, {f"pkg{i % 7}/m{i:03}.py": PLAIN for i in range(200)})
    write(tmp_path, {f"pkg0/chat{i}.py": CHAT for i in range(openai_files)})
    one = api.rewrite([tmp_path], provider="dashscope", jobs=1)
    many = api.rewrite([tmp_path], provider="dashscope", jobs=2)
    assert one == many and len(many.changed) == openai_files


def test_literal_keys_are_redacted_in_diffs_and_todos(tmp_path: Path) -> None:
    write(tmp_path, {"keyed.py": (
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI(\n"
        f'    api_key="{KEY}",\n'
        '    base_url="https://relay.example.com/v1",\n'
        ")\n"
        'zhipu_key = "0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOp"\n'
        'headers = {"Authorization": "Bearer abcdefghijklmnop1234"}\n'
    ), "plain_key.py": 'from openai import OpenAI\nc = OpenAI(api_key="house-secret-value-42")\n'})
    run = api.rewrite([tmp_path], provider="dashscope")
    text = run.diff + repr(run.todos) + repr(run.results)
    for secret in (KEY, "0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOp", "abcdefghijklmnop1234",
                   "house-secret-value-42"):
        assert secret not in text
    assert '-    api_key="<redacted>",' in run.diff
    assert '-c = OpenAI(api_key="<redacted>")' in run.diff


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_dry_run_diff_of_placeholder_keys_applies_with_git_apply(tmp_path: Path) -> None:
    source = ('from openai import OpenAI\n'
              '\n'
              'local = OpenAI(base_url="http://localhost:8080/v1", api_key="sk-no-key-required")\n'
              'vllm = OpenAI(api_key="EMPTY", base_url="http://localhost:8000/v1")\n'
              'ollama = OpenAI(api_key="ollama")\n')
    write(tmp_path, {"local.py": source})
    run = api.rewrite([tmp_path], provider="dashscope")
    assert "<redacted>" not in run.diff and '-local = OpenAI(base_url="http://localhost:8080/v1", api_key="sk-no-k' in run.diff
    assert not [f for f in run.results[0].findings if f.kind == "literal_key"]
    git(tmp_path, "init", "-q")
    (tmp_path / "change.diff").write_text(run.diff)
    git(tmp_path, "apply", "change.diff")
    rewritten = api.rewrite([tmp_path / "local.py"], provider="dashscope")
    assert (tmp_path / "local.py").read_text() != source and not rewritten.changed  # applied: nothing left to do


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_uncommitted_changes_are_refused_unless_forced(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": CHAT, "b.py": CHAT, "c.py": PLAIN})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "start")
    (tmp_path / "a.py").write_text(CHAT + "# edited\n")
    (tmp_path / "c.py").write_text(PLAIN + "# edited, but nothing to rewrite here\n")
    write(tmp_path, {"new.py": CHAT})
    before = snapshot(tmp_path)
    with pytest.raises(api.UncommittedChanges) as refused:
        api.rewrite([tmp_path], provider="zhipu", write=True)
    assert refused.value.paths == [tmp_path / "a.py", tmp_path / "new.py"]
    assert "--force" in str(refused.value)
    assert snapshot(tmp_path) == before  # nothing written, not even b.py
    assert api.rewrite([tmp_path], provider="zhipu", write=False).changed  # a dry run is fine
    run = api.rewrite([tmp_path], provider="zhipu", write=True, force=True)
    assert sorted(r.display for r in run.changed if r.written) == ["a.py", "b.py", "new.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_clean_git_tree_is_rewritten(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": CHAT})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "start")
    run = api.rewrite([tmp_path], provider="zhipu", write=True)
    assert [r.written for r in run.changed] == [True]


def test_requirements_and_pyproject_gain_qianyi_once(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "svc"\ndependencies = [\n    "openai>=1.40",\n]\n'
    write(tmp_path, {"svc/requirements.txt": "openai>=1.40\nrich\n", "svc/pyproject.toml": pyproject,
                     "svc/app/chat.py": CHAT})
    run = api.rewrite([tmp_path / "svc"], provider="dashscope", write=True)
    deps = {r.display: r for r in run.changed if r.kind == "dependencies"}
    assert sorted(deps) == ["svc/pyproject.toml", "svc/requirements.txt"]
    assert "+qianyi\n" in deps["svc/requirements.txt"].diff
    assert (tmp_path / "svc/requirements.txt").read_text() == "openai>=1.40\nrich\nqianyi\n"
    assert (tmp_path / "svc/pyproject.toml").read_text() == pyproject.replace(
        '"openai>=1.40",\n', '"openai>=1.40",\n    "qianyi",\n')
    assert not run.notes
    (tmp_path / "svc/app/chat.py").write_text(CHAT)  # the code again, the deps already done
    again = api.rewrite([tmp_path / "svc"], provider="dashscope", write=True)
    assert [r.display for r in again.changed] == ["svc/app/chat.py"]


def test_deps_named_by_option_or_said_in_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"code/chat.py": CHAT, "elsewhere/requirements-prod.txt": "openai\n"})
    noted = api.rewrite([tmp_path / "code"], provider="zhipu")
    assert len(noted.notes) == 1 and "add `qianyi`" in noted.notes[0]
    named = api.rewrite([tmp_path / "code"], provider="zhipu", deps=tmp_path / "elsewhere/requirements-prod.txt")
    assert [r.display for r in named.changed] == ["code/chat.py", "elsewhere/requirements-prod.txt"]
    compat = api.rewrite([tmp_path / "code"], provider="zhipu", style="compat",
                         deps=tmp_path / "elsewhere/requirements-prod.txt")
    assert [r.display for r in compat.changed] == ["code/chat.py"] and not compat.notes


def test_usage_errors(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": CHAT})
    with pytest.raises(api.UsageError, match="installed: dashscope, qianfan, zhipu"):
        api.rewrite([tmp_path], provider="openai")
    with pytest.raises(api.UsageError, match="path not found"):
        api.rewrite([tmp_path / "missing"], provider="zhipu")
    with pytest.raises(api.UsageError, match="style"):
        api.rewrite([tmp_path], provider="zhipu", style="fancy")
    with pytest.raises(api.UsageError, match="dependency file not found"):
        api.rewrite([tmp_path], provider="zhipu", deps=tmp_path / "nope.txt")


def test_defaults_from_tool_migrate_and_model_maps(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": '[tool.migrate]\nprovider = "zhipu"\nexclude = "gen/*"\nmodel-map = "models.toml"\n'
                          "keep-models = true\njobs = 2\n",
        "models.toml": '"gpt-4o" = "glm-4-plus"\n', "map.json": '{"gpt-4o": "glm-4-air"}',
        "src/a.py": CHAT,
    })
    defaults = api.load_defaults([tmp_path / "src"])
    assert (defaults.provider, defaults.exclude, defaults.model_map, defaults.keep_models, defaults.jobs) == (
        "zhipu", ("gen/*",), {"gpt-4o": "glm-4-plus"}, True, 2)
    assert api.load_model_map(tmp_path / "map.json") == {"gpt-4o": "glm-4-air"}
    write(tmp_path, {"bad.json": '{"gpt-4o": 3}', "pyproject.toml": "[tool.migrate]\nprovdier = 'zhipu'\n"})
    with pytest.raises(api.UsageError, match="model map"):
        api.load_model_map(tmp_path / "bad.json")
    with pytest.raises(api.UsageError, match="unknown \\[tool.migrate\\] key provdier"):
        api.load_defaults([tmp_path])


def test_status_counts_markers(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "import openai\nc = openai.OpenAI()\nc.files.create(file=f)\nc.audio.speech.create()\n"})
    api.rewrite([tmp_path], provider="qianfan", write=True)
    report = api.status([tmp_path])
    assert report.by_code() == {"FILES": 1, "AUDIO": 1}
    assert {m.display for m in report.markers} == {"a.py"}
    assert all(m.message for m in report.markers)


def test_a_file_edited_during_the_run_is_not_overwritten(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": CHAT})
    data, snap = _fs.read(tmp_path / "a.py")
    assert not _fs.changed_since(tmp_path / "a.py", snap)
    (tmp_path / "a.py").write_text(CHAT + "# more\n")
    assert _fs.changed_since(tmp_path / "a.py", snap)
