"""Scheduled runs (``pagt-xl run CONFIG.toml``): inputs → report draft, breakdown workbook, issues, log.

Made for cron and Windows Task Scheduler: every output carries the date in its
name and is written atomically; a file that is open in Word or Excel (an
Office lock file ``~$name`` next to it) is never overwritten: the run writes
``name_2.docx`` (``_3`` ...) instead and says so.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pagt_xl.config import load_pact
from pagt_xl.errors import ConfigError
from pagt_xl.model import Issue, Severity
from pagt_xl.outputs import atomic_write, issues_csv, office_lock, write_breakdown_workbook
from pagt_xl.pipeline import run_breakdowns, run_validation


class RunConfig(BaseModel):
    """The TOML file of a scheduled run. Relative paths are relative to the file."""

    model_config = ConfigDict(extra="forbid")

    pact: str = Field(description="pagtens navn (nordjylland, midtjylland) eller sti til en pagt-TOML")
    inputs: list[str] = Field(min_length=1, description="projektmapper eller mønstre, fx 'data/*.xlsx'")
    outputs: str = Field(default="ud", description="mappe til resultaterne")
    template: str | None = Field(default=None, description="egen Word-skabelon (standard: den medfølgende)")
    period: str | None = Field(default=None, description="fx '2019-2023' (standard: alle år i data)")
    budgets: list[str] = Field(default=[], description="budgetskemaer: filer, mapper eller mønstre (valgfrit)")
    report: bool = Field(default=True, description="skriv rapportkladden")
    workbook: bool = Field(default=True, description="skriv fordelingsprojektmappen")


def load_run_config(path: Path) -> RunConfig:
    """Read and validate a run configuration; :class:`ConfigError` names the file and the setting."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: kørselsfilen findes ikke") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: ugyldig TOML: {exc}") from None
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: ugyldig kørselsfil: {problems}") from None


def parse_period(text: str) -> tuple[int, int]:
    """'2019-2023' → (2019, 2023); '2023' → (2023, 2023)."""
    parts = [p.strip() for p in text.replace("–", "-").split("-")]
    try:
        years = [int(p) for p in parts if p]
    except ValueError:
        raise ValueError(f"ugyldig periode '{text}'; skriv fx 2019-2023") from None
    if len(years) == 1:
        return years[0], years[0]
    if len(years) != 2 or years[0] > years[1]:
        raise ValueError(f"ugyldig periode '{text}'; skriv fx 2019-2023")
    return years[0], years[1]


def free_name(path: Path) -> tuple[Path, bool]:
    """``path`` if it is not open in Office, else the first ``stem_N.suffix`` that is free; and whether moved."""
    if office_lock(path) is None:
        return path, False
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}_{n}{path.suffix}")
        if office_lock(candidate) is None:
            return candidate, True
        n += 1


@dataclass
class RunResult:
    """What a scheduled run wrote and found."""

    outputs: list[Path] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    fatal: list[Issue] = field(default_factory=list)
    has_errors: bool = False


def expand_inputs(patterns: list[str], base: Path) -> list[Path]:
    """Files and glob patterns (relative to ``base``) → sorted, de-duplicated paths; unmatched kept as given."""
    out: list[Path] = []
    for pattern in patterns:
        full = Path(pattern) if Path(pattern).is_absolute() else base / pattern
        if any(ch in pattern for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(str(full), recursive=True))
            matches = [m for m in matches if not m.name.startswith("~$")]
            out.extend(matches)
        else:
            out.append(full)
    seen: set[Path] = set()
    return [p for p in out if not (p in seen or seen.add(p))]


def expand_budget_inputs(patterns: list[str], base: Path) -> list[Path]:
    """Budget inputs: folders are kept as folders (read whole), files and globs expanded."""
    out: list[Path] = []
    for pattern in patterns:
        full = Path(pattern) if Path(pattern).is_absolute() else base / pattern
        out.extend([full] if full.is_dir() else expand_inputs([pattern], base))
    return out


def scheduled_run(
    config: RunConfig,
    *,
    base: Path,
    today: dt.date,
    step: Callable[[str], None] = lambda _msg: None,
) -> RunResult:
    """Run the configured job. ``step`` is called with a Danish line before each step (progress/log)."""
    from pagt_xl.report import render_report  # the Word libraries load only when a report is made

    result = RunResult()
    pact = load_pact(config.pact if not config.pact.endswith(".toml") else str(base / config.pact))
    inputs = expand_inputs(config.inputs, base)
    if not inputs:
        raise ConfigError(f"ingen projektmapper matcher {', '.join(config.inputs)}")
    out_dir = Path(config.outputs) if Path(config.outputs).is_absolute() else base / config.outputs
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = today.isoformat()

    step(f"Læser og validerer {len(inputs)} projektmappe(r)")
    validation = run_validation(list(inputs), pact)
    result.issues = validation.issues
    result.fatal = validation.fatal
    result.has_errors = validation.has_errors
    for issue in validation.fatal:
        result.messages.append(f"fejl: {issue.message}")

    def target(name: str) -> Path:
        path, moved = free_name(out_dir / name)
        if moved:
            result.messages.append(f"{name} er åben i Office; skriver {path.name} i stedet")
        return path

    step("Skriver fejllisten (CSV og JSON)")
    csv_path = target(f"fejl_{pact.key}_{stamp}.csv")
    atomic_write(csv_path, lambda tmp: tmp.write_text(issues_csv(validation.issues), encoding="utf-8-sig"))
    json_path = target(f"fejl_{pact.key}_{stamp}.json")
    doc = [i.model_dump(mode="json") for i in validation.issues]
    atomic_write(json_path, lambda tmp: tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8"))
    result.outputs += [csv_path, json_path]

    if validation.fatal and validation.table.empty:
        return result
    period = parse_period(config.period) if config.period else None
    step("Beregner fordelinger og kontrol")
    breakdowns = run_breakdowns(validation, period=period)
    if config.workbook:
        step("Skriver fordelingsprojektmappen")
        xlsx = target(f"fordelinger_{pact.key}_{stamp}.xlsx")
        write_breakdown_workbook(breakdowns, xlsx)
        result.outputs.append(xlsx)
    underspend = None
    if config.budgets:
        from pagt_xl.budget import review_budgets, underspend_texts
        from pagt_xl.outputs import write_budget_workbook

        budget_paths = expand_budget_inputs(config.budgets, base)
        budgets = review_budgets(list(budget_paths), pact, validation.table, as_of=today)
        budget_issues = budgets.issues
        target_xlsx = target(f"budgetter_{pact.key}_{stamp}.xlsx")
        write_budget_workbook(budgets.records, budget_issues, target_xlsx)
        result.outputs.append(target_xlsx)
        result.issues = [*result.issues, *budget_issues]
        result.has_errors = result.has_errors or budgets.has_errors
        for issue in budgets.fatal:
            result.messages.append(f"fejl: {issue.message}")
        underspend = underspend_texts(budgets)
    if config.report:
        step("Skriver rapportkladden (Word)")
        docx = target(f"statusrapport_{pact.key}_{stamp}.docx")
        template = None
        if config.template:
            template = Path(config.template) if Path(config.template).is_absolute() else base / config.template
        render_report(breakdowns, docx, template=template, report_date=today, underspend=underspend)
        result.outputs.append(docx)
    return result


def count(issues: list[Issue], severity: Severity) -> int:
    """Number of issues of one severity."""
    return sum(1 for i in issues if i.severity is severity)
