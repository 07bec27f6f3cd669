using System.Collections.Generic;

namespace ParamikoJump.HostKeys;

/// <summary>What the known_hosts files say about a key a host offered.</summary>
internal enum HostKeyVerdict
{
    /// <summary>A line for the host holds this very key.</summary>
    Known,

    /// <summary>The key is a valid host certificate from a CA trusted for the host.</summary>
    Certified,

    /// <summary>No plain key is on file for the host: the missing-host-key policy decides.</summary>
    Unknown,

    /// <summary>The host has plain keys on file and none is this one, whatever their types (OpenSSH's HOST_CHANGED).</summary>
    Changed,

    /// <summary>A <c>@revoked</c> line for the host holds the key or its CA.</summary>
    Revoked,

    /// <summary>A trusted CA signed the certificate, but it does not hold for this host now, and the plain key is not on file.</summary>
    CertificateInvalid,
}

/// <summary>The outcome of looking a host key up in a <see cref="KnownHosts"/> store.</summary>
/// <param name="Verdict">What the files say.</param>
/// <param name="HostName">The known_hosts name looked up (<c>host</c> or <c>[host]:port</c>).</param>
/// <param name="KeyType">The offered key's type (the plain key's, for a certificate).</param>
/// <param name="Fingerprint">The offered plain key's SHA256 fingerprint.</param>
/// <param name="Key">The offered plain key.</param>
/// <param name="Line">The line that decided: the match, the CA, the revocation, or the expected key (one of the offered type if any).</param>
/// <param name="Reason">Why a certificate was refused.</param>
/// <param name="KnownKeyTypes">The key types already on file for the host.</param>
internal sealed record HostKeyCheck(
    HostKeyVerdict Verdict,
    string HostName,
    string KeyType,
    string Fingerprint,
    byte[] Key,
    KnownHostsLine? Line,
    string? Reason,
    IReadOnlyList<string> KnownKeyTypes)
{
    /// <summary>The fingerprint of the key on file, for <see cref="HostKeyVerdict.Changed"/>.</summary>
    public string? ExpectedFingerprint => Line?.Key is { } expected ? SshKeyBlob.Fingerprint(expected) : null;
}
