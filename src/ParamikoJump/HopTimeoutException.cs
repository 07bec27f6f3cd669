using System;

namespace ParamikoJump;

/// <summary>A stage of bringing up or using a hop ran past its time budget.</summary>
public sealed class HopTimeoutException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    public HopTimeoutException(string message, HopIdentity? hop, HopStage stage, TimeSpan budget, Exception? innerException = null)
        : base(message, hop, stage, innerException)
    {
        Budget = budget;
    }

    /// <summary>The time budget that ran out.</summary>
    public TimeSpan Budget { get; }
}
