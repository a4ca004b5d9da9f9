"""Generate images from a prompt with DALL-E, save them as PNG files and print a preview URL."""

import base64
import sys
import tempfile
from pathlib import Path

from adapters import OpenAI

client = OpenAI(provider="dashscope")


def generate(prompt: str, out_dir: Path, count: int = 2) -> list[Path]:
    result = client.images.generate(
        model="wan2.2-t2i-plus",
        prompt=prompt,
        size="1024x1024",
        n=count,
        response_format="b64_json",
    )
    paths = []
    for index, image in enumerate(result.data):
        path = out_dir / f"image-{index}.png"
        path.write_bytes(base64.b64decode(image.b64_json))
        paths.append(path)
    return paths


def preview(prompt: str) -> str:
    return client.images.generate(model="wan2.2-t2i-flash", prompt=prompt, size="512x512").data[0].url


if __name__ == "__main__":
    prompt = " ".join(sys.argv[1:]) or "A watercolor painting of a lighthouse at dawn"
    with tempfile.TemporaryDirectory() as folder:
        for path in generate(prompt, Path(folder)):
            data = path.read_bytes()
            kind = "PNG" if data.startswith(b"\x89PNG") else "not a PNG"
            print(f"Saved {path.name}: {kind}, {len(data)} bytes")
    print("Preview:", preview(prompt))
