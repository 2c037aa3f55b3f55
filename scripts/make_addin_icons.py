"""Draw the add-in's icons into pagt_xl/xl/project/static/images/icons/ (committed PNGs).

Run: .venv/bin/python scripts/make_addin_icons.py [--check]

One icon for the add-in itself (32 and 64 px for the manifest's IconUrl and
HighResolutionIconUrl, 16/32/80 for the ribbon group) and one per ribbon button (16, 32 and 80 px, the sizes
Office asks for): rising bars for the add-in, a check mark (Valider), a pie (Beregn fordelinger), a page
(Lav statusrapport) and a pane (Vis opgaverude), white on the pact's blue. Each
is drawn at 4x size with plain shapes (no fonts, so no system dependency) and
scaled down. Same Pillow version → same bytes; ``--check`` exits 1 when a
committed file differs from what the script draws.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "pagt_xl" / "xl" / "project" / "static" / "images" / "icons"
BLUE = (0, 82, 147, 255)
WHITE = (255, 255, 255, 255)
SCALE = 4
BUTTON_SIZES = (16, 32, 80)
APP_SIZES = (16, 32, 64, 80)

Draw = Callable[[ImageDraw.ImageDraw, float], None]


def _app(d: ImageDraw.ImageDraw, s: float) -> None:
    """Three rising bars and a base line: a grant pool split up."""
    for i, height in enumerate((0.30, 0.48, 0.66)):
        x0 = s * (0.20 + i * 0.22)
        d.rectangle((x0, s * (0.80 - height), x0 + s * 0.16, s * 0.80), fill=WHITE)
    d.rectangle((s * 0.14, s * 0.82, s * 0.86, s * 0.87), fill=WHITE)


def _valider(d: ImageDraw.ImageDraw, s: float) -> None:
    d.line([(s * 0.22, s * 0.52), (s * 0.42, s * 0.72), (s * 0.78, s * 0.30)], fill=WHITE, width=round(s * 0.12))


def _fordelinger(d: ImageDraw.ImageDraw, s: float) -> None:
    d.pieslice((s * 0.16, s * 0.16, s * 0.84, s * 0.84), start=-90, end=130, fill=WHITE)
    d.pieslice((s * 0.16, s * 0.16, s * 0.84, s * 0.84), start=140, end=260, outline=WHITE, width=round(s * 0.06))


def _statusrapport(d: ImageDraw.ImageDraw, s: float) -> None:
    d.rectangle((s * 0.24, s * 0.14, s * 0.76, s * 0.86), fill=WHITE)
    for i in range(4):
        y = s * (0.30 + i * 0.14)
        d.rectangle((s * 0.33, y, s * (0.67 if i < 3 else 0.52), y + s * 0.06), fill=BLUE)


def _opgaverude(d: ImageDraw.ImageDraw, s: float) -> None:
    width = round(s * 0.07)
    d.rectangle((s * 0.14, s * 0.20, s * 0.86, s * 0.80), outline=WHITE, width=width)
    d.rectangle((s * 0.56, s * 0.20, s * 0.86, s * 0.80), fill=WHITE)


ICONS: dict[str, tuple[Draw, tuple[int, ...]]] = {
    "pagt": (_app, APP_SIZES),
    "valider": (_valider, BUTTON_SIZES),
    "fordelinger": (_fordelinger, BUTTON_SIZES),
    "statusrapport": (_statusrapport, BUTTON_SIZES),
    "opgaverude": (_opgaverude, BUTTON_SIZES),
}


def render(draw: Draw, size: int) -> bytes:
    """One icon as PNG bytes: a rounded blue square with the white symbol, ``size`` pixels square."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    d.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.18, fill=BLUE)
    draw(d, big)
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    differ = []
    for name, (draw, sizes) in ICONS.items():
        for size in sizes:
            path = OUT / f"{name}-{size}.png"
            data = render(draw, size)
            if args.check:
                if not path.exists() or path.read_bytes() != data:
                    differ.append(path.name)
            else:
                path.write_bytes(data)
    if differ:
        print("differ from the script: " + ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
