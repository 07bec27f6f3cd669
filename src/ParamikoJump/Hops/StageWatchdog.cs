using System;
using System.Diagnostics;
using System.Threading;

namespace ParamikoJump.Hops;

/// <summary>
/// Calls back when a connect stage outlives its budget. On the system clock a thread of the watchdog's own waits out
/// the budget, so a starved thread pool (the application's blocking work, or many hops connecting at once) cannot make
/// a budget late, and the library need not raise the pool's minimum; the thread exists only while a budget runs. On
/// any other <see cref="TimeProvider"/> (tests' fake clocks) that provider's timer does the waiting.
/// </summary>
internal sealed class StageWatchdog : IDisposable
{
    private const long Disarmed = long.MaxValue;
    private readonly Action _onSpent;
    private readonly ITimer? _timer;
    private readonly object _gate = new();
    private long _deadline = Disarmed;
    private bool _threadRunning;
    private bool _disposed;

    public StageWatchdog(TimeProvider clock, Action onSpent)
    {
        _onSpent = onSpent;
        if (clock != TimeProvider.System)
        {
            _timer = Clock.Timer(clock, onSpent);
        }
    }

    /// <summary>Restarts the countdown: <paramref name="budget"/> from now.</summary>
    public void Arm(TimeSpan budget)
    {
        if (_timer is not null)
        {
            _timer.Change(budget, Timeout.InfiniteTimeSpan);
            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _deadline = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
            if (_threadRunning)
            {
                Monitor.Pulse(_gate);
                return;
            }

            _threadRunning = true;
        }

        new Thread(Watch) { IsBackground = true, Name = "ParamikoJump stage budget" }.Start();
    }

    public void Disarm()
    {
        if (_timer is not null)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        lock (_gate)
        {
            _deadline = Disarmed;
            Monitor.Pulse(_gate);
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _deadline = Disarmed;
            Monitor.Pulse(_gate);
        }
    }

    private void Watch()
    {
        while (true)
        {
            lock (_gate)
            {
                while (true)
                {
                    if (_deadline == Disarmed)
                    {
                        // Nothing to time: the thread ends; the next Arm starts another.
                        _threadRunning = false;
                        return;
                    }

                    var left = _deadline - Stopwatch.GetTimestamp();
                    if (left <= 0)
                    {
                        _deadline = Disarmed;
                        break;
                    }

                    Monitor.Wait(_gate, TimeSpan.FromSeconds(Math.Min((double)left / Stopwatch.Frequency, int.MaxValue / 1000.0)));
                }
            }

            _onSpent();
        }
    }
}
