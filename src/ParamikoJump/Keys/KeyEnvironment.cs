using System;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ParamikoJump.Keys.Agent;
using ParamikoJump.Logging;

namespace ParamikoJump.Keys;

/// <summary>
/// Where a hop looks for the user's keys: the home directory holding <c>.ssh/id_*</c> and the agent.
/// A seam so tests never touch the real user's keys or agent.
/// </summary>
internal sealed class KeyEnvironment
{
    public KeyEnvironment(string? homeDirectory, string? agentSocket, WindowsAgentSearch? agentSearch = null)
    {
        HomeDirectory = string.IsNullOrEmpty(homeDirectory) ? null : homeDirectory;
        AgentSocket = string.IsNullOrEmpty(agentSocket) ? null : agentSocket;
        AgentSearch = AgentSocket is null ? agentSearch : null;
    }

    /// <summary>The process's own environment unless <see cref="Override"/> is set.</summary>
    public static KeyEnvironment Current => Override ?? FromProcess();

    /// <summary>Replaces the process environment for every hop built without an explicit one (test assemblies).</summary>
    public static KeyEnvironment? Override { get; set; }

    /// <summary>The directory whose <c>.ssh</c> holds the default identity files, or <see langword="null"/>.</summary>
    public string? HomeDirectory { get; }

    /// <summary>The ssh-agent's socket or pipe named by <c>SSH_AUTH_SOCK</c>, or <see langword="null"/>.</summary>
    public string? AgentSocket { get; }

    /// <summary>Where to look for an agent when <see cref="AgentSocket"/> is not set: Windows' agents, or <see langword="null"/> elsewhere.</summary>
    public WindowsAgentSearch? AgentSearch { get; }

    /// <summary>
    /// The agent a hop uses now: <c>SSH_AUTH_SOCK</c>'s (a socket path, or a <c>\\.\pipe\NAME</c> on Windows) as set;
    /// else on Windows the first of <see cref="AgentSearch"/> running now, logged; else none.
    /// </summary>
    /// <exception cref="AgentUnavailableException">Windows' agents were searched and none is running.</exception>
    public string? FindAgent(ILogger logger, string hop)
    {
        if (AgentSocket is not null || AgentSearch is null)
        {
            return AgentSocket;
        }

        var found = AgentSearch.Find();
        Log.WindowsAgentFound(logger, hop, found, string.Join(", then ", AgentSearch.Candidates));
        return found;
    }

    /// <summary>
    /// A hop's environment: its own (tests) or the process's, with the hop's <see cref="HopSettings.IdentityAgent"/>, as
    /// ssh reads <c>IdentityAgent</c>, in place of <c>SSH_AUTH_SOCK</c>'s.
    /// </summary>
    /// <exception cref="ArgumentException">The IdentityAgent path starts with <c>~user</c> of no such user.</exception>
    internal static KeyEnvironment Of(HopSettings settings)
    {
        var environment = settings.KeyEnvironment ?? Current;
        return settings.IdentityAgent switch
        {
            null or "" or "SSH_AUTH_SOCK" => environment,
            "none" => new KeyEnvironment(environment.HomeDirectory, agentSocket: null),
            var path => new KeyEnvironment(environment.HomeDirectory, Configuration.HomePaths.WithHome(environment.HomeDirectory).Expand(path, nameof(HopSettings.IdentityAgent), settings.Host)),
        };
    }

    /// <summary>The agent's environment: <c>SSH_AUTH_SOCK</c> when set; else on Windows a search of Windows' agents, as Windows' ssh and PuTTY look; elsewhere none.</summary>
    internal static KeyEnvironment ForAgent(string? homeDirectory, string? sshAuthSock, bool isWindows, Func<WindowsAgentSearch> windowsSearch) =>
        new(homeDirectory, sshAuthSock, string.IsNullOrEmpty(sshAuthSock) && isWindows ? windowsSearch() : null);

    private static KeyEnvironment FromProcess() => ForAgent(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        Environment.GetEnvironmentVariable("SSH_AUTH_SOCK"),
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows),
        () => WindowsAgentSearch.ForThisUser);
}
