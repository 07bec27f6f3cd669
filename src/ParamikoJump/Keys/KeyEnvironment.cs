using System;

namespace ParamikoJump.Keys;

/// <summary>
/// Where a hop looks for the user's keys: the home directory holding <c>.ssh/id_*</c> and the agent socket.
/// A seam so tests never touch the real user's keys or agent.
/// </summary>
internal sealed class KeyEnvironment
{
    public KeyEnvironment(string? homeDirectory, string? agentSocket)
    {
        HomeDirectory = string.IsNullOrEmpty(homeDirectory) ? null : homeDirectory;
        AgentSocket = string.IsNullOrEmpty(agentSocket) ? null : agentSocket;
    }

    /// <summary>The process's own environment unless <see cref="Override"/> is set.</summary>
    public static KeyEnvironment Current => Override ?? FromProcess();

    /// <summary>Replaces the process environment for every hop built without an explicit one (test assemblies).</summary>
    public static KeyEnvironment? Override { get; set; }

    /// <summary>The directory whose <c>.ssh</c> holds the default identity files, or <see langword="null"/>.</summary>
    public string? HomeDirectory { get; }

    /// <summary>The ssh-agent's socket or pipe (<see cref="AgentFor"/>), or <see langword="null"/>.</summary>
    public string? AgentSocket { get; }

    /// <summary>
    /// The agent to use: <c>SSH_AUTH_SOCK</c> when set (a socket path, or a <c>\\.\pipe\NAME</c> on Windows), else on
    /// Windows the pipe of OpenSSH for Windows' ssh-agent service, as Windows' own ssh does.
    /// </summary>
    internal static string? AgentFor(string? sshAuthSock, bool isWindows) =>
        !string.IsNullOrEmpty(sshAuthSock) ? sshAuthSock : isWindows ? Agent.AgentSocket.WindowsOpenSshAgentPipe : null;

    private static KeyEnvironment FromProcess() => new(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        AgentFor(Environment.GetEnvironmentVariable("SSH_AUTH_SOCK"), System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)));
}
