using System;
using Renci.SshNet.Common;

namespace ParamikoJump;

/// <summary>
/// The base of ParamikoJump's errors that SSH.NET has no narrower type for (a key file that cannot be used, a command
/// whose unread output ran past its limit, ssh_config that cannot be followed, a call before <c>Connect()</c> ...).
/// It is an <see cref="SshException"/>, as every ParamikoJump error is, and says which hop failed (<see cref="Hop"/>,
/// which names the jump it went through) and at which <see cref="Stage"/>. Messages never contain passwords,
/// passphrases or answers to prompts.
/// </summary>
/// <remarks>
/// Errors that SSH.NET raises too derive from SSH.NET's type instead (<see cref="HopAuthenticationException"/>,
/// <see cref="HopConnectionException"/>, <see cref="HopTimeoutException"/>, ...), so they are not
/// <see cref="ParamikoJumpException"/>s: every ParamikoJump error implements <see cref="IHopFailure"/>; catch
/// <c>SshException ex when ex is IHopFailure</c> to catch them all.
/// </remarks>
public class ParamikoJumpException : SshException, IHopFailure
{
    /// <summary>Creates an error for a hop and stage.</summary>
    public ParamikoJumpException(string message, HopIdentity? hop, HopStage stage, Exception? innerException = null)
        : base(HopExceptionText.Describe(message, hop, stage), innerException)
    {
        Hop = hop;
        Stage = stage;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());
}
