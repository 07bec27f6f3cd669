using ParamikoJump.Authentication;
using ParamikoJump.Lab;
using ParamikoJump.Pooling;

namespace ParamikoJump.IntegrationTests;

/// <summary>SshJumpDataSource's waits, idle eviction and re-login rules, against the lab's password bastion.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class PoolLimitTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task A_lease_beyond_the_servers_limit_waits_in_line_and_fails_typed_at_its_timeout_or_token()
    {
        using var measurements = new PoolMeasurements();
        await using var source = Source(options =>
        {
            options.MaxSessionsPerServer = 1;
            options.LeaseTimeout = TimeSpan.FromSeconds(1);
        });
        var ct = TestContext.Current.CancellationToken;
        var hop = source.HopOf("target");
        var server = $"{hop.Endpoint} via {hop.Jump}";

        var held = await source.GetAsync("target", ct);
        var timedOut = await Assert.ThrowsAsync<LeaseTimeoutException>(async () => await source.GetAsync("target", ct));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.GetAsync("target", cancel.Token));
        var waiting = source.GetAsync("target", ct).AsTask();
        await Task.Delay(100, ct);
        Assert.False(waiting.IsCompleted);
        var client = held.Client;
        await held.DisposeAsync();
        await using var next = await waiting;

        Assert.Equal("target", timedOut.Destination);
        Assert.Equal(source.HopOf("target"), timedOut.Hop);
        Assert.Contains("lease timeout of 1 s", timedOut.Message, StringComparison.Ordinal);
        Assert.Same(client, next.Client);
        Assert.Equal(Lab["target-password"].User, Hops.Run(next.Client, "whoami"));

        // README's instrument table: the three waits in line and each lease's outcome, counted against the server.
        Assert.Equal(3, measurements.Of("paramikojump.pool.lease.queued", server).Sum(m => m.Value));
        Assert.Equal(
            ["cancelled", "success", "success", "timeout"],
            measurements.Of("paramikojump.pool.leases", server).Select(m => m.Outcome).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_destination_with_a_session_open_is_healthy_at_once_even_while_every_slot_is_leased()
    {
        await using var source = Source(options =>
        {
            options.MaxSessionsPerServer = 1;
            options.LeaseTimeout = TimeSpan.FromSeconds(30);
        });
        var ct = TestContext.Current.CancellationToken;
        await using var held = await source.GetAsync("target", ct);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        // A check that took a lease would wait in line behind the held one until the lease timeout.
        var problem = await source.CheckAsync("target", ct);

        Assert.Null(problem);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_lease_whose_connect_outlasts_the_lease_timeout_fails_with_LeaseTimeoutException()
    {
        // The bastion's login and the target's, through it, take longer than this on any machine.
        await using var source = Source(options => options.LeaseTimeout = TimeSpan.FromMilliseconds(30));
        var ct = TestContext.Current.CancellationToken;
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var timedOut = await Assert.ThrowsAsync<LeaseTimeoutException>(async () => await source.GetAsync("target", ct));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal("target", timedOut.Destination);
        Assert.Equal(source.HopOf("target").ToString(), timedOut.Hop?.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task An_idle_session_is_reused_and_closed_after_the_idle_timeout()
    {
        using var sessions = new GaugeWatch("paramikojump.pool.sessions");
        await using var source = Source(options => options.IdleTimeout = TimeSpan.FromSeconds(1));
        var ct = TestContext.Current.CancellationToken;

        SshJumpClient first;
        await using (var lease = await source.GetAsync("target", ct))
        {
            first = lease.Client;
        }

        await using (var lease = await source.GetAsync("target", ct))
        {
            Assert.Same(first, lease.Client);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!IsClosed(first) && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100, ct);
        }

        Assert.True(IsClosed(first));
        Assert.Equal(0, sessions.Current);
        await using var fresh = await source.GetAsync("target", ct);
        Assert.NotSame(first, fresh.Client);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_lost_jump_whose_handler_asks_a_person_is_not_logged_in_again_unless_the_application_allows_it()
    {
        var mfa = Lab["bastion"].Credentials("pjmfa");
        var person = new SimpleAuthHandler(new StringReader($"{mfa.Password}\n{mfa.Totp()}\n"), TextWriter.Null);
        var totp = new TotpSource(mfa.TotpSecret!) { ReuseProtection = false };
        var rules = new PromptHandler().On("^Password:", mfa.Password!).On("Verification code", totp);
        // pjmfa's server accepts a code again within its window: the person answers the re-login with the same one.
        var askedAgain = new StringWriter();
        var personAgain = new SimpleAuthHandler(new StringReader($"{mfa.Password}\n{mfa.Totp()}\n{mfa.Password}\n{mfa.Totp()}\n"), askedAgain);
        await using var strict = Source(jumpHandler: person);
        await using var answering = Source(jumpHandler: new CompositeAuthHandler(rules, new SimpleAuthHandler(new StringReader(string.Empty), TextWriter.Null)));
        await using var allowed = Source(options => options.AllowInteractiveRelogin = true, jumpHandler: personAgain);
        var ct = TestContext.Current.CancellationToken;

        foreach (var source in new[] { strict, answering, allowed })
        {
            await using var lease = await source.GetAsync("target", ct);
            Hops.KillServerSession((SshJumpClient)lease.Client.JumpSession!);
        }

        await WaitUntilLostAsync(strict, ct);
        await WaitUntilLostAsync(answering, ct);
        await WaitUntilLostAsync(allowed, ct);
        var refused = await Assert.ThrowsAsync<JumpNotConnectedException>(async () => await strict.GetAsync("target", ct));
        await using var healed = await answering.GetAsync("target", ct);
        await using var askedTwice = await allowed.GetAsync("target", ct);

        Assert.Contains(nameof(SshJumpPoolOptions.AllowInteractiveRelogin), refused.Message, StringComparison.Ordinal);
        Assert.Contains(strict.HopOf("target").Jump!.ToString(), refused.Message, StringComparison.Ordinal);
        Assert.Equal(Lab["target-password"].User, Hops.Run(healed.Client, "whoami"));
        Assert.Equal(Lab["target-password"].User, Hops.Run(askedTwice.Client, "whoami"));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(askedAgain.ToString(), "Verification code"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_jump_whose_host_key_or_key_file_is_refused_fails_the_lease_at_once_without_a_retry()
    {
        var ct = TestContext.Current.CancellationToken;
        var log = new CapturingLoggerFactory();
        var unknownKey = Hops.SettingsFor(Lab, Lab["bastion-password"]);
        unknownKey.KnownHosts = new HostKeys.KnownHosts();
        var missingKeyFile = Hops.SettingsFor(Lab, Lab["bastion-password"]);
        missingKeyFile.KeyFilenames = [Path.Combine(Path.GetTempPath(), "pj-no-such-key-" + Guid.NewGuid().ToString("N"))];
        await using var hostKeySource = RefusedJumpSource(unknownKey, log);
        await using var keyFileSource = RefusedJumpSource(missingKeyFile, log);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var hostKey = await Assert.ThrowsAsync<HostKeys.HostKeyRejectedException>(async () => await hostKeySource.GetAsync("target", ct));
        var keyFile = await Assert.ThrowsAsync<Keys.HopKeyException>(async () => await keyFileSource.GetAsync("target", ct));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.DoesNotContain(log.Lines, line => line.Contains("did not come back", StringComparison.Ordinal));
        Assert.Equal(hostKeySource.HopOf("target").Jump!.ToString(), hostKey.Hop?.ToString());
        Assert.Equal(keyFileSource.HopOf("target").Jump!.ToString(), keyFile.Hop?.ToString());

        SshJumpDataSource RefusedJumpSource(HopSettings jump, CapturingLoggerFactory logs)
        {
            var builder = new SshJumpDataSourceBuilder();
            // A retry would log, then pause seconds: neither may happen.
            builder.Options.ReconnectDelay = TimeSpan.FromSeconds(20);
            builder.Options.LoggerFactory = logs;
            builder.AddDestination("target", Hops.SettingsFor(Lab, Lab["target-password"]), jump);
            return builder.Build();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Draining_refuses_new_leases_waits_for_the_ones_out_then_closes_every_session_and_jump()
    {
        var source = Source();
        var ct = TestContext.Current.CancellationToken;
        var lease = await source.GetAsync("target", ct);
        var client = lease.Client;
        var jump = (SshJumpClient)client.JumpSession!;

        var drain = source.DrainAsync(ct);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await source.GetAsync("target", ct));
        await Task.Delay(200, ct);
        Assert.False(drain.IsCompleted);
        Assert.Equal(Lab["target-password"].User, Hops.Run(client, "whoami"));
        await lease.DisposeAsync();
        await drain.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.True(IsClosed(client));
        Assert.True(IsClosed(jump));
    }

    /// <summary>The pool's counters as a listener sees them, with the server and outcome tags they carry.</summary>
    private sealed class PoolMeasurements : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Instrument, long Value, string? Server, string? Outcome)> _seen = new();

        public PoolMeasurements()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Telemetry.ParamikoJumpTelemetry.Name && instrument.Name.StartsWith("paramikojump.pool.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string? server = null, outcome = null;
                foreach (var tag in tags)
                {
                    server = tag.Key == "paramikojump.pool.server" ? tag.Value as string : server;
                    outcome = tag.Key == "paramikojump.outcome" ? tag.Value as string : outcome;
                }

                _seen.Enqueue((instrument.Name, value, server, outcome));
            });
            _listener.Start();
        }

        /// <summary>What <paramref name="instrument"/> recorded for <paramref name="server"/>; untagged measurements never match.</summary>
        public List<(long Value, string? Outcome)> Of(string instrument, string server) =>
            [.. _seen.Where(m => m.Instrument == instrument && m.Server == server).Select(m => (m.Value, m.Outcome))];

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Whether the pool closed (disposed) the client.</summary>
    private static bool IsClosed(SshJumpClient client)
    {
        try
        {
            _ = client.IsConnected;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    private static async Task WaitUntilLostAsync(SshJumpDataSource source, CancellationToken ct)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await source.CheckAsync("target", ct) is null && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100, ct);
        }
    }

    /// <summary>One destination, the lab's password target, behind the password bastion, or behind the MFA bastion as pjmfa when a handler is given.</summary>
    private SshJumpDataSource Source(Action<SshJumpPoolOptions>? configure = null, IKeyboardInteractiveHandler? jumpHandler = null)
    {
        var jump = Hops.SettingsFor(Lab, Lab["bastion-password"]);
        if (jumpHandler is not null)
        {
            jump = Hops.SettingsFor(Lab, Lab["bastion"]);
            jump.Username = "pjmfa";
            jump.Password = null;
            jump.AuthHandler = jumpHandler;
        }

        var builder = new SshJumpDataSourceBuilder();
        builder.Options.ReconnectDelay = TimeSpan.FromMilliseconds(200);
        configure?.Invoke(builder.Options);
        builder.AddDestination("target", Hops.SettingsFor(Lab, Lab["target-password"]), jump);
        return builder.Build();
    }
}
