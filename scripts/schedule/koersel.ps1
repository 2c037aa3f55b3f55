# Det, den planlagte opgave kører (registreres af windows-task.ps1): tilknyt evt. netværksdrevet, kør
# `pagt-xl run`, og afslut med dens exit-kode (0 = ingen fejl, 1 = data har fejl, 2 = en fil kunne ikke
# læses), som Opgavestyring viser som "Sidste kørselsresultat". Kan også køres i hånden for at prøve.
param(
    [Parameter(Mandatory = $true)][string]$Config,
    [string]$Venv = "$env:LOCALAPPDATA\pagt_xl\.venv",
    [string]$Drive = "",
    [string]$Share = ""
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = "Stop"

$Mapped = $false
if ($Drive -and -not (Test-Path "$Drive\")) {
    # i en planlagt opgave findes brugerens tilknyttede drev ikke: tilknyt det for denne kørsel
    & net use $Drive $Share /persistent:no
    if ($LASTEXITCODE -ne 0) { Write-Error "net use $Drive $Share mislykkedes (exit $LASTEXITCODE)"; exit 2 }
    $Mapped = $true
}
$Code = 2  # pagt-xl did not run (not installed where -Venv says)
try {
    & (Join-Path $Venv "Scripts\pagt-xl.exe") run $Config
    $Code = $LASTEXITCODE
} finally {
    if ($Mapped) { & net use $Drive /delete /y | Out-Null }
}
exit $Code
