using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;
using ParamikoJump.HostKeys;
using ParamikoJump.Pooling;

namespace ParamikoJump.Hosting;

/// <summary>Turns bound <see cref="SshJumpHostingOptions"/> into a builder's destinations, resolving each secret by name.</summary>
internal static class DataSourceFactory
{
    public static SshJumpDataSourceBuilder Configure(SshJumpDataSourceBuilder builder, SshJumpHostingOptions options, ISshSecretStore secrets, ILoggerFactory? loggerFactory)
    {
        // Used only when the host stops and when a health check runs: a bad value is refused now, at startup, not then.
        RefuseNegative(nameof(options.DrainTimeout), options.DrainTimeout, allowZero: true);
        RefuseNegative(nameof(options.HealthCheckTimeout), options.HealthCheckTimeout, allowZero: false);
        builder.Options.MaxSessionsPerServer = options.MaxSessionsPerServer;
        builder.Options.MaxConnectsPerServer = options.MaxConnectsPerServer;
        builder.Options.IdleTimeout = options.IdleTimeout;
        builder.Options.LeaseTimeout = options.LeaseTimeout;
        builder.Options.ReconnectAttempts = options.ReconnectAttempts;
        builder.Options.ReconnectDelay = options.ReconnectDelay;
        builder.Options.MaxReconnectDelay = options.MaxReconnectDelay;
        builder.Options.LoggerFactory ??= loggerFactory;

        KnownHosts? knownHosts = null;
        if (options.KnownHostsFile is { Length: > 0 } file)
        {
            knownHosts = new KnownHosts();
            knownHosts.LoadSystemHostKeys(file);
        }

        // Host names are configuration keys, which .NET configuration compares without regard to case: so does Via.
        var hosts = new Dictionary<string, SshHostOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in options.Hosts)
        {
            if (hosts.Keys.FirstOrDefault(name => string.Equals(name, entry.Key, StringComparison.OrdinalIgnoreCase)) is { } other)
            {
                throw new ArgumentException($"ParamikoJump hosts '{other}' and '{entry.Key}' differ only in case, which configuration keys cannot tell apart.");
            }

            hosts.Add(entry.Key, entry.Value);
        }

        var jumps = new HashSet<string>(hosts.Values.Select(h => h.Via).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!), StringComparer.OrdinalIgnoreCase);
        var settings = new Dictionary<string, HopSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in hosts.Where(h => !jumps.Contains(h.Key)).OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            builder.AddDestination(entry.Key, Settings(entry.Key, entry.Value), [.. Chain(entry.Key, entry.Value)]);
        }

        return builder;

        HopSettings Settings(string name, SshHostOptions host)
        {
            if (!settings.TryGetValue(name, out var hop))
            {
                hop = ToHopSettings(name, host, secrets, knownHosts, loggerFactory);
                settings.Add(name, hop);
            }

            return hop;
        }

        IEnumerable<HopSettings> Chain(string name, SshHostOptions host)
        {
            var chain = new List<HopSettings>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { name };
            for (var via = host.Via; !string.IsNullOrEmpty(via);)
            {
                if (!hosts.TryGetValue(via!, out var jump))
                {
                    throw new ArgumentException($"ParamikoJump host '{name}': Via names '{via}', which is not a host of the configuration.");
                }

                if (!seen.Add(via!))
                {
                    throw new ArgumentException($"ParamikoJump host '{name}': its Via chain loops back to '{via}'.");
                }

                chain.Insert(0, Settings(via!, jump));
                via = jump.Via;
            }

            return chain;
        }
    }

    private static void RefuseNegative(string name, TimeSpan value, bool allowZero)
    {
        if (value == Timeout.InfiniteTimeSpan || value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero))
        {
            return;
        }

        throw new ArgumentOutOfRangeException(name, value, $"ParamikoJump: {name} is {value}; it must be {(allowZero ? "zero or more" : "positive")}, or Timeout.InfiniteTimeSpan.");
    }

    private static HopSettings ToHopSettings(string name, SshHostOptions host, ISshSecretStore secrets, KnownHosts? knownHosts, ILoggerFactory? loggerFactory)
    {
        if (string.IsNullOrWhiteSpace(host.Host))
        {
            throw new ArgumentException($"ParamikoJump host '{name}' has no Host.");
        }

        // Code cannot add a login to a host configuration made (the builder copies it), so say so now, not at each lease.
        if (host.PasswordSecret is not { Length: > 0 } && host.TotpSecret is not { Length: > 0 } && host.KeyFiles.Count == 0 && !host.UseDefaultKeys)
        {
            throw new ArgumentException($"ParamikoJump host '{name}' has no way to log in: set PasswordSecret, TotpSecret, KeyFiles or UseDefaultKeys.");
        }

        var settings = new HopSettings(host.Host)
        {
            Port = host.Port,
            Username = host.User,
            KeyFilenames = [.. host.KeyFiles],
            LookForKeys = host.UseDefaultKeys,
            AllowAgent = host.UseDefaultKeys,
            KnownHosts = knownHosts,
            LoggerFactory = loggerFactory,
        };
        if (host.KeepAliveInterval is { } interval)
        {
            settings.KeepAliveInterval = interval;
        }

        if (host.KeepAliveCountMax is { } count)
        {
            settings.KeepAliveCountMax = count;
        }

        if (host.ConnectTimeout is { } connect)
        {
            settings.ConnectTimeout = connect;
        }

        var password = host.PasswordSecret is { Length: > 0 } passwordName ? Secret(name, passwordName, secrets) : null;
        var totp = host.TotpSecret is { Length: > 0 } totpName ? new TotpSource(Secret(name, totpName, secrets), period: host.TotpPeriod) : null;
        settings.Password = password;
        if (totp is not null)
        {
            var prompts = new PromptHandler().On(host.TotpPrompt, totp);
            if (password is not null)
            {
                prompts.On(host.PasswordPrompt, password);
            }

            settings.AuthHandler = prompts;
        }

        return settings;
    }

    /// <summary>A secret's value; the error names the host and the secret's name, never a value.</summary>
    private static string Secret(string host, string name, ISshSecretStore secrets) =>
        secrets.GetSecret(name) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"ParamikoJump host '{host}': the secret '{name}' has no value in the secret store.");
}
