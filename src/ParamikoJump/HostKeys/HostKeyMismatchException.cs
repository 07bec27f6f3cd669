using System;

namespace ParamikoJump.HostKeys;

/// <summary>
/// The hop offered a key other than the one on file for it: someone may be intercepting the connection, or
/// the host was reinstalled. Always refused, whatever the missing-host-key policy (paramiko's
/// <c>BadHostKeyException</c>).
/// </summary>
public sealed class HostKeyMismatchException : HostKeyRejectedException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What differs.</param>
    /// <param name="hop">The hop that offered the key.</param>
    /// <param name="hostName">The name the key was looked up under.</param>
    /// <param name="keyType">The offered key's type.</param>
    /// <param name="fingerprint">The offered key's SHA256 fingerprint.</param>
    /// <param name="expectedFingerprint">The SHA256 fingerprint of the key on file.</param>
    /// <param name="knownHostsFile">The file holding the expected key.</param>
    /// <param name="lineNumber">The 1-based line of <paramref name="knownHostsFile"/> holding it.</param>
    /// <param name="innerException">What SSH.NET raised.</param>
    public HostKeyMismatchException(
        string message,
        HopIdentity? hop,
        string hostName,
        string keyType,
        string fingerprint,
        string expectedFingerprint,
        string knownHostsFile,
        int lineNumber,
        Exception? innerException = null)
        : base(message, hop, hostName, keyType, fingerprint, innerException)
    {
        ExpectedFingerprint = expectedFingerprint;
        KnownHostsFile = knownHostsFile;
        LineNumber = lineNumber;
    }

    /// <summary>The fingerprint of the key on file.</summary>
    public string ExpectedFingerprint { get; }

    /// <summary>The known_hosts file holding the expected key.</summary>
    public string KnownHostsFile { get; }

    /// <summary>The 1-based line of <see cref="KnownHostsFile"/> holding the expected key.</summary>
    public int LineNumber { get; }
}
