"""Issue 14's rewriter campaign: files that crash the parser, hostile trees, git that cannot answer,
interruptions, concurrent runs, file identity. Each test reproduces a failure the tool had."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrate import api
from migrate import rewrite as rewrite_module
from migrate.api import Changed, Failed, Skipped, Unchanged
from migrate.cli import app

from .trees import CHAT, PLAIN, git, snapshot, write

runner = CliRunner()
#: A valid module LibCST's native parser cannot parse: it overflows its stack (SIGSEGV).
CRASHER = "import openai\nx = " + " and ".join(["a"] * 20_000) + "\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def no_hang() -> Iterator[None]:
    """A run that hangs fails the test (after 120 s) instead of hanging the suite."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError("the run hung")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def by_display(run: api.RewriteRun) -> dict[str, api.FileResult]:
    return {result.display: result for result in run.results}


# --- 1. a file that crashes the parser, a worker that dies, huge files ---------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the parser crash is isolated in forked workers")
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_that_crashes_the_parser_fails_alone(tmp_path: Path, jobs: int, no_hang: None) -> None:
    write(tmp_path, {f"app/m{i:02}.py": CHAT for i in range(20)} | {"app/rules.py": CRASHER})
    run = api.rewrite([tmp_path / "app"], provider="dashscope", jobs=jobs)
    results = by_display(run)
    crashed = results["app/rules.py"]
    assert isinstance(crashed, Failed) and "the parser crashed on this file (SIGSEGV" in crashed.reason
    assert len(run.changed) == 20 and len(run.results) == 21


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the parser crash is isolated in forked workers")
def test_the_cli_reports_the_crash_and_exits_3(tmp_path: Path) -> None:
    write(tmp_path, {"rules.py": CRASHER, "chat.py": CHAT})
    result = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run", "--report", "r.json"])
    assert result.exit_code == 3, result.output
    files = {f["path"]: f for f in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]}
    assert files["rules.py"]["status"] == "failed" and "SIGSEGV" in files["rules.py"]["reason"]
    assert files["chat.py"]["status"] == "changed"
    scanned = runner.invoke(app, ["scan", ".", "-p", "zhipu", "-f", "json"])
    assert scanned.exit_code == 3 and "rules.py" in scanned.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers inherit the patched function only when forked")
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_a_killed_worker_never_hangs_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int,
                                             no_hang: None) -> None:
    real = rewrite_module.rewrite_file

    def dies_on_boom(job: rewrite_module.Job, options: rewrite_module.Options) -> api.FileResult:
        if job.path.name.startswith("boom"):
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer does
        return real(job, options)

    monkeypatch.setattr(rewrite_module, "rewrite_file", dies_on_boom)
    write(tmp_path, {f"pkg/m{i:02}.py": CHAT for i in range(40)})
    write(tmp_path, {"pkg/boom1.py": CHAT, "pkg/boom2.py": CHAT, "pkg/m99boom.py": PLAIN + "import openai\n"})
    run = api.rewrite([tmp_path / "pkg"], provider="zhipu", jobs=jobs)
    results = by_display(run)
    assert len(results) == 43 and len(run.changed) == 40
    for name in ("pkg/boom1.py", "pkg/boom2.py"):
        failed = results[name]
        assert isinstance(failed, Failed) and "killed (SIGKILL)" in failed.reason
    assert isinstance(results["pkg/m99boom.py"], Unchanged)


def test_files_above_the_size_limit_are_skipped_with_a_note(tmp_path: Path) -> None:
    big = CHAT + "# padding\n" * 300  # ~3.3 KB
    write(tmp_path, {"big.py": big, "chat.py": CHAT})
    run = api.rewrite([tmp_path], provider="zhipu", max_file_size=2000)
    skipped = by_display(run)["big.py"]
    assert isinstance(skipped, Skipped) and "above the size limit (2,000)" in skipped.reason
    assert isinstance(by_display(run)["chat.py"], Changed)
    assert isinstance(by_display(api.rewrite([tmp_path], provider="zhipu", max_file_size=None))["big.py"], Changed)
    assert isinstance(by_display(api.rewrite([tmp_path], provider="zhipu"))["big.py"], Changed)  # default 1 MB
    limited = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run", "--max-file-size", "2K"])
    assert limited.exit_code == 0 and "--max-file-size" in limited.stderr and "big.py" in limited.stderr
    assert "+++ b/big.py" not in limited.stdout
    unlimited = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run", "--max-file-size", "0"])
    assert unlimited.exit_code == 0 and "+++ b/big.py" in unlimited.stdout
    bad = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run", "--max-file-size", "lots"])
    assert bad.exit_code == 2 and "--max-file-size" in bad.stderr
    scanned = api_scan(tmp_path, 2000)
    assert [s.display for s in scanned.skipped] == ["big.py"]


