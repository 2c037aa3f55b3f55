"""Two pictures for the guide to letters and memo: a letter page and a report page, as a reader gets them.

Run: .venv/bin/python scripts/make_doc_pictures.py [--out docs/img]   (scripts/docs runs it)

Writes ``docs/img/letter.png`` (the first page of the sample round's partial grant, 24-0203: the
decision, its reasons with the criteria and scores, the legal basis with its prompt, the conditions)
and ``docs/img/report.png`` (the Nordjylland status report's page with the key figures). Both come
from the command line with ``--pdf``: the PDF the program itself makes (LibreOffice headless, tagged,
contents with page numbers), rendered by ``pdftoppm``. The drafts are dated 15 February 2024
(``SOURCE_DATE_EPOCH``) and the letters 1 October 2024, so the pictures change only when the documents
do. A page is found by a text on it, not by its number. The PNGs are generated, not committed
(docs/img/ is in .gitignore). Needs LibreOffice and poppler-utils (scripts/install-system-deps).
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
EPOCH = "1707998400"  # 15 February 2024, 12:00 UTC
SIZE = 1000  # pixels of a page's longer side


def _run(argv: list[str]) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "pagt_xl", *argv], capture_output=True, text=True, env=env)
    if proc.returncode not in (0, 1):  # 1: the samples' data has (deliberate) errors
        sys.exit(f"fejl: pagt-xl {' '.join(argv)} gav exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr}")


def _page(pdf: Path, text: str) -> int:
    """The first page (1-based) of ``pdf`` holding ``text``."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")  # fmt: skip
    for n, page in enumerate(pages, start=1):
        if " ".join(text.split()) in " ".join(page.split()):
            return n
    sys.exit(f"fejl: '{text}' står ikke i {pdf.name}")


def _png(pdf: Path, text: str, out: Path) -> None:
    page = _page(pdf, text)
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-f", str(page), "-l", str(page), "-singlefile", "-scale-to", str(SIZE),
                    str(pdf), str(stem)], check=True)  # fmt: skip
    print(f"Billede skrevet: {out} ({pdf.name}, side {page})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default: docs/img)")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            sys.exit(f"fejl: {tool} mangler (scripts/install-system-deps installerer det)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pagt_xl_billeder_") as tmp:
        work = Path(tmp)
        report = work / "statusrapport_nordjylland.docx"
        _run(["report", str(WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"), "--pact", "nordjylland",
              "--out", str(report), "--pdf"])  # fmt: skip
        _run(["breve", str(WORKBOOKS / "nordjylland_runde_2024_afgjort.xlsx"), "--pact", "nordjylland",
              "--year", "2024", "--out", str(work / "breve"), "--date", "2024-10-01", "--pdf"])  # fmt: skip
        _png(work / "breve" / "24-0203_tilsagn.pdf", "Delvist tilsagn om tilskud", args.out / "letter.png")
        _png(report.with_suffix(".pdf"), "har udmøntet 23,23 mio. kr.", args.out / "report.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
