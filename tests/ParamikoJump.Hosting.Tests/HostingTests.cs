using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ParamikoJump.Pooling;

namespace ParamikoJump.Hosting.Tests;

public sealed class HostingTests
{
    private const string Password = "s3cret-not-in-any-message";
    private const string TotpSecret = "JBSWY3DPEHPK3PXP";

    [Fact]
    public void Hosts_named_in_Via_are_shared_jumps_and_the_others_are_destinations()
    {
        using var provider = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:bastion:Host"] = "bastion.example",
            ["ParamikoJump:Hosts:bastion:User"] = "ops",
            ["ParamikoJump:Hosts:bastion:PasswordSecret"] = "Secrets:Bastion",
            ["ParamikoJump:Hosts:bastion:TotpSecret"] = "Secrets:BastionTotp",
            ["ParamikoJump:Hosts:inner:Host"] = "inner.example",
            ["ParamikoJump:Hosts:inner:PasswordSecret"] = "Secrets:Bastion",
            ["ParamikoJump:Hosts:inner:Via"] = "bastion",
            ["ParamikoJump:Hosts:inner:User"] = "ops",
            ["ParamikoJump:Hosts:db01:Host"] = "10.0.0.5",
            ["ParamikoJump:Hosts:db01:Port"] = "2222",
            ["ParamikoJump:Hosts:db01:KeyFiles:0"] = "/etc/app/deploy_key",
            ["ParamikoJump:Hosts:db01:User"] = "admin",
            ["ParamikoJump:Hosts:db01:Via"] = "inner",
            ["ParamikoJump:Hosts:web01:Host"] = "10.0.0.6",
            ["ParamikoJump:Hosts:web01:User"] = "admin",
            ["ParamikoJump:Hosts:web01:PasswordSecret"] = "Secrets:Bastion",
            ["ParamikoJump:Hosts:web01:Via"] = "bastion",
            ["ParamikoJump:MaxSessionsPerServer"] = "3",
            ["Secrets:Bastion"] = Password,
            ["Secrets:BastionTotp"] = TotpSecret,
        })).BuildServiceProvider();

        var source = provider.GetRequiredService<SshJumpDataSource>();

        Assert.Equal(["db01", "web01"], source.Destinations.Order(StringComparer.Ordinal));
        Assert.Equal("admin@10.0.0.5:2222 via ops@inner.example:22 via ops@bastion.example:22", source.HopOf("db01").ToString());
        Assert.Equal("admin@10.0.0.6:22 via ops@bastion.example:22", source.HopOf("web01").ToString());
        Assert.DoesNotContain(Password, source.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_missing_from_the_store_is_named_by_host_and_secret_name()
    {
        using var provider = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:db01:Host"] = "10.0.0.5",
            ["ParamikoJump:Hosts:db01:PasswordSecret"] = "Secrets:Db01",
        })).BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<SshJumpDataSource>());

        Assert.Contains("'db01'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Secrets:Db01'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_with_no_way_to_log_in_is_refused_by_name_when_the_source_is_built()
    {
        using var provider = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:bastion:Host"] = "bastion.example",
            ["ParamikoJump:Hosts:bastion:UseDefaultKeys"] = "true",
            ["ParamikoJump:Hosts:db01:Host"] = "10.0.0.5",
            ["ParamikoJump:Hosts:db01:Via"] = "bastion",
        })).BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<SshJumpDataSource>());

        Assert.Contains("'db01' has no way to log in", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DrainTimeout", "-00:00:05", "zero or more")]
    [InlineData("HealthCheckTimeout", "00:00:00", "positive")]
    [InlineData("HealthCheckTimeout", "-00:00:01", "positive")]
    public void A_drain_or_health_check_budget_that_cannot_be_kept_is_refused_by_name_when_the_source_is_built(string option, string value, string must)
    {
        using var provider = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:db01:Host"] = "10.0.0.5",
            ["ParamikoJump:Hosts:db01:UseDefaultKeys"] = "true",
            [$"ParamikoJump:{option}"] = value,
        })).BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<SshJumpDataSource>());

        Assert.Equal(option, error.ParamName);
        Assert.Contains($"ParamikoJump: {option} is ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"it must be {must}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DrainTimeout", "00:00:00")]
    [InlineData("DrainTimeout", "-00:00:00.001")]
    [InlineData("HealthCheckTimeout", "-00:00:00.001")]
    public void Zero_drain_and_infinite_budgets_are_accepted(string option, string value)
    {
        using var provider = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:db01:Host"] = "10.0.0.5",
            ["ParamikoJump:Hosts:db01:UseDefaultKeys"] = "true",
            [$"ParamikoJump:{option}"] = value,
        })).BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<SshJumpDataSource>());
    }

    [Fact]
    public void A_Via_chain_that_loops_or_names_an_unknown_host_is_refused_with_the_host_named()
    {
        using var loop = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:a:Host"] = "a.example",
            ["ParamikoJump:Hosts:a:Via"] = "b",
            ["ParamikoJump:Hosts:a:UseDefaultKeys"] = "true",
            ["ParamikoJump:Hosts:b:Host"] = "b.example",
            ["ParamikoJump:Hosts:b:Via"] = "a",
            ["ParamikoJump:Hosts:b:UseDefaultKeys"] = "true",
            ["ParamikoJump:Hosts:db:Host"] = "db.example",
            ["ParamikoJump:Hosts:db:Via"] = "a",
            ["ParamikoJump:Hosts:db:UseDefaultKeys"] = "true",
        })).BuildServiceProvider();
        using var unknown = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:db:Host"] = "db.example",
            ["ParamikoJump:Hosts:db:Via"] = "nowhere",
            ["ParamikoJump:Hosts:db:UseDefaultKeys"] = "true",
        })).BuildServiceProvider();

        Assert.Contains("loops back", Assert.Throws<ArgumentException>(() => loop.GetRequiredService<SshJumpDataSource>()).Message, StringComparison.Ordinal);
        Assert.Contains("'nowhere'", Assert.Throws<ArgumentException>(() => unknown.GetRequiredService<SshJumpDataSource>()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Via_names_a_host_in_any_case_as_configuration_keys_are_compared()
    {
        using var provider = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:Bastion:Host"] = "bastion.example",
            ["ParamikoJump:Hosts:Bastion:UseDefaultKeys"] = "true",
            ["ParamikoJump:Hosts:db01:Host"] = "10.0.0.5",
            ["ParamikoJump:Hosts:db01:Via"] = "BASTION",
            ["ParamikoJump:Hosts:db01:UseDefaultKeys"] = "true",
        })).BuildServiceProvider();

        var source = provider.GetRequiredService<SshJumpDataSource>();

        Assert.Equal(["db01"], source.Destinations);
        Assert.Equal("bastion.example", source.HopOf("db01").Jump?.Host);
    }

    [Fact]
    public void Hosts_that_differ_only_in_case_are_refused_by_name()
    {
        var options = new SshJumpHostingOptions();
        options.Hosts["db01"] = new SshHostOptions { Host = "10.0.0.5", UseDefaultKeys = true };
        options.Hosts["DB01"] = new SshHostOptions { Host = "10.0.0.6", UseDefaultKeys = true };
        var services = Services(Configuration(new()));
        services.AddSingleton<Microsoft.Extensions.Options.IOptions<SshJumpHostingOptions>>(Microsoft.Extensions.Options.Options.Create(options));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<SshJumpDataSource>());

        Assert.Contains("'db01' and 'DB01' differ only in case", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_store_of_the_applications_own_is_asked_instead_of_configuration()
    {
        var store = new RecordingStore();
        var services = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:db01:Host"] = "10.0.0.5",
            ["ParamikoJump:Hosts:db01:PasswordSecret"] = "vault/db01",
        }));
        services.AddSingleton<ISshSecretStore>(store);
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetRequiredService<SshJumpDataSource>().Destinations);
        Assert.Equal(["vault/db01"], store.Asked);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_health_check_of_a_destination_whose_server_refuses_is_Unhealthy_naming_the_hop()
    {
        var port = ClosedPort();
        var services = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:db01:Host"] = "127.0.0.1",
            ["ParamikoJump:Hosts:db01:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ParamikoJump:Hosts:db01:User"] = "admin",
            ["ParamikoJump:Hosts:db01:PasswordSecret"] = "Secrets:Db01",
            ["ParamikoJump:ReconnectAttempts"] = "0",
            ["Secrets:Db01"] = Password,
        }));
        services.AddHealthChecks().AddSshJumpDestinations("db01");
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        var entry = Assert.Single(report.Entries);
        Assert.Equal("ssh:db01", entry.Key);
        Assert.Equal(HealthStatus.Unhealthy, entry.Value.Status);
        Assert.True(entry.Value.Exception is IHopFailure, entry.Value.Exception?.ToString());
        Assert.Contains($"admin@127.0.0.1:{port}", entry.Value.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, entry.Value.Exception!.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_names_one_health_check_named_ssh_covers_every_destination_with_each_ones_state_in_its_data()
    {
        var port = ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var services = Services(Configuration(new()
        {
            ["ParamikoJump:Hosts:db01:Host"] = "127.0.0.1",
            ["ParamikoJump:Hosts:db01:Port"] = port,
            ["ParamikoJump:Hosts:db01:User"] = "admin",
            ["ParamikoJump:Hosts:db01:PasswordSecret"] = "Secrets:Db",
            ["ParamikoJump:Hosts:db02:Host"] = "127.0.0.1",
            ["ParamikoJump:Hosts:db02:Port"] = port,
            ["ParamikoJump:Hosts:db02:User"] = "deploy",
            ["ParamikoJump:Hosts:db02:PasswordSecret"] = "Secrets:Db",
            ["ParamikoJump:ReconnectAttempts"] = "0",
            ["Secrets:Db"] = Password,
        }));
        services.AddHealthChecks().AddSshJumpDestinations();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        var entry = Assert.Single(report.Entries);
        Assert.Equal("ssh", entry.Key);
        Assert.Equal(HealthStatus.Unhealthy, entry.Value.Status);
        Assert.Equal(["db01", "db02"], entry.Value.Data.Keys.Order(StringComparer.Ordinal));
        Assert.Contains($"admin@127.0.0.1:{port}", (string)entry.Value.Data["db01"], StringComparison.Ordinal);
        Assert.Contains($"deploy@127.0.0.1:{port}", (string)entry.Value.Data["db02"], StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stopping_the_host_drains_the_source_so_it_lends_nothing_more()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ParamikoJump:Hosts:db01:Host"] = "127.0.0.1",
            ["ParamikoJump:Hosts:db01:Port"] = "22",
            ["ParamikoJump:Hosts:db01:UseDefaultKeys"] = "true",
            ["ParamikoJump:DrainTimeout"] = "00:00:01",
        });
        builder.Services.AddSshJumpDataSource();
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var source = host.Services.GetRequiredService<SshJumpDataSource>();

        await host.StopAsync(TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await source.GetAsync("db01", TestContext.Current.CancellationToken));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static ServiceCollection Services(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddSshJumpDataSource();
        return services;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class RecordingStore : ISshSecretStore
    {
        public List<string> Asked { get; } = [];

        public string? GetSecret(string name)
        {
            Asked.Add(name);
            return "from-the-vault";
        }
    }
}
