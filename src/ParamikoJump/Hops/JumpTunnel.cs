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
/// One hop's way through its jump: a local forwarded port on the jump client, bound to 127.0.0.1 only, that the
/// hop's own SSH session dials, and that serves nothing else. It watches the jump's session so that a refused
/// channel or a lost jump can be reported with the jump's own words instead of SSH.NET's "no identification string".
/// </summary>
/// <remarks>
/// Who may use the forward: only while its hop connects, and only the hop's own connection. When the hop knows its
/// socket (<see cref="ExpectConnectionFrom"/>, see <see cref="Transport"/>) that is the connection from that exact
/// loopback port; otherwise the first connection of the attempt, and an attempt whose connection was taken fails
/// loudly instead of sharing. Anything else is refused by throwing from SSH.NET's <c>RequestReceived</c>, which
/// closes the accepted socket before a channel is opened on the jump (pinned by SshNetSeamTests).
/// </remarks>
internal sealed class JumpTunnel : IDisposable
{
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(1);

    private readonly SshClient _jump;
    private readonly HopIdentity _hop;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly List<ChannelOpenFailure> _failuresThisAttempt = [];
    private readonly List<string> _refusedThisAttempt = [];
    private HopForward _forward;
    private int _localPort;
    private Session? _watchedSession;
    private bool _jumpLost;
    private bool _pinsPoolThread;
    private bool _armed;
    private bool _hopConnected;
    private int? _expectedPort;
    private int? _admittedPort;
    private bool _disposed;

    private JumpTunnel(SshClient jump, HopIdentity hop, ILogger logger, HopForward forward)
    {
        _jump = jump;
        _hop = hop;
        _logger = logger;
        _forward = forward;
    }

    /// <summary>Raised (on the jump's receive thread) when the jump's session ends or fails.</summary>
    public event EventHandler? JumpLost;

    /// <summary>The loopback port the hop's session dials.</summary>
    public int LocalPort
    {
        get
        {
            lock (_gate)
            {
                return _localPort;
            }
        }
    }

    /// <summary>The jump client this tunnel goes through.</summary>
    public SshClient Jump => _jump;

