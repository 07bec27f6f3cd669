using System;
using System.Collections.Generic;

namespace ParamikoJump.HostKeys;

/// <summary>A host key no known_hosts file holds, as shown to an <see cref="IMissingHostKeyPolicy"/>.</summary>
public sealed class UnknownHostKey
{
    private readonly byte[] _key;

    /// <summary>Describes an unknown host key; public so that policies can be unit-tested.</summary>
    /// <param name="hop">The hop that offered the key.</param>
    /// <param name="hostName">The known_hosts name of the hop.</param>
    /// <param name="keyType">The key's type.</param>
    /// <param name="fingerprint">The key's SHA256 fingerprint.</param>
    /// <param name="key">The public key in SSH wire format.</param>
    /// <param name="knownKeyTypes">Key types already on file for the host (empty when ParamikoJump asks).</param>
    public UnknownHostKey(HopIdentity hop, string hostName, string keyType, string fingerprint, byte[] key, IReadOnlyList<string> knownKeyTypes)
    {
        Hop = hop ?? throw new ArgumentNullException(nameof(hop));
        HostName = hostName ?? throw new ArgumentNullException(nameof(hostName));
        KeyType = keyType ?? throw new ArgumentNullException(nameof(keyType));
        Fingerprint = fingerprint ?? throw new ArgumentNullException(nameof(fingerprint));
        _key = (byte[])(key ?? throw new ArgumentNullException(nameof(key))).Clone();
        KnownKeyTypes = knownKeyTypes ?? throw new ArgumentNullException(nameof(knownKeyTypes));
    }

    /// <summary>The hop that offered the key, with the jumps it goes through.</summary>
    public HopIdentity Hop { get; }

    /// <summary>The name the key is looked up and saved under: <c>host</c>, or <c>[host]:port</c> off port 22.</summary>
    public string HostName { get; }

    /// <summary>The key's type, e.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType { get; }

    /// <summary>The key's fingerprint as OpenSSH prints it, e.g. <c>SHA256:ohD8VZEX...</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Key types already on file for this host. Empty for every key ParamikoJump asks a policy about: a host with any
    /// plain key on file and none matching is CHANGED and refused, whatever the types, as OpenSSH decides.
    /// </summary>
    public IReadOnlyList<string> KnownKeyTypes { get; }

    /// <summary>The public key in SSH wire format (a copy).</summary>
    public byte[] GetKey() => (byte[])_key.Clone();

    /// <summary><c>[host]:port ssh-ed25519 SHA256:...</c>.</summary>
    public override string ToString() => $"{HostName} {KeyType} {Fingerprint}";
}
