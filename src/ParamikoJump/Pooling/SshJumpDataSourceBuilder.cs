using System;
using System.Collections.Generic;
using System.Linq;
using ParamikoJump.Configuration;

namespace ParamikoJump.Pooling;

/// <summary>
/// Describes the destinations of an <see cref="SshJumpDataSource"/> and how it pools them, then builds it. Jumps
/// with the same user, host and port (behind the same jumps) are one shared login, whichever destinations name them;
/// the settings of the first destination that names a jump are the ones used for it.
/// </summary>
/// <example>
/// <code>
/// var builder = new SshJumpDataSourceBuilder();
/// builder.Options.MaxSessionsPerServer = 4;
/// builder.AddDestination("db01", new HopSettings("10.0.0.5") { Username = "admin", Password = pw }, bastion);
/// await using var source = builder.Build();
/// await using var lease = await source.GetAsync("db01", cancellationToken);
/// </code>
/// </example>
public sealed class SshJumpDataSourceBuilder
{
    private readonly Dictionary<string, (HopSettings Target, HopSettings[] Jumps)> _destinations = new(StringComparer.Ordinal);

    /// <summary>Limits, idle time, lease timeout and reconnect policy; copied by <see cref="Build"/>.</summary>
    public SshJumpPoolOptions Options { get; } = new();

    /// <summary>The names added so far.</summary>
    public IReadOnlyCollection<string> Destinations => _destinations.Keys;

    /// <summary>Adds a destination described in code.</summary>
    /// <param name="name">The name leases ask for (e.g. <c>db01</c>); unique in the source.</param>
    /// <param name="target">The target's settings; copied.</param>
    /// <param name="jumps">The jumps to go through, the first one dialled directly; none for a direct connection.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or already used, or a setting is missing.</exception>
    public SshJumpDataSourceBuilder AddDestination(string name, HopSettings target, params HopSettings[] jumps)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A destination needs a name.", nameof(name));
        }

        if (target is null)
        {
            throw new ArgumentNullException(nameof(target));
        }

        if (jumps is null || jumps.Any(j => j is null))
        {
            throw new ArgumentException($"Destination '{name}': a jump is null.", nameof(jumps));
        }

        if (_destinations.ContainsKey(name))
        {
            throw new ArgumentException($"Destination '{name}' is already added.", nameof(name));
        }

        _destinations.Add(name, (target.Validated(), jumps.Select(j => j.Validated()).ToArray()));
        return this;
    }

    /// <summary>
    /// Adds hosts of an ssh_config, each with its <c>ProxyJump</c> chain resolved as <see cref="SshConfig.Resolve"/>
    /// does; the destination's name is the host name as asked for.
    /// </summary>
    /// <param name="config">The configuration, e.g. <see cref="SshConfig.LoadDefault"/>.</param>
    /// <param name="hosts">The names to add, as given to <c>ssh</c>.</param>
    /// <param name="configure">Called for every hop, jumps first, with the config's name for it: add passwords and handlers here.</param>
    /// <returns>This builder.</returns>
    public SshJumpDataSourceBuilder AddDestinations(SshConfig config, IEnumerable<string> hosts, Action<string, HopSettings>? configure = null)
    {
        if (config is null)
        {
            throw new ArgumentNullException(nameof(config));
        }

        foreach (var host in hosts ?? throw new ArgumentNullException(nameof(hosts)))
        {
            var plan = config.Resolve(host);
            var jumps = plan.Jumps.Select(jump => Configured(jump.Name, jump.ToHopSettings(), configure)).ToArray();
            AddDestination(host, Configured(host, plan.ToHopSettings(), configure), jumps);
        }

        return this;
    }

    /// <summary>Builds the source; nothing is connected until the first lease.</summary>
    /// <returns>The source; dispose it to close every connection.</returns>
    /// <exception cref="ArgumentException">No destination was added, or an option is out of range.</exception>
    public SshJumpDataSource Build()
    {
        if (_destinations.Count == 0)
        {
            throw new ArgumentException("Add at least one destination before building the source.");
        }

        return new SshJumpDataSource(Options.Validated(), _destinations.Select(d => (d.Key, d.Value.Target, d.Value.Jumps)).ToList());
    }

    private static HopSettings Configured(string name, HopSettings settings, Action<string, HopSettings>? configure)
    {
        configure?.Invoke(name, settings);
        return settings;
    }
}
