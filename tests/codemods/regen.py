"""Write each fixture's .after.py from the current transforms, for review with `git diff`:

    python -m tests.codemods.regen [DIR...]
"""

from __future__ import annotations

import sys

from .harness import FIXTURES, apply, cases, directories


def main(argv: list[str]) -> None:
    for directory in argv or directories():
        for case in cases(directory, noop=False):
            out = apply(directory, case.before, case.provider)
            (FIXTURES / directory / f"{case.name}.after.py").write_bytes(out)
            print(f"wrote {directory}/{case.name}.after.py")


if __name__ == "__main__":
    main(sys.argv[1:])
