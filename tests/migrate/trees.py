"""Small source trees for the migrate tests, written into tmp_path."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"

CHAT = (
    "import os\n"
    "\n"
    "from openai import OpenAI\n"
    "\n"
    'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
    'reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n'
    "print(reply.choices[0].message.content)\n"
)
PLAIN = "def add(a, b):\n    return a + b\n"


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` with its bytes and mtime (links not followed)."""
    out = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if not path.is_symlink():
                out[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.com", "-c", "user.name=t",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)
