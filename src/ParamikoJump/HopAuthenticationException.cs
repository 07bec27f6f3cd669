using System;
using System.Collections.Generic;
using Renci.SshNet.Common;

namespace ParamikoJump;

/// <summary>
/// The server refused the login. An <see cref="SshAuthenticationException"/>, as SSH.NET raises for the same failure,
/// whose message begins with SSH.NET's (<c>Permission denied (password).</c>, <c>No suitable authentication method
/// found to complete authentication (...).</c>, <c>Reached authentication attempt limit for method (...).</c>), then
/// says which methods were tried and which the server still allowed, so a missing key or a wrong password can be told
/// apart from a server that wants another method.
/// </summary>
public sealed class HopAuthenticationException : SshAuthenticationException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What failed; the message of an SSH.NET <paramref name="innerException"/> is put in front of it.</param>
    /// <param name="hop">The hop that refused the login.</param>
    /// <param name="triedMethods">The methods tried, in order.</param>
    /// <param name="allowedMethods">The methods the server still allowed.</param>
    /// <param name="innerException">What SSH.NET raised.</param>
    public HopAuthenticationException(
        string message,
        HopIdentity? hop,
        IReadOnlyList<string> triedMethods,
        IReadOnlyList<string> allowedMethods,
        Exception? innerException = null)
        : base(HopExceptionText.DescribeAfterSshNet(message, hop, HopStage.Authentication, innerException), innerException)
    {
        Hop = hop;
        TriedMethods = triedMethods;
        AllowedMethods = allowedMethods;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage => HopStage.Authentication;

    /// <summary>The methods the client tried, in order (e.g. <c>publickey</c>, <c>keyboard-interactive</c>).</summary>
    public IReadOnlyList<string> TriedMethods { get; }

    /// <summary>The methods the server said could still continue, as of its last answer.</summary>
    public IReadOnlyList<string> AllowedMethods { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());
}
