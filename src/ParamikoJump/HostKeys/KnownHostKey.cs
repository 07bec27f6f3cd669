using System;
using System.Globalization;

namespace ParamikoJump.HostKeys;

/// <summary>
/// One key a <see cref="KnownHosts"/> store holds for a host, with the line it came from: what
/// <see cref="KnownHosts.Lookup"/> returns (paramiko's <c>HostKeys.lookup</c>, with the source line kept).
/// </summary>
public sealed class KnownHostKey
{
    private readonly byte[] _key;

    internal KnownHostKey(string hostName, KnownHostsLine line)
    {
        HostName = hostName;
        KeyType = line.KeyType;
        _key = line.Key!;
        Fingerprint = SshKeyBlob.Fingerprint(_key);
        IsCertificateAuthority = line.Marker == KnownHostsMarker.CertAuthority;
        IsRevoked = line.Marker == KnownHostsMarker.Revoked;
        Source = line.Source;
        LineNumber = line.Number;
        Line = line.Text;
    }

    /// <summary>The known_hosts name that was looked up: <c>host</c> on port 22, <c>[host]:port</c> otherwise.</summary>
    public string HostName { get; }

    /// <summary>The key type as the line writes it, e.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType { get; }

    /// <summary>OpenSSH's fingerprint of the key: <c>SHA256:</c> and unpadded base64.</summary>
    public string Fingerprint { get; }

    /// <summary>Whether the line is <c>@cert-authority</c>: the key signs host certificates, it is not a host key.</summary>
    public bool IsCertificateAuthority { get; }

    /// <summary>Whether the line is <c>@revoked</c>: the key must never be accepted for this host.</summary>
    public bool IsRevoked { get; }

    /// <summary>The file the line is in (full path), or <c>(added in memory)</c>.</summary>
    public string Source { get; }

    /// <summary>The line's 1-based number in <see cref="Source"/>.</summary>
    public int LineNumber { get; }

    /// <summary>The line exactly as it is in the file.</summary>
    public string Line { get; }

    /// <summary>The public key in SSH wire format (a copy).</summary>
    /// <returns>The key blob, as <c>HostKeyEventArgs.HostKey</c> gives a plain key.</returns>
    public byte[] GetKey() => (byte[])_key.Clone();

    /// <summary>
    /// Whether <paramref name="hostKey"/> (SSH wire format, as <c>HostKeyEventArgs.HostKey</c> gives it) is this key.
    /// Only that: a key that matches a revoked line or a CA line is not thereby trusted.
    /// </summary>
    /// <param name="hostKey">The key a server offered.</param>
    /// <returns><see langword="true"/> when the blobs are the same key.</returns>
    public bool Matches(byte[] hostKey) => SshKeyBlob.SameKey(_key, hostKey);

    /// <summary><c>source:line [@marker] type fingerprint</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => string.Format(
        CultureInfo.InvariantCulture,
        "{0}:{1} {2}{3} {4}",
        Source,
        LineNumber,
        IsCertificateAuthority ? "@cert-authority " : IsRevoked ? "@revoked " : string.Empty,
        KeyType,
        Fingerprint);
}
