"""Pictures of every output for the user guide, rendered from the shipped samples: docs/img/*.png.

Run: .venv/bin/python scripts/make_doc_images.py [--out docs/img]   (scripts/docs runs it before mkdocs)

1. ``pagt-xl demo`` on workbooks/ writes the breakdown workbooks, the budget overview, the status
   report drafts, the round's memo and letters; ``pagt-xl maal --format xlsx`` the goal workbooks.
   The date is fixed (``SOURCE_DATE_EPOCH``), so the pictures change only when the outputs do.
2. LibreOffice (``soffice --headless --convert-to pdf``, with a Danish locale and a profile of its own,
   so amounts print as in a Danish Excel: "23.231.178 kr.") turns each .xlsx/.xlsm/.docx into a PDF;
   also the inputs staff fill in (an overview, a budget form, a goal workbook): of these a copy is
   printed, fitted to the page's width and cut to the first rows, so the picture looks like the screen.
3. ``pdftoppm`` renders the one page of each picture as PNG. A picture names its page by a text on
   it (``PICTURES``), not by number, so a page added before it does not make the guide show the wrong
   page; a text found nowhere stops the script with the pages' first lines.

Only the command line (``python -m pagt_xl``) is used, never the package's modules, and no Excel.
The PNGs are generated, not committed (docs/img/ is in .gitignore): about 2 MB that would change with
every template or layout change. A PNG whose bytes did not change is not rewritten (so ``mkdocs serve``
does not rebuild in a loop). Needs Debian's libreoffice-calc-nogui, libreoffice-writer-nogui and
poppler-utils (scripts/install-system-deps).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT / "workbooks"
OUT = ROOT / "docs" / "img"
#: 15 February 2024, 12:00 UTC: the drafts' date
EPOCH = "1707998400"
#: Pixels of a page's longer side.
SIZE = 1000

#: name → (source file (in the demo's output folder, or workbooks/ for inputs), a text on the page,
#: which page holding the text: 1 the first, -1 the last). Each is docs/img/<name>.png.
PICTURES: dict[str, tuple[str, str, int]] = {
    # inputs staff keep or fill in
    "oversigt": ("workbooks/nordjylland_ansoegninger_2019-2023.xlsx", "ansøgningsoversigt", 1),
    "budgetskema": ("workbooks/budgetter/2022-03_Samarbejdsmodel.xlsx", "Udgifter i alt", 1),
    "maal-skema": ("workbooks/maalopfoelgning_nordjylland.xlsx", "Indikator", 1),
    # the breakdown workbook (pagt-xl breakdown --format xlsx, run, demo, the button)
    "fordelinger-aar": ("fordelinger_nordjylland.xlsx", "udmøntning pr. år", 1),
    "fordelinger-tema": ("fordelinger_nordjylland.xlsx", "fordelt på indsatsområde", 1),
    "fordelinger-maalgruppe": ("fordelinger_nordjylland.xlsx", "fordelt på målgruppe", 1),
    "fordelinger-kontrol": ("fordelinger_nordjylland.xlsx", "tal der skal stemme", 1),
    "fordelinger-fejl": ("fordelinger_nordjylland.xlsx", "Fejl og advarsler i kildedata", 1),
    "fordelinger-midtjylland": ("fordelinger_midtjylland.xlsx", "fordelt på indsatsområde", 1),
    # the status report draft
    "rapport-forside": ("statusrapport_nordjylland.docx", "Statusrapport 2019-2023", 1),
    "rapport-noegletal": ("statusrapport_nordjylland.docx", "har udmøntet 23,23 mio. kr.", 1),
    "rapport-tema": ("statusrapport_nordjylland.docx", "Der er en gruppe unge i Nordjylland", 1),
    "rapport-fremdrift": ("statusrapport_nordjylland.docx", "Vurdering af fremdrift", -1),
    "rapport-maal": ("statusrapport_nordjylland.docx", "faktisk indeks mod stien til målet", 1),
    "rapport-bilag": ("statusrapport_nordjylland.docx", "Advarsel", -1),
    "rapport-midtjylland": ("statusrapport_midtjylland.docx", "har udmøntet", 1),
    # the round: memo and letters
    "indstilling-1": ("indstillingsnotat_nordjylland_2024.docx", "Indstillingsnotat", 1),
    "indstilling-2": ("indstillingsnotat_nordjylland_2024.docx", "Forslag", -1),
    "brev-tilsagn": ("breve_nordjylland_2024/24-0201_tilsagn.docx", "tilsagn", 1),
    # 24-0204 has no reason in the sample, so it gets no letter (letter_no_reason); 24-0206 has one
    "brev-afslag": ("breve_nordjylland_2024/24-0206_afslag.docx", "afslag", 1),
    # budgets and goals
    "budgetter": ("budgetter_nordjylland.xlsx", "Budgetter", 1),
    "maal-nordjylland": ("maal_nordjylland.xlsx", "Målopfølgning", 1),
    "maal-midtjylland": ("maal_midtjylland.xlsx", "Aktivitet", 1),
}


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if proc.returncode not in (0, 1):  # 1: the samples' data has (deliberate) errors
        sys.exit(f"fejl: {' '.join(argv)} gav exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc


def make_outputs(out: Path) -> None:
    """The demo's outputs and the goal workbooks, dated EPOCH, into ``out``."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    py = [sys.executable, "-m", "pagt_xl"]
    _run([*py, "demo", "--workbooks", str(WORKBOOKS), "--out-dir", str(out)], env=env, cwd=out)
    overview = {
        "nordjylland": "nordjylland_ansoegninger_2019-2023.xlsx",
        "midtjylland": "midtjylland_projekter_2018.xlsx",
    }
    for pact, sample in overview.items():
        _run(
            [*py, "maal", str(WORKBOOKS / f"maalopfoelgning_{pact}.xlsx"), "--pact", pact,
             "--overview", str(WORKBOOKS / sample), "--format", "xlsx", "--out", str(out / f"maal_{pact}.xlsx")],
            env=env, cwd=out,
        )  # fmt: skip


