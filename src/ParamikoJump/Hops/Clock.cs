using System;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Hops;

/// <summary>Timing on the hop's <see cref="TimeProvider"/>, so budgets run on a fake clock in tests.</summary>
internal static class Clock
{
    /// <summary>A source cancelled after <paramref name="delay"/> on <paramref name="clock"/>; never, for an infinite delay.</summary>
    public static CancellationTokenSource CancelledAfter(TimeProvider clock, TimeSpan delay)
    {
        if (delay == Timeout.InfiniteTimeSpan)
        {
            return new CancellationTokenSource();
        }
#if NET8_0_OR_GREATER
        return new CancellationTokenSource(delay, clock);
#else
        return clock.CreateCancellationTokenSource(delay);
#endif
    }

    /// <summary>A delay on <paramref name="clock"/>.</summary>
    public static Task Delay(TimeProvider clock, TimeSpan delay, CancellationToken cancellationToken) =>
#if NET8_0_OR_GREATER
        Task.Delay(delay, clock, cancellationToken);
#else
        clock.Delay(delay, cancellationToken);
#endif

    /// <summary>A one-shot timer, not yet started; start it with <see cref="ITimer.Change"/>.</summary>
    public static ITimer Timer(TimeProvider clock, Action callback) =>
        clock.CreateTimer(static state => ((Action)state!)(), callback, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
}
