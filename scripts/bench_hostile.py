"""Peak memory and time of every hostile case (issue 21): each in a process of its own, measured with ``wait4``.

The hostile workbooks of the corpus (tests/data/bad, the cases refused as ``file_unsafe``) through
``pagt-xl validate``, and hostile Word templates (made here from the shipped one) through ``pagt-xl report``.
For each: the exit code, the child's peak RSS (``ru_maxrss`` of exactly that process) and its wall time.
``--baseline DIR`` runs the same commands against another checkout too (e.g. main before the fixes), each
under an address-space limit of 4 GB and 90 s, so that a case that would eat the machine is stopped and
shown as such. Prints a Markdown table (docs/operations/hardening.md keeps the last one).

Usage::

    .venv/bin/python scripts/bench_hostile.py [--baseline /path/to/old/checkout] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "ingest"))

from make_bad_inputs import CASES  # noqa: E402

BAD = ROOT / "tests" / "data" / "bad"
NORD = ROOT / "workbooks" / "nordjylland_ansoegninger_2019-2023.xlsx"
REPORT = ROOT / "pagt_xl" / "templates" / "statusrapport.docx"
LIMIT_BYTES = 4_000_000_000
LIMIT_SECONDS = 90

TEMPLATE_CASES = {
    "skabelon_loekker.docx": ("nested loops, 10^10 iterations",
                              "{% for i in ('x' * 100000) %}{% for j in ('x' * 100000) %}{% endfor %}{% endfor %}"),
    "skabelon_gange.docx": ("'x' * 10**8 (100 MB of text)", "{{ 'x' * 10**8 }}"),
    "skabelon_lang_tekst.docx": ("a text of 11 million characters (was cut to 10 M, exit 0)", "{{ 'x' * 11000000 }}"),
    "skabelon_rekursion.docx": ("a loop that calls itself", "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}"),
    "skabelon_potens.docx": ("10 ** 1000000, a million-digit number", "{{ 10 ** 1000000 }}"),
    "skabelon_bombe.docx": ("word/document.xml inflating to 1 GB", None),
}  # fmt: skip


def _template(folder: Path, name: str, code: str | None) -> Path:
    from docx import Document

    out = folder / name
    if code is not None:
        doc = Document(str(REPORT))
        doc.paragraphs[0].insert_paragraph_before(code)
        doc.save(str(out))
        return out
    with zipfile.ZipFile(REPORT) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info.filename, src.read(info))
                continue
            head, tail = src.read(info).split(b"<w:body>", 1)
            zi = zipfile.ZipInfo(info.filename)
            zi.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(zi, "w", force_zip64=True) as fh:
                fh.write(head + b"<w:body>")
                for _ in range(1_000):
                    fh.write(b" " * (1 << 20))
                fh.write(tail)
    return out


def measure(argv: list[str], pythonpath: Path, limited: bool) -> tuple[str, float, float]:
    """(exit, peak MB, seconds) of ``python -m pagt_xl argv`` with ``pythonpath`` first."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    env.pop("PAGT_XL_DEBUG", None)
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: limits (for the baseline), no output, then the command
        try:
            if limited:
                resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.chdir(pythonpath)
            os.execve(sys.executable, [sys.executable, "-m", "pagt_xl", *argv], env)
        finally:
            os._exit(127)
    deadline = start + LIMIT_SECONDS
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return f"killed after {LIMIT_SECONDS} s", usage.ru_maxrss / 1024, time.monotonic() - start
        time.sleep(0.05)
    seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    text = f"signal {-code} ({signal.Signals(-code).name})" if code < 0 else str(code)
    if limited and code < 0:
        text += " at the 4 GB limit"
    return text, usage.ru_maxrss / 1024, seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, help="another checkout to run the same commands against")
    ap.add_argument("--only", nargs="+", help="only these cases")
    args = ap.parse_args()
    rows: list[tuple[str, str, list[str]]] = []
    for name, (what, code, _) in sorted(CASES.items()):
        if code == 2 and name not in ("tom.xlsx",) and _unsafe(name):
            rows.append((name, what, ["validate", str(BAD / name)]))
    with tempfile.TemporaryDirectory() as tmp:
        for name, (what, code) in TEMPLATE_CASES.items():
            path = _template(Path(tmp), name, code)
            rows.append(
                (name, what, ["report", str(NORD), "--template", str(path), "--out", str(Path(tmp) / "r.docx")])
            )
        if args.only:
            rows = [r for r in rows if r[0] in args.only]
        head = "| case | what | exit | peak MB | seconds |"
        if args.baseline:
            head += " before: exit | before: peak MB | before: seconds |"
        print(head)
        print("|" + "---|" * (head.count("|") - 1))
        for name, what, argv in rows:
            exit_text, peak, seconds = measure(argv, ROOT, limited=False)
            line = f"| {name} | {what} | {exit_text} | {peak:.0f} | {seconds:.1f} |"
            if args.baseline:
                b_exit, b_peak, b_seconds = measure(argv, args.baseline.resolve(), limited=True)
                line += f" {b_exit} | {b_peak:.0f} | {b_seconds:.1f} |"
            print(line, flush=True)
    return 0


def _unsafe(name: str) -> bool:
    from test_bad_inputs import UNREADABLE_CODES

    from pagt_xl.base.errors import ErrorCode

    return UNREADABLE_CODES.get(name) is ErrorCode.FILE_UNSAFE


if __name__ == "__main__":
    sys.exit(main())
