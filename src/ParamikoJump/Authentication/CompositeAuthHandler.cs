using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Authentication;

namespace ParamikoJump.Authentication;

/// <summary>
/// Several handlers as one: each round goes to the handlers in order, and the first that answers wins. A handler
/// that cannot answer a round says so with a <see cref="KeyboardInteractiveException"/> (a
/// <see cref="PromptHandler"/> with no matching rule, a <see cref="MagicAuthHandler"/> that ran out); the round then
/// goes to the next one. When none answers, the error names the round, the prompt and why each declined.
/// </summary>
/// <example>
/// <code>
/// var handler = new CompositeAuthHandler(
///     new PromptHandler().On("^Password:", password).On("Verification code", totp),
///     new SimpleAuthHandler());                          // anything else: ask the person at the console
/// </code>
/// </example>
public sealed class CompositeAuthHandler : AsyncKeyboardInteractiveHandler, ILoginOutcomeObserver
{
    private readonly IKeyboardInteractiveHandler[] _handlers;

    /// <summary>Creates the handler.</summary>
    /// <param name="handlers">The handlers, in the order they are asked.</param>
    /// <exception cref="ArgumentException">No handler is given, or one is null.</exception>
    public CompositeAuthHandler(params IKeyboardInteractiveHandler[] handlers)
    {
        if (handlers is null || handlers.Length == 0 || handlers.Any(h => h is null))
        {
            throw new ArgumentException("Give at least one handler, none of them null.", nameof(handlers));
        }

        _handlers = handlers.ToArray();
    }

    /// <summary>The handlers, in the order they are asked.</summary>
    public IReadOnlyList<IKeyboardInteractiveHandler> Handlers => _handlers;

    /// <inheritdoc/>
    public override async ValueTask<IReadOnlyList<string>> RespondAsync(KeyboardInteractiveRound round, CancellationToken cancellationToken)
    {
        if (round is null)
        {
            throw new ArgumentNullException(nameof(round));
        }

        var declined = new List<string>();
        foreach (var handler in _handlers)
        {
            try
            {
                var answers = handler is AsyncKeyboardInteractiveHandler asynchronous
                    ? await asynchronous.RespondAsync(round, cancellationToken).ConfigureAwait(false)
                    : handler.Respond(round);
                if (answers is not null && answers.Count == round.Prompts.Count)
                {
                    return answers;
                }

                declined.Add($"{handler.GetType().Name}: gave {answers?.Count ?? 0} answer(s) to {round.Prompts.Count} prompt(s)");
            }
            catch (KeyboardInteractiveException ex)
            {
                declined.Add($"{handler.GetType().Name}: {ex.Message}");
            }
        }

        var prompt = round.Prompts.Count > 0 ? round.Prompts[0].Text : null;
        throw new KeyboardInteractiveException(
            $"No handler answered round {round.RoundNumber} (prompt '{ServerText.Escape(prompt?.Trim())}'): {string.Join("; ", declined)}",
            round.Hop,
            round.RoundNumber,
            prompt);
    }

    /// <summary>Names the handlers in order.</summary>
    public override string ToString() => $"CompositeAuthHandler ({string.Join(", ", _handlers.Select(h => h.ToString()))})";

    /// <inheritdoc/>
    void ILoginOutcomeObserver.LoginFailed()
    {
        foreach (var observer in _handlers.OfType<ILoginOutcomeObserver>())
        {
            observer.LoginFailed();
        }
    }

    /// <inheritdoc/>
    void ILoginOutcomeObserver.LoginSucceeded()
    {
        foreach (var observer in _handlers.OfType<ILoginOutcomeObserver>())
        {
            observer.LoginSucceeded();
        }
    }
}
