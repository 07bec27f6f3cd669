using System;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump;

/// <summary>
/// The jump host did not open a channel to the next hop: the next hop is unreachable from the jump, the jump
/// forbids forwarding (<c>AllowTcpForwarding no</c>), or the name does not resolve there. Carries the jump
/// server's own reason when it gave one. An <see cref="SshConnectionException"/> with
/// <see cref="DisconnectReason.ConnectionLost"/>, what SSH.NET raises through a forwarded port whose channel the jump
/// refused ("The server response does not contain an SSH identification string.").
/// </summary>
public sealed class JumpChannelException : SshConnectionException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="hop">The hop that could not be reached; its <see cref="HopIdentity.Jump"/> is the jump that refused.</param>
    /// <param name="serverReason">The jump server's reason text, when it sent one.</param>
    /// <param name="reasonCode">The RFC 4254 reason code, when the jump sent one.</param>
    /// <param name="innerException">What SSH.NET reported.</param>
    public JumpChannelException(string message, HopIdentity? hop, string? serverReason, uint? reasonCode, Exception? innerException = null)
        : base(HopExceptionText.Describe(message, hop, HopStage.ChannelOpen), DisconnectReason.ConnectionLost, innerException)
    {
        Hop = hop;
        ServerReason = serverReason;
        ReasonCode = reasonCode;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage => HopStage.ChannelOpen;

    /// <summary>The jump server's reason, e.g. <c>open failed</c> or <c>Connection refused</c>, when known.</summary>
    public string? ServerReason { get; }

    /// <summary>The RFC 4254 reason code (1 prohibited, 2 connect failed, 3 unknown type, 4 resource shortage), when known.</summary>
    public uint? ReasonCode { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());
}
