using System.Collections.Generic;

namespace ParamikoJump.Configuration;

/// <summary>Where a value was written: the file and line, for errors raised when the value is used.</summary>
internal readonly record struct Origin(string File, int Line)
{
    public override string ToString() => $"{File} line {Line}";
}

/// <summary>A value with the line it came from.</summary>
internal readonly record struct Sourced(string Value, Origin Origin);

/// <summary>
/// The options of one resolution, as OpenSSH keeps them while reading: unset until a line that applies sets them,
/// and never changed after (the first obtained value wins). Integers use -1 for unset, as ssh does.
/// </summary>
internal sealed class ConfigOptions
{
    public const int MaxIdentityFiles = 100;
    public const int MaxCertificateFiles = 100;
    public const int MaxHostsFiles = 32;

    public string? User { get; set; }

    public Sourced? HostName { get; set; }

    public int Port { get; set; } = -1;

    public List<(Sourced Path, bool UserProvided)> IdentityFiles { get; } = [];

    public List<(Sourced Path, bool UserProvided)> CertificateFiles { get; } = [];

    public int IdentitiesOnly { get; set; } = -1;

    public string? JumpHost { get; set; }

    public string? JumpUser { get; set; }

    public int JumpPort { get; set; } = -1;

    public string? JumpExtra { get; set; }

    public Sourced? ProxyCommand { get; set; }

    public List<Sourced> UserKnownHostsFiles { get; } = [];

    public List<Sourced> GlobalKnownHostsFiles { get; } = [];

    /// <summary>0 off, 1 yes, 2 ask, 3 accept-new (ssh's SSH_STRICT_HOSTKEY_*).</summary>
    public int StrictHostKeyChecking { get; set; } = -1;

    public int HashKnownHosts { get; set; } = -1;

    public int ServerAliveInterval { get; set; } = -1;

    public int ServerAliveCountMax { get; set; } = -1;

    public int ConnectTimeout { get; set; } = -1;

    public string? PreferredAuthentications { get; set; }

    /// <summary>0 no, 1 unbound, 2 host-bound, 3 yes (ssh's SSH_PUBKEY_AUTH_*).</summary>
    public int PubkeyAuthentication { get; set; } = -1;

    public int PasswordAuthentication { get; set; } = -1;

    public int KbdInteractiveAuthentication { get; set; } = -1;

    public string? IgnoreUnknown { get; set; }

    public string? HostKeyAlias { get; set; }

    /// <summary>0 no, 1 yes, 2 always.</summary>
    public int CanonicalizeHostname { get; set; } = -1;

    /// <summary>Keywords ssh knows and ParamikoJump does not use: the first value that applied, and where.</summary>
    public Dictionary<string, Sourced> Others { get; } = new(System.StringComparer.Ordinal);
}
