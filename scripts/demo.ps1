# Første kommando på Windows (som scripts/demo): opretter .venv med pakken alene (ingen test- eller
# dokumentationsværktøjer) og kører hovedopgaven på eksempelfilerne i workbooks\.
#     powershell -ExecutionPolicy Bypass -File scripts\demo.ps1 [--out-dir MAPPE]
$ErrorActionPreference = "Stop"
. (Join-Path $PSScriptRoot "_env.ps1") -Extras ""
& (Join-Path $Venv "Scripts\pagt-xl.exe") demo @args
exit $LASTEXITCODE