def printable_copy(src: Path, dst: Path, rows: int = 28, cols: int = 11) -> Path:
    """A copy of an input workbook whose sheets print landscape, one page wide: the first rows and columns."""
    import openpyxl  # a dependency of pagt_xl itself

    book = openpyxl.load_workbook(src)
    for ws in book.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_area = f"A1:{openpyxl.utils.get_column_letter(min(cols, ws.max_column))}{min(rows, ws.max_row)}"
    book.save(dst)
    return dst


def to_pdf(sources: list[Path], pdf_dir: Path, profile: Path) -> None:
    """One LibreOffice call converts them all; Danish locale for number formats."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("fejl: LibreOffice (soffice) mangler: kør scripts/install-system-deps")
    env = {**os.environ, "LC_ALL": "da_DK.UTF-8", "LANG": "da_DK.UTF-8", "LANGUAGE": "da"}
    argv = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", str(pdf_dir), *map(str, sources)]  # fmt: skip
    subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    missing = [s.name for s in sources if not (pdf_dir / f"{s.stem}.pdf").exists()]
    if missing:
        sys.exit(f"fejl: LibreOffice lavede ingen PDF af {missing}")


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext; pages split by form feeds)."""
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        sys.exit("fejl: pdftotext/pdftoppm mangler (poppler-utils): kør scripts/install-system-deps")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[: -1 or None] if text.endswith("\f") else text.split("\f")


def find_page(texts: list[str], needle: str, which: int) -> int:
    """1-based page number of the first (``which`` = 1) or last (-1) page holding ``needle``."""
    hits = [i + 1 for i, t in enumerate(texts) if needle.casefold() in " ".join(t.split()).casefold()]
    if not hits:
        heads = "\n".join(f"  side {i + 1}: {' '.join(t.split())[:90]}" for i, t in enumerate(texts))
        raise LookupError(f"teksten {needle!r} findes på ingen side:\n{heads}")
    return hits[0] if which == 1 else hits[-1]


