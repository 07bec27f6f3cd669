using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using ParamikoJump.Authentication;
using ParamikoJump.HostKeys;
using ParamikoJump.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.Hops;

/// <summary>
/// What was known about a hop when it failed: the host key refusal of this attempt (SSH.NET reports it only as a
/// failed key exchange), the stage budget the watchdog saw run out, and whether this hop or its jump went silent.
/// </summary>
internal sealed record FailureContext(
    HopIdentity Hop,
    HopStage Stage,
    JumpTunnel? Tunnel,
    AuthenticationTracker Tracker,
    HopTimeouts Timeouts,
    HostKeyRejectedException? HostKeyRejection = null,
    (HopStage Stage, TimeSpan Budget)? TimedOut = null,
    HopUnresponsiveException? Unresponsive = null,
    HopUnresponsiveException? JumpUnresponsive = null,
    TimeSpan? CommandTimeout = null);

/// <summary>
/// Turns what SSH.NET threw into an error that says which hop, which jump and which stage failed, and why. Every
/// text that came from a server (SSH.NET's messages carry disconnect reasons) is escaped here.
/// </summary>
internal static class FailureTranslator
{
    /// <summary>An <see cref="SshException"/> that is also an <see cref="IHopFailure"/>, of the SSH.NET type the same failure raises on a plain client.</summary>
    public static SshException Translate(Exception error, FailureContext context)
    {
        if (error is SshException and IHopFailure)
        {
            return (SshException)error;
        }

        if (context.HostKeyRejection is { } rejection)
        {
            return rejection;
        }

        var hop = context.Hop;
        if (context.Unresponsive is { } silent)
        {
            return silent;
        }

        if (context.TimedOut is { } timedOut)
        {
            return timedOut.Stage == HopStage.ChannelOpen
                ? new HopTimeoutException($"The jump {hop.Jump} did not bring up {hop.Endpoint} within {Seconds(timedOut.Budget)} s (no SSH banner arrived).", hop, HopStage.ChannelOpen, timedOut.Budget, error)
                : new HopTimeoutException($"Timed out during {Describe(timedOut.Stage)} after {Seconds(timedOut.Budget)} s.", hop, timedOut.Stage, timedOut.Budget, error);
        }

        if (HopAlgorithms.Translate(error, hop, context.Tracker.ConnectionInfo) is { } noCommonAlgorithm)
        {
            return noCommonAlgorithm;
        }

        var stage = context.Stage;
        if (context.Tunnel is { } tunnel && (tunnel.IsJumpLost || context.JumpUnresponsive is not null))
        {
            return JumpLost(hop, stage, context.JumpUnresponsive, error);
        }

        if (context.Tunnel is { } jumped && stage <= HopStage.ChannelOpen)
        {
            return BeforeBanner(error, context, jumped);
        }

        return error switch
        {
            SshOperationTimeoutException or TimeoutException when stage == HopStage.Session && context.CommandTimeout is { } limit => new HopTimeoutException(
                $"The command ran past its timeout of {Seconds(limit)} s and was cancelled.", hop, stage, limit, error),
            SshOperationTimeoutException or TimeoutException => new HopTimeoutException(
                $"Timed out during {Describe(stage)} after {Seconds(context.Timeouts.Of(stage, context.Tunnel is not null))} s.", hop, stage, context.Timeouts.Of(stage, context.Tunnel is not null), error),
            SshAuthenticationException => Authentication(error, context),
            ProxyException => new HopProxyException($"The proxy did not connect to {hop.Endpoint}.", hop, stage, error),
            SocketException socket when stage == HopStage.TcpConnect => new HopConnectionException(
                $"Could not open a TCP connection to {hop.Endpoint}: {socket.Message} ({socket.SocketErrorCode}).", hop, HopStage.TcpConnect, error),
            SshException => new HopConnectionException($"Failed during {Describe(stage)}.", hop, stage, error),
            _ => new HopConnectionException($"Failed during {Describe(stage)}: {ServerText.Escape(error.Message)}", hop, stage, error),
        };
    }

