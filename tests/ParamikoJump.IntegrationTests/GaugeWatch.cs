using System.Diagnostics.Metrics;
using ParamikoJump.Telemetry;

namespace ParamikoJump.IntegrationTests;

/// <summary>Follows one of ParamikoJump's up-down counters as it moves: its current value, its peak, and how often it rose.</summary>
internal sealed class GaugeWatch : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _current;
    private long _max;
    private long _rises;

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

    public void Dispose() => _listener.Dispose();
}
