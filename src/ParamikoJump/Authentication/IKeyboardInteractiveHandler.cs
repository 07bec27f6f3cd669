using System.Collections.Generic;

namespace ParamikoJump.Authentication;

/// <summary>
/// Answers keyboard-interactive prompts (passwords, TOTP codes, Duo menus). Called once per round on an
/// SSH.NET worker thread, for every round including those with no prompts.
/// </summary>
/// <remarks>
/// Return exactly one answer per prompt, in order. Throw to abandon the login; the error reaches the caller
/// of <c>Connect</c> as a <see cref="KeyboardInteractiveException"/> naming the round and prompt.
/// A handler given to <c>SshJumpClient</c> adds keyboard-interactive to the methods tried; it does not
/// replace keys or a password.
/// </remarks>
public interface IKeyboardInteractiveHandler
{
    /// <summary>Answers one round.</summary>
    /// <param name="round">The round: hop, instruction and prompts.</param>
    /// <returns>One answer per prompt, in the prompts' order.</returns>
    IReadOnlyList<string> Respond(KeyboardInteractiveRound round);
}
