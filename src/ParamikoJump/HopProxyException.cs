using System;
using Renci.SshNet.Common;

namespace ParamikoJump;

/// <summary>
/// The proxy of a <c>ConnectionInfo</c> (SOCKS or HTTP) refused or failed the connection to a hop. A
/// <see cref="ProxyException"/>, as SSH.NET raises for the same failure, whose message begins with SSH.NET's.
/// </summary>
public sealed class HopProxyException : ProxyException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What failed; the message of SSH.NET's <paramref name="innerException"/> is put in front of it.</param>
    /// <param name="hop">The hop that could not be reached.</param>
    /// <param name="stage">The stage it had reached.</param>
    /// <param name="innerException">What SSH.NET raised.</param>
    public HopProxyException(string message, HopIdentity? hop, HopStage stage, Exception? innerException = null)
        : base(HopExceptionText.DescribeAfterSshNet(message, hop, stage, innerException), innerException)
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
