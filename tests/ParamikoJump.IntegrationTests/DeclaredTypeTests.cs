using System.Diagnostics;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;
using Renci.SshNet.Common;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// A ParamikoJump client held as SSH.NET's <see cref="SshClient"/> or <see cref="BaseClient"/> connects with the
/// same budgets and the same host-key checks; only the exceptions of failures are SSH.NET's own there.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class DeclaredTypeTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task Held_as_SshClient_ConnectAsync_waits_out_a_Duo_push_slower_than_the_connect_timeout()
    {
        var duo = Lab["bastion-duo"];
        var secrets = duo.Credentials();
        SshClient client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: duo.Host, port: duo.Port, username: duo.User,
            authHandler: new MagicAuthHandler([secrets.Password!], ["1"]), lookForKeys: false, allowAgent: false,
            timeout: TimeSpan.FromSeconds(secrets.DuoPushDelaySeconds - 2), authTimeout: TimeSpan.FromSeconds(60));
        using (client)
        {
            var clock = Stopwatch.StartNew();

            await client.ConnectAsync(TestContext.Current.CancellationToken);

            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(secrets.DuoPushDelaySeconds), $"push approved after {clock.Elapsed}");
            Assert.Equal(duo.User, client.RunCommand("whoami").Result.Trim());
        }
    }

    [Fact(Timeout = 60_000)]
    public Task Held_as_BaseClient_Connect_waits_out_a_Duo_push_slower_than_the_connect_timeout() => Task.Run(() =>
    {
        var duo = Lab["bastion-duo"];
        var secrets = duo.Credentials();
        using BaseClient client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: duo.Host, port: duo.Port, username: duo.User,
            authHandler: new MagicAuthHandler([secrets.Password!], ["1"]), lookForKeys: false, allowAgent: false,
            timeout: TimeSpan.FromSeconds(secrets.DuoPushDelaySeconds - 2), authTimeout: TimeSpan.FromSeconds(60));

        client.Connect();

        Assert.True(client.IsConnected);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public async Task Held_as_SshClient_an_unknown_target_is_still_refused_under_its_own_name()
    {
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var target = Lab["target-password"];
        var logs = new CapturingLoggerFactory();
        using SshClient client = new SshJumpClient(knownHosts: new ParamikoJump.HostKeys.KnownHosts(), hostname: target.Host, port: target.Port, username: target.User,
            password: target.Credentials().Password, lookForKeys: false, allowAgent: false, jumpSession: jump, loggerFactory: logs);

        await Assert.ThrowsAsync<SshConnectionException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));
        Assert.Throws<SshConnectionException>(client.Connect);

        Assert.False(client.IsConnected);
        Assert.Contains(logs.Lines, line => line.Contains($"host key of {target.Host}", StringComparison.Ordinal) && line.Contains("rejected", StringComparison.Ordinal));
    }
}
