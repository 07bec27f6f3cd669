using System;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump;

/// <summary>
/// A hop could not be connected below the authentication layer, or its connection dropped: the TCP connection, the SSH
/// banner, the key exchange or a channel failed, or the server closed the connection. <see cref="Stage"/> says which.
/// An <see cref="SshConnectionException"/> with the <see cref="SshConnectionException.DisconnectReason"/> SSH.NET
/// reported, and a message that begins with SSH.NET's (e.g. the server's disconnect reason), as for a plain client.
/// </summary>
public sealed class HopConnectionException : SshConnectionException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What failed; the message of an SSH.NET <paramref name="innerException"/> is put in front of it.</param>
    /// <param name="hop">The hop that failed.</param>
    /// <param name="stage">The stage it had reached.</param>
    /// <param name="innerException">What SSH.NET raised; its disconnect reason becomes this error's.</param>
    public HopConnectionException(string message, HopIdentity? hop, HopStage stage, Exception? innerException = null)
        : base(HopExceptionText.DescribeAfterSshNet(message, hop, stage, innerException), HopExceptionText.ReasonOf(innerException), innerException)
    {
        Hop = hop;
        Stage = stage;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());
}
