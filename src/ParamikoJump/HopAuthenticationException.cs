using System;
using System.Collections.Generic;

namespace ParamikoJump;

/// <summary>
/// The server refused the login. Says which methods were tried and which the server still allowed, so a
/// missing key or a wrong password can be told apart from a server that wants another method.
/// </summary>
public sealed class HopAuthenticationException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    public HopAuthenticationException(
        string message,
        HopIdentity? hop,
        IReadOnlyList<string> triedMethods,
        IReadOnlyList<string> allowedMethods,
        Exception? innerException = null)
        : base(message, hop, HopStage.Authentication, innerException)
    {
        TriedMethods = triedMethods;
        AllowedMethods = allowedMethods;
    }

    /// <summary>The methods the client tried, in order (e.g. <c>publickey</c>, <c>keyboard-interactive</c>).</summary>
    public IReadOnlyList<string> TriedMethods { get; }

    /// <summary>The methods the server said could still continue, as of its last answer.</summary>
    public IReadOnlyList<string> AllowedMethods { get; }
}
