"""What each request asks of the CPU, ours against plain openai: instructions, cache misses, mispredictions.

    python benchmarks/footprint.py [--provider qianfan] [--requests 500] [--pairs "(b)/(c)" ...]

``adapter_overhead.py`` times requests; its paired ratios move by about ±0.03 from run to run, more
than a change to the translation is worth. This counts instead, under valgrind's cachegrind (a
simulated first-level cache and branch predictor), the work of one request: the instructions run, the
first-level instruction and data cache misses and the mispredicted branches. The counts repeat to
about 1% between runs (instructions to 0.1%), so a change of a few percent shows in one run.

Each client of a pair (the ones ``adapter_overhead.py`` builds) runs in its own process under
cachegrind, once for ``WARM`` requests and once for ``WARM + requests``; the difference divided by
``requests`` is one request's share, without the interpreter's start and the imports. The loopback
server runs outside valgrind. Needs valgrind on PATH; the numbers are a diagnosis, not a target.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # this checkout's adapters (a branch judged against main)
import adapter_overhead as bench  # noqa: E402  (the clients and server compared)

#: Requests made before the counted ones (connections opened, models resolved, caches filled).
WARM = 50
#: cachegrind's events -> the columns printed (sums of events).
COLUMNS = {"instructions": ("Ir",), "I1 misses": ("I1mr",), "D1 misses": ("D1mr", "D1mw"),
           "mispredicts": ("Bcm", "Bim")}


def _loop(root: str, provider: str, label: str, count: int) -> None:
    """The counted process: ``count`` non-stream requests of one client."""
    warnings.simplefilter("ignore")
    call = bench.clients(root, provider)[label][0]
    for _ in range(count):
        call()


def _events(out_file: Path) -> dict[str, int]:
    """The totals of a cachegrind output file, by event name."""
    names: list[str] = []
    for line in out_file.read_text().splitlines():
        if line.startswith("events:"):
            names = line.split()[1:]
        elif line.startswith("summary:"):
            return dict(zip(names, map(int, line.split()[1:]), strict=True))
    raise ValueError(f"no summary in {out_file}")


def _count(root: str, provider: str, label: str, count: int, folder: Path) -> dict[str, int]:
    out_file = folder / f"{label.split()[0].strip('()')}-{count}.out"
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", "--branch-sim=yes",
               f"--cachegrind-out-file={out_file}", sys.executable, __file__, "--loop", root, provider, label,
               str(count)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return _events(out_file)


def per_request(root: str, provider: str, label: str, requests: int, folder: Path) -> dict[str, float]:
    """One request's share of each column for one client (two counted processes, run side by side)."""
    with ThreadPoolExecutor(2) as pool:
        warm, full = pool.map(lambda n: _count(root, provider, label, n, folder), (WARM, WARM + requests))
    return {column: sum(full[e] - warm[e] for e in events) / requests for column, events in COLUMNS.items()}


def _print(provider: str, label: str, ours: str, theirs: str, counts: dict[str, dict[str, float]],
           requests: int) -> None:
    print(f"\n== {provider} {label}: per request (difference of {WARM + requests} and {WARM} requests) ==")
    print(f"{'client':26}" + "".join(f"{column:>15}" for column in COLUMNS))
    for name in (ours, theirs):
        print(f"{name:26}" + "".join(f"{counts[name][column]:15,.0f}" for column in COLUMNS))
    print(f"{label:26}" + "".join(f"{counts[ours][c] / counts[theirs][c]:15.3f}" for c in COLUMNS))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--loop":
        _loop(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", default="qianfan", choices=list(bench.NATIVE))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--pairs", nargs="+", default=["(b)/(c)"], choices=[p[0] for p in bench.PAIRS])
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("footprint.py needs valgrind (cachegrind) on PATH; adapter_overhead.py times without it.")

    queue: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=bench._serve, args=(queue,), daemon=True)
    server.start()
    try:
        root = f"http://127.0.0.1:{queue.get(timeout=10)}"
        with tempfile.TemporaryDirectory() as folder:
            for label, ours, theirs in (p for p in bench.PAIRS if p[0] in args.pairs):
                counts = {name: per_request(root, args.provider, name, args.requests, Path(folder))
                          for name in (ours, theirs)}
                _print(args.provider, label, ours, theirs, counts, args.requests)
    finally:
        server.kill()


if __name__ == "__main__":
    main()