def trim(png: Path, pad: int = 24, gap: int = 40) -> None:
    """Cut a workbook page's empty paper: the margins, and the blank run between content and footer.

    Pillow comes with matplotlib (a dependency of pagt_xl).
    """
    from PIL import Image, ImageChops

    with Image.open(png) as im:
        rgb = im.convert("RGB")
    diff = ImageChops.difference(rgb, Image.new("RGB", rgb.size, "white")).convert("L")
    ink = diff.point(lambda v: 255 if v > 16 else 0)
    box = ink.getbbox()
    if box is None:
        return
    left, top, right, bottom = box
    margins = (max(left - pad, 0), max(top - pad, 0), min(right + pad, rgb.width), min(bottom + pad, rgb.height))
    rgb, ink = rgb.crop(margins), ink.crop(margins)
    rows = [ink.crop((0, y, ink.width, y + 1)).getbbox() is not None for y in range(ink.height)]
    best, start = (0, 0), None  # the longest blank run of rows
    for y, filled in enumerate([*rows, True]):
        if not filled and start is None:
            start = y
        elif filled and start is not None:
            best = max(best, (y - start, start))
            start = None
    length, at = best
    if length > 4 * gap:  # e.g. a short table, then the footer at the foot of the page
        upper = rgb.crop((0, 0, rgb.width, at + gap))
        lower = rgb.crop((0, at + length - gap, rgb.width, rgb.height))
        rgb = Image.new("RGB", (rgb.width, upper.height + lower.height), "white")
        rgb.paste(upper, (0, 0))
        rgb.paste(lower, (0, upper.height))
    rgb.save(png, optimize=True)


def render(pdf: Path, page: int, target: Path, tmp: Path, *, workbook: bool) -> bool:
    """Page ``page`` of ``pdf`` as ``target``; False when ``target`` already had these bytes.

    A workbook's page is trimmed to its content; a Word page is shown whole, as the paper it is.
    """
    stem = tmp / f"{target.stem}-render"
    subprocess.run(["pdftoppm", "-png", "-f", str(page), "-l", str(page), "-singlefile", "-scale-to", str(SIZE),
                    str(pdf), str(stem)], check=True)  # fmt: skip
    if workbook:
        trim(stem.with_suffix(".png"))
    data = stem.with_suffix(".png").read_bytes()
    if target.exists() and target.read_bytes() == data:
        return False
    target.write_bytes(data)
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line: write every picture of ``PICTURES`` into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs (default docs/img)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pagt-docimg-") as tmp_name:
        tmp = Path(tmp_name)
        outputs, pdf_dir = tmp / "ud", tmp / "pdf"
        outputs.mkdir()
        pdf_dir.mkdir()
        make_outputs(outputs)

        inputs = tmp / "input"
        inputs.mkdir()

        def source(name: str) -> Path:
            if not name.startswith("workbooks/"):
                return outputs / name
            copy = inputs / Path(name).name
            return copy if copy.exists() else printable_copy(ROOT / name, copy)

        sources = sorted({source(s) for s, _, _ in PICTURES.values()})
        stems = [s.stem for s in sources]
        if len(set(stems)) != len(stems):
            sys.exit("fejl: to kilder har samme filnavn; PDF'erne ville overskrive hinanden")
        to_pdf(sources, pdf_dir, tmp / "lo-profil")
        texts = {s.stem: page_texts(pdf_dir / f"{s.stem}.pdf") for s in sources}
        written = 0
        for name, (src, needle, which) in PICTURES.items():
            stem = source(src).stem
            try:
                page = find_page(texts[stem], needle, which)
            except LookupError as exc:
                sys.exit(f"fejl i billedet {name} ({src}): {exc}")
            workbook = Path(src).suffix in (".xlsx", ".xlsm")
            written += render(pdf_dir / f"{stem}.pdf", page, args.out / f"{name}.png", tmp, workbook=workbook)
    stale = sorted(p.name for p in args.out.glob("*.png") if p.stem not in PICTURES)
    for name in stale:  # pictures no longer made: a page still pointing at one then fails the strict build
        (args.out / name).unlink()
    print(f"Billeder: {len(PICTURES)} i {args.out} ({written} nye eller ændrede, {len(stale)} fjernet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