def api_scan(root: Path, limit: int | None) -> object:
    from migrate.scan import scan

    return scan([root], providers=["zhipu"], max_file_size=limit)


# --- 2. the uncommitted-changes guard fails closed ---------------------------------------------------


def _repo_with_an_edit(root: Path) -> dict[str, tuple[bytes, int]]:
    write(root, {"a.py": CHAT})
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    (root / "a.py").write_text(CHAT + "# my unsaved work\n")
    write(root, {"new.py": CHAT})  # untracked: git holds no copy
    return snapshot(root)


def _refused(root: Path, fragment: str) -> None:
    before = snapshot(root)
    with pytest.raises(api.GitCannotAnswer) as refused:
        api.rewrite([root], provider="zhipu", write=True)
    assert fragment in str(refused.value) and "--force" in str(refused.value)
    assert snapshot(root) == before
    result = runner.invoke(app, ["rewrite", str(root), "-p", "zhipu"])
    assert result.exit_code == 2 and fragment in " ".join(result.stderr.split())
    assert snapshot(root) == before
    forced = api.rewrite([root], provider="zhipu", write=True, force=True)
    assert sorted(r.path.name for r in forced.changed if r.written) == ["a.py", "new.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown the checkout")
def test_dubious_ownership_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    _repo_with_an_edit(root)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))  # no safe.directory = *
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for folder, _dirs, _files in os.walk(root):
        os.chown(folder, 4321, 4321)  # a bind-mounted checkout owned by the host's user
    _refused(root, "dubious ownership")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_no_git_binary_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _repo_with_an_edit(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    _refused(tmp_path, "git is not installed")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_dir_elsewhere_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "work"
    root.mkdir()
    _repo_with_an_edit(root)
    other = tmp_path / "other"
    other.mkdir()
    write(other, {"a.py": CHAT + "# my unsaved work\n", "new.py": CHAT})
    git(other, "init", "-q")
    git(other, "add", ".")
    git(other, "commit", "-qm", "the same names, clean")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # git would answer "clean" for another repository
    _refused(root, "GIT_DIR")
    again = tmp_path / "again"
    again.mkdir()
    _repo_with_an_edit(again)
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "missing"))
    _refused(again, "not a git repository")


# --- 3. secrets in diffs and reports -------------------------------------------------------------------

HEX_KEY = "0123456789abcdef0123456789abcdef"
AZURE_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
QIANFAN_AK, QIANFAN_SK = "Ab3dEf6hIj9kLm2nOp5qRs8t", "Zy1xWv4uTs7rQp0oNm3lKj6iHg9fEd2c"
SECRETS = (HEX_KEY, "hunter2pass", AZURE_KEY, QIANFAN_AK, QIANFAN_SK, "house-secret-", "value-42-xyz",
           "azure-header-secret", "plain-word-secret")


