using System;

namespace ParamikoJump;

/// <summary>
/// A hop was asked to go through a jump client that is not connected, was disconnected, or was disposed.
/// Raised at once, before any traffic is sent.
/// </summary>
public sealed class JumpNotConnectedException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What is wrong with the jump.</param>
    /// <param name="hop">The hop that needed the jump.</param>
    /// <param name="innerException">What SSH.NET reported, if anything.</param>
    public JumpNotConnectedException(string message, HopIdentity? hop, Exception? innerException = null)
        : base(message, hop, HopStage.Setup, innerException)
    {
    }
}
