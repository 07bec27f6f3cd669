using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Hops;

/// <summary>
/// One hop's way through its jump: a local forwarded port on the jump client, bound to 127.0.0.1 only, that
/// the hop's own SSH session dials. It watches the jump's session so that a refused channel or a lost jump can
/// be reported with the jump's own words instead of SSH.NET's "no identification string".
/// </summary>
internal sealed class JumpTunnel : IDisposable
{
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(1);

    private readonly SshClient _jump;
    private readonly HopIdentity _hop;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly List<ChannelOpenFailure> _failuresThisAttempt = [];
    private HopForward _forward;
    private Session? _watchedSession;
    private bool _jumpLost;
    private bool _pinsPoolThread;
    private bool _disposed;

    private JumpTunnel(SshClient jump, HopIdentity hop, ILogger logger, HopForward forward)
    {
        _jump = jump;
        _hop = hop;
        _logger = logger;
        _forward = forward;
    }

    /// <summary>The loopback port the hop's session dials.</summary>
    public int LocalPort { get; private set; }

    /// <summary>The jump client this tunnel goes through.</summary>
    public SshClient Jump => _jump;

    /// <summary>Opens the tunnel; the jump must be connected.</summary>
    public static JumpTunnel Open(SshClient jump, HopIdentity hop, ILogger logger)
    {
        EnsureJumpUsable(jump, hop);
        var tunnel = new JumpTunnel(jump, hop, logger, new HopForward(0, hop.Host, (uint)hop.Port));
        try
        {
            tunnel.StartForward();
        }
        catch
        {
            tunnel.Dispose();
            throw;
        }

        return tunnel;
    }

    /// <summary>
    /// Called before each connect attempt: the jump must still be connected, and the forward is rebuilt on the
    /// same loopback port if the jump reconnected (SSH.NET stops every forward of a client that disconnects).
    /// </summary>
    public void PrepareAttempt()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _failuresThisAttempt.Clear();
        }

        EnsureJumpUsable(_jump, _hop);
        if (!_forward.IsStarted || !ReferenceEquals(_watchedSession, SessionAccess.TryGetSession(_jump)))
        {
            var port = (uint)LocalPort;
            RemoveForward();
            _forward = new HopForward(port, _hop.Host, (uint)_hop.Port);
            StartForward();
        }
    }

    /// <summary>Whether the jump disconnected or failed since the tunnel was opened.</summary>
    public bool JumpLost
    {
        get
        {
            lock (_gate)
            {
                return _jumpLost || !_jump.IsConnected;
            }
        }
    }

    /// <summary>The channel refusals the jump reported since <see cref="PrepareAttempt"/>.</summary>
    public IReadOnlyList<ChannelOpenFailure> FailuresThisAttempt
    {
        get
        {
            lock (_gate)
            {
                return _failuresThisAttempt.ToArray();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        RemoveForward();
        Log.TunnelClosed(_logger, _hop.ToString(), LocalPort);
    }

    internal static void EnsureJumpUsable(SshClient jump, HopIdentity hop)
    {
        bool connected;
        try
        {
            connected = jump.IsConnected;
        }
        catch (ObjectDisposedException ex)
        {
            throw new JumpNotConnectedException($"The jump {hop.Jump} has been disposed; connect a new jump client first.", hop, ex);
        }

        if (!connected)
        {
            throw new JumpNotConnectedException($"The jump {hop.Jump} is not connected; call Connect() on it before using it as a jump.", hop);
        }
    }

    private void StartForward()
    {
        _forward.RequestReceived += OnForwardRequest;
        _forward.Exception += OnForwardException;
        try
        {
            _jump.AddForwardedPort(_forward);
            _forward.Start();
        }
        catch (Exception ex) when (ex is SshException or InvalidOperationException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            throw new JumpNotConnectedException($"The jump {_hop.Jump} could not open a local forward: {ex.Message}", _hop, ex);
        }

        LocalPort = checked((int)_forward.BoundPort);
        PinnedPoolThreads.Add();
        _pinsPoolThread = true;
        WatchJumpSession();
        Log.TunnelOpened(_logger, _hop.ToString(), LocalPort);
    }

    private void RemoveForward()
    {
        var forward = _forward;
        if (_pinsPoolThread)
        {
            _pinsPoolThread = false;
            PinnedPoolThreads.Remove();
        }

        forward.RequestReceived -= OnForwardRequest;
        forward.Exception -= OnForwardException;
        UnwatchJumpSession();
        try
        {
            forward.StopWithin(StopBudget);
            _jump.RemoveForwardedPort(forward);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or SshException)
        {
            // The jump is already gone; its forwards went with it.
        }

        forward.Dispose();
    }

    private void WatchJumpSession()
    {
        var session = SessionAccess.TryGetSession(_jump);
        lock (_gate)
        {
            _watchedSession = session;
            _jumpLost = false;
        }

        if (session is not null)
        {
            session.ChannelOpenFailureReceived += OnChannelOpenFailure;
            session.Disconnected += OnJumpDisconnected;
            session.ErrorOccured += OnJumpError;
        }
    }

    private void UnwatchJumpSession()
    {
        Session? session;
        lock (_gate)
        {
            session = _watchedSession;
            _watchedSession = null;
        }

        if (session is not null)
        {
            session.ChannelOpenFailureReceived -= OnChannelOpenFailure;
            session.Disconnected -= OnJumpDisconnected;
            session.ErrorOccured -= OnJumpError;
        }
    }

    private void OnChannelOpenFailure(object? sender, MessageEventArgs<ChannelOpenFailureMessage> e)
    {
        var failure = new ChannelOpenFailure(e.Message.ReasonCode, e.Message.Description ?? string.Empty);
        lock (_gate)
        {
            _failuresThisAttempt.Add(failure);
        }
    }

    private void OnJumpDisconnected(object? sender, EventArgs e) => MarkJumpLost();

    private void OnJumpError(object? sender, ExceptionEventArgs e) => MarkJumpLost();

    private void MarkJumpLost()
    {
        lock (_gate)
        {
            _jumpLost = true;
        }
    }

    private void OnForwardRequest(object? sender, PortForwardEventArgs e) =>
        Log.TunnelConnection(_logger, _hop.ToString(), e.OriginatorPort.ToString(CultureInfo.InvariantCulture));

    private void OnForwardException(object? sender, ExceptionEventArgs e) =>
        Log.TunnelError(_logger, _hop.ToString(), e.Exception.Message);

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(JumpTunnel));
        }
    }

    /// <summary>A loopback-only forward whose stop has a short, fixed budget.</summary>
    private sealed class HopForward : ForwardedPortLocal
    {
        public HopForward(uint boundPort, string host, uint port)
            : base("127.0.0.1", boundPort, host, port)
        {
        }

        // SSH.NET's Stop() waits up to ConnectionInfo.Timeout for open channels; disposal must be quick.
        public void StopWithin(TimeSpan budget)
        {
            if (IsStarted)
            {
                StopPort(budget);
            }
        }
    }
}
