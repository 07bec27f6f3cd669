using System;
using System.Collections.Generic;
using System.Linq;
using Renci.SshNet;

namespace ParamikoJump.HostKeys;

/// <summary>
/// Orders the host-key algorithms a client offers as ssh does (sshconnect2.c <c>order_hostkeyalgs</c>): when the
/// first one's key type is on file for the host the order stays; otherwise the algorithms of key types on file
/// (and every certificate algorithm when a <c>@cert-authority</c> line names the host) move to the front, each
/// group keeping its own order. The server picks the first algorithm of ours it has, so a server with several
/// host keys then presents one we know. Nothing is added or removed.
/// </summary>
internal static class HostKeyAlgorithmOrder
{
    private const string CertSuffix = "-cert-v01@openssh.com";

    public static void PreferKnown<TValue>(IOrderedDictionary<string, TValue> algorithms, IReadOnlyCollection<KnownHostsLine> linesForHost)
    {
        var knownTypes = new HashSet<string>(
            linesForHost.Where(l => l.Marker == KnownHostsMarker.None && l.Key is not null).Select(l => SshKeyBlob.TypeOf(l.Key!)!),
            StringComparer.Ordinal);
        var hasAuthority = linesForHost.Any(l => l.Marker == KnownHostsMarker.CertAuthority && l.Key is not null);
        var names = algorithms.Keys.ToList();
        if (names.Count == 0 || knownTypes.Contains(PlainKeyType(names[0])))
        {
            return;
        }

        bool Preferred(string name) => (hasAuthority && name.EndsWith(CertSuffix, StringComparison.Ordinal)) || knownTypes.Contains(PlainKeyType(name));
        var position = 0;
        foreach (var name in names.Where(Preferred))
        {
            algorithms.SetPosition(name, position++);
        }
    }

    /// <summary>The key type an algorithm's host key has: <c>rsa-sha2-512</c> and its certificate are <c>ssh-rsa</c> keys.</summary>
    public static string PlainKeyType(string algorithm)
    {
        var plain = algorithm.EndsWith(CertSuffix, StringComparison.Ordinal) ? algorithm.Substring(0, algorithm.Length - CertSuffix.Length) : algorithm;
        return plain is "rsa-sha2-256" or "rsa-sha2-512" ? "ssh-rsa" : plain;
    }
}
