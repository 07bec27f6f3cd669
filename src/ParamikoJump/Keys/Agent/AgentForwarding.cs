using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// Agent forwarding on one hop's session (ssh's <c>ForwardAgent</c>, paramiko's <c>AgentRequestHandler</c>): each
/// command started with forwarding asks for it (<c>auth-agent-req@openssh.com</c> on its channel, between the
/// channel's opening and its exec request, as ssh sends it), and every <c>auth-agent@openssh.com</c> channel the
/// server then opens (one per connection to <c>$SSH_AUTH_SOCK</c> on the server) is relayed to the local agent, or
/// answered from the application's own keys (<see cref="InMemoryAgent"/>).
/// </summary>
/// <remarks>
/// The request is sent from the session's receive thread as the server confirms the command's channel: this handler is
/// subscribed when the session starts, before any command's channel subscribes its own, so it runs first and the
/// request is on the wire before the command's thread wakes to send exec. Agent channels are accepted only on a
/// session that asked for forwarding; a server that opens one anyway on another session is what OpenSSH refuses too.
/// </remarks>
internal sealed class AgentForwarding : IDisposable
{
    private static readonly TimeSpan AgentConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Channel numbers for the channels this class accepts. SSH.NET numbers its own channels from 0 up per session and
    /// every channel ignores messages not addressed to its number, so numbers from 2^30 up never meet one of SSH.NET's.
    /// </summary>
    private static int s_nextChannel = 1 << 30;

    private readonly Session _session;
    private readonly string? _agentSocket;
    private readonly IReadOnlyList<IPrivateKeySource> _keys;
    private readonly string _hop;
    private readonly ILogger _logger;
    private readonly IDisposable _parsing;
    private readonly object _gate = new();
    private readonly HashSet<uint> _requested = [];
    private readonly List<ForwardedAgentChannel> _channels = [];
    private bool _disposed;

    private AgentForwarding(Session session, string? agentSocket, IReadOnlyList<IPrivateKeySource> keys, string hop, ILogger logger, IDisposable parsing)
    {
        _session = session;
        _agentSocket = agentSocket;
        _keys = keys;
        _hop = hop;
        _logger = logger;
        _parsing = parsing;
        session.ChannelOpenConfirmationReceived += OnChannelConfirmed;
        session.ChannelOpenReceived += OnChannelOpen;
    }

    /// <summary>Starts forwarding on a hop's new session, from <paramref name="keys"/> if any, else the agent at <paramref name="agentSocket"/>; null (with a log line saying why) when it cannot.</summary>
    public static AgentForwarding? Start(Session session, string? agentSocket, IEnumerable<IPrivateKeySource> keys, string hop, ILogger logger)
    {
        var ownKeys = keys.ToList();
        if (ownKeys.Count == 0 && string.IsNullOrEmpty(agentSocket))
        {
            // ssh does the same: with no agent to forward it does not ask the server for one.
            Log.AgentForwardingUnavailable(logger, hop, "no local agent (SSH_AUTH_SOCK is not set, or IdentityAgent is none)");
            return null;
        }

        if (AgentChannelOpens.TryInstall(session) is not { } parsing)
        {
            Log.AgentForwardingUnavailable(logger, hop, $"this SSH.NET ({typeof(Session).Assembly.GetName().Version}) cannot be made to accept agent channels");
            return null;
        }

        Log.AgentForwardingOn(logger, hop, ownKeys.Count > 0 ? $"{ownKeys.Count} key(s) given by the application" : agentSocket!);
        return new AgentForwarding(session, ownKeys.Count > 0 ? null : agentSocket, ownKeys, hop, logger, parsing);
    }

    /// <summary>
    /// The local agent to forward (<see cref="KeyEnvironment.FindAgent"/>); false, logged with every agent tried, when
    /// Windows' agents were searched and none runs. Null in <paramref name="agent"/> with true: there is none to look for.
    /// </summary>
    public static bool TryFindLocalAgent(KeyEnvironment environment, string hop, ILogger logger, out string? agent)
    {
        try
        {
            agent = environment.FindAgent(logger, hop);
            return true;
        }
        catch (AgentUnavailableException ex)
        {
            Log.AgentForwardingUnavailable(logger, hop, ex.Message);
            agent = null;
            return false;
        }
    }

    /// <summary>Asks for forwarding on <paramref name="command"/>'s channel, which must not be open yet.</summary>
    /// <returns>False when the channel's number cannot be read (see <see cref="CommandChannel"/>).</returns>
    public bool RequestFor(SshCommand command)
    {
        if (CommandChannel.TryGetLocalChannelNumber(command) is not { } channel)
        {
            return false;
        }

        lock (_gate)
        {
            _requested.Add(channel);
        }

        // Stopping a remote forward disables channel opens on the session: enable them again for this command.
        AgentChannelOpens.Enable(_session);
        return true;
    }

    /// <summary>A command that never opened its channel no longer waits for a request.</summary>
    public void Forget(SshCommand command)
    {
        if (CommandChannel.TryGetLocalChannelNumber(command) is { } channel)
        {
            lock (_gate)
            {
                _requested.Remove(channel);
            }
        }
    }

    public void Dispose()
    {
        ForwardedAgentChannel[] channels;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            channels = _channels.ToArray();
            _channels.Clear();
        }

        _session.ChannelOpenConfirmationReceived -= OnChannelConfirmed;
        _session.ChannelOpenReceived -= OnChannelOpen;
        _parsing.Dispose();
        foreach (var channel in channels)
        {
            channel.Dispose();
        }
    }

    private void OnChannelConfirmed(object? sender, MessageEventArgs<ChannelOpenConfirmationMessage> e)
    {
        lock (_gate)
        {
            if (!_requested.Remove(e.Message.LocalChannelNumber))
            {
                return;
            }
        }

        SessionAccess.TrySend(_session, AgentChannelOpens.AgentRequest(e.Message.RemoteChannelNumber));
    }

    private void OnChannelOpen(object? sender, MessageEventArgs<ChannelOpenMessage> e)
    {
        if (e.Message is not AgentChannelOpens.AgentAwareChannelOpenMessage { IsAgent: true } open)
        {
            return;
        }

        System.IO.Stream agent;
        try
        {
            agent = _agentSocket is null ? new InMemoryAgent(_keys) : AgentSocket.Connect(_agentSocket, AgentConnectTimeout);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or System.IO.IOException or UnauthorizedAccessException or ArgumentException)
        {
            Log.AgentChannelRefused(_logger, _hop, $"the local agent at {_agentSocket} did not answer ({ex.Message})");
            SessionAccess.TrySend(_session, new ChannelOpenFailureMessage(open.ServerChannel, "agent unavailable", 2));
            return;
        }

        var local = unchecked((uint)Interlocked.Increment(ref s_nextChannel));
        var channel = new ForwardedAgentChannel(_session, agent, local, open.ServerChannel, open.ServerWindow, open.ServerMaximumPacket, Forget);
        lock (_gate)
        {
            if (_disposed)
            {
                channel.Dispose();
                return;
            }

            _channels.Add(channel);
        }

        Log.AgentChannelOpened(_logger, _hop, open.ServerChannel);
        channel.Start();
    }

    private void Forget(ForwardedAgentChannel channel)
    {
        lock (_gate)
        {
            _channels.Remove(channel);
        }
    }
}
