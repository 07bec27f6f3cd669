using System.Collections.Generic;

namespace ParamikoJump.HostKeys;

/// <summary>A host key no known_hosts file holds, as shown to an <see cref="IMissingHostKeyPolicy"/>.</summary>
public sealed class UnknownHostKey
{
    private readonly byte[] _key;

    internal UnknownHostKey(HopIdentity hop, string hostName, string keyType, string fingerprint, byte[] key, IReadOnlyList<string> knownKeyTypes)
    {
        Hop = hop;
        HostName = hostName;
        KeyType = keyType;
        Fingerprint = fingerprint;
        _key = key;
        KnownKeyTypes = knownKeyTypes;
    }

    /// <summary>The hop that offered the key, with the jumps it goes through.</summary>
    public HopIdentity Hop { get; }

    /// <summary>The name the key is looked up and saved under: <c>host</c>, or <c>[host]:port</c> off port 22.</summary>
    public string HostName { get; }

    /// <summary>The key's type, e.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType { get; }

    /// <summary>The key's fingerprint as OpenSSH prints it, e.g. <c>SHA256:ohD8VZEX...</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>Key types already on file for this host: when not empty, the host is known under another key type.</summary>
    public IReadOnlyList<string> KnownKeyTypes { get; }

    /// <summary>The public key in SSH wire format (a copy).</summary>
    public byte[] GetKey() => (byte[])_key.Clone();

    /// <summary><c>[host]:port ssh-ed25519 SHA256:...</c>.</summary>
    public override string ToString() => $"{HostName} {KeyType} {Fingerprint}";
}
