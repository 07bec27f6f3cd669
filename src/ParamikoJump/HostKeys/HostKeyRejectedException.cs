using System;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump.HostKeys;

/// <summary>
/// The host key a hop offered was refused: the host is unknown and the missing-host-key policy said no, the
/// key is revoked, or its certificate does not hold. A key that differs from the one on file raises the
/// derived <see cref="HostKeyMismatchException"/>. An <see cref="SshConnectionException"/> with
/// <see cref="DisconnectReason.HostKeyNotVerifiable"/>, as SSH.NET raises when a <c>HostKeyReceived</c> handler refuses a key.
/// </summary>
public class HostKeyRejectedException : SshConnectionException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">Why the key was refused.</param>
    /// <param name="hop">The hop that offered the key.</param>
    /// <param name="hostName">The name the key was looked up under (<c>host</c> or <c>[host]:port</c>).</param>
    /// <param name="keyType">The offered key's type.</param>
    /// <param name="fingerprint">The offered key's SHA256 fingerprint.</param>
    /// <param name="innerException">What SSH.NET or the policy raised.</param>
    public HostKeyRejectedException(string message, HopIdentity? hop, string hostName, string keyType, string fingerprint, Exception? innerException = null)
        : base(HopExceptionText.Describe(message, hop, HopStage.HostKeyVerification), DisconnectReason.HostKeyNotVerifiable, innerException)
    {
        Hop = hop;
        HostName = hostName;
        KeyType = keyType;
        Fingerprint = fingerprint;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage => HopStage.HostKeyVerification;

    /// <summary>The name the key was looked up under: <c>host</c>, or <c>[host]:port</c> off port 22.</summary>
    public string HostName { get; }

    /// <summary>The offered key's type, e.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType { get; }

    /// <summary>The offered key's fingerprint, e.g. <c>SHA256:ohD8VZEX...</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());
}
