using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// Where a hop on Windows looks for an agent when SSH_AUTH_SOCK is not set, in this order: OpenSSH for Windows' agent
/// service (<c>\\.\pipe\openssh-ssh-agent</c>, the only one Windows' own ssh asks, so a user of both gets what ssh
/// gets), then Pageant's named pipe (0.75 and later), then Pageant's window (every Pageant; PuTTY's own tools try the
/// pipe first too). The first that is running is used; one that is not costs nothing (a pipe listing, a window lookup).
/// </summary>
internal sealed class WindowsAgentSearch
{
    private static readonly Lazy<WindowsAgentSearch> s_thisUser = new(() => new(
        CandidatesFor(PageantPipe.PathForCurrentUser()),
        candidate => candidate == PageantWindow.Locator
            ? new PageantWindow(Win32PageantWindowMessaging.Instance, TimeSpan.Zero).Exists
            : AgentSocket.PipeMayExist(candidate)));

    private readonly Func<string, bool> _isRunning;

    /// <summary>A search over <paramref name="candidates"/> (pipe paths, or <see cref="PageantWindow.Locator"/>), in order.</summary>
    public WindowsAgentSearch(IReadOnlyList<string> candidates, Func<string, bool> isRunning)
    {
        Candidates = candidates;
        _isRunning = isRunning;
    }

    /// <summary>This user's search on Windows (Pageant's pipe name depends on the user).</summary>
    public static WindowsAgentSearch ForThisUser => s_thisUser.Value;

    public IReadOnlyList<string> Candidates { get; }

    /// <summary>The order above; Pageant's pipe is left out when its name cannot be made (no user name).</summary>
    public static IReadOnlyList<string> CandidatesFor(string? pageantPipe) =>
        pageantPipe is null
            ? [AgentSocket.WindowsOpenSshAgentPipe, PageantWindow.Locator]
            : [AgentSocket.WindowsOpenSshAgentPipe, pageantPipe, PageantWindow.Locator];

    /// <summary>The first candidate running now.</summary>
    /// <exception cref="AgentUnavailableException">None is.</exception>
    public string Find() => Candidates.FirstOrDefault(_isRunning) ?? throw new AgentUnavailableException(Candidates);
}

/// <summary>No agent was found: SSH_AUTH_SOCK is not set and none of the agents Windows has (<see cref="Tried"/>) is running.</summary>
internal sealed class AgentUnavailableException(IReadOnlyList<string> tried)
    : IOException($"SSH_AUTH_SOCK is not set and no agent is running: tried {string.Join(", then ", tried)}")
{
    public IReadOnlyList<string> Tried { get; } = tried;
}