    /// <summary>Whether the jump disconnected or failed since the forward was opened on its current session.</summary>
    public bool IsJumpLost
    {
        get
        {
            lock (_gate)
            {
                if (_jumpLost)
                {
                    return true;
                }
            }

            try
            {
                return !_jump.IsConnected;
            }
            catch (ObjectDisposedException)
            {
                return true;
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

    /// <summary>
    /// Whether, with no way to recognise the hop's own connection, another one took the attempt's single slot
    /// and the hop's own was refused.
    /// </summary>
    public bool SlotTaken
    {
        get
        {
            lock (_gate)
            {
                return _expectedPort is null && _admittedPort is not null && _refusedThisAttempt.Count > 0;
            }
        }
    }

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

    /// <summary>
    /// Called before each connect attempt: the jump must still be connected, the forward is rebuilt on the same
    /// loopback port if the jump reconnected (SSH.NET stops every forward of a client that disconnects), and the
    /// forward is armed to take this attempt's one connection.
    /// </summary>
    public void PrepareAttempt()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _failuresThisAttempt.Clear();
            _refusedThisAttempt.Clear();
            _expectedPort = null;
            _admittedPort = null;
            _hopConnected = false;
        }

        EnsureJumpUsable(_jump, _hop);
        bool rebuild;
        lock (_gate)
        {
            rebuild = !_forward.IsStarted || !ReferenceEquals(_watchedSession, SessionAccess.TryGetSession(_jump));
        }

        if (rebuild)
        {
            var port = (uint)LocalPort;
            RemoveForward();
            lock (_gate)
            {
                _forward = new HopForward(port, _hop.Host, (uint)_hop.Port);
            }

            StartForward();
        }

        lock (_gate)
        {
            _armed = true;
        }
    }

    /// <summary>The hop's own session will connect from this loopback port: only that connection is served.</summary>
    public void ExpectConnectionFrom(int port)
    {
        lock (_gate)
        {
            _expectedPort = port;
        }
    }

    /// <summary>The attempt is over (connected or failed): the forward takes nothing more until the next attempt.</summary>
    public void Seal(bool hopConnected)
    {
        lock (_gate)
        {
            _armed = false;
            _hopConnected = hopConnected;
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
            _armed = false;
        }

        RemoveForward();
        Log.TunnelClosed(_logger, _hop.ToString(), LocalPort);
    }

    private void StartForward()
    {
        HopForward forward;
        lock (_gate)
        {
            forward = _forward;
        }

        forward.RequestReceived += OnForwardRequest;
        forward.Exception += OnForwardException;

        // Watch the jump's session before the forward does: when the session fails, SSH.NET runs its handlers in
        // order, and the forward's closes the hop's loopback connection; the hop must see its jump lost first, so
        // that its own failure names the jump (JumpNotConnectedException) instead of a plain lost connection.
        WatchJumpSession();
        var pumped = false;
        try
        {
            _jump.AddForwardedPort(forward);
#if NET8_0_OR_GREATER
            // The forward's channel: a bounded window (also when the jump is a plain SshClient) and no pinned thread.
            pumped = ChannelWindows.TryInstallOnForward(forward, Tuning.ChannelWindow, Tuning.AsyncTunnelPump ? new TunnelPump.Hooks(IsHopConnected, OnPumpError) : null);
#endif
            forward.Start();
        }
        catch (Exception ex) when (ex is SshException or InvalidOperationException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            throw new JumpNotConnectedException($"The jump {_hop.Jump} could not open a local forward: {ServerText.Escape(ex.Message)}", _hop, ex);
        }

        lock (_gate)
        {
            _localPort = checked((int)forward.BoundPort);
            _pinsPoolThread = !pumped;
        }

        if (!pumped)
        {
            // Without the pump SSH.NET's Bind() holds the pool thread that accepted the connection for its whole life.
            PinnedPoolThreads.Add();
        }

        Log.TunnelOpened(_logger, _hop.ToString(), LocalPort);
    }

    private void RemoveForward()
    {
        HopForward forward;
        bool pinned;
        lock (_gate)
        {
            forward = _forward;
            pinned = _pinsPoolThread;
            _pinsPoolThread = false;
        }

        if (pinned)
        {
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
            if (_jumpLost)
            {
                return;
            }

            _jumpLost = true;
        }

        JumpLost?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Runs on the forward's accept thread before SSH.NET opens a channel for the connection.</summary>
    private void OnForwardRequest(object? sender, PortForwardEventArgs e)
    {
        var peer = e.OriginatorHost + ":" + e.OriginatorPort.ToString(CultureInfo.InvariantCulture);
        string? refusal;
        lock (_gate)
        {
            refusal = Admit((int)e.OriginatorPort);
            if (refusal is not null)
            {
                _refusedThisAttempt.Add(peer);
            }
        }

        if (refusal is null)
        {
            Log.TunnelConnection(_logger, _hop.ToString(), peer);
            return;
        }

        Log.TunnelRefused(_logger, _hop.ToString(), LocalPort, peer, refusal);
        throw new ForwardRefusedException(peer);
    }

    /// <summary>Null to serve the connection, else why not.</summary>
    private string? Admit(int originatorPort)
    {
        if (_disposed || !_armed)
        {
            return "the hop is not connecting, so its forward serves no one";
        }

        if (_admittedPort is not null)
        {
            return "the hop's own connection was already served";
        }

        if (_expectedPort is { } expected && originatorPort != expected)
        {
            return "it is not the hop's own session";
        }

        _admittedPort = originatorPort;
        return null;
    }

    private bool IsHopConnected()
    {
        lock (_gate)
        {
            return _hopConnected;
        }
    }

    private void OnPumpError(Exception error) => Log.TunnelError(_logger, _hop.ToString(), ServerText.Escape(error.Message));

    private void OnForwardException(object? sender, ExceptionEventArgs e)
    {
        if (e.Exception is not ForwardRefusedException)
        {
            Log.TunnelError(_logger, _hop.ToString(), ServerText.Escape(e.Exception.Message));
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(JumpTunnel));
        }
    }

    /// <summary>Thrown from RequestReceived to make SSH.NET close a connection that is not the hop's own.</summary>
    private sealed class ForwardRefusedException(string peer) : Exception($"Connection from {peer} refused: not this hop's own session.");

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
