using System.Diagnostics;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// Debian's real ssh-agent holding one key, found through SSH_AUTH_SOCK as a user's shell would set it (or no agent at
/// all). The lab collection runs one test at a time, so the process-wide variable is that test's alone; disposing puts
/// the caller's value back and stops the agent.
/// </summary>
internal sealed class LabAgent : IDisposable
{
    private readonly string _socketDirectory = Directory.CreateTempSubdirectory("pj-agent-").FullName;
    private readonly string? _callersSocket = Environment.GetEnvironmentVariable("SSH_AUTH_SOCK");
    private readonly Process? _agent;

    private LabAgent(string? keyFile)
    {
        if (keyFile is null)
        {
            Environment.SetEnvironmentVariable("SSH_AUTH_SOCK", null);
            return;
        }

        var socket = Path.Combine(_socketDirectory, "agent.sock");
        _agent = Process.Start(new ProcessStartInfo("ssh-agent", ["-D", "-a", socket]) { RedirectStandardOutput = true })!;
        for (var waited = 0; !File.Exists(socket) && waited < 100; waited++)
        {
            Thread.Sleep(100);
        }

        var add = new ProcessStartInfo("ssh-add", ["-q", keyFile]) { RedirectStandardError = true };
        add.Environment["SSH_AUTH_SOCK"] = socket;
        using var adding = Process.Start(add)!;
        adding.WaitForExit();
        Assert.Equal(0, adding.ExitCode);
        Environment.SetEnvironmentVariable("SSH_AUTH_SOCK", socket);
    }

    /// <summary>Starts an agent holding <paramref name="keyFile"/> and points SSH_AUTH_SOCK at it.</summary>
    public static LabAgent Holding(string keyFile) => new(keyFile);

    /// <summary>Unsets SSH_AUTH_SOCK: no local agent at all.</summary>
    public static LabAgent None() => new(null);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("SSH_AUTH_SOCK", _callersSocket);
        if (_agent is { HasExited: false })
        {
            _agent.Kill();
            _agent.WaitForExit();
        }

        _agent?.Dispose();
        Directory.Delete(_socketDirectory, recursive: true);
    }
}
