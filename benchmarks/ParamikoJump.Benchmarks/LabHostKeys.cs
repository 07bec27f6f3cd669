using ParamikoJump.HostKeys;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// The lab's known_hosts, so every .NET client verifies host keys as ssh and paramiko do: ParamikoJump clients
/// through the library's own store, the plain SSH.NET ceiling client through a HostKeyReceived check that looks
/// the key up in that same store (<see cref="KnownHosts.Lookup"/>).
/// </summary>
internal sealed class LabHostKeys
{
    public LabHostKeys(string path) => Store.LoadSystemHostKeys(path);

    /// <summary>Given to each chain's first ParamikoJump client; the hops after it share their jump's store.</summary>
    public KnownHosts Store { get; } = new();

    /// <summary>Trusts a plain client's server only with a host key on file for it, not revoked.</summary>
    public void VerifyPlain(BaseClient client, string host, int port) =>
        client.HostKeyReceived += (_, e) =>
        {
            var keys = Store.Lookup(host, port);
            e.CanTrust = keys.Any(k => !k.IsCertificateAuthority && !k.IsRevoked && k.Matches(e.HostKey))
                && !keys.Any(k => k.IsRevoked && k.Matches(e.HostKey));
        };
}
