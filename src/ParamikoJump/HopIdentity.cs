using System;
using System.Globalization;

namespace ParamikoJump;

/// <summary>
/// The logical identity of one hop: the host and port as the user wrote them, the user, and the hop it is
/// reached through. The loopback endpoint a jumped client really dials is an implementation detail and
/// never appears here; host-key checks and error messages use this identity.
/// </summary>
public sealed class HopIdentity
{
    /// <summary>Creates the identity of a hop.</summary>
    /// <param name="host">The host name or address as the user wrote it (resolved by the jump, if any).</param>
    /// <param name="port">The TCP port, 1 to 65535.</param>
    /// <param name="username">The user the hop logs in as.</param>
    /// <param name="jump">The hop this one is reached through, or <see langword="null"/> for a direct connection.</param>
    public HopIdentity(string host, int port, string username, HopIdentity? jump = null)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("A hop needs a host name or address.", nameof(host));
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, $"Port {port} for host '{host}' is outside 1-65535.");
        }

        Host = host;
        Port = port;
        Username = username ?? throw new ArgumentNullException(nameof(username));
        Jump = jump;
    }

    /// <summary>The host name or address as the user wrote it.</summary>
    public string Host { get; }

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    /// <summary>The user this hop logs in as.</summary>
    public string Username { get; }

    /// <summary>The hop this one is reached through, or <see langword="null"/> when it is dialled directly.</summary>
    public HopIdentity? Jump { get; }

    /// <summary>How many jumps stand between the local machine and this hop (0 for a direct connection).</summary>
    public int Depth => Jump is null ? 0 : Jump.Depth + 1;

    /// <summary>
    /// The name OpenSSH uses for this hop in known_hosts: <c>host</c> on port 22, <c>[host]:port</c> otherwise.
    /// </summary>
    public string KnownHostsName => Port == 22 ? Host : string.Format(CultureInfo.InvariantCulture, "[{0}]:{1}", Host, Port);

    /// <summary><c>host:port</c>, with IPv6 addresses in brackets.</summary>
    public string Endpoint => Host.Contains(":") && Host[0] != '['
        ? string.Format(CultureInfo.InvariantCulture, "[{0}]:{1}", Host, Port)
        : string.Format(CultureInfo.InvariantCulture, "{0}:{1}", Host, Port);

    /// <summary><c>user@host:port</c> followed by the chain of jumps, e.g. <c>admin@db:22 via ops@bastion:22</c>.</summary>
    public override string ToString() => Jump is null
        ? $"{Username}@{Endpoint}"
        : $"{Username}@{Endpoint} via {Jump}";
}
