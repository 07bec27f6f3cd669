using System;
using System.Collections.Generic;

namespace ParamikoJump.Authentication;

/// <summary>
/// One SSH_MSG_USERAUTH_INFO_REQUEST: everything a handler needs to decide its answers.
/// </summary>
public sealed class KeyboardInteractiveRound
{
    /// <summary>Creates a round.</summary>
    /// <param name="hop">The hop that is logging in.</param>
    /// <param name="roundNumber">The 1-based number of this round within the login.</param>
    /// <param name="instruction">The server's instruction text (may be empty).</param>
    /// <param name="language">The language tag the server sent (usually empty).</param>
    /// <param name="prompts">The prompts, in order; a round may have none.</param>
    public KeyboardInteractiveRound(HopIdentity hop, int roundNumber, string instruction, string language, IReadOnlyList<KeyboardInteractivePrompt> prompts)
    {
        Hop = hop ?? throw new ArgumentNullException(nameof(hop));
        if (roundNumber < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(roundNumber), roundNumber, "Rounds are numbered from 1.");
        }

        RoundNumber = roundNumber;
        Instruction = instruction ?? string.Empty;
        Language = language ?? string.Empty;
        Prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
    }

    /// <summary>The hop that is logging in (its host, port, user and jump).</summary>
    public HopIdentity Hop { get; }

    /// <summary>The host of the hop as the user wrote it.</summary>
    public string Host => Hop.Host;

    /// <summary>The user that is logging in.</summary>
    public string Username => Hop.Username;

    /// <summary>The 1-based number of this round within the login.</summary>
    public int RoundNumber { get; }

    /// <summary>The server's instruction text; empty when it sent none.</summary>
    public string Instruction { get; }

    /// <summary>The language tag the server sent; usually empty.</summary>
    public string Language { get; }

    /// <summary>The prompts of this round, in order. A round may have none.</summary>
    public IReadOnlyList<KeyboardInteractivePrompt> Prompts { get; }

    /// <inheritdoc/>
    public override string ToString() => $"round {RoundNumber} for {Hop}: {Prompts.Count} prompt(s)";
}
