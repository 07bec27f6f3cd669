using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using ParamikoJump.Pooling;

namespace ParamikoJump.Tests.Pooling;

public sealed class ReconnectBackoffTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_jump_that_cannot_be_reached_is_tried_again_after_growing_jittered_pauses_on_the_pools_clock_then_fails_typed()
    {
        var port = ClosedPort();
        var clock = new FakeTimeProvider();
        var log = new ListLogger();
        var builder = new SshJumpDataSourceBuilder();
        builder.Options.TimeProvider = clock;
        builder.Options.LoggerFactory = log;
        builder.Options.ReconnectAttempts = 3;
        builder.Options.ReconnectDelay = TimeSpan.FromSeconds(1);
        builder.Options.MaxReconnectDelay = TimeSpan.FromSeconds(5);
        builder.Options.LeaseTimeout = TimeSpan.FromHours(1);
        await using var source = BehindClosedJump(builder, port);

        var lease = source.GetAsync("db01", TestContext.Current.CancellationToken).AsTask();
        await RunTheClockUntilDone(lease, clock);

        var retries = log.Lines.Count(l => l.Contains("did not come back", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<HopConnectionException>(() => lease);
        Assert.Equal(3, retries);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        var pauses = log.Lines.Where(l => l.Contains("did not come back", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.IndexOf(" in ", StringComparison.Ordinal) + 4)..l.LastIndexOf(" s", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.All(pauses, pause => Assert.InRange(pause, 0.0, 5.0));
        Assert.Equal([1, 2, 3], log.Lines.Where(l => l.Contains("did not come back", StringComparison.Ordinal)).Select(l => int.Parse(l.Split("retry ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_lease_that_times_out_while_its_jump_is_retried_carries_the_jumps_last_failure()
    {
        var port = ClosedPort();
        var clock = new FakeTimeProvider();
        var builder = new SshJumpDataSourceBuilder();
        builder.Options.TimeProvider = clock;
        builder.Options.ReconnectDelay = TimeSpan.FromSeconds(10);
        builder.Options.ReconnectAttempts = 100;
        builder.Options.LeaseTimeout = TimeSpan.FromSeconds(5);
        await using var source = BehindClosedJump(builder, port);

        // The first try is refused at once; the retries, jittered around 10 s on the fake clock, outlast the lease's 5.
        var lease = source.GetAsync("db01", TestContext.Current.CancellationToken).AsTask();
        await RunTheClockUntilDone(lease, clock);

        var timedOut = await Assert.ThrowsAsync<LeaseTimeoutException>(() => lease);
        var why = Assert.IsType<HopConnectionException>(timedOut.InnerException);
        Assert.Contains($"127.0.0.1:{port}", why.Message, StringComparison.Ordinal);
    }

    /// <summary>The source with one destination, db01, behind a jump on 127.0.0.1:<paramref name="port"/>.</summary>
    private static SshJumpDataSource BehindClosedJump(SshJumpDataSourceBuilder builder, int port)
    {
        var jump = new HopSettings("127.0.0.1") { Port = port, Username = "ops", Password = "pw", LookForKeys = false, AllowAgent = false };
        builder.AddDestination("db01", new HopSettings("10.0.0.5") { Username = "admin", Password = "pw" }, jump);
        return builder.Build();
    }

    /// <summary>Moves the pool's fake clock, which only moves when told to, until <paramref name="lease"/> has ended.</summary>
    private static async Task RunTheClockUntilDone(Task lease, FakeTimeProvider clock)
    {
        while (!lease.IsCompleted)
        {
            await Task.WhenAny(lease, Task.Delay(20, TestContext.Current.CancellationToken));
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
