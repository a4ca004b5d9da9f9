"""How fast `migrate rewrite --dry-run` is, against baselines timed in the same run.

    python benchmarks/rewrite_speed.py [--files 2000] [--share 0.01] [--all-openai 200] [--jobs N]

Builds two synthetic trees in a temporary folder (seeded, so every run builds the same bytes):
a tree of realistic modules of which 1% use the openai SDK, and a tree whose files all do; one file
in 20 of each is a Jupyter notebook (the stock runner cannot read those, so migrate has more to do).
Times whole processes (medians of 3; the slow baseline once) of:

    (r) reading every .py and .ipynb file                the floor
    (s) python -m libcst.tool codemod --no-format -j N   LibCST's stock runner with ONE transform
        -u 3 codemods.client_construction....            (client construction) over the whole tree;
                                                         -u prints diffs, like --dry-run, writes nothing
    (p) the same stock runner given only the files that contain "openai" (an ideal prefilter)
    (m) migrate rewrite TREE --provider dashscope --dry-run   every transform, plus diffs and the summary

and prints ratios (the fast commands run interleaved, round by round). Targets: 1% tree: s/m >= 50 and m/p <= 1.5; all-openai tree: m/s <= 1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRANSFORM = "codemods.client_construction.RewriteClientConstruction"

# -- the trees ------------------------------------------------------------------------------------

_WORDS = ("order", "user", "invoice", "report", "cache", "session", "item", "price", "stock", "event",
          "record", "batch", "queue", "token", "config", "payload", "result", "customer", "ledger", "job")


def _name(rng: random.Random, parts: int = 2) -> str:
    return "_".join(rng.choice(_WORDS) for _ in range(parts))


def _camel(rng: random.Random) -> str:
    return "".join(w.capitalize() for w in _name(rng).split("_"))


def _function(rng: random.Random) -> str:
    fn, arg, acc = _name(rng), _name(rng, 1), _name(rng, 1) + "s"
    return f'''

def {fn}({arg}s: list[dict[str, object]], limit: int = {rng.randint(5, 500)}) -> dict[str, int]:
    """Count {arg}s by kind, skipping the ones without an id."""
    {acc}: dict[str, int] = {{}}
    for index, {arg} in enumerate({arg}s):
        if index >= limit:
            break
        if not {arg}.get("id"):
            logger.debug("skipping %s without id", {arg})
            continue
        kind = str({arg}.get("kind", "{rng.choice(_WORDS)}"))
        {acc}[kind] = {acc}.get(kind, 0) + 1
    return {{k: v for k, v in sorted({acc}.items()) if v > {rng.randint(0, 3)}}}
'''


def _dataclass(rng: random.Random) -> str:
    cls = _camel(rng)
    fields = "\n".join(f"    {_name(rng, 1)}_{i}: {rng.choice(['int', 'str', 'float', 'bool'])}"
                       f" = {rng.choice(['0', repr(''), '0.0', 'False'])}" for i in range(rng.randint(2, 6)))
    return f'''

@dataclass(frozen=True)
class {cls}:
    """A {cls.lower()} as the API returns it."""

{fields}

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "{cls}":
        return cls(**json.loads(text))
'''


def _service(rng: random.Random) -> str:
    cls, attr = _camel(rng) + "Service", _name(rng, 1)
    return f'''

class {cls}:
    """Keeps {attr}s in memory and retries flaky backends."""

    def __init__(self, retries: int = {rng.randint(1, 5)}) -> None:
        self.retries = retries
        self._{attr}s: dict[str, str] = {{}}

    def get(self, key: str) -> str | None:
        # Fast path: most lookups hit the local copy.
        return self._{attr}s.get(key)

    def put(self, key: str, value: str) -> None:
        for attempt in range(self.retries):
            try:
                self._{attr}s[key] = value
                return
            except KeyError as exc:  # pragma: no cover
                logger.warning("attempt %d failed: %s", attempt, exc)
        raise RuntimeError(f"could not store {{key!r}} after {{self.retries}} attempts")
'''


def _async(rng: random.Random) -> str:
    fn = _name(rng)
    return f'''

async def {fn}(urls: list[str], concurrency: int = {rng.randint(2, 16)}) -> list[int]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(url: str) -> int:
        async with semaphore:
            await asyncio.sleep(0)
            return len(url)

    return await asyncio.gather(*(one(url) for url in urls))
'''


_HEADER = '''"""{doc}"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import asdict, dataclass

