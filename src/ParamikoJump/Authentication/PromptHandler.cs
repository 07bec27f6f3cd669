using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Authentication;

namespace ParamikoJump.Authentication;

/// <summary>
/// Answers keyboard-interactive prompts by what they say: each prompt is answered by the first rule whose pattern
/// matches its text, with a fixed answer, a code from a <see cref="TotpSource"/> computed when the prompt arrives,
/// or a function. A prompt no rule matches fails the login with a <see cref="KeyboardInteractiveException"/> that
/// names the prompt (escaped) and the round, never an answer.
/// </summary>
/// <remarks>
/// Patterns are .NET regular expressions, case-insensitive, matched anywhere in the prompt: anchor them where
/// prompts overlap. "One-time password:" contains "password", so <c>On("password", ...)</c> would answer it;
/// write <c>On("^Password:", ...)</c>, or put the more specific rule first. Rounds with no prompts are answered with
/// nothing. When a login that this handler sent a TOTP code in fails, the code is reported to its source as
/// refused (<see cref="TotpSource.ReportRefused"/>), so the next login uses a fresh time step. Thread-safe once built.
/// </remarks>
/// <example>
/// <code>
/// var mfa = new PromptHandler()
///     .On("^Password:", password)
///     .On("Verification code", new TotpSource(secret))
///     .On(@"Passcode or option \(1-\d\)", "1");          // a Duo push
/// </code>
/// </example>
public sealed class PromptHandler : AsyncKeyboardInteractiveHandler, ILoginOutcomeObserver
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly List<Rule> _rules = [];
    private readonly object _gate = new();
    private readonly Dictionary<TotpSource, string> _codesSent = [];

    /// <summary>How many rules the handler has.</summary>
    public int RuleCount => _rules.Count;

    /// <summary>Answers prompts matching <paramref name="pattern"/> with <paramref name="answer"/>.</summary>
    /// <param name="pattern">A regular expression, case-insensitive, matched anywhere in the prompt text.</param>
    /// <param name="answer">The answer, e.g. a password or a Duo option. Never logged.</param>
    /// <returns>This handler, to chain calls.</returns>
    public PromptHandler On(string pattern, string answer)
    {
        if (answer is null)
        {
            throw new ArgumentNullException(nameof(answer));
        }

        return Add(Regex(pattern), (_, _, _) => new ValueTask<string>(answer), null, $"/{pattern}/");
    }

    /// <summary>Answers prompts matching <paramref name="pattern"/> with the current code of <paramref name="totp"/>.</summary>
    /// <param name="pattern">A regular expression, case-insensitive, matched anywhere in the prompt text.</param>
    /// <param name="totp">The source; its code is computed when the prompt arrives.</param>
    /// <returns>This handler, to chain calls.</returns>
    public PromptHandler On(string pattern, TotpSource totp)
    {
        if (totp is null)
        {
            throw new ArgumentNullException(nameof(totp));
        }

        return Add(Regex(pattern), (_, _, token) => new ValueTask<string>(totp.NextCodeAsync(token)), totp, $"/{pattern}/");
    }

    /// <summary>Answers prompts matching <paramref name="pattern"/> with what <paramref name="answer"/> returns.</summary>
    /// <param name="pattern">A regular expression, case-insensitive, matched anywhere in the prompt text.</param>
    /// <param name="answer">Gets the round, the prompt and the login's cancellation token; returns the answer.</param>
    /// <returns>This handler, to chain calls.</returns>
    public PromptHandler On(string pattern, Func<KeyboardInteractiveRound, KeyboardInteractivePrompt, CancellationToken, ValueTask<string>> answer) =>
        Add(Regex(pattern), answer ?? throw new ArgumentNullException(nameof(answer)), null, $"/{pattern}/");

    /// <summary>Answers prompts <paramref name="match"/> accepts with <paramref name="answer"/>.</summary>
    /// <param name="match">Decides from the prompt (its text and echo flag).</param>
    /// <param name="answer">The answer. Never logged.</param>
    /// <returns>This handler, to chain calls.</returns>
    public PromptHandler On(Func<KeyboardInteractivePrompt, bool> match, string answer)
    {
        if (answer is null)
        {
            throw new ArgumentNullException(nameof(answer));
        }

        return Add(match ?? throw new ArgumentNullException(nameof(match)), (_, _, _) => new ValueTask<string>(answer), null, "(predicate)");
    }

    /// <summary>Answers prompts <paramref name="match"/> accepts with the current code of <paramref name="totp"/>.</summary>
    /// <param name="match">Decides from the prompt (its text and echo flag).</param>
    /// <param name="totp">The source; its code is computed when the prompt arrives.</param>
    /// <returns>This handler, to chain calls.</returns>
    public PromptHandler On(Func<KeyboardInteractivePrompt, bool> match, TotpSource totp)
    {
        if (totp is null)
        {
            throw new ArgumentNullException(nameof(totp));
        }

        return Add(match ?? throw new ArgumentNullException(nameof(match)), (_, _, token) => new ValueTask<string>(totp.NextCodeAsync(token)), totp, "(predicate)");
    }

    /// <summary>Answers prompts <paramref name="match"/> accepts with what <paramref name="answer"/> returns.</summary>
    /// <param name="match">Decides from the prompt (its text and echo flag).</param>
    /// <param name="answer">Gets the round, the prompt and the login's cancellation token; returns the answer.</param>
    /// <returns>This handler, to chain calls.</returns>
    public PromptHandler On(Func<KeyboardInteractivePrompt, bool> match, Func<KeyboardInteractiveRound, KeyboardInteractivePrompt, CancellationToken, ValueTask<string>> answer) =>
        Add(match ?? throw new ArgumentNullException(nameof(match)), answer ?? throw new ArgumentNullException(nameof(answer)), null, "(predicate)");

    /// <inheritdoc/>
    public override async ValueTask<IReadOnlyList<string>> RespondAsync(KeyboardInteractiveRound round, CancellationToken cancellationToken)
    {
        if (round is null)
        {
            throw new ArgumentNullException(nameof(round));
        }

        var answers = new List<string>(round.Prompts.Count);
        foreach (var prompt in round.Prompts)
        {
            var rule = _rules.FirstOrDefault(r => Matches(r, prompt));
            if (rule is null)
            {
                throw new KeyboardInteractiveException(
                    $"No rule of the PromptHandler matches prompt '{ServerText.Escape(prompt.Text.Trim())}' of round {round.RoundNumber} (rules: {string.Join(", ", _rules.Select(r => r.Description))}).",
                    round.Hop,
                    round.RoundNumber,
                    prompt.Text);
            }

            var answer = await rule.Answer(round, prompt, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyboardInteractiveException($"The PromptHandler rule {rule.Description} answered prompt '{ServerText.Escape(prompt.Text.Trim())}' of round {round.RoundNumber} with null.", round.Hop, round.RoundNumber, prompt.Text);
            if (rule.Totp is { } totp)
            {
                lock (_gate)
                {
                    _codesSent[totp] = answer;
                }
            }

            answers.Add(answer);
        }

        return answers;
    }

    /// <summary>Describes the rules by their patterns, never their answers.</summary>
    public override string ToString() => $"PromptHandler ({string.Join(", ", _rules.Select(r => r.Description))})";

    /// <inheritdoc/>
    void ILoginOutcomeObserver.LoginFailed()
    {
        List<KeyValuePair<TotpSource, string>> sent;
        lock (_gate)
        {
            sent = [.. _codesSent];
            _codesSent.Clear();
        }

        foreach (var pair in sent)
        {
            pair.Key.ReportRefused(pair.Value);
        }
    }

    /// <inheritdoc/>
    void ILoginOutcomeObserver.LoginSucceeded()
    {
        lock (_gate)
        {
            _codesSent.Clear();
        }
    }

    private static Func<KeyboardInteractivePrompt, bool> Regex(string pattern)
    {
        if (pattern is null)
        {
            throw new ArgumentNullException(nameof(pattern));
        }

        var regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);
        return prompt => regex.IsMatch(prompt.Text);
    }

    private static bool Matches(Rule rule, KeyboardInteractivePrompt prompt)
    {
        try
        {
            return rule.Match(prompt);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private PromptHandler Add(Func<KeyboardInteractivePrompt, bool> match, Func<KeyboardInteractiveRound, KeyboardInteractivePrompt, CancellationToken, ValueTask<string>> answer, TotpSource? totp, string description)
    {
        _rules.Add(new Rule(match, answer, totp, description));
        return this;
    }

    private sealed record Rule(
        Func<KeyboardInteractivePrompt, bool> Match,
        Func<KeyboardInteractiveRound, KeyboardInteractivePrompt, CancellationToken, ValueTask<string>> Answer,
        TotpSource? Totp,
        string Description);
}
