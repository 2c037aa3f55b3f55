# Registrér den natlige kørsel i Windows Opgavestyring (Task Scheduler). Kør i PowerShell som den bruger,
# der har adgang til projektmapperne, og ret parametrene først. Se docs/operations/scheduled-runs.md.
#
# Netværksdrev: et tilknyttet drev (S:) findes kun i brugerens egen logon-session, ikke i en planlagt
# opgave, der kører "uanset om brugeren er logget på". Brug derfor UNC-stier (\\server\share\...) i
# koersel.toml, eller giv -Drive og -Share, så opgaven selv tilknytter drevet (net use) før kørslen.
# "Uanset om brugeren er logget på" kræver, at adgangskoden gemmes (-LogonType Password): uden den
# (S4U, "Gem ikke adgangskode") har opgaven ingen adgang til netværksdrev.
param(
    [string]$Venv = "$env:LOCALAPPDATA\pagt_xl\.venv",          # hvor pagt_xl er installeret
    [string]$Config = "\\fil01\Teknologipagt\koersel.toml",     # kørselsfilen, helst som UNC-sti
    [string]$Drive = "",                                        # fx "S:" hvis koersel.toml bruger S:\...
    [string]$Share = "",                                        # fx "\\fil01\Teknologipagt"
    [string]$At = "02:15",
    [string]$TaskName = "pagt_xl natlig kørsel",
    [switch]$WhenLoggedOnOnly                                   # kun når brugeren er logget på (ingen adgangskode)
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = "Stop"

$Runner = Join-Path $PSScriptRoot "koersel.ps1"
$Arguments = "-NoProfile -ExecutionPolicy Bypass -File `"$Runner`" -Venv `"$Venv`" -Config `"$Config`""
if ($Drive) { $Arguments += " -Drive `"$Drive`" -Share `"$Share`"" }
$Action = New-ScheduledTaskAction -Execute "powershell.exe" -Argument $Arguments -WorkingDirectory (Split-Path -Parent $Runner)
$Trigger = New-ScheduledTaskTrigger -Daily -At $At
$Settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Hours 1)
$Description = "Rapportkladde, fordelinger og fejlliste fra teknologipagtens projektmapper"
if ($WhenLoggedOnOnly) {
    Register-ScheduledTask -TaskName $TaskName -Action $Action -Trigger $Trigger -Settings $Settings `
        -Description $Description -User "$env:USERDOMAIN\$env:USERNAME" -RunLevel Limited
} else {
    # "Kør uanset om brugeren er logget på": Windows gemmer adgangskoden, så opgaven kan nå netværksdrev
    $Credential = Get-Credential -UserName "$env:USERDOMAIN\$env:USERNAME" -Message "Adgangskode til den planlagte kørsel"
    $User = $Credential.UserName
    $Password = $Credential.GetNetworkCredential().Password
    Register-ScheduledTask -TaskName $TaskName -Action $Action -Trigger $Trigger -Settings $Settings `
        -Description $Description -User $User -Password $Password -RunLevel Limited
}
Write-Host "Registreret: $TaskName kl. $At. Resultatet (0/1/2) ses i Opgavestyring under 'Sidste kørselsresultat'."
