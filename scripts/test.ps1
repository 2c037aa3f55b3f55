# Anden kommando på Windows (som scripts/test): opretter .venv med dev-ekstraen, kører ruff,
# dokumentationen i strict mode (kun når LibreOffice og pdftoppm findes på PATH) og hele testsuiten.
# Systempakkerne (LibreOffice, Chromium, Redis) installeres ikke her: test, der kræver dem, springes over
# med en begrundelse.
#     powershell -ExecutionPolicy Bypass -File scripts\test.ps1 [pytest-argumenter]
$ErrorActionPreference = "Stop"
. (Join-Path $PSScriptRoot "_env.ps1") -Extras "dev"
& $Python -m ruff check pagt_xl tests scripts
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
if ((Get-Command soffice -ErrorAction SilentlyContinue) -and (Get-Command pdftoppm -ErrorAction SilentlyContinue)) {
    & $Python scripts/make_doc_images.py
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    & $Python -m mkdocs build --strict
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
} else {
    Write-Host "LibreOffice (soffice) eller pdftoppm findes ikke på PATH: dokumentationen bygges ikke her."
}
& $Python -m pytest -m "wheel or not wheel" --numprocesses auto --maxprocesses 4 @args
exit $LASTEXITCODE