logger = logging.getLogger(__name__)
SETTINGS_PATH = os.environ.get("{env}", "settings.json")
'''

_OPENAI = [
    '''
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], organization="org-123")
MODEL = "gpt-4o-mini"


def ask(question: str) -> str:
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": question}],
        temperature=0.2,
    )
    return reply.choices[0].message.content or ""
''',
    '''
import openai

client = openai.OpenAI(base_url=os.environ.get("OPENAI_BASE_URL"))


def stream(question: str) -> None:
    for chunk in client.chat.completions.create(model="gpt-4o", stream=True,
                                                messages=[{"role": "user", "content": question}]):
        print(chunk.choices[0].delta.content or "", end="")
''',
    '''
from openai import AsyncOpenAI

aclient = AsyncOpenAI()


async def embed(texts: list[str]) -> list[list[float]]:
    result = await aclient.embeddings.create(model="text-embedding-3-small", input=texts)
    return [item.embedding for item in result.data]
''',
    '''
from openai import OpenAI, RateLimitError

client = OpenAI()
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]


def agent(question: str) -> str:
    try:
        reply = client.chat.completions.create(model="gpt-4.1", tools=TOOLS,
                                               messages=[{"role": "user", "content": question}])
    except RateLimitError:
        return "busy"
    client.moderations.create(input=question)
    return reply.choices[0].message.content or ""
