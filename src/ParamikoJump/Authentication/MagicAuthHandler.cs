using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ParamikoJump.Authentication;

/// <summary>
/// Answers keyboard-interactive rounds from a queue of prepared rounds, for automation:
/// <c>new MagicAuthHandler(["password"], ["1"])</c> answers a password round, then a Duo menu with "1".
/// </summary>
/// <remarks>
/// Each queued round must have exactly as many answers as the server's round has prompts. A round with no
/// prompts (servers send them to show text) is answered without using a queued round. Running out of rounds,
/// or a count that does not match, fails the login at once with an error naming the round and the prompt.
/// Thread-safe. Answers never appear in <see cref="ToString"/>, logs or errors.
/// </remarks>
public sealed class MagicAuthHandler : IKeyboardInteractiveHandler
{
    private readonly object _gate = new();
    private readonly Queue<string[]> _rounds = new();

    /// <summary>Creates a handler with the given rounds, in the order the server will ask them.</summary>
    /// <param name="rounds">One collection of answers per round.</param>
    public MagicAuthHandler(params IReadOnlyList<string>[] rounds)
    {
        if (rounds is null)
        {
            throw new ArgumentNullException(nameof(rounds));
        }

        foreach (var round in rounds)
        {
            Add(round);
        }
    }

    /// <summary>How many prepared rounds are left.</summary>
    public int RemainingRounds
    {
        get
        {
            lock (_gate)
            {
                return _rounds.Count;
            }
        }
    }

    /// <summary>Queues one round: its answers, one per prompt, in order.</summary>
    /// <param name="answers">The answers of the round.</param>
    /// <returns>This handler, to chain calls.</returns>
    public MagicAuthHandler Add(params string[] answers) => Add((IReadOnlyList<string>)answers);

    /// <summary>Queues one round: its answers, one per prompt, in order.</summary>
    /// <param name="answers">The answers of the round.</param>
    /// <returns>This handler, to chain calls.</returns>
    public MagicAuthHandler Add(IReadOnlyList<string> answers)
    {
        if (answers is null)
        {
            throw new ArgumentNullException(nameof(answers));
        }

        if (answers.Any(a => a is null))
        {
            throw new ArgumentException("A prepared answer is null; every answer must be a string (possibly empty).", nameof(answers));
        }

        lock (_gate)
        {
            _rounds.Enqueue(answers.ToArray());
        }

        return this;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Respond(KeyboardInteractiveRound round)
    {
        if (round is null)
        {
            throw new ArgumentNullException(nameof(round));
        }

        if (round.Prompts.Count == 0)
        {
            return [];
        }

        var firstPrompt = round.Prompts[0].Text;
        lock (_gate)
        {
            if (_rounds.Count == 0)
            {
                throw new KeyboardInteractiveException(
                    $"MagicAuthHandler has no prepared answers left for round {round.RoundNumber} (prompt '{ServerText.Escape(firstPrompt.Trim())}').",
                    round.Hop,
                    round.RoundNumber,
                    firstPrompt);
            }

            var answers = _rounds.Peek();
            if (answers.Length != round.Prompts.Count)
            {
                throw new KeyboardInteractiveException(
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "MagicAuthHandler prepared {0} answer(s) for round {1}, but the server asked {2} prompt(s) (first: '{3}').",
                        answers.Length,
                        round.RoundNumber,
                        round.Prompts.Count,
                        ServerText.Escape(firstPrompt.Trim())),
                    round.Hop,
                    round.RoundNumber,
                    firstPrompt);
            }

            _rounds.Dequeue();
            return answers;
        }
    }

    /// <summary>Describes the handler without revealing any answer.</summary>
    public override string ToString() => $"MagicAuthHandler ({RemainingRounds} round(s) queued)";
}