def test_secrets_never_reach_a_diff_or_a_report(tmp_path: Path) -> None:
    write(tmp_path, {
        ".env": f"OPENAI_API_KEY={HEX_KEY}\nOPENAI_BASE_URL=https://bob:hunter2pass@relay.example.com/v1\n",
        "app.py": (
            "import os\n"
            "from openai import OpenAI\n"
            f'AZURE_KEY = "{AZURE_KEY}"\n'
            f'QIANFAN_AK = "{QIANFAN_AK}"\n'
            f'QIANFAN_SK = "{QIANFAN_SK}"  # key: {QIANFAN_SK}\n'
            'DB_PASSWORD = "plain-word-secret"\n'
            'client = OpenAI(api_key="house-secret-"\n'
            '                        "value-42-xyz",\n'
            '                default_headers={"api-key": "azure-header-secret"})\n'
            'reply = client.chat.completions.create(model="gpt-4o", messages=[])\n'
        ),
    })
    reports = [tmp_path / f"r{suffix}" for suffix in (".md", ".json", ".html")]
    outputs = []
    for report in reports:
        result = runner.invoke(app, ["rewrite", ".", "-p", "qianfan", "--dry-run", "--env-files", "--report",
                                     str(report)])
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout + result.stderr + report.read_text(encoding="utf-8"))
    assert "+++ b/app.py" in outputs[0] and "+++ b/.env" in outputs[0]
    for text in outputs:
        for secret in SECRETS:
            assert secret not in text
    assert "relay.example.com" in outputs[0]  # the URL is shown, its credentials are not
    assert 'api_key="<redacted>"' in outputs[0] and '"api-key": "<redacted>"' in outputs[0]


def test_redaction_leaves_code_alone() -> None:
    from migrate._redact import redact

    assert redact(' AZURE_KEY = "abc"') == ' AZURE_KEY = "<redacted>"'  # a setting: always

    for line in (' api_key=os.environ["DASHSCOPE_API_KEY"],', " x = a_rather_long_function_name_for_tests()",
                 ' model="qwen-plus-2025-01-25"', ' url = "https://dashscope.aliyuncs.com/compatible-mode/v1"',
                 " password = ask_password()", "--- a/0123456789abcdef0123456789abcdef/app.py",
                 ' rows.sort(key="name")', ' primary_key = "id"', "| `pages/5_Chat_with_user_feedback.py:2` |"):
        assert redact(line + "\n x\n") == line + "\n x\n"


# --- 4. the import name `adapters` ----------------------------------------------------------------------


def test_a_project_level_adapters_package_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'shop'\n", "adapters/__init__.py": "",
                     "adapters/db.py": PLAIN, "app/chat.py": CHAT})
    before = snapshot(tmp_path)
    with pytest.raises(api.NameClash) as refused:
        api.rewrite([tmp_path / "app"], provider="zhipu", write=True)
    assert "adapters is the project's own `adapters`" in str(refused.value) and "--style compat" in str(refused.value)
    result = runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--dry-run"])
    assert result.exit_code == 2 and "--force" in result.stderr and snapshot(tmp_path) == before
    scanned = runner.invoke(app, ["scan", "app", "-p", "zhipu"])
    assert scanned.exit_code == 2 and "project's own" in " ".join(scanned.stderr.split())
    assert runner.invoke(app, ["scan", "app", "-p", "zhipu", "--force"]).exit_code == 0
    assert api.rewrite([tmp_path / "app"], provider="zhipu", style="compat").changed  # no `adapters` import
    forced = api.rewrite([tmp_path / "app"], provider="zhipu", write=True, force=True)
    assert [r.written for r in forced.changed] == [True]


def test_a_module_named_adapters_beside_the_file_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {"adapters.py": PLAIN, "chat.py": CHAT})
    with pytest.raises(api.NameClash):
        api.rewrite([tmp_path / "chat.py"], provider="zhipu")
    write(tmp_path, {"other/chat.py": CHAT})
    assert api.rewrite([tmp_path / "other"], provider="zhipu").changed  # not above other/: no clash


def test_a_tests_adapters_package_does_not_clash(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "tests/__init__.py": "", "tests/adapters/__init__.py": "",
                     "tests/adapters/test_x.py": PLAIN, "tests/migrate/__init__.py": "", "tests/migrate/chat.py": CHAT})
    assert api.rewrite([tmp_path / "tests"], provider="zhipu").changed  # `tests.adapters` shadows nothing


def test_a_foreign_adapters_distribution_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    write(site, {"adapters-1.1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: adapters\nVersion: 1.1.0\n"})
    monkeypatch.syspath_prepend(str(site))
    write(tmp_path, {"app/chat.py": CHAT})
    result = runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--dry-run"])
    assert result.exit_code == 2 and "adapters 1.1.0 (AdapterHub)" in " ".join(result.stderr.split())


