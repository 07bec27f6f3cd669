using System;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump;

/// <summary>
/// A hop was asked to go through a jump client that is not connected or was disposed (raised at once, before any
/// traffic is sent), or its jump was lost while the hop was connecting or in use. An <see cref="SshConnectionException"/>,
/// as SSH.NET raises for a client that is not connected (<see cref="DisconnectReason.None"/>) or whose connection was lost
/// (<see cref="DisconnectReason.ConnectionLost"/>, every stage after <see cref="HopStage.Setup"/>).
/// </summary>
public sealed class JumpNotConnectedException : SshConnectionException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What is wrong with the jump.</param>
    /// <param name="hop">The hop that needed the jump.</param>
    /// <param name="innerException">What SSH.NET reported, if anything.</param>
    public JumpNotConnectedException(string message, HopIdentity? hop, Exception? innerException = null)
        : this(message, hop, HopStage.Setup, innerException)
    {
    }

    /// <summary>Creates the error for a jump lost at a later stage.</summary>
    /// <param name="message">What happened to the jump.</param>
    /// <param name="hop">The hop that needed the jump.</param>
    /// <param name="stage">The stage the hop had reached when its jump was lost.</param>
    /// <param name="innerException">What SSH.NET reported, if anything.</param>
    public JumpNotConnectedException(string message, HopIdentity? hop, HopStage stage, Exception? innerException)
        : base(HopExceptionText.Describe(message, hop, stage), stage == HopStage.Setup ? DisconnectReason.None : DisconnectReason.ConnectionLost, innerException)
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
