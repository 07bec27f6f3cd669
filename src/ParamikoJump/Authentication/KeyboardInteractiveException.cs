using System;
using Renci.SshNet.Common;

namespace ParamikoJump.Authentication;

/// <summary>
/// A keyboard-interactive handler could not answer a round: it ran out of prepared answers, had the wrong
/// number of answers, was cancelled, or threw. Names the round and the prompt text, never an answer. An
/// <see cref="SshAuthenticationException"/>, as SSH.NET raises for a prompt left without a response.
/// </summary>
public sealed class KeyboardInteractiveException : SshAuthenticationException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="hop">The hop that asked.</param>
    /// <param name="round">The 1-based round of the exchange.</param>
    /// <param name="prompt">The prompt text the server sent (never the answer).</param>
    /// <param name="innerException">What the handler threw, if anything.</param>
    public KeyboardInteractiveException(string message, HopIdentity? hop, int round, string? prompt, Exception? innerException = null)
        : base(HopExceptionText.DescribeAfterSshNet(message, hop, HopStage.Authentication, innerException), innerException)
    {
        Hop = hop;
        Round = round;
        Prompt = prompt;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage => HopStage.Authentication;

    /// <summary>The 1-based round of the keyboard-interactive exchange.</summary>
    public int Round { get; }

    /// <summary>The text of the prompt that could not be answered, when there is one.</summary>
    public string? Prompt { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());
}
