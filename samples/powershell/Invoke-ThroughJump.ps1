# Runs a command on a server behind an MFA bastion, from PowerShell 7 with ParamikoJump.
#   -Lib: a folder with ParamikoJump.dll and its dependencies (the README's "PowerShell 7" section makes one).
# The bastion's password and code are asked on the console by SimpleAuthHandler; the target logs in with a key.
param(
    [Parameter(Mandatory)] [string] $Lib,
    [Parameter(Mandatory)] [string] $Bastion,
    [int] $BastionPort = 22,
    [Parameter(Mandatory)] [string] $BastionUser,
    [Parameter(Mandatory)] [string] $Target,
    [int] $TargetPort = 22,
    [Parameter(Mandatory)] [string] $TargetUser,
    [Parameter(Mandatory)] [string] $TargetKey,
    [string] $KnownHosts,
    [string] $Command = 'uname -a'
)
$ErrorActionPreference = 'Stop'

# PowerShell loads ParamikoJump's dependencies from the same folder when they are first needed.
Add-Type -Path (Join-Path $Lib 'ParamikoJump.dll')

$jumpSettings = [ParamikoJump.HopSettings]::new($Bastion)
$jumpSettings.Port = $BastionPort
$jumpSettings.Username = $BastionUser
$jumpSettings.AuthHandler = [ParamikoJump.Authentication.SimpleAuthHandler]::new()   # password, then the code, on the console
$jumpSettings.LookForKeys = $false
$jumpSettings.AllowAgent = $false
if ($KnownHosts) {
    # Otherwise ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts, as ssh reads them.
    $jumpSettings.KnownHosts = [ParamikoJump.HostKeys.KnownHosts]::new()
    $jumpSettings.KnownHosts.LoadSystemHostKeys($KnownHosts)
}

$targetSettings = [ParamikoJump.HopSettings]::new($Target)
$targetSettings.Port = $TargetPort
$targetSettings.Username = $TargetUser
$targetSettings.KeyFilenames.Add($TargetKey)
$targetSettings.LookForKeys = $false
$targetSettings.AllowAgent = $false

$jumper = [ParamikoJump.SshJumpClient]::new($jumpSettings)
try {
    $jumper.Connect()
    $client = [ParamikoJump.SshJumpClient]::new($targetSettings, $jumper)   # shares the bastion's known hosts
    try {
        $client.Connect()
        $process = $client.ExecCommand($Command)   # PowerShell does not deconstruct: use .Stdin, .Stdout, .Stderr
        $process.Stdin.Dispose()
        $process.Stdout.ReadToEnd().TrimEnd()
        "exit status: $($process.WaitForExit())"
    }
    finally {
        $client.Dispose()
    }
}
catch {
    # PowerShell wraps what a .NET method throws; the ParamikoJump error inside names the hop and the stage.
    $error0 = $_.Exception
    while ($error0 -isnot [ParamikoJump.IHopFailure] -and $error0.InnerException) { $error0 = $error0.InnerException }
    Write-Error "$($error0.GetType().Name) at stage $($error0.Stage): $($error0.Message)"
}
finally {
    $jumper.Dispose()
}
