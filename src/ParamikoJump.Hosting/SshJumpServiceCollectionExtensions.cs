using System;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ParamikoJump.Pooling;

namespace ParamikoJump.Hosting;

/// <summary>Registers an <see cref="SshJumpDataSource"/> and its health checks, the way <c>AddNpgsqlDataSource</c> and <c>AddHttpClient</c> do.</summary>
public static class SshJumpServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="SshJumpDataSource"/> built from the configuration section
    /// <paramref name="sectionName"/> (see <see cref="SshJumpHostingOptions"/>), drained when the host stops.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="sectionName">The section holding the hosts and pool settings.</param>
    /// <param name="configure">Adds to the builder after configuration did: destinations from code or from an ssh_config, handlers, options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddSshJumpDataSource(this IServiceCollection services, string sectionName = SshJumpHostingOptions.DefaultSection, Action<IServiceProvider, SshJumpDataSourceBuilder>? configure = null)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        services.AddOptions<SshJumpHostingOptions>().BindConfiguration(sectionName);
        services.TryAddSingleton<ISshSecretStore>(provider => new ConfigurationSecretStore(provider.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<SshJumpHostingOptions>>().Value;
            var builder = DataSourceFactory.Configure(new SshJumpDataSourceBuilder(), options, provider.GetRequiredService<ISshSecretStore>(), provider.GetService<ILoggerFactory>());
            configure?.Invoke(provider, builder);
            return builder.Build();
        });
        services.AddHostedService<SshJumpDataSourceLifetime>();
        return services;
    }

    /// <summary>
    /// Adds a health check per destination, named <c>ssh:NAME</c>; with no names, one check named <c>ssh</c> for all the
    /// source's destinations (each one's state in the result's data).
    /// </summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="destinations">The destinations to check, each on its own.</param>
    /// <returns>The health checks.</returns>
    public static IHealthChecksBuilder AddSshJumpDestinations(this IHealthChecksBuilder builder, params string[] destinations)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        if (destinations is null || destinations.Length == 0)
        {
            return builder.Add(Registration("ssh", null));
        }

        foreach (var destination in destinations)
        {
            builder.Add(Registration("ssh:" + destination, [destination]));
        }

        return builder;

        static HealthCheckRegistration Registration(string name, string[]? only) => new(
            name,
            provider => new SshJumpHealthCheck(
                provider.GetRequiredService<SshJumpDataSource>(),
                only,
                provider.GetService<IOptions<SshJumpHostingOptions>>()?.Value.HealthCheckTimeout ?? TimeSpan.FromSeconds(10)),
            HealthStatus.Unhealthy,
            ["ssh"]);
    }
}
