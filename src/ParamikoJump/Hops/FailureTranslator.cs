using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ParamikoJump.Authentication;
using ParamikoJump.Hops;
using Renci.SshNet.Common;

namespace ParamikoJump.Hops;

/// <summary>
/// What was known about a hop when it failed, including the host key refusal of this attempt, which SSH.NET
/// reports only as a failed key exchange.
/// </summary>
internal sealed record FailureContext(HopIdentity Hop, HopStage Stage, JumpTunnel? Tunnel, AuthenticationTracker Tracker, HopTimeouts Timeouts, HostKeyRejectedException? HostKeyRejection = null);

/// <summary>
/// Turns what SSH.NET threw into an error that says which hop, which jump and which stage failed, and why.
/// </summary>
internal static class FailureTranslator
{
    private static readonly Regex AllowedInMessage = new(@"\(([a-z0-9@.\-]+(?:,[a-z0-9@.\-]+)*)\)\.?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static ParamikoJumpException Translate(Exception error, FailureContext context)
    {
        if (error is ParamikoJumpException ours)
        {
            return ours;
        }

        if (context.HostKeyRejection is { } rejection)
        {
            return rejection;
        }

        var hop = context.Hop;
        var stage = context.Stage;
        if (context.Tunnel is { } tunnel && stage <= HopStage.ChannelOpen)
        {
            return ThroughJump(error, context, tunnel);
        }

        return error switch
        {
            SshOperationTimeoutException or TimeoutException => new HopTimeoutException(
                $"Timed out during {Describe(stage)} after {BudgetOf(context).TotalSeconds:0.#} s.", hop, stage, BudgetOf(context), error),
            SshAuthenticationException => Authentication(error, context),
            SocketException socket when stage == HopStage.TcpConnect => new HopConnectionException(
                $"Could not open a TCP connection to {hop.Endpoint}: {socket.Message} ({socket.SocketErrorCode}).", hop, HopStage.TcpConnect, error),
            _ when context.Tunnel is { JumpLost: true } => new JumpNotConnectedException(
                $"The jump {hop.Jump} was disconnected during {Describe(stage)}: {error.Message}", hop, stage, error),
            _ => new HopConnectionException($"Failed during {Describe(stage)}: {error.Message}", hop, stage, error),
        };
    }

    private static ParamikoJumpException ThroughJump(Exception error, FailureContext context, JumpTunnel tunnel)
    {
        var hop = context.Hop;
        if (tunnel.JumpLost)
        {
            return new JumpNotConnectedException($"The jump {hop.Jump} was disconnected while opening a channel to {hop.Endpoint}.", hop, HopStage.ChannelOpen, error);
        }

        if (error is SshOperationTimeoutException or TimeoutException or HopTimeoutException)
        {
            var budget = context.Timeouts.BeforeBanner(throughJump: true);
            return new HopTimeoutException(
                $"The jump {hop.Jump} did not bring up {hop.Endpoint} within {budget.TotalSeconds:0.#} s (no SSH banner arrived).", hop, HopStage.ChannelOpen, budget, error);
        }

        var refusals = tunnel.FailuresThisAttempt;
        if (refusals.Count > 0)
        {
            var refusal = refusals[refusals.Count - 1];
            return new JumpChannelException(
                $"The jump {hop.Jump} refused to open a channel to {hop.Endpoint}: {refusal}.", hop, refusal.Description, refusal.ReasonCode, error);
        }

        return new JumpChannelException(
            $"The jump {hop.Jump} closed the channel to {hop.Endpoint} before an SSH banner arrived: the jump cannot reach {hop.Endpoint}, forbids forwarding, or cannot resolve '{hop.Host}'.",
            hop,
            null,
            null,
            error);
    }

    private static HopAuthenticationException Authentication(Exception error, FailureContext context)
    {
        var tried = context.Tracker.TriedMethods;
        IReadOnlyList<string> allowed = context.Tracker.AllowedMethods;
        if (allowed.Count == 0 && AllowedInMessage.Match(error.Message) is { Success: true } match)
        {
            allowed = match.Groups[1].Value.Split(',');
        }

        var triedText = tried.Count == 0 ? "no method the server accepts" : string.Join(", ", tried.Distinct());
        var allowedText = allowed.Count == 0 ? "nothing more" : string.Join(", ", allowed);
        return new HopAuthenticationException(
            $"Authentication failed ({error.Message.TrimEnd('.')}). Tried: {triedText}; the server still allows: {allowedText}.",
            context.Hop,
            tried,
            allowed,
            error);
    }

    private static TimeSpan BudgetOf(FailureContext context) => context.Stage switch
    {
        HopStage.Authentication => context.Timeouts.Auth,
        HopStage.Session => context.Timeouts.Channel,
        HopStage.KeyExchange or HopStage.HostKeyVerification => context.Timeouts.Connect,
        _ => context.Timeouts.BeforeBanner(context.Tunnel is not null),
    };

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
