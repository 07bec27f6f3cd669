using System;

namespace ParamikoJump;

/// <summary>
/// A hop was asked to go through a jump client that is not connected or was disposed (raised at once, before any
/// traffic is sent), or its jump was lost while the hop was connecting or in use.
/// </summary>
public sealed class JumpNotConnectedException : ParamikoJumpException
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
        : base(message, hop, stage, innerException)
    {
    }
}
