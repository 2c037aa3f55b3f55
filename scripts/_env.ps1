# Shared set-up for scripts\demo.ps1 and scripts\test.ps1, the Windows twin of scripts/_env.sh:
# a project-local virtualenv (.venv, Python in .venv\Scripts\python.exe) with the package installed in
# editable mode. Dot-sourced, not run, with the extras the caller needs:
#     . (Join-Path $PSScriptRoot "_env.ps1") -Extras ""       # the package alone (demo.ps1)
#     . (Join-Path $PSScriptRoot "_env.ps1") -Extras "dev"    # tests and every optional part (test.ps1)
# $env:PAGT_XL_EXTRAS overrides the caller's choice, $env:PAGT_XL_VENV the venv folder, $env:PYTHON the
# Python used to create it (default: the py launcher, else python on PATH). Safe to run again: it installs
# only when the venv is new, pyproject.toml changed, the clone moved, or the extras are not installed yet.
param([string]$Extras = "dev")
Set-StrictMode -Version 3.0
$ErrorActionPreference = "Stop"

$Root = Split-Path -Parent $PSScriptRoot
$Venv = if ($env:PAGT_XL_VENV) { $env:PAGT_XL_VENV } else { Join-Path $Root ".venv" }
if ($null -ne $env:PAGT_XL_EXTRAS) { $Extras = $env:PAGT_XL_EXTRAS }
$Python = Join-Path $Venv "Scripts\python.exe"

if (-not (Test-Path $Python)) {
    Write-Host "Opretter virtuelt miljø i $Venv ..."
    if ($env:PYTHON) {
        & $env:PYTHON -m venv $Venv
    } elseif (Get-Command py -ErrorAction SilentlyContinue) {
        & py -3 -m venv $Venv
    } else {
        & python -m venv $Venv
    }
    if ($LASTEXITCODE -ne 0) { throw "Kunne ikke oprette $Venv. Er Python 3.11 eller nyere installeret?" }
}

# the stamp: line 1 the clone it was installed from, line 2 the extras installed (comma-separated)
$Stamp = Join-Path $Venv ".pagt_xl-installed"
$HaveRoot = ""
$Have = @()
if (Test-Path $Stamp) {
    $Lines = @(Get-Content -Path $Stamp)
    if ($Lines.Count -ge 1) { $HaveRoot = $Lines[0] }
    if ($Lines.Count -ge 2) { $Have = @($Lines[1] -split "," | Where-Object { $_ }) }
}
$Want = @($Extras -split "," | Where-Object { $_ })
$Missing = @($Want | Where-Object { $Have -notcontains $_ })
$Covered = ($Have -contains "dev") -or ($Missing.Count -eq 0)
$Stale = -not (Test-Path $Stamp)
if (-not $Stale) {
    $Stale = (Get-Item (Join-Path $Root "pyproject.toml")).LastWriteTime -gt (Get-Item $Stamp).LastWriteTime
}
if ($Stale -or ($HaveRoot -ne $Root) -or (-not $Covered)) {
    if ($HaveRoot -eq $Root) { $All = @($Have + $Want | Sort-Object -Unique) } else { $All = @($Want | Sort-Object -Unique) }
    $Spec = if ($All.Count -gt 0) { "$Root[" + ($All -join ",") + "]" } else { $Root }
    Write-Host "Installerer pagt_xl $($All -join ',') i $Venv ..."
    & $Python -m pip install --quiet --upgrade pip
    if ($LASTEXITCODE -ne 0) { throw "pip kunne ikke opdateres (exit $LASTEXITCODE)" }
    # setuptools 80+ prints an English box on every editable install about folders named like the
    # package in the working directory: here that folder is the package
    $OldWarnings = $env:PYTHONWARNINGS
    $env:PYTHONWARNINGS = "ignore:Editable installation"
    & $Python -m pip install --quiet -e $Spec
    if ($LASTEXITCODE -ne 0) { throw "pagt_xl kunne ikke installeres (exit $LASTEXITCODE)" }
    $env:PYTHONWARNINGS = $OldWarnings
    Set-Content -Path $Stamp -Value @($Root, ($All -join ",")) -Encoding utf8
}
$env:PATH = (Join-Path $Venv "Scripts") + [IO.Path]::PathSeparator + $env:PATH
Set-Location $Root