''',
]


def module(rng: random.Random, uses_openai: bool) -> str:
    parts = [_HEADER.format(doc=f"{_camel(rng)} helpers for the {rng.choice(_WORDS)} pipeline.",
                            env=_name(rng).upper())]
    if uses_openai:
        parts.append(rng.choice(_OPENAI))
    makers = (_function, _dataclass, _service, _async)
    parts += [rng.choice(makers)(rng) for _ in range(rng.randint(6, 16))]
    return "".join(parts)


def notebook(rng: random.Random, uses_openai: bool) -> str:
    """A Jupyter notebook (as Jupyter writes it) whose code cells hold one ``module``, IPython lines included."""
    code = module(rng, uses_openai).split("\n\n\n")
    cells: list[dict[str, object]] = [{"cell_type": "markdown", "id": "intro", "metadata": {},
                                       "source": [f"# {_camel(rng)} walkthrough\n", "Run the cells in order."]},
                                      {"cell_type": "code", "execution_count": 1, "id": "setup", "metadata": {},
                                       "outputs": [], "source": ["%pip install -q openai\n", "!ls"]}]
    for n, chunk in enumerate(code, 2):
        cells.append({"cell_type": "code", "execution_count": n, "id": f"c{n}", "metadata": {},
                      "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}],
                      "source": chunk.strip("\n").splitlines(keepends=True)})
    document = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                            "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def build(root: Path, files: int, openai_share: float, seed: int, notebooks: float = 0.05) -> Path:
    """``files`` files, ``openai_share`` of them using openai; every 1/``notebooks``-th one a notebook."""
    rng = random.Random(seed)
    using = set(rng.sample(range(files), round(files * openai_share)))
    every = round(1 / notebooks) if notebooks else 0
    for i in range(files):
        folder = root / f"pkg{i // 50:02}" / f"sub{i % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        if every and i % every == every - 1:
            (folder / f"{_name(rng)}_{i}.ipynb").write_text(notebook(rng, i in using), encoding="utf-8")
        else:
            (folder / f"{_name(rng)}_{i}.py").write_text(module(rng, i in using), encoding="utf-8")
    return root


# -- timing ---------------------------------------------------------------------------------------


def timed(argv: list[str], cwd: Path, expect: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in expect:
        raise SystemExit(f"{argv[:4]}... exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return elapsed


def medians(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, float]:
    """Each command ``runs`` times, interleaved round by round (so a noisy moment hits all of them)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            times[name].append(timed(argv, cwd))
    return {name: statistics.median(values) for name, values in times.items()}


def commands(tree: Path, jobs: int) -> dict[str, list[str]]:
    py = sys.executable
    read = ("import os, sys\nfor top, _, names in os.walk(sys.argv[1]):\n    for n in names:\n"
            "        if n.endswith(('.py', '.ipynb')):\n            open(os.path.join(top, n), 'rb').read()\n")
    # libcst.tool takes the first bare word as the codemod, so the transform comes first.
    stock = [py, "-m", "libcst.tool", "codemod", "-x", TRANSFORM, "--provider", "dashscope", "--no-format",
             "-j", str(jobs), "-u", "3"]
    prefiltered = sorted(str(p) for p in tree.rglob("*.py") if b"openai" in p.read_bytes().lower())
    return {
        "read": [py, "-c", read, str(tree)],
        "stock": [*stock, str(tree)],
        "stock_prefiltered": [*stock, *prefiltered],
        # The console script's own entry point, without a launcher shim in front of it.
        "migrate": [py, "-c", "from migrate.cli import main; main()", "rewrite", str(tree), "--provider",
                    "dashscope", "--dry-run", "--jobs", str(jobs)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--share", type=float, default=0.01)
    parser.add_argument("--all-openai", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--notebooks", type=float, default=0.05, help="share of files that are notebooks")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rewrite-speed-") as temp:
        base = Path(temp)
        sparse = build(base / "sparse", args.files, args.share, seed=1, notebooks=args.notebooks)
        dense = build(base / "dense", args.all_openai, 1.0, seed=2, notebooks=args.notebooks)
        size = sum(p.stat().st_size for p in sparse.rglob("*") if p.is_file()) / 1e6
        print(f"trees: {args.files} files ({size:.1f} MB), {args.share:.0%} using openai; "
              f"{args.all_openai} files all using openai; {args.notebooks:.0%} of each are notebooks; "
              f"jobs={args.jobs}, {os.cpu_count()} cores")

        cmd = commands(sparse, args.jobs)
        fast = medians({k: cmd[k] for k in ("read", "migrate", "stock_prefiltered")}, base, args.runs)
        r, m, p = fast["read"], fast["migrate"], fast["stock_prefiltered"]
        s = timed(cmd["stock"], base)  # the slow baseline: once
        print(f"\n{args.share:.0%} tree (whole-process seconds; medians of {args.runs}, stock whole tree once)")
        print(f"  read every file                 {r:8.2f}")
        print(f"  stock runner, whole tree        {s:8.2f}")
        print(f"  stock runner, prefiltered list  {p:8.2f}")
        print(f"  migrate rewrite --dry-run       {m:8.2f}")
        print(f"  stock whole / migrate           {s / m:8.1f}x   (target >= 50x)  {'ok' if s / m >= 50 else 'MISSED'}")
        print(f"  migrate / stock prefiltered     {m / p:8.2f}x   (target <= 1.5x) {'ok' if m / p <= 1.5 else 'MISSED'}")
        print(f"  migrate / read                  {m / r:8.1f}x")

        cmd = commands(dense, args.jobs)
        dense_times = medians({k: cmd[k] for k in ("stock", "migrate")}, base, args.runs)
        s, m = dense_times["stock"], dense_times["migrate"]
        print(f"\nall-openai tree ({args.all_openai} files; medians of {args.runs})")
        print(f"  stock runner, one transform     {s:8.2f}")
        print(f"  migrate rewrite --dry-run       {m:8.2f}   (every transform)")
        print(f"  migrate / stock                 {m / s:8.2f}x   (target <= 1.0x) {'ok' if m <= s else 'MISSED'}")


if __name__ == "__main__":
    main()
