using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Renci.SshNet;

namespace ParamikoJump.Tests.Hops;

/// <summary>
/// A loopback listener that accepts and never speaks: the connect and banner budgets given to a client must be
/// the ones that end the wait, not SSH.NET's 30 s default.
/// </summary>
public sealed class SilentServerTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];

    public SilentServerTests()
    {
        _listener.Start();
        _ = AcceptForeverAsync();
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private int AcceptedCount
    {
        get
        {
            lock (_accepted)
            {
                return _accepted.Count;
            }
        }
    }

    [Fact]
    public void A_silent_server_times_out_after_the_given_budget_on_the_synchronous_path()
    {
        using var client = SilentClient();
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<HopTimeoutException>(client.Connect);

        Assert.Equal(TimeSpan.FromSeconds(1), error.Budget);
        Assert.Equal(HopStage.TcpConnect, error.Stage);
        Assert.Contains("SSH banner", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"waited {watch.Elapsed}");
    }

    [Fact]
    public async Task A_silent_server_times_out_after_the_given_budget_on_the_asynchronous_path()
    {
        using var client = SilentClient();
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<HopTimeoutException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(TimeSpan.FromSeconds(1), error.Budget);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"waited {watch.Elapsed}");
    }

    [Theory(Timeout = 30_000)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_five_minute_banner_budget_runs_on_the_hops_clock_whatever_the_declared_type(bool asynchronous, bool heldAsSshClient)
    {
        var clock = new FakeTimeProvider();
        var budget = TimeSpan.FromMinutes(5);
        using var client = new SshJumpClient(new HopSettings("127.0.0.1")
        {
            Port = Port,
            Username = "nobody",
            Password = "unused",
            LookForKeys = false,
            AllowAgent = false,
            BannerTimeout = budget,
            KeepAliveInterval = TimeSpan.Zero,
            TimeProvider = clock,
        });
        SshClient plain = client;
        var connecting = (asynchronous, heldAsSshClient) switch
        {
            (true, true) => plain.ConnectAsync(TestContext.Current.CancellationToken),
            (true, false) => client.ConnectAsync(TestContext.Current.CancellationToken),
            (false, true) => Task.Run(plain.Connect, TestContext.Current.CancellationToken),
            (false, false) => Task.Run(client.Connect, TestContext.Current.CancellationToken),
        };
        while (AcceptedCount == 0 || client.Stage != HopStage.TcpConnect)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        var watch = Stopwatch.StartNew();
        clock.Advance(budget);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => connecting);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the connect ended {watch.Elapsed} after the budget passed");
        if (!heldAsSshClient)
        {
            var timeout = Assert.IsType<HopTimeoutException>(error);
            Assert.Equal(budget, timeout.Budget);
            Assert.Equal(HopStage.TcpConnect, timeout.Stage);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task On_a_direct_hop_a_banner_budget_shorter_than_the_connect_budget_gives_way_to_it()
    {
        // The TCP connection and the banner share one budget on a direct hop (README, Settings): the longer one.
        var clock = new FakeTimeProvider();
        using var client = new SshJumpClient(new HopSettings("127.0.0.1")
        {
            Port = Port,
            Username = "nobody",
            Password = "unused",
            LookForKeys = false,
            AllowAgent = false,
            ConnectTimeout = TimeSpan.FromMinutes(5),
            BannerTimeout = TimeSpan.FromMinutes(1),
            KeepAliveInterval = TimeSpan.Zero,
            TimeProvider = clock,
        });
        var connecting = client.ConnectAsync(TestContext.Current.CancellationToken);
        while (AcceptedCount == 0 || client.Stage != HopStage.TcpConnect)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(500, TestContext.Current.CancellationToken); // a verdict, had there been one, is a timer callback away
        Assert.False(connecting.IsCompleted, "the one-minute banner budget ended a direct connect");

        clock.Advance(TimeSpan.FromMinutes(3));
        var error = await Assert.ThrowsAsync<HopTimeoutException>(() => connecting);

        Assert.Equal(TimeSpan.FromMinutes(5), error.Budget);
        Assert.Equal(HopStage.TcpConnect, error.Stage);
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }
    }

    private SshJumpClient SilentClient() => new(hostname: "127.0.0.1", port: Port, username: "nobody", password: "unused",
        lookForKeys: false, allowAgent: false, timeout: TimeSpan.FromSeconds(1), bannerTimeout: TimeSpan.FromSeconds(1));

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync();
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The listener was stopped at the end of the test.
        }
    }
}
