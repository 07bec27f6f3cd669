using System.Diagnostics.Metrics;
using ParamikoJump.Telemetry;

namespace ParamikoJump.IntegrationTests;

/// <summary>Follows one of ParamikoJump's counters or up-down counters as it moves: its current value, its peak, how often and when it rose.</summary>
internal sealed class GaugeWatch : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _current;
    private long _max;
    private long _rises;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _riseTimes = new();

    public GaugeWatch(string instrument)
    {
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Name == ParamikoJumpTelemetry.Name && published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, delta, _, _) =>
        {
            var now = Interlocked.Add(ref _current, delta);
            if (delta > 0)
            {
                Interlocked.Add(ref _rises, delta);
                _riseTimes.Enqueue(_clock.Elapsed);
            }

            long max;
            while (now > (max = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max)
            {
            }
        });
        _listener.Start();
    }

    public long Current => Interlocked.Read(ref _current);

    public long Max => Interlocked.Read(ref _max);

    public long Opened => Interlocked.Read(ref _rises);

    /// <summary>When each rise came, on <see cref="Clock"/>.</summary>
    public IReadOnlyList<TimeSpan> RiseTimes => [.. _riseTimes];

    /// <summary>The clock of <see cref="RiseTimes"/>, started with the watch.</summary>
    public System.Diagnostics.Stopwatch Clock => _clock;

    public void Dispose() => _listener.Dispose();
}
