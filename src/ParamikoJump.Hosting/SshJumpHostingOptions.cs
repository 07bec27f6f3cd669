using System;
using System.Collections.Generic;

namespace ParamikoJump.Hosting;

/// <summary>
/// An <see cref="Pooling.SshJumpDataSource"/> as configuration describes it (by default the section
/// <c>ParamikoJump</c>): the hosts, which of them are jumps, the pool's limits, and where secrets are found.
/// </summary>
/// <remarks>
/// Every host some other host names in <see cref="SshHostOptions.Via"/> is a jump (one shared login); every other
/// host is a destination, leased by its name. Secrets are never in these options: <see cref="SshHostOptions.PasswordSecret"/>
/// and <see cref="SshHostOptions.TotpSecret"/> name them, and an <see cref="ISshSecretStore"/> (by default the
/// application's configuration: user secrets, environment variables, a key vault provider) gives their values.
/// </remarks>
public sealed class SshJumpHostingOptions
{
    /// <summary>The configuration section bound by default.</summary>
    public const string DefaultSection = "ParamikoJump";

    /// <summary>The hosts by name.</summary>
    public Dictionary<string, SshHostOptions> Hosts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A known_hosts file every host's key is checked against (read only); the user's and the system's files when not set.</summary>
    public string? KnownHostsFile { get; set; }

    /// <summary>See <see cref="Pooling.SshJumpPoolOptions.MaxSessionsPerServer"/>.</summary>
    /// <value>8.</value>
    public int MaxSessionsPerServer { get; set; } = 8;

    /// <summary>See <see cref="Pooling.SshJumpPoolOptions.MaxConnectsPerServer"/>.</summary>
    /// <value>4.</value>
    public int MaxConnectsPerServer { get; set; } = 4;

    /// <summary>See <see cref="Pooling.SshJumpPoolOptions.IdleTimeout"/>.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>See <see cref="Pooling.SshJumpPoolOptions.LeaseTimeout"/>.</summary>
    /// <value>1 minute.</value>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>See <see cref="Pooling.SshJumpPoolOptions.ReconnectAttempts"/>.</summary>
    /// <value>4.</value>
    public int ReconnectAttempts { get; set; } = 4;

    /// <summary>See <see cref="Pooling.SshJumpPoolOptions.ReconnectDelay"/>.</summary>
    /// <value>1 second.</value>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>See <see cref="Pooling.SshJumpPoolOptions.MaxReconnectDelay"/>.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long host shutdown waits for leases still out before their sessions are closed under them.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The health check's budget per destination.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>One host of <see cref="SshJumpHostingOptions.Hosts"/>: where it is, how to log in, and what it goes through.</summary>
public sealed class SshHostOptions
{
    /// <summary>The host name or address (through a jump, the jump resolves it). Required.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>The port.</summary>
    /// <value>22.</value>
    public int Port { get; set; } = 22;

    /// <summary>The user; the local user when not set.</summary>
    public string? User { get; set; }

    /// <summary>The name of another host of <see cref="SshJumpHostingOptions.Hosts"/> to go through (which may itself go through another).</summary>
    public string? Via { get; set; }

    /// <summary>The name of the secret holding the password (the configuration key, for the default secret store), never the password.</summary>
    public string? PasswordSecret { get; set; }

    /// <summary>The name of the secret holding the base32 TOTP secret; the code answers prompts matching <see cref="TotpPrompt"/>.</summary>
    public string? TotpSecret { get; set; }

    /// <summary>The TOTP time step.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan TotpPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The keyboard-interactive prompt answered with the password (a case-insensitive regular expression).</summary>
    /// <value><c>^Password:</c>.</value>
    public string PasswordPrompt { get; set; } = "^Password:";

    /// <summary>The keyboard-interactive prompt answered with the TOTP code.</summary>
    /// <value><c>Verification code|One-time password</c>.</value>
    public string TotpPrompt { get; set; } = "Verification code|One-time password";

    /// <summary>Private key files to offer.</summary>
    public List<string> KeyFiles { get; set; } = [];

    /// <summary>Whether to offer the user's default key files and the ssh-agent's keys too.</summary>
    /// <value><see langword="false"/>: a service offers what it is configured with.</value>
    public bool UseDefaultKeys { get; set; }

    /// <summary>See <see cref="HopSettings.KeepAliveInterval"/>; its default when not set.</summary>
    public TimeSpan? KeepAliveInterval { get; set; }

    /// <summary>See <see cref="HopSettings.KeepAliveCountMax"/>; its default when not set.</summary>
    public int? KeepAliveCountMax { get; set; }

    /// <summary>See <see cref="HopSettings.ConnectTimeout"/>; its default when not set.</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary><c>user@host:port</c>; never a secret (only secrets' names are held here anyway).</summary>
    public override string ToString() => $"{User ?? "(local user)"}@{Host}:{Port}{(Via is null ? string.Empty : " via " + Via)}";
}
