using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;
using ParamikoJump.Pooling;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// SshJumpDataSource against the lab: many tasks leasing sessions to twenty targets behind one MFA bastion, the
/// bastion's session killed under them, the source healing with a fresh TOTP login.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class PoolTests(LabFixture fixture)
{
    private const int Targets = 20;
    private const int MaxSessionsPerServer = 10;
    // Tolerant of a loaded machine (a stalled session must not look dead); a killed session is noticed at once anyway.
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(5);
    private const int KeepAliveCountMax = 3;

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 240_000)]
    public async Task Fifty_tasks_make_a_thousand_leases_over_twenty_targets_on_one_MFA_login_and_heal_after_the_bastion_is_killed()
    {
        var baseline = ProcessResources.Now();
        using var sessions = new GaugeWatch("paramikojump.pool.sessions");
        var metrics = new List<Metric>();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter(ParamikoJump.Telemetry.ParamikoJumpTelemetry.Name).AddInMemoryExporter(metrics).Build();
        using var mfaLogins = new GaugeWatch("paramikojump.pool.jump.logins");
        var pool = BuildPool();
        await using (var source = pool)
        {
            // Phase 1: 1,000 leases, 50 at a time, each running a command on its target.
            var watch = Stopwatch.StartNew();
            var failures = new ConcurrentBag<Exception>();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < 1000)
                {
                    try
                    {
                        await LeaseAndRunAsync(source, $"t{n % Targets:D2}");
                    }
                    catch (Exception ex)
                    {
                        failures.Add(ex);
                    }
                }
            })));
            var loadTime = watch.Elapsed;

            Assert.Empty(failures);
            Assert.Equal(1, mfaLogins.Opened);
            Assert.InRange(sessions.Max, 1, 2 * MaxSessionsPerServer);
            TestContext.Current.TestOutputHelper!.WriteLine($"1,000 leases in {loadTime.TotalSeconds:0.0} s, at most {sessions.Max} sessions open, {sessions.Opened} connected, 1 MFA login");

            // Phase 2: the same load, with the bastion's sshd session killed under it.
            var outcomes = new ConcurrentBag<(TimeSpan At, Exception? Error)>();
            var clock = mfaLogins.Clock;
            var killedTicks = -1L;
            TimeSpan? KilledAt() => Interlocked.Read(ref killedTicks) is var ticks && ticks >= 0 ? TimeSpan.FromTicks(ticks) : null;
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var bound = (KeepAliveInterval * (KeepAliveCountMax + 1)) + TimeSpan.FromSeconds(2);
            var leasesPastBound = 0;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            stop.CancelAfter(TimeSpan.FromSeconds(90));
            var leased = 0;
            var workers = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            {
                for (var k = 0; !stop.IsCancellationRequested && Volatile.Read(ref leasesPastBound) < 200; k++)
                {
                    var destination = $"t{(i + k) % Targets:D2}";
                    try
                    {
                        await using var lease = await source.GetAsync(destination, stop.Token);
                        if (Interlocked.Increment(ref leased) == 100)
                        {
                            Interlocked.Exchange(ref killedTicks, clock.Elapsed.Ticks);
                            Hops.KillServerSession((SshJumpClient)lease.Client.JumpSession!);
                            killed.TrySetResult();
                        }

                        await RunAsync(lease.Client, stop.Token);
                        outcomes.Add((clock.Elapsed, null));
                        if (KilledAt() is { } kill && clock.Elapsed > kill + bound)
                        {
                            Interlocked.Increment(ref leasesPastBound);
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                    }
                    catch (Exception ex)
                    {
                        outcomes.Add((clock.Elapsed, ex));
                    }
                }
            })).ToArray();
            await Task.WhenAll(workers);

            Assert.True(killed.Task.IsCompleted, "the bastion's session was never killed");
            var killedAt = KilledAt();
            Assert.True(leasesPastBound >= 200, $"only {leasesPastBound} leases after the outage");
            Assert.Equal(2, mfaLogins.Opened);
            Assert.InRange(mfaLogins.RiseTimes[1] - killedAt!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(10));
            var errors = outcomes.Where(o => o.Error is not null).OrderBy(o => o.At).ToList();
            var bastion = source.HopOf("t00").Jump!.ToString();
            Assert.All(errors, failure =>
            {
                Assert.IsAssignableFrom<IHopFailure>(failure.Error);
                Assert.Contains(bastion, failure.Error!.Message, StringComparison.Ordinal);
                Assert.InRange(failure.At - killedAt!.Value, TimeSpan.Zero, bound);
            });
            var afterHeal = outcomes.Where(o => o.At > killedAt!.Value + bound).ToList();
            Assert.NotEmpty(afterHeal);
            Assert.All(afterHeal, o => Assert.Null(o.Error));
            TestContext.Current.TestOutputHelper!.WriteLine(
                $"killed at {killedAt!.Value.TotalSeconds:0.00} s: {errors.Count} typed failures ({string.Join(", ", errors.Select(e => e.Error!.GetType().Name).Distinct())}), " +
                $"all within {(errors.Count == 0 ? 0 : (errors[^1].At - killedAt.Value).TotalSeconds):0.00} s; second MFA login {(mfaLogins.RiseTimes[1] - killedAt.Value).TotalSeconds:0.00} s after the kill; {afterHeal.Count} leases after, 0 failed");
        }

        // The pool's metrics, as OpenTelemetry exported them: every lease counted, one first login and one re-login.
        metering.ForceFlush();
        var leases = TelemetryTests.Points(metrics, "paramikojump.pool.leases");
        Assert.True(leases.Where(p => TelemetryTests.Tags(p)["paramikojump.outcome"] as string == "success").Sum(p => p.GetSumLong()) >= 1200);
        Assert.True(TelemetryTests.Points(metrics, "paramikojump.pool.lease.wait.duration").Sum(p => p.GetHistogramCount()) >= 1200);
        var logins = TelemetryTests.Points(metrics, "paramikojump.pool.jump.logins");
        Assert.Equal(1, logins.Where(p => TelemetryTests.Tags(p)["paramikojump.relogin"] is false).Sum(p => p.GetSumLong()));
        Assert.Equal(1, logins.Where(p => TelemetryTests.Tags(p)["paramikojump.relogin"] is true).Sum(p => p.GetSumLong()));
        Assert.True(TelemetryTests.Points(metrics, "paramikojump.pool.lease.queued").Sum(p => p.GetSumLong()) > 0);

        // Nothing of either login, their sessions or forwards is left.
        var after = await ProcessResources.SettleAsync(now => now.Sockets <= baseline.Sockets && now.Listeners <= baseline.Listeners && now.DedicatedThreads <= baseline.DedicatedThreads + 2, TimeSpan.FromSeconds(15));
        TestContext.Current.TestOutputHelper!.WriteLine($"before: {baseline}; after: {after}");
        Assert.True(after.Sockets <= baseline.Sockets, $"before: {baseline}; after: {after}");
        Assert.True(after.Listeners <= baseline.Listeners, $"before: {baseline}; after: {after}");
        Assert.True(after.DedicatedThreads <= baseline.DedicatedThreads + 2, $"before: {baseline}; after: {after}");
        Assert.Equal(0, sessions.Current);
    }

    /// <summary>
    /// The bastion as pjmfa, whose server accepts a code again within its step: other test runs on the shared lab
    /// (pjmfa-fast refuses reuse) cannot take the step this test's re-login needs.
    /// </summary>
    private SshJumpDataSource BuildPool()
    {
        var bastion = Lab["bastion"];
        var user = bastion.Credentials("pjmfa");
        var totp = new TotpSource(user.TotpSecret!, period: TimeSpan.FromSeconds(user.TotpPeriod)) { ReuseProtection = false };
        var handler = new PromptHandler()
            .On("^Password:", user.Password!)
            .On("Verification code", totp);
        var jump = new HopSettings(bastion.Host)
        {
            Port = bastion.Port,
            Username = "pjmfa",
            AuthHandler = handler,
            LookForKeys = false,
            AllowAgent = false,
            KnownHosts = Hops.KnownHostsOf(Lab),
            KeepAliveInterval = KeepAliveInterval,
            KeepAliveCountMax = KeepAliveCountMax,
        };

        var builder = new SshJumpDataSourceBuilder();
        builder.Options.MaxSessionsPerServer = MaxSessionsPerServer;
        builder.Options.ReconnectDelay = TimeSpan.FromMilliseconds(500);
        builder.Options.LeaseTimeout = TimeSpan.FromSeconds(60);
        var passwordTarget = Lab["target-password"];
        var keyTarget = Lab["target-key"];
        for (var i = 0; i < Targets; i++)
        {
            var server = i % 2 == 0 ? passwordTarget : keyTarget;
            var settings = Hops.SettingsFor(Lab, server);
            if (server == keyTarget)
            {
                settings.Password = null;
                settings.KeyFilenames = [Lab.KeyFile("rsa")];
            }

            builder.AddDestination($"t{i:D2}", settings, jump);
        }

        return builder.Build();
    }

    private static async Task LeaseAndRunAsync(SshJumpDataSource source, string destination)
    {
        await using var lease = await source.GetAsync(destination, TestContext.Current.CancellationToken);
        await RunAsync(lease.Client, TestContext.Current.CancellationToken);
    }

    private static async Task RunAsync(SshJumpClient client, CancellationToken cancellationToken)
    {
        using var process = await client.ExecCommandAsync("echo ok", cancellationToken: cancellationToken);
        Assert.Equal("ok\n", await process.Stdout.ReadToEndAsync(cancellationToken));
    }
}
