using System;

namespace ParamikoJump;

/// <summary>
/// The base of every error ParamikoJump raises. It says which hop failed (<see cref="Hop"/>, which names the
/// jump it went through) and at which <see cref="Stage"/>. Messages never contain passwords, passphrases or
/// answers to prompts.
/// </summary>
public class ParamikoJumpException : Exception
{
    /// <summary>Creates an error for a hop and stage.</summary>
    public ParamikoJumpException(string message, HopIdentity? hop, HopStage stage, Exception? innerException = null)
        : base(Describe(message, hop, stage), innerException)
    {
        Hop = hop;
        Stage = stage;
    }

    /// <summary>The hop that failed, or <see langword="null"/> when the error is not about one hop.</summary>
    public HopIdentity? Hop { get; }

    /// <summary>The stage at which the hop failed.</summary>
    public HopStage Stage { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());

    private static string Describe(string message, HopIdentity? hop, HopStage stage) =>
        hop is null ? $"{message} [stage: {stage}]" : $"{hop}: {message} [stage: {stage}]";
}
