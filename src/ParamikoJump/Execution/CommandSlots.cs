using System;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Execution;

/// <summary>
/// A hop's own count of the session's channel slots (<c>ConnectionInfo.MaxSessions</c>, 10 by default) for commands.
/// SSH.NET's channel open takes a slot with a blocking <see cref="SemaphoreSlim.Wait()"/> and no timeout, so a command
/// started beyond the limit held its thread until an earlier one closed. A command takes its slot here first,
/// <c>ExecCommandAsync</c> without holding a thread, so SSH.NET's own wait then finds one free. Channels of other kinds
/// on the same client (shells, forwards) take SSH.NET's slots without passing here: while they hold some, a command's
/// start waits for SSH.NET's own slot too, without a thread in <c>ExecCommandAsync</c> (<c>SshNet.AwaitedChannel</c>)
/// and on the calling thread in <c>ExecCommand</c>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim holds nothing to dispose unless its AvailableWaitHandle is asked for, which is never done here.")]
internal sealed class CommandSlots
{
    private SemaphoreSlim _slots = new(10);

    /// <summary>A connection started: its slots, as many as SSH.NET allows it.</summary>
    public void OnSessionStarted(int maxSessions) => Volatile.Write(ref _slots, new SemaphoreSlim(Math.Max(1, maxSessions)));

    /// <summary>Waits for a slot, blocking, as SSH.NET's own wait would.</summary>
    public Slot Take(CancellationToken cancellationToken)
    {
        var slots = Volatile.Read(ref _slots);
        slots.Wait(cancellationToken);
        return new Slot(slots);
    }

    /// <summary>Waits for a slot without holding a thread.</summary>
    public async Task<Slot> TakeAsync(CancellationToken cancellationToken)
    {
        var slots = Volatile.Read(ref _slots);
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Slot(slots);
    }

    /// <summary>One command's slot; given back once, when its channel closes or the command is disposed.</summary>
    internal sealed class Slot(SemaphoreSlim slots)
    {
        private SemaphoreSlim? _slots = slots;

        public void Release() => Interlocked.Exchange(ref _slots, null)?.Release();
    }
}
