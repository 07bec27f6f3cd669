using System;
using Renci.SshNet.Common;

namespace ParamikoJump;

/// <summary>
/// A stage of bringing up or using a hop ran past its time budget. An <see cref="SshOperationTimeoutException"/>, as
/// SSH.NET raises for its own timeouts.
/// </summary>
public sealed class HopTimeoutException : SshOperationTimeoutException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What timed out.</param>
    /// <param name="hop">The hop.</param>
    /// <param name="stage">The stage that ran out of time.</param>
    /// <param name="budget">The budget that ran out.</param>
    /// <param name="innerException">What SSH.NET raised, if anything.</param>
    public HopTimeoutException(string message, HopIdentity? hop, HopStage stage, TimeSpan budget, Exception? innerException = null)
        : base(HopExceptionText.Describe(message, hop, stage), innerException)
    {
        Hop = hop;
        Stage = stage;
        Budget = budget;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage { get; }

    /// <summary>The time budget that ran out.</summary>
    public TimeSpan Budget { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());
}