def test_import_adapters_warns_when_it_shares_its_folder_with_adapterhub(tmp_path: Path) -> None:
    import adapters

    write(tmp_path, {"adapters/__init__.py": Path(adapters.__file__).read_bytes(), "adapters/model_mixin.py": ""})
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", "import adapters"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, check=True)
    assert "also holds AdapterHub's `adapters`" in done.stderr
    clean = subprocess.run([sys.executable, "-c", "import adapters"], capture_output=True, text=True, check=True,
                           cwd=os.path.dirname(adapters.__file__))
    assert clean.stderr == ""


# --- 5. what is not a Python file: FIFOs, unreadable folders, odd patterns ----------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_py_is_skipped_not_read(tmp_path: Path, no_hang: None) -> None:
    write(tmp_path, {"app/chat.py": CHAT})
    os.mkfifo(tmp_path / "app/pipe.py")
    os.mkfifo(tmp_path / "app/.env")
    run = api.rewrite([tmp_path / "app"], provider="zhipu", env_files=True)
    results = by_display(run)
    for name in ("app/pipe.py", "app/.env"):
        assert isinstance(results[name], Skipped) and "not a regular file" in results[name].reason  # type: ignore[union-attr]
    assert isinstance(results["app/chat.py"], Changed)
    for command in (["scan", "app", "-p", "zhipu"], ["status", "app"]):
        assert runner.invoke(app, command).exit_code == 0


def _as_nobody(work: object) -> object:
    """``work()`` run in a forked child that dropped root (``os.setuid``), its result pickled back."""
    import pickle

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setgid(65534)
            os.setuid(65534)
            payload = pickle.dumps((True, work()))  # type: ignore[operator]
        except BaseException as exc:  # noqa: BLE001
            payload = pickle.dumps((False, repr(exc)))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    ok, value = pickle.loads(data)
    assert ok, value
    return value


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not hasattr(os, "fork"),
                    reason="root drops to another user in a forked child to meet a folder it cannot read")
def test_an_unreadable_folder_is_skipped_and_reported(tmp_path: Path) -> None:
    from migrate._worker import warm_up

    warm_up("zhipu")  # the child cannot read /root, where the modules live: load them here
    import tempfile

    tree = Path(tempfile.mkdtemp(prefix="qianyi-unreadable-"))
    try:
        tree.chmod(0o755)
        write(tree, {"app/chat.py": CHAT, "app/db/data.py": CHAT})
        for folder in (tree / "app", tree / "app/db"):
            folder.chmod(0o755)
        (tree / "app/chat.py").chmod(0o644)
        (tree / "app/db").chmod(0o700)  # a database volume owned by another user (root, here)

        def rewrite_as_nobody() -> list[tuple[str, str, str]]:
            os.chdir(tree)
            run = api.rewrite([tree / "app"], provider="zhipu", jobs=1)
            return [(type(r).__name__, r.display, getattr(r, "reason", "")) for r in run.results]

        results = _as_nobody(rewrite_as_nobody)
        assert ("Changed", "app/chat.py", "") in results  # type: ignore[operator]
        assert ("Skipped", "app/db", "folder cannot be read (Permission denied); skipped") in results  # type: ignore[operator]
    finally:
        shutil.rmtree(tree, ignore_errors=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not hasattr(os, "fork"),
                    reason="root drops to another user in a forked child to meet a folder it cannot read")
def test_status_reports_an_unreadable_folder_and_exits_3() -> None:
    """Markers may hide in a folder that cannot be read: the count is incomplete (DESIGN.md: exit 3)."""
    import tempfile

    tree = Path(tempfile.mkdtemp(prefix="qianyi-unreadable-"))
    try:
        tree.chmod(0o755)
        marked = "import openai\n# TODO(migrate:AUDIO): x\n"
        write(tree, {"app/chat.py": marked, "app/db/data.py": marked})
        for folder in (tree / "app", tree / "app/db"):
            folder.chmod(0o755)
        (tree / "app/chat.py").chmod(0o644)
        (tree / "app/db").chmod(0o700)  # owned by root: the child cannot list it

        def status_as_nobody() -> tuple[int, str]:
            os.chdir(tree)
            done = runner.invoke(app, ["status", "app"])
            return done.exit_code, done.output

        code, output = _as_nobody(status_as_nobody)  # type: ignore[misc]
        assert code == 3, output
        assert "app/chat.py" in output and "AUDIO" in output  # what could be read is counted
        assert "failed app/db: folder cannot be read (Permission denied)" in " ".join(output.split())
    finally:
        shutil.rmtree(tree, ignore_errors=True)


