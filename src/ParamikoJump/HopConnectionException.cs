using System;

namespace ParamikoJump;

/// <summary>
/// A hop could not be connected below the authentication layer: the TCP connection, the SSH banner or the key
/// exchange failed, timed out, or the connection dropped. <see cref="ParamikoJumpException.Stage"/> says which.
/// </summary>
public sealed class HopConnectionException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    public HopConnectionException(string message, HopIdentity? hop, HopStage stage, Exception? innerException = null)
        : base(message, hop, stage, innerException)
    {
    }
}
