# Registrér en natlig kørsel i Windows Opgavestyring (Task Scheduler). Kør i PowerShell som den bruger,
# der har adgang til projektmapperne. Ret stierne først.
$Repo   = "C:\pagt_xl"
$Config = "C:\pagt_xl\koersel.toml"
$Action = New-ScheduledTaskAction -Execute "$Repo\.venv\Scripts\pagt-xl.exe" -Argument "run `"$Config`"" -WorkingDirectory $Repo
$Trigger = New-ScheduledTaskTrigger -Daily -At 2:15am
$Settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Hours 1)
Register-ScheduledTask -TaskName "pagt_xl natlig kørsel" -Action $Action -Trigger $Trigger -Settings $Settings `
    -Description "Rapportkladde, fordelinger og fejlliste fra teknologipagtens projektmapper"
# Resultatet (exit-kode 0/1/2) ses i Opgavestyring under "Sidste kørselsresultat".