PATTERNS = ["[z-a].py", "x[!].py", "[[:alpha:]]1.py", "[]a]2.py", "[!b-c]3.py", "[[:nope:]]4.py", "[a-]5.py",
            "[[:digit:][:upper:]]6.py"]
NAMES = ["a.py", "z.py", "x!.py", "a1.py", "11.py", "]2.py", "a2.py", "b3.py", "d3.py", "a4.py", "-5.py", "b5.py",
         "16.py", "A6.py", "a6.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_odd_patterns_compile_as_git_reads_them(tmp_path: Path) -> None:
    from migrate._gitignore import IgnoreRules, parse

    write(tmp_path, {name: PLAIN for name in NAMES} | {".gitignore": "\n".join(PATTERNS) + "\n"})
    git(tmp_path, "init", "-q")
    done = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "--no-index", "--", *NAMES],
                          capture_output=True, text=True, check=False)
    by_git = sorted(done.stdout.split())
    assert done.returncode in (0, 1), done.stderr
    rules = IgnoreRules(parse("\n".join(PATTERNS), tmp_path))
    assert sorted(n for n in NAMES if rules.ignored(tmp_path / n, False)) == by_git
    assert by_git  # the patterns do match something
    result = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run", "--exclude", "[z-a]", "--exclude", "[!]",
                                 "--exclude", "[[:alpha:]]"])
    assert result.exit_code == 0, result.output


# --- 16. small CLI holes --------------------------------------------------------------------------------------


