using System.Collections.Generic;

namespace ParamikoJump.Authentication;

/// <summary>
/// What paramiko does when a password is given but the server only offers keyboard-interactive: answer a lone
/// hidden prompt with the password. Anything more elaborate needs a real handler, and the error says so.
/// </summary>
internal sealed class PasswordPromptHandler : IKeyboardInteractiveHandler
{
    private readonly string _password;

    public PasswordPromptHandler(string password)
    {
        _password = password;
    }

    public IReadOnlyList<string> Respond(KeyboardInteractiveRound round)
    {
        if (round.Prompts.Count == 0)
        {
            return [];
        }

        if (round.Prompts.Count == 1 && !round.Prompts[0].IsEchoed && round.RoundNumber == 1)
        {
            return [_password];
        }

        throw new KeyboardInteractiveException(
            $"The server asked more than a password (round {round.RoundNumber}, prompt '{ServerText.Escape(round.Prompts[0].Text.Trim())}'); pass an authHandler such as MagicAuthHandler or SimpleAuthHandler to answer it.",
            round.Hop,
            round.RoundNumber,
            round.Prompts[0].Text);
    }

    public override string ToString() => nameof(PasswordPromptHandler);
}
