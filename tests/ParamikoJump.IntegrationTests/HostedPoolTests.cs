using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ParamikoJump.Hosting;
using ParamikoJump.Lab;
using ParamikoJump.Pooling;

namespace ParamikoJump.IntegrationTests;

/// <summary>ParamikoJump.Hosting against the lab: a source bound from configuration, its TOTP secret by reference, its health check across an outage.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class HostedPoolTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 120_000)]
    public async Task The_health_check_is_Unhealthy_while_the_bastion_is_lost_and_Healthy_once_the_next_lease_logged_in_again()
    {
        var bastion = Lab["bastion"];
        var user = bastion.Credentials("pjmfa-fast");
        var target = Lab["target-password"];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ParamikoJump:KnownHostsFile"] = Lab.KnownHosts,
            // pjmfa-fast refuses a code used before, also by other test runs on the shared lab: retry over several steps.
            ["ParamikoJump:ReconnectDelay"] = "00:00:00.500",
            ["ParamikoJump:MaxReconnectDelay"] = "00:00:03",
            ["ParamikoJump:ReconnectAttempts"] = "10",
            ["ParamikoJump:Hosts:bastion:Host"] = bastion.Host,
            ["ParamikoJump:Hosts:bastion:Port"] = bastion.Port.ToString(CultureInfo.InvariantCulture),
            ["ParamikoJump:Hosts:bastion:User"] = "pjmfa-fast",
            ["ParamikoJump:Hosts:bastion:PasswordSecret"] = "Secrets:Bastion",
            ["ParamikoJump:Hosts:bastion:TotpSecret"] = "Secrets:BastionTotp",
            ["ParamikoJump:Hosts:bastion:TotpPeriod"] = TimeSpan.FromSeconds(user.TotpPeriod).ToString("c", CultureInfo.InvariantCulture),
            ["ParamikoJump:Hosts:bastion:KeepAliveInterval"] = "00:00:01",
            ["ParamikoJump:Hosts:db01:Host"] = target.Host,
            ["ParamikoJump:Hosts:db01:Port"] = target.Port.ToString(CultureInfo.InvariantCulture),
            ["ParamikoJump:Hosts:db01:User"] = target.User,
            ["ParamikoJump:Hosts:db01:PasswordSecret"] = "Secrets:Target",
            ["ParamikoJump:Hosts:db01:Via"] = "bastion",
            ["Secrets:Bastion"] = user.Password,
            ["Secrets:BastionTotp"] = user.TotpSecret,
            ["Secrets:Target"] = target.Credentials().Password,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSshJumpDataSource();
        services.AddHealthChecks().AddSshJumpDestinations("db01");
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        var source = provider.GetRequiredService<SshJumpDataSource>();
        var ct = TestContext.Current.CancellationToken;

        var before = await health.CheckHealthAsync(ct);
        Assert.Equal(HealthStatus.Healthy, before.Status);

        await using (var lease = await source.GetAsync("db01", ct))
        {
            // The kill's own command can be lost with the session it kills, or fail under load: kill until it is gone.
            var jump = (SshJumpClient)lease.Client.JumpSession!;
            for (var attempt = 0; attempt < 3 && jump.IsConnected; attempt++)
            {
                Hops.KillServerSession(jump);
                var waited = Stopwatch.StartNew();
                while (jump.IsConnected && waited.Elapsed < TimeSpan.FromSeconds(5))
                {
                    await Task.Delay(50, ct);
                }
            }

            Assert.False(jump.IsConnected, "the bastion's session outlived three kills");
        }

        var watch = Stopwatch.StartNew();
        HealthReport during;
        do
        {
            during = await health.CheckHealthAsync(ct);
        }
        while (during.Status == HealthStatus.Healthy && watch.Elapsed < TimeSpan.FromSeconds(10) && await Delay(ct));

        Assert.Equal(HealthStatus.Unhealthy, during.Status);
        var entry = during.Entries["ssh:db01"];
        Assert.IsType<JumpNotConnectedException>(entry.Exception);
        Assert.Contains($"The jump pjmfa-fast@{bastion.Host}:{bastion.Port} was lost", entry.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(ct)).Status);

        await using (var lease = await source.GetAsync("db01", ct))
        {
            Assert.Equal(target.User, Hops.Run(lease.Client, "whoami"));
        }

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(ct)).Status);
    }

    private static async Task<bool> Delay(CancellationToken cancellationToken)
    {
        await Task.Delay(100, cancellationToken);
        return true;
    }
}
