using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Hops;

namespace ParamikoJump.Configuration;

/// <summary>
/// A chain from an <c>ssh -J</c> list, in one call: <c>JumpChain.Connect("admin@db", "ops@bastion:2222,ops@mid")</c>
/// connects bastion, then mid through it, then db through mid, and returns db, connected. The target owns the
/// chain it built: disposing it closes every hop, the nearest jump first. No configuration file is read; for
/// ssh_config, see <see cref="SshConfig"/>.
/// </summary>
/// <example>
/// <code>
/// using var db = JumpChain.Connect("admin@db.internal", "ops@bastion:2222,ops@mid", (name, hop) =>
/// {
///     hop.AuthHandler = name == "bastion" ? mfa : null;   // per hop
///     hop.KeyFilenames = ["/home/me/.ssh/id_ed25519"];     // for all
/// });
/// </code>
/// </example>
public static class JumpChain
{
    /// <summary>Connects <paramref name="destination"/> through <paramref name="jumps"/> and returns it connected.</summary>
    /// <param name="destination">The target: <c>[user@]host[:port]</c>, <c>[user@][address]:port</c> or <c>ssh://[user@]host[:port]</c>.</param>
    /// <param name="jumps">The jumps as <c>ssh -J</c> takes them, first one first; <see langword="null"/>, empty or <c>none</c> for a direct connection.</param>
    /// <param name="configure">
    /// Called for every hop, jumps first and the target last, with the host as written and the hop's settings
    /// (host, port and user filled in): set credentials, handlers, host keys, budgets there, for one hop or for all.
    /// </param>
    /// <returns>The connected target, which owns and disposes the chain.</returns>
    /// <exception cref="FormatException">The destination or a jump is malformed.</exception>
    /// <exception cref="Renci.SshNet.Common.SshException">A hop failed; the error names it and the stage.</exception>
    public static SshJumpClient Connect(string destination, string? jumps = null, Action<string, HopSettings>? configure = null) =>
        ChainConnector.Connect(Plan(destination, jumps, configure));

    /// <summary>Connects <paramref name="destination"/> through <paramref name="jumps"/> asynchronously; see <see cref="Connect"/>.</summary>
    /// <param name="destination">The target: <c>[user@]host[:port]</c>, <c>[user@][address]:port</c> or <c>ssh://[user@]host[:port]</c>.</param>
    /// <param name="jumps">The jumps as <c>ssh -J</c> takes them; <see langword="null"/>, empty or <c>none</c> for none.</param>
    /// <param name="configure">Called for every hop with the host as written and its settings.</param>
    /// <param name="cancellationToken">Cancels the connects in progress.</param>
    /// <returns>The connected target, which owns and disposes the chain.</returns>
    public static Task<SshJumpClient> ConnectAsync(string destination, string? jumps = null, Action<string, HopSettings>? configure = null, CancellationToken cancellationToken = default) =>
        ChainConnector.ConnectAsync(Plan(destination, jumps, configure), cancellationToken);

    /// <summary>The settings of every hop, jumps first, as the -J list and the callback make them.</summary>
    internal static List<HopSettings> Plan(string destination, string? jumps, Action<string, HopSettings>? configure)
    {
        if (destination is null)
        {
            throw new ArgumentNullException(nameof(destination));
        }

        var hops = string.IsNullOrWhiteSpace(jumps) ? [] : SshDestination.ParseJumps(jumps!).ToList();
        hops.Add(SshDestination.Parse(destination));
        return hops.Select(hop =>
        {
            var settings = new HopSettings(hop.Host) { Port = hop.Port ?? 22, Username = hop.User };
            configure?.Invoke(hop.Host, settings);
            return settings;
        }).ToList();
    }
}
