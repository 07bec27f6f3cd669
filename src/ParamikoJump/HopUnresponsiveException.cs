using System;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump;

/// <summary>
/// A connected hop stopped answering: <see cref="UnansweredKeepAlives"/> keep-alive requests in a row went without
/// an answer (ssh's "Timeout, server not responding"), so the hop was declared dead and its connection cut. The
/// server, or the link to it, went silent without closing the connection. Hops behind it fail with a
/// <see cref="JumpNotConnectedException"/> whose inner exception is this one. An <see cref="SshConnectionException"/>
/// with <see cref="DisconnectReason.ConnectionLost"/>, as SSH.NET reports a connection that is gone.
/// </summary>
public sealed class HopUnresponsiveException : SshConnectionException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="hop">The hop that went silent.</param>
    /// <param name="keepAliveInterval">The keep-alive interval in force.</param>
    /// <param name="unansweredKeepAlives">How many requests went unanswered.</param>
    /// <param name="innerException">What SSH.NET reported when the connection was cut, if anything.</param>
    public HopUnresponsiveException(HopIdentity? hop, TimeSpan keepAliveInterval, int unansweredKeepAlives, Exception? innerException = null)
        : base(
            HopExceptionText.Describe(
                string.Format(
                    System.Globalization.CultureInfo.InvariantCulture,
                    "No answer to {0} keep-alive request(s) sent every {1:0.###} s: the server or the link to it went silent, so the connection was cut.",
                    unansweredKeepAlives,
                    keepAliveInterval.TotalSeconds),
                hop,
                HopStage.Session),
            DisconnectReason.ConnectionLost,
            innerException)
    {
        Hop = hop;
        KeepAliveInterval = keepAliveInterval;
        UnansweredKeepAlives = unansweredKeepAlives;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage => HopStage.Session;

    /// <summary>The keep-alive interval in force.</summary>
    public TimeSpan KeepAliveInterval { get; }

    /// <summary>How many keep-alive requests in a row went unanswered.</summary>
    public int UnansweredKeepAlives { get; }

    /// <summary>
    /// The error with its causes and stack traces, every control and bidi character shown as an escape: the causes
    /// SSH.NET raised may quote the server's words (a disconnect reason, a version string) unescaped.
    /// </summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());
}
