using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ParamikoJump.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.Authentication;

/// <summary>
/// Keyboard-interactive authentication that hands every round, including rounds with no prompts, to an
/// <see cref="IKeyboardInteractiveHandler"/> (awaiting an <see cref="AsyncKeyboardInteractiveHandler"/>), caps the
/// number of rounds, and checks the answers before anything is sent.
/// </summary>
internal sealed class TrackedKeyboardInteractiveMethod : KeyboardInteractiveAuthenticationMethod
{
    private readonly IKeyboardInteractiveHandler _handler;
    private readonly AuthenticationTracker _tracker;
    private int _round;

    public TrackedKeyboardInteractiveMethod(string username, IKeyboardInteractiveHandler handler, AuthenticationTracker tracker)
        : base(username)
    {
        _handler = handler;
        _tracker = tracker;
        AuthenticationPrompt += (_, e) => AnswerRound(e);
    }

    /// <summary>The handler, which may also want the login banner.</summary>
    public IKeyboardInteractiveHandler Handler => _handler;

    public override AuthenticationResult Authenticate(Session session)
    {
        Interlocked.Exchange(ref _round, 0);
        var result = _tracker.Run(this, () => base.Authenticate(session));

        // A handler of ours learns whether the answers it gave worked (a refused TOTP code is not given out again).
        if (_handler is ILoginOutcomeObserver observer && Volatile.Read(ref _round) > 0)
        {
            if (result == AuthenticationResult.Failure)
            {
                observer.LoginFailed();
            }
            else
            {
                observer.LoginSucceeded();
            }
        }

        return result;
    }

    /// <summary>Asks the handler for one round's answers and puts them on the prompts (on SSH.NET's worker thread).</summary>
    internal void AnswerRound(AuthenticationPromptEventArgs e)
    {
        var hop = _tracker.Hop;
        var roundNumber = Interlocked.Increment(ref _round);
        var prompts = e.Prompts.OrderBy(p => p.Id).ToList();
        if (roundNumber > _tracker.MaxRounds)
        {
            throw new KeyboardInteractiveException(
                $"The server asked more than {_tracker.MaxRounds} keyboard-interactive rounds in one login; giving up (HopSettings.MaxKeyboardInteractiveRounds).",
                hop,
                roundNumber,
                prompts.FirstOrDefault()?.Request);
        }

        var round = new KeyboardInteractiveRound(
            hop,
            roundNumber,
            e.Instruction,
            e.Language,
            prompts.Select((p, i) => new KeyboardInteractivePrompt(i, p.Request, p.IsEchoed)).ToList());
        Log.AuthRound(_tracker.Logger, hop.ToString(), roundNumber, prompts.Count, string.Join(" | ", prompts.Select(p => ServerText.Escape(p.Request.Trim()))));

        IReadOnlyList<string>? answers;
        try
        {
            answers = _handler is AsyncKeyboardInteractiveHandler asynchronous
                ? asynchronous.RespondAsync(round, _tracker.LoginToken).AsTask().GetAwaiter().GetResult()
                : _handler.Respond(round);
        }
        catch (Exception ex) when (ex is KeyboardInteractiveException or OperationCanceledException)
        {
            // Ours already names the round; a cancellation is the login budget or the caller's, told by the hop.
            throw;
        }
        catch (Exception ex)
        {
            throw new KeyboardInteractiveException(
                $"The keyboard-interactive handler {_handler.GetType().Name} failed in round {roundNumber}{DescribePrompt(prompts)}: {ServerText.Escape(ex.Message)}",
                hop,
                roundNumber,
                prompts.FirstOrDefault()?.Request,
                ex);
        }

        if (answers is null || answers.Count != prompts.Count)
        {
            throw new KeyboardInteractiveException(
                $"The keyboard-interactive handler {_handler.GetType().Name} gave {answers?.Count ?? 0} answer(s) to the {prompts.Count} prompt(s) of round {roundNumber}{DescribePrompt(prompts)}.",
                hop,
                roundNumber,
                prompts.FirstOrDefault()?.Request);
        }

        for (var i = 0; i < prompts.Count; i++)
        {
            prompts[i].Response = answers[i] ?? throw new KeyboardInteractiveException(
                $"The keyboard-interactive handler {_handler.GetType().Name} answered prompt '{ServerText.Escape(prompts[i].Request.Trim())}' of round {roundNumber} with null.",
                hop,
                roundNumber,
                prompts[i].Request);
        }
    }

    private static string DescribePrompt(List<AuthenticationPrompt> prompts) =>
        prompts.Count == 0 ? " (no prompts)" : $" (prompt '{ServerText.Escape(prompts[0].Request.Trim())}')";
}
