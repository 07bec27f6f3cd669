using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// One <c>auth-agent@openssh.com</c> channel the server opened, relayed byte for byte to a connection to the local
/// agent. Agent messages are small (a list of keys, a signature), so the server's data is written to the agent on the
/// session's receive thread, as SSH.NET writes a forward's data, and the agent's answers are sent from a read loop
/// that honours the server's window.
/// </summary>
internal sealed class ForwardedAgentChannel : IDisposable
{
    private const uint LocalWindow = 256 * 1024;
    private const uint LocalMaximumPacket = 32 * 1024;

    private readonly Session _session;
    private readonly Stream _agent;
    private readonly uint _local;
    private readonly uint _server;
    private readonly uint _serverMaximumPacket;
    private readonly Action<ForwardedAgentChannel> _closed;
    private readonly SemaphoreSlim _windowOpened = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _sending = new();
    private long _serverWindow;
    private uint _consumed;
    private bool _closeSent;
    private int _disposed;

    public ForwardedAgentChannel(Session session, Stream agent, uint local, uint server, uint serverWindow, uint serverMaximumPacket, Action<ForwardedAgentChannel> closed)
    {
        _session = session;
        _agent = agent;
        _local = local;
        _server = server;
        _serverWindow = serverWindow;
        _serverMaximumPacket = Math.Max(1, Math.Min(serverMaximumPacket, LocalMaximumPacket));
        _closed = closed;
    }

    /// <summary>Confirms the channel to the server and starts relaying.</summary>
    public void Start()
    {
        _session.ChannelDataReceived += OnData;
        _session.ChannelEofReceived += OnEof;
        _session.ChannelCloseReceived += OnClose;
        _session.ChannelWindowAdjustReceived += OnWindowAdjust;
        if (!SessionAccess.TrySend(_session, new ChannelOpenConfirmationMessage(_server, LocalWindow, LocalMaximumPacket, _local)))
        {
            Dispose();
            return;
        }

        _ = Task.Run(RelayAgentAnswersAsync);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _session.ChannelDataReceived -= OnData;
        _session.ChannelEofReceived -= OnEof;
        _session.ChannelCloseReceived -= OnClose;
        _session.ChannelWindowAdjustReceived -= OnWindowAdjust;
        _stop.Cancel();
        _agent.Dispose();
        _closed(this);
    }

    private async Task RelayAgentAnswersAsync()
    {
        var buffer = new byte[LocalMaximumPacket];
        try
        {
            while (true)
            {
#if NET8_0_OR_GREATER
                var read = await _agent.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
#else
                var read = await _agent.ReadAsync(buffer, 0, buffer.Length, _stop.Token).ConfigureAwait(false);
#endif
                if (read == 0)
                {
                    break;
                }

                var sent = 0;
                while (sent < read)
                {
                    var chunk = (int)Math.Min(read - sent, _serverMaximumPacket);
                    while (Interlocked.Read(ref _serverWindow) <= 0)
                    {
                        await _windowOpened.WaitAsync(_stop.Token).ConfigureAwait(false);
                    }

                    chunk = (int)Math.Min(chunk, Interlocked.Read(ref _serverWindow));
                    var data = new byte[chunk];
                    Buffer.BlockCopy(buffer, sent, data, 0, chunk);
                    Interlocked.Add(ref _serverWindow, -chunk);
                    if (!SendUnlessClosed(new ChannelDataMessage(_server, data)))
                    {
                        return;
                    }

                    sent += chunk;
                }
            }

            // The agent hung up: end the channel as ssh does (nothing may follow a close, so not after one).
            if (SendUnlessClosed(new ChannelEofMessage(_server)))
            {
                SendClose();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            SendClose();
        }
    }

    private void OnData(object? sender, MessageEventArgs<ChannelDataMessage> e)
    {
        if (e.Message.LocalChannelNumber != _local)
        {
            return;
        }

        try
        {
            _agent.Write(e.Message.Data, e.Message.Offset, e.Message.Size);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            SendClose();
            return;
        }

        _consumed += (uint)e.Message.Size;
        if (_consumed >= LocalWindow / 2)
        {
            SendUnlessClosed(new ChannelWindowAdjustMessage(_server, _consumed));
            _consumed = 0;
        }
    }

    private void OnEof(object? sender, MessageEventArgs<ChannelEofMessage> e)
    {
        if (e.Message.LocalChannelNumber == _local)
        {
            // Nothing more will be asked: the agent's answers in flight still go out, then the agent's hang-up closes.
            SendClose();
        }
    }

    private void OnClose(object? sender, MessageEventArgs<ChannelCloseMessage> e)
    {
        if (e.Message.LocalChannelNumber == _local)
        {
            SendClose();
            Dispose();
        }
    }

    private void OnWindowAdjust(object? sender, MessageEventArgs<ChannelWindowAdjustMessage> e)
    {
        if (e.Message.LocalChannelNumber == _local)
        {
            Interlocked.Add(ref _serverWindow, e.Message.BytesToAdd);
            _windowOpened.Release();
        }
    }

    private void SendClose()
    {
        lock (_sending)
        {
            if (!_closeSent)
            {
                _closeSent = true;
                SessionAccess.TrySend(_session, new ChannelCloseMessage(_server));
            }
        }
    }

    /// <summary>Sends on the channel unless it was closed (a message after CLOSE is a protocol error OpenSSH disconnects for).</summary>
    private bool SendUnlessClosed(Renci.SshNet.Messages.Message message)
    {
        lock (_sending)
        {
            return !_closeSent && Volatile.Read(ref _disposed) == 0 && SessionAccess.TrySend(_session, message);
        }
    }
}
