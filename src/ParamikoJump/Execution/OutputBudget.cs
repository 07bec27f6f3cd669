using System;
using System.Threading;

namespace ParamikoJump.Execution;

/// <summary>
/// The bytes of one command's output (stdout and stderr together) that may wait unread, and the moment output last
/// arrived. Crossing the limit happens once: the command is then cancelled by <c>onOverflow</c>. Without a cap of the
/// user's the limit is a fallback for a channel whose window cannot be driven by its reader, lifted once it can.
/// </summary>
internal sealed class OutputBudget
{
    private long _limit;
    private readonly TimeProvider _clock;
    private readonly Action _onOverflow;
    private readonly Func<Exception> _error;
    private long _waiting;
    private long _lastArrival;
    private int _overflowed;

    public OutputBudget(long limit, TimeProvider clock, Action onOverflow, Func<Exception> error)
    {
        _limit = limit;
        _clock = clock;
        _onOverflow = onOverflow;
        _error = error;
        _lastArrival = clock.GetTimestamp();
    }

    /// <summary>How long ago output last arrived.</summary>
    public TimeSpan SinceLastArrival => _clock.GetElapsedTime(Volatile.Read(ref _lastArrival));

    public bool HasOverflowed => Volatile.Read(ref _overflowed) != 0;

    /// <summary>No limit: the channel's window bounds what can wait.</summary>
    public void Lift() => Volatile.Write(ref _limit, long.MaxValue);

    /// <summary>Takes room for <paramref name="count"/> bytes that arrived; false if that would pass the limit.</summary>
    public bool TryTake(int count)
    {
        Volatile.Write(ref _lastArrival, _clock.GetTimestamp());
        if (Interlocked.Add(ref _waiting, count) <= Volatile.Read(ref _limit))
        {
            return true;
        }

        Interlocked.Add(ref _waiting, -count);
        return false;
    }

    /// <summary>Gives back room for bytes the reader took (or that were dropped).</summary>
    public void Release(int count) => Interlocked.Add(ref _waiting, -count);

    public void Overflow()
    {
        if (Interlocked.Exchange(ref _overflowed, 1) == 0)
        {
            _onOverflow();
        }
    }

    /// <summary>The error a reader gets after the output that was kept.</summary>
    public Exception Error() => _error();
}
