using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace ParamikoJump.Execution;

/// <summary>
/// The commands running on one hop's session. When a server reports a command's exit (on the session's receive
/// thread, before SSH.NET's channel has seen it) each running command checks, after a grace period, whether its
/// channel closed: a server that sends the exit status but never closes the channel must not hang its reader.
/// </summary>
internal sealed class RunningCommands(HopIdentity hop, ILogger logger, TimeProvider clock)
{
    /// <summary>How long a channel may stay open, with no output arriving, after its command's exit was reported.</summary>
    public static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly List<RemoteProcess> _running = [];

    public HopIdentity Hop { get; } = hop;

    public ILogger Logger { get; } = logger;

    public TimeProvider Clock { get; } = clock;

    /// <summary>When a command's channel may open; see <see cref="CommandStarts"/>.</summary>
    public CommandStarts Starts { get; } = new();

    /// <summary>The session's channel slots for commands; see <see cref="CommandSlots"/>.</summary>
    public CommandSlots Slots { get; } = new();

    public void Add(RemoteProcess process)
    {
        lock (_gate)
        {
            _running.Add(process);
        }
    }

    public void Remove(RemoteProcess process)
    {
        lock (_gate)
        {
            _running.Remove(process);
        }
    }

    public void OnExitReported()
    {
        RemoteProcess[] running;
        lock (_gate)
        {
            running = _running.ToArray();
        }

        foreach (var process in running)
        {
            process.WatchForClose();
        }
    }
}