    /// <summary>The error of a hop whose jump was lost, naming the jump, and the hop that went silent if that is why.</summary>
    public static JumpNotConnectedException JumpLost(HopIdentity hop, HopStage stage, HopUnresponsiveException? jumpSilent, Exception? error) =>
        jumpSilent is { } silent
            ? new JumpNotConnectedException($"The jump {hop.Jump} was lost: {silent.Hop} stopped answering ({silent.UnansweredKeepAlives} keep-alives unanswered).", hop, stage, silent)
            : new JumpNotConnectedException(
                stage <= HopStage.ChannelOpen
                    ? $"The jump {hop.Jump} was disconnected while opening a channel to {hop.Endpoint}."
                    : $"The jump {hop.Jump} was lost during {Describe(stage)}; connect the jump again, then this hop.",
                hop,
                stage,
                error);

    private static SshException BeforeBanner(Exception error, FailureContext context, JumpTunnel tunnel)
    {
        var hop = context.Hop;
        var refusals = tunnel.FailuresThisAttempt;
        if (refusals.Count > 0)
        {
            var refusal = refusals[refusals.Count - 1];
            return new JumpChannelException(
                $"The jump {hop.Jump} refused to open a channel to {hop.Endpoint}: {ServerText.Escape(refusal.ToString())}.", hop, refusal.Description, refusal.ReasonCode, error);
        }

        if (tunnel.SlotTaken)
        {
            return new HopConnectionException(
                $"Another local connection took this hop's forward on 127.0.0.1:{tunnel.LocalPort} before the hop's own session did; the forward serves one connection only, so the hop refuses to share it. Connect again.",
                hop,
                HopStage.ChannelOpen,
                error);
        }

        if (error is SshOperationTimeoutException or TimeoutException)
        {
            var budget = context.Timeouts.BeforeBanner(throughJump: true);
            return new HopTimeoutException(
                $"The jump {hop.Jump} did not bring up {hop.Endpoint} within {Seconds(budget)} s (no SSH banner arrived).", hop, HopStage.ChannelOpen, budget, error);
        }

        // The jump opened the channel (it reports a refusal before it closes one), so the server itself hung up.
        return new HopConnectionException(
            $"The server at {hop.Endpoint} closed the connection before sending its SSH banner (the jump {hop.Jump} reached it). A burst of connections may have hit its MaxStartups limit, or it refuses this client.",
            hop,
            HopStage.ChannelOpen,
            error);
    }

    private static HopAuthenticationException Authentication(Exception error, FailureContext context)
    {
        var tried = context.Tracker.TriedMethods;
        var allowed = context.Tracker.AllowedMethods;
        if (allowed.Count == 0)
        {
            allowed = AuthenticationFailureText.AllowedMethods(error.Message);
        }

        var triedText = tried.Count > 0 ? string.Join(", ", tried.Distinct()) : Offered(context.Tracker.ConnectionInfo);
        var allowedText = allowed.Count == 0 ? "nothing more" : ServerText.Escape(string.Join(", ", allowed));
        return new HopAuthenticationException(
            $"Authentication failed. Tried: {triedText}; the server still allows: {allowedText}.",
            context.Hop,
            tried,
            allowed,
            error);
    }

    /// <summary>A ConnectionInfo's own methods run untracked (they are SSH.NET's, unchanged): name what it offered.</summary>
    private static string Offered(Renci.SshNet.ConnectionInfo? info) =>
        info?.AuthenticationMethods is { Count: > 0 } methods
            ? $"the ConnectionInfo's methods ({string.Join(", ", methods.Select(method => method.Name).Distinct())})"
            : "no method the server accepts";

    private static string Seconds(TimeSpan budget) => budget.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private static string Describe(HopStage stage) => stage switch
    {
        HopStage.Setup => "setup",
        HopStage.TcpConnect => "the TCP connection and SSH banner",
        HopStage.ChannelOpen => "the channel open on the jump",
        HopStage.KeyExchange => "the key exchange",
        HopStage.HostKeyVerification => "host key verification",
        HopStage.Authentication => "authentication",
        _ => "the session",
    };
}
