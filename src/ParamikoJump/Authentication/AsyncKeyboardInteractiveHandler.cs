using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Authentication;

/// <summary>
/// A keyboard-interactive handler that answers asynchronously, e.g. one that waits for a push approval or a UI.
/// Derive from it and implement <see cref="RespondAsync"/>; pass it wherever an
/// <see cref="IKeyboardInteractiveHandler"/> is taken.
/// </summary>
/// <remarks>
/// The token is cancelled when the login budget (<see cref="HopSettings.AuthTimeout"/>) runs out or the token
/// given to <c>ConnectAsync</c> is cancelled. SSH.NET asks for each round on a worker thread of its own and sends
/// the answers when that call returns, so the wait for this task happens on that worker thread, never on the
/// thread that called <c>Connect</c> or <c>ConnectAsync</c>.
/// </remarks>
public abstract class AsyncKeyboardInteractiveHandler : IKeyboardInteractiveHandler
{
    /// <summary>Answers one round.</summary>
    /// <param name="round">The round: hop, instruction and prompts.</param>
    /// <param name="cancellationToken">Cancelled when the login budget runs out or the connect is cancelled.</param>
    /// <returns>One answer per prompt, in the prompts' order.</returns>
    public abstract ValueTask<IReadOnlyList<string>> RespondAsync(KeyboardInteractiveRound round, CancellationToken cancellationToken);

    /// <summary>Answers one round for a caller that can only wait (blocks until <see cref="RespondAsync"/> completes).</summary>
    /// <param name="round">The round.</param>
    /// <returns>One answer per prompt.</returns>
    IReadOnlyList<string> IKeyboardInteractiveHandler.Respond(KeyboardInteractiveRound round) =>
        RespondAsync(round, CancellationToken.None).AsTask().GetAwaiter().GetResult();
}
