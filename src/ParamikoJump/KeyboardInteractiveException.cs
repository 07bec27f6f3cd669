using System;

namespace ParamikoJump;

/// <summary>
/// A keyboard-interactive handler could not answer a round: it ran out of prepared answers, had the wrong
/// number of answers, was cancelled, or threw. Names the round and the prompt text, never an answer.
/// </summary>
public sealed class KeyboardInteractiveException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="hop">The hop that asked.</param>
    /// <param name="round">The 1-based round of the exchange.</param>
    /// <param name="prompt">The prompt text the server sent (never the answer).</param>
    /// <param name="innerException">What the handler threw, if anything.</param>
    public KeyboardInteractiveException(string message, HopIdentity? hop, int round, string? prompt, Exception? innerException = null)
        : base(message, hop, HopStage.Authentication, innerException)
    {
        Round = round;
        Prompt = prompt;
    }

    /// <summary>The 1-based round of the keyboard-interactive exchange.</summary>
    public int Round { get; }

    /// <summary>The text of the prompt that could not be answered, when there is one.</summary>
    public string? Prompt { get; }
}