def test_an_empty_path_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {"chat.py": CHAT})
    for command in (["rewrite", "", "-p", "zhipu"], ["scan", ""], ["status", ""]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "empty path" in result.output
    with pytest.raises(api.UsageError, match="empty path"):
        api.rewrite([""], provider="zhipu")
    assert (tmp_path / "chat.py").read_text() == CHAT


def test_empty_model_map_targets_are_refused(tmp_path: Path) -> None:
    write(tmp_path, {"chat.py": CHAT, "map.json": '{"gpt-4o": ""}', "map.toml": '"gpt-4o" = "  "\n'})
    for name in ("map.json", "map.toml"):
        result = runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run", "--model-map", name])
        assert result.exit_code == 2 and "empty model name for 'gpt-4o'" in result.stderr


def test_a_dangling_symlink_and_a_nul_byte_get_accurate_reasons(tmp_path: Path) -> None:
    write(tmp_path, {"app/nul.py": "import openai\nx = 1\n# \0\n"})
    (tmp_path / "app/dangling.py").symlink_to("missing.py")
    run = api.rewrite([tmp_path / "app"], provider="zhipu")
    results = by_display(run)
    assert "'missing.py', which does not exist" in results["app/dangling.py"].reason  # type: ignore[union-attr]
    assert "contains a NUL byte (line 3)" in results["app/nul.py"].reason  # type: ignore[union-attr]
    result = runner.invoke(app, ["rewrite", "app/dangling.py", "-p", "zhipu"])
    assert result.exit_code == 2 and "symbolic link to 'missing.py', which does not exist" in result.stderr


# --- 6. reporting and printing cannot change the outcome; paths escaped ---------------------------------------


def test_a_bad_report_location_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    write(tmp_path, {"app/chat.py": CHAT})
    before = snapshot(tmp_path)
    for report in ("missing/r.md", "app/chat.py/r.json"):
        result = runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--report", report])
        assert result.exit_code == 2 and "--report" in result.stderr, result.output
    (tmp_path / "r.md").mkdir()
    result = runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--report", "r.md"])
    assert result.exit_code == 2 and "a folder is in the way" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_report_that_fails_after_the_write_still_gets_the_summary(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from migrate import render

    write(tmp_path, {"app/chat.py": CHAT})

    def disk_full(run: object, path: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "write_report", disk_full)
    result = runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--report", "r.json"])
    assert result.exit_code == 3 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "No space left on device" in result.stderr and "written" in result.stderr  # the summary is there
    assert "adapters" in (tmp_path / "app/chat.py").read_text()  # the rewrite stands


def test_paths_with_markup_and_control_characters(tmp_path: Path) -> None:
    write(tmp_path, {"app/[id]/chat.py": CHAT, "app/[bold]x/broken.py": "import openai\nx = (\n",
                     "app/e\x1b]0;pwned\x07/chat.py": CHAT, "app/new\nline/chat.py": CHAT})
    result = runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--dry-run"])
    assert result.exit_code == 3, result.output  # broken.py
    assert "app/[bold]x/broken.py" in result.stderr and "\x1b" not in result.stderr
    assert "+++ b/app/[id]/chat.py" in result.stdout
    assert '+++ "b/app/e\\033]0;pwned\\a/chat.py"' in result.stdout
    assert '--- "a/app/new\\nline/chat.py"' in result.stdout
    missing = runner.invoke(app, ["rewrite", "gone\x1b[31m", "-p", "zhipu"])
    assert missing.exit_code == 2 and "gone\\x1b[31m" in missing.stderr and "\x1b" not in missing.stderr


# --- 10. the printed patch applies to every file we rewrite ----------------------------------------------------

ENCODED = {
    "crlf.py": CHAT.replace("\n", "\r\n").encode(),
    "bom.py": b"\xef\xbb\xbf" + CHAT.encode(),
    "latin1.py": ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + CHAT).encode("latin-1"),
    "formfeed.py": CHAT.replace("\nclient", "\n\x0c\nclient").encode(),
    "u2028.py": CHAT.replace("import os\n", "import os\n# a\u2028b\n").encode(),
    "no_newline.py": CHAT.rstrip("\n").encode(),
    "cr_only.py": CHAT.replace("\n", "\r").encode(),
}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_dry_run_patch_applies_with_git_apply(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write(tree, ENCODED)
    git(tree, "init", "-q")
    git(tree, "add", ".")
    git(tree, "commit", "-qm", "start")
    dry = subprocess.run([sys.executable, "-c", "from migrate.cli import main; main()", "rewrite", ".", "-p", "zhipu", "--dry-run"],
                         cwd=tree, capture_output=True, check=False)
    assert dry.returncode in (0, 3), dry.stderr
    patch = dry.stdout
    for name in ENCODED:
        if name != "cr_only.py" or b"cr_only.py" in patch:
            assert f"+++ b/{name}".encode() in patch, name
    written = api.rewrite([tree], provider="zhipu", write=True)
    expected = {r.path.name: r.data for r in written.changed}
    git(tree, "checkout", "--", ".")
    applied = subprocess.run(["git", "-C", str(tree), "apply", "-"], input=patch, capture_output=True, check=False)
    assert applied.returncode == 0, applied.stderr.decode()
    for name, data in expected.items():
        assert (tree / name).read_bytes() == data, name


def test_the_markdown_fence_survives_backticks_in_the_diff(tmp_path: Path) -> None:
    from migrate import render

    write(tmp_path, {"chat.py": CHAT.replace("import os\n", 'import os\nDOC = """\n```\n````python\n"""\n')})
    run = api.rewrite([tmp_path], provider="zhipu")
    text = render.markdown(run)
    fence = next(line for line in text.splitlines() if line.endswith("diff"))[:-4]
    assert set(fence) == {"`"} and len(fence) >= 5
    body = text.split(fence + "diff\n", 1)[1]
    assert body.index("\n" + fence + "\n") > body.index("````python")  # closed after the diff, not in it


# --- 7. file identity ------------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="needs root to give a file to another user")
def test_owner_and_group_are_kept(tmp_path: Path) -> None:
    write(tmp_path, {"chat.py": CHAT})
    os.chown(tmp_path / "chat.py", 4321, 4322)
    os.chmod(tmp_path / "chat.py", 0o640)
    run = api.rewrite([tmp_path], provider="zhipu", write=True)
    assert [r.written for r in run.changed] == [True]
    info = (tmp_path / "chat.py").stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (4321, 4322, 0o640)


def test_hard_linked_and_read_only_files_are_reported_unless_forced(tmp_path: Path) -> None:
    write(tmp_path, {"app/linked.py": CHAT, "app/readonly.py": CHAT, "app/plain.py": CHAT})
    os.link(tmp_path / "app/linked.py", tmp_path / "other-name.py")
    (tmp_path / "app/readonly.py").chmod(0o444)
    run = api.rewrite([tmp_path / "app"], provider="zhipu", write=True)
    results = by_display(run)
    assert "hard-linked file (2 names)" in results["app/linked.py"].reason  # type: ignore[union-attr]
    assert "read-only file" in results["app/readonly.py"].reason  # type: ignore[union-attr]
    assert (tmp_path / "app/linked.py").read_text() == CHAT and (tmp_path / "app/readonly.py").read_text() == CHAT
    assert isinstance(results["app/plain.py"], Changed) and results["app/plain.py"].written
    forced = api.rewrite([tmp_path / "app"], provider="zhipu", write=True, force=True)
    assert sorted(r.display for r in forced.changed if r.written) == ["app/linked.py", "app/readonly.py"]
    assert (tmp_path / "other-name.py").read_bytes() == (tmp_path / "app/linked.py").read_bytes() != CHAT.encode()
    assert (tmp_path / "other-name.py").stat().st_ino == (tmp_path / "app/linked.py").stat().st_ino
    assert (tmp_path / "app/readonly.py").stat().st_mode & 0o777 == 0o444


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_new_report_files_follow_the_umask(tmp_path: Path, umask: int) -> None:
    write(tmp_path, {"chat.py": CHAT})
    previous = os.umask(umask)
    try:
        assert runner.invoke(app, ["rewrite", ".", "-p", "zhipu", "--dry-run", "--report", "r.md"]).exit_code == 0
    finally:
        os.umask(previous)
    assert (tmp_path / "r.md").stat().st_mode & 0o777 == 0o666 & ~umask


# --- 8. interruption and concurrency ----------------------------------------------------------------------------

INTERRUPT_ON_THIRD_WRITE = """
import os, signal, sys
real_fsync = os.fsync
calls = []
def fsync(fd):
    real_fsync(fd)
    calls.append(fd)
    if len(calls) == 3:  # the third file's temporary copy is on disk, not yet in place
        os.kill(os.getpid(), signal.{signal})
os.fsync = fsync
from migrate.cli import main
sys.argv = ["migrate", "rewrite", ".", "-p", "zhipu", "--force", "--report", "r.json", "-j", "1"]
main()
"""


@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_an_interrupted_run_cleans_up_and_says_what_it_wrote(tmp_path: Path, name: str, code: int) -> None:
    write(tmp_path, {f"m{i}.py": CHAT for i in range(6)})
    done = subprocess.run([sys.executable, "-c", INTERRUPT_ON_THIRD_WRITE.format(signal=name)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == code, done.stderr
    stderr = " ".join(done.stderr.split())
    assert f"interrupted by {name}: 2 file(s) were written" in stderr and "Traceback" not in stderr
    assert not list(tmp_path.glob("*.migrate-tmp")) and not list(tmp_path.glob(".*migrate-tmp"))
    rewritten = sorted(p.name for p in tmp_path.glob("m*.py") if p.read_text() != CHAT)
    assert rewritten == ["m0.py", "m1.py"]
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert sorted(f["path"] for f in report["files"] if f.get("written")) == rewritten
    assert {f["reason"] for f in report["files"] if f["status"] == "skipped"} == {"not written: the run was interrupted"}


SLOW_WORKERS = """
import os, sys, time
from migrate import rewrite as rewrite_module
marks = sys.argv[1]
def slow(job, options):
    open(os.path.join(marks, f"worker-{os.getpid()}"), "w").close()
    time.sleep(60)
rewrite_module.rewrite_file = slow
from migrate.cli import main
sys.argv = ["migrate", "rewrite", "app", "-p", "zhipu", "-j", "2"]
main()
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers inherit the slow function only when forked")
def test_sigterm_stops_the_workers(tmp_path: Path) -> None:
    import time

    write(tmp_path, {f"app/m{i:02}.py": CHAT for i in range(20)})
    marks = tmp_path / "marks"
    marks.mkdir()
    process = subprocess.Popen([sys.executable, "-c", SLOW_WORKERS, str(marks)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(marks.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [int(p.name.split("-")[1]) for p in marks.iterdir()]
        assert len(workers) == 2
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 143 and "interrupted by SIGTERM before writing anything" in " ".join(err.split())
    time.sleep(0.2)
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_a_second_run_on_the_same_tree_is_refused(tmp_path: Path) -> None:
    from migrate import _lock

    write(tmp_path, {"app/chat.py": CHAT, "app/sub/more.py": CHAT})
    git(tmp_path, "init", "-q")
    with _lock.held([tmp_path / "app"]):  # another run, writing in this repository
        result = runner.invoke(app, ["rewrite", "app/sub", "-p", "zhipu", "--force"])
        assert result.exit_code == 2 and "another migrate run is writing in" in result.stderr
        assert runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--dry-run"]).exit_code == 0  # reading is fine
    assert (tmp_path / "app/sub/more.py").read_text() == CHAT
    assert runner.invoke(app, ["rewrite", "app", "-p", "zhipu", "--force"]).exit_code == 0


def test_a_same_size_edit_with_its_mtime_restored_is_noticed(tmp_path: Path) -> None:
    from migrate import _fs

    write(tmp_path, {"a.py": CHAT})
    path = tmp_path / "a.py"
    _data, snap = _fs.read(path)
    info = path.stat()
    path.write_text(CHAT.replace("gpt-4o", "gpt-4x"))  # the same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the old mtime
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    assert _fs.changed_since(path, snap)  # the ctime tells
    other = tmp_path / "b.py"
    other.write_text(CHAT)
    os.utime(other, ns=(info.st_atime_ns, info.st_mtime_ns))
    os.replace(other, path)  # another file in its place: the inode tells
    assert _fs.changed_since(path, snap)


# --- 9. code that compiles and then fails: a shadowed `os` ---------------------------------------------------------

SHADOWED = '''
from openai import OpenAI

class Settings:
    os = "linux"
    client = OpenAI(api_key="sk-proj-abcdefghijklmnopqrstuvwxyz0123456789")

def build(os="linux"):
    return OpenAI(api_key="sk-proj-abcdefghijklmnopqrstuvwxyz0123456789")

def os_name():
    return "posix"

os = os_name()
client = build()
'''


def test_the_migrated_module_imports_with_a_shadowed_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runpy

    import codemods

    for provider in ("dashscope", "zhipu"):
        new = codemods.rewrite_source(SHADOWED, provider=provider).code
        assert "import os as _os" in new and '_os.environ["' in new
        (tmp_path / f"shadowed_{provider}.py").write_text(new, encoding="utf-8")
        monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-dashscope-test-0001")
        monkeypatch.setenv("ZHIPUAI_API_KEY", "0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOp")
        namespace = runpy.run_path(str(tmp_path / f"shadowed_{provider}.py"))
        assert namespace["client"].api_key and namespace["Settings"].client.api_key


def test_a_notebook_is_not_held_to_the_size_limit(tmp_path: Path) -> None:
    cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": CHAT.splitlines(keepends=True),
            "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo" * 400}}]}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    write(tmp_path, {"big.ipynb": json.dumps(notebook), "big.py": CHAT + "# padding\n" * 600})
    run = api.rewrite([tmp_path], provider="zhipu", max_file_size=3000)
    assert isinstance(by_display(run)["big.ipynb"], Changed) and isinstance(by_display(run)["big.py"], Skipped)


def _work(job: int) -> str:
    if job % 7 == 3:
        os._exit(3)  # a worker that exits on a job
    return f"done {job}"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers")
@pytest.mark.parametrize("processes", [1, 3])
def test_run_isolated_answers_every_job_once(processes: int, no_hang: None) -> None:
    from migrate._isolate import run_isolated

    seen: list[tuple[int, int]] = []
    out = run_isolated(_work, list(range(30)), processes, crashed=lambda job, why: f"crashed {job}: {why}",
                       progress=lambda done, total: seen.append((done, total)))
    assert sorted(out, key=lambda s: int(s.split()[1].rstrip(":"))) == [
        f"crashed {j}: the worker process died (exit code 3) while on this file; left as it is" if j % 7 == 3
        else f"done {j}" for j in range(30)]
    assert seen[0] == (0, 30) and seen[-1] == (30, 30)
