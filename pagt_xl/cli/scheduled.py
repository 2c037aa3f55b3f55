"""Scheduled runs (``pagt-xl run CONFIG.toml``): the run file → a job (:func:`plan_run`) for ``run_job``.

Made for cron and Windows Task Scheduler: every output carries the date in its
name and is written atomically; a file that is open in Word or Excel (an
Office lock file ``~$name`` next to it) is never overwritten: the run writes
``name_2.docx`` (``_3`` ...) instead and says so.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pagt_xl.base.config import load_pact, validation_problems
from pagt_xl.base.danish import parse_year_range
from pagt_xl.base.errors import ConfigError, ErrorCode
from pagt_xl.ingest.inputs import expand_budget_inputs, expand_inputs
from pagt_xl.outputs.files import office_lock
from pagt_xl.pipeline import JobOutputs, JobSpec


class RunConfig(BaseModel):
    """The TOML file of a scheduled run. Relative paths are relative to the file."""

    model_config = ConfigDict(extra="forbid")

    pact: str = Field(description="pagtens navn (nordjylland, midtjylland) eller sti til en pagt-TOML")
    inputs: list[str] = Field(min_length=1, description="projektmapper eller mønstre, fx 'data/*.xlsx'")
    outputs: str = Field(default="ud", description="mappe til resultaterne")
    template: str | None = Field(default=None, description="egen Word-skabelon (standard: den medfølgende)")
    period: str | None = Field(default=None, description="fx '2019-2023' (standard: alle år i data)")
    budgets: list[str] = Field(default=[], description="budgetskemaer: filer, mapper eller mønstre (valgfrit)")
    goals: list[str] = Field(default=[], description="målopfølgning (Målopfølgning/Aktiviteter), valgfrit")
    payments: list[str] = Field(default=[], description="udbetalingerne (arket Udbetalinger), valgfrit")
    report: bool = Field(default=True, description="skriv rapportkladden")
    workbook: bool = Field(default=True, description="skriv fordelingsprojektmappen")
    csv_dialect: Literal["dansk", "maskine"] = Field(
        default="dansk", description="fejllistens CSV-form: dansk (til Excel) eller maskine (til scripts)"
    )


def load_run_config(path: Path) -> RunConfig:
    """Read and validate a run configuration; :class:`ConfigError` names the file and the setting."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: kørselsfilen findes ikke", code=ErrorCode.CONFIG_NOT_FOUND) from None
    except OSError as exc:  # a folder, no permission
        reason = exc.strerror or exc.__class__.__name__
        raise ConfigError(f"{path}: kørselsfilen kan ikke læses ({reason}); angiv en .toml-fil") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: ugyldig TOML: {exc}") from None
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: ugyldig kørselsfil: {'; '.join(validation_problems(exc))}") from None


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
class RunPlan:
    """A scheduled run, ready to go: the job, its log file, and notes on renamed outputs."""

    spec: JobSpec
    log: Path
    notes: list[str]


def plan_run(config: RunConfig, *, base: Path, today: dt.date) -> RunPlan:
    """The job of a run file: inputs expanded, dated output names (``_2`` when open in Office)."""
    pact = load_pact(config.pact if not config.pact.endswith(".toml") else str(base / config.pact))
    inputs = expand_inputs(config.inputs, base)
    if not inputs:
        raise ConfigError(f"ingen projektmapper matcher {', '.join(config.inputs)}", code=ErrorCode.NO_INPUTS)
    out_dir = _resolve(config.outputs, base)
    out_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []

    def target(kind: str, suffix: str) -> Path:
        name = f"{kind}_{pact.key}_{today.isoformat()}{suffix}"
        path, moved = free_name(out_dir / name)
        if moved:
            notes.append(f"{name} er åben i Office; skriver {path.name} i stedet")
        return path

    outputs = JobOutputs(
        issues_csv=target("fejl", ".csv"),
        issues_json=target("fejl", ".json"),
        breakdown_workbook=target("fordelinger", ".xlsx") if config.workbook else None,
        budget_workbook=target("budgetter", ".xlsx") if config.budgets else None,
        ledger_workbook=target("udbetalinger", ".xlsx") if config.payments else None,
        report=target("statusrapport", ".docx") if config.report else None,
    )
    spec = JobSpec(
        pact=pact,
        inputs=list(inputs),
        skip_unreadable=True,
        isolate=True,  # one file the reader aborts on is that file's issue; the run goes on
        period=parse_year_range(config.period) if config.period else None,
        budgets=list(expand_budget_inputs(config.budgets, base)),
        goals=list(expand_inputs(config.goals, base)),
        payments=list(expand_inputs(config.payments, base)),
        report_date=today,
        template=_resolve(config.template, base) if config.template else None,
        outputs=outputs,
        csv_dialect=config.csv_dialect,
    )
    return RunPlan(spec, out_dir / f"pagt-xl_{today.isoformat()}.log", notes)


def _resolve(path: str, base: Path) -> Path:
    """A path from the run file: absolute as it is, relative to the run file's folder otherwise."""
    return Path(path) if Path(path).is_absolute() else base / path
