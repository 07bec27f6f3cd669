using System.Diagnostics;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// Many connects to one host at once, released together by a barrier, against an sshd with OpenSSH's default
/// MaxStartups (10:30:100: past 10 unauthenticated connections it drops new ones before its banner).
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class BurstTests(LabFixture fixture)
{
    private const string Target = "target-maxstartups";

    private LabDescription Lab => fixture.Lab;

    [Theory(Timeout = 180_000)]
    [InlineData(20)]
    [InlineData(100)]
    public async Task A_burst_of_connects_to_one_default_MaxStartups_host_through_one_jump_all_succeed(int count)
    {
        Assert.Equal("10:30:100", Lab[Target].MaxStartups);
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var targets = Enumerable.Range(0, count).Select(_ => Hops.Target(Lab, Target, jumper)).ToList();
        try
        {
            var errors = await Burst(targets);

            Assert.Empty(errors.OfType<Exception>().Select(e => e.Message));
            Assert.All(targets, t => Assert.Equal("pjtarget", Hops.Run(t, "whoami")));
        }
        finally
        {
            targets.ForEach(t => t.Dispose());
        }

        Assert.Empty(jumper.ForwardedPorts);
    }

    [Fact(Timeout = 180_000)]
    public async Task Without_the_limit_and_retries_a_burst_loses_connections_and_each_error_names_the_server_not_the_jump()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var errors = new List<SshException>();
        for (var round = 0; round < 3 && errors.Count == 0; round++)
        {
            var targets = Enumerable.Range(0, 40).Select(_ => Hops.Target(Lab, Target, jumper, s =>
            {
                s.ConnectionAttempts = 1;
                s.MaxConcurrentConnects = 1000;
            })).ToList();
            try
            {
                errors.AddRange((await Burst(targets)).OfType<SshException>());
            }
            finally
            {
                targets.ForEach(t => t.Dispose());
            }
        }

        Assert.NotEmpty(errors);
        Assert.All(errors, error =>
        {
            var closed = Assert.IsType<HopConnectionException>(error);
            Assert.Equal(HopStage.ChannelOpen, closed.Stage);
            Assert.Contains($"The server at targets.pjlab:2201 closed the connection before sending its SSH banner (the jump {jumper.Hop} reached it)", closed.Message, StringComparison.Ordinal);
            Assert.Contains("MaxStartups", closed.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("cannot reach", closed.Message, StringComparison.Ordinal);
        });
    }

    [Fact(Timeout = 60_000)]
    public async Task Retries_do_not_hide_a_wrong_password_or_a_refused_channel()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var logs = new CapturingLoggerFactory();
        using var wrongPassword = Hops.Target(Lab, Target, jumper, s =>
        {
            s.Password = "not-the-password";
            s.LoggerFactory = logs;
        });
        using var refused = Hops.Target(Lab, Target, jumper, s =>
        {
            s.Port = 2999;
            s.LoggerFactory = logs;
        });
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAsync<HopAuthenticationException>(() => wrongPassword.ConnectAsync(TestContext.Current.CancellationToken));
        Assert.Throws<JumpChannelException>(() => refused.Connect());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Single(logs.Lines, line => line.Contains($"Hop {wrongPassword.Hop}: connecting", StringComparison.Ordinal));
        Assert.Single(logs.Lines, line => line.Contains($"Hop {refused.Hop}: connecting", StringComparison.Ordinal));
    }

    /// <summary>Connects every client at once (half synchronously, half asynchronously); the error of each, or null.</summary>
    private static async Task<SshException?[]> Burst(List<SshJumpClient> clients)
    {
        using var barrier = new Barrier(clients.Count);
        var runs = clients.Select((client, i) => Task.Factory.StartNew(
            () =>
            {
                barrier.SignalAndWait(TestContext.Current.CancellationToken);
                try
                {
                    if (i % 2 == 0)
                    {
                        client.Connect();
                    }
                    else
                    {
                        client.ConnectAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult();
                    }

                    return null;
                }
                catch (SshException ex)
                {
                    return ex;
                }
            },
            TestContext.Current.CancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));
        return await Task.WhenAll(runs);
    }
}
