using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Hops;

/// <summary>
/// One hop's way through its jump: a forwarded port registered on the jump client (so the jump's disconnect stops it)
/// whose one direct-tcpip channel carries the hop's own SSH session, and nothing else. It watches the jump's session
/// so that a refused channel or a lost jump can be reported with the jump's own words instead of SSH.NET's "no
/// identification string".
/// </summary>
/// <remarks>
/// Two transports. On .NET 8 and later the hop's session rides a <c>SshNet.PrivateTransport</c> socket pair: there is
/// no listener, nothing any other user or process can connect to at any moment, and the hop's <c>ConnectionInfo</c>
/// says 127.0.0.1 port 0, which nothing can listen on. Where that is not possible (.NET Framework, a moved SSH.NET
/// internal, or the <see cref="Tuning.TcpTunnelSwitch"/>), the fallback is SSH.NET's local forward bound to
/// 127.0.0.1, which admits a connection only while its hop connects, only once the hop's own socket is known, and
/// only when both ends match that socket's (its address and port as the forward sees the peer, and the forward's own
/// endpoint as its peer); anything else is refused by throwing from <c>RequestReceived</c>, which closes the accepted
/// socket before a channel is opened on the jump (pinned by SshNetSeamTests). Where the hop's socket cannot be seen
/// at all (the netstandard2.0 build), the forward serves the first connection of the attempt that the operating system
/// says comes from a socket of this process (<see cref="LocalConnectionOwner"/>: Linux, Windows), or, where it cannot
/// say, the first connection of the attempt. An attempt that failed or whose connection another took tears the forward
/// down, closing whatever channel it opened.
/// </remarks>
internal sealed class JumpTunnel : IDisposable
{
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(1);

    /// <summary>How long the forward holds a connection while it waits to learn whether it is the hop's own.</summary>
    private static readonly TimeSpan AdmissionWait = TimeSpan.FromSeconds(5);

    /// <summary>Refusals less than this apart are one burst: its first is logged, the rest counted.</summary>
    private static readonly TimeSpan RefusalBurstGap = TimeSpan.FromSeconds(10);

    private static int s_fallbackAnnounced;
    private static int s_ownerCheckUnavailableAnnounced;

    /// <summary>
    /// SSH.NET keeps a client's forwarded ports in a plain list: targets built on one jump from many threads at once
    /// would add to it concurrently, which can leave a null in it that the jump's disconnect then trips over.
    /// </summary>
    private static readonly ConditionalWeakTable<SshClient, object> PortListGates = new();

    private readonly SshClient _jump;
    private readonly HopIdentity _hop;
    private readonly ILogger _logger;
    private readonly bool _private;
    private readonly object _gate = new();
    private readonly List<ChannelOpenFailure> _failuresThisAttempt = [];
    private ForwardedPort _forward;
    private int _localPort;
    private Session? _watchedSession;
    private bool _jumpLost;
    private bool _armed;
    private bool _hopConnected;
    private bool _knowsHopSocket;
    private Socket? _hopSocket;
    private bool _admitted;
    private bool _dialed;
    private bool _ownRefusedThisAttempt;
    private long _lastRefusal;
    private int _refusalsUnlogged;
    private string? _lastRefusedPeer;
    private bool _disposed;

    private JumpTunnel(SshClient jump, HopIdentity hop, ILogger logger, bool usePrivate)
    {
        _jump = jump;
        _hop = hop;
        _logger = logger;
        _private = usePrivate;
        _forward = NewForward(0);
    }

    /// <summary>Raised (on the jump's receive thread) when the jump's session ends or fails.</summary>
    public event EventHandler? JumpLost;

    /// <summary>Whether the hop rides a private socket pair (no listener) rather than the loopback TCP forward.</summary>
    public bool IsPrivate => _private;

    /// <summary>The loopback port the hop's session dials on the TCP forward; 0 on the private transport.</summary>
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
    /// and a connection that may have been the hop's own (one of this process's, or any where ownership cannot be
    /// told) was refused.
    /// </summary>
    public bool SlotTaken
    {
        get
        {
            lock (_gate)
            {
                return !_private && !_knowsHopSocket && _ownRefusedThisAttempt;
            }
        }
    }

    /// <summary>Opens the tunnel, on the private transport where it can; the jump must be connected.</summary>
    public static JumpTunnel Open(SshClient jump, HopIdentity hop, ILogger logger)
    {
        EnsureJumpUsable(jump, hop);
        var whyNotPrivate = WhyNotPrivate();
        if (whyNotPrivate is not null && Interlocked.Exchange(ref s_fallbackAnnounced, 1) == 0)
        {
            Log.TunnelFallback(logger, whyNotPrivate);
        }

        return Start(new JumpTunnel(jump, hop, logger, usePrivate: whyNotPrivate is null));
    }

    /// <summary>Opens the TCP fallback whatever the platform offers (for the tests of its checks).</summary>
    internal static JumpTunnel OpenTcp(SshClient jump, HopIdentity hop, ILogger logger)
    {
        EnsureJumpUsable(jump, hop);
        return Start(new JumpTunnel(jump, hop, logger, usePrivate: false));
    }

    private static JumpTunnel Start(JumpTunnel tunnel)
    {
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
    /// Whether the hop can tell this tunnel its socket (<see cref="ExpectConnectionFrom"/>): then the TCP forward
    /// waits for it and admits only it; if not, the forward serves the attempt's first connection.
    /// </summary>
    public void KnowsHopSocket(bool knows)
    {
        lock (_gate)
        {
            _knowsHopSocket = knows;
        }
    }

    /// <summary>
    /// Called before each connect attempt: the jump must still be connected, the forward is rebuilt (on the same
    /// loopback port, for the TCP forward) if it was torn down or the jump reconnected (SSH.NET stops every forward of
    /// a client that disconnects), and it is armed to take this attempt's one connection.
    /// </summary>
    public void PrepareAttempt()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _failuresThisAttempt.Clear();
            _ownRefusedThisAttempt = false;
            _hopSocket = null;
            _admitted = false;
            _dialed = false;
            _hopConnected = false;
            Monitor.PulseAll(_gate);
        }

        EnsureJumpUsable(_jump, _hop);
        bool rebuild;
        lock (_gate)
        {
            rebuild = !_forward.IsStarted || !ReferenceEquals(_watchedSession, SessionAccess.TryGetSession(_jump));
        }

        if (rebuild)
        {
            var port = LocalPort;
            RemoveForward();
            lock (_gate)
            {
                _forward = NewForward(port);
            }

            StartForward();
        }

        lock (_gate)
        {
            _armed = true;
        }
    }

    /// <summary>
    /// The private transport's connect (called by SSH.NET, through <see cref="Transport"/>, in place of a TCP dial):
    /// makes the socket pair, starts opening the channel on the jump for one end, and returns the other for the hop's
    /// session. Its first bytes are the hop server's banner, once the jump has opened the channel.
    /// </summary>
    public Socket Dial()
    {
        ForwardedPort forward;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_private || !_armed || _dialed)
            {
                throw new InvalidOperationException($"{_hop}: the tunnel serves one connection per connect attempt of its own hop.");
            }

            _dialed = true;
            forward = _forward;
        }

        EnsureJumpUsable(_jump, _hop);
#if NET8_0_OR_GREATER
        Socket hop, jump;
        try
        {
            (hop, jump) = PrivateTransport.CreatePair();
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new HopConnectionException($"Could not make the private connection to the jump {_hop.Jump}: {ex.Message}", _hop, HopStage.ChannelOpen, ex);
        }

        if (Tuning.InlineSocketEvents)
        {
            // The jump's receive thread writes into this end with blocking sends; a Unix socket's buffer is far smaller
            // than loopback TCP's, so those sends wait often, and each wake-up would be a thread-pool work item.
            // The pump's own wait on it moves to the pool as soon as it completes (TunnelPump).
            Transport.TryHandleReadinessInline(jump);
        }

        // SSH.NET's forward opens the channel on the thread that accepted the connection; this one is ours, so a burst
        // of connects does not wait for the thread pool, and without the pump it serves the connection for its life.
        var serve = new Thread(() => Serve(forward, jump)) { IsBackground = true, Name = "ParamikoJump tunnel" };
        serve.UnsafeStart();
        Log.TunnelConnection(_logger, _hop.ToString(), "a private socket pair");
        return hop;
#else
        throw new PlatformNotSupportedException("The private tunnel transport needs .NET 8 or later.");
#endif
    }

    /// <summary>The hop's own session will connect from this socket (bound to loopback): only its connection is served.</summary>
    public void ExpectConnectionFrom(Socket socket)
    {
        lock (_gate)
        {
            _hopSocket = socket;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// The attempt is over (connected or failed): the forward takes nothing more until the next attempt. A failed
    /// attempt tears the forward down, closing any channel it opened (another's, if the slot was taken).
    /// </summary>
    public void Seal(bool hopConnected)
    {
        lock (_gate)
        {
            _armed = false;
            _hopConnected = hopConnected;
            _hopSocket = null;
            Monitor.PulseAll(_gate);
            if (hopConnected || _disposed)
            {
                return;
            }
        }

        RemoveForward();
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
            Monitor.PulseAll(_gate);
        }

        RemoveForward();
        if (_private)
        {
            Log.PrivateTunnelClosed(_logger, _hop.ToString());
        }
        else
        {
            Log.TunnelClosed(_logger, _hop.ToString(), LocalPort);
        }
    }

    /// <summary>Null when hops can ride the private transport; otherwise why not.</summary>
    private static string? WhyNotPrivate()
    {
        if (Tuning.TcpTunnel)
        {
            return $"the {Tuning.TcpTunnelSwitch} switch is on";
        }

        if (!Transport.CanDial)
        {
#if NET8_0_OR_GREATER
            return $"SSH.NET {typeof(Session).Assembly.GetName().Version} moved the connect seam ParamikoJump uses (BaseClient._serviceFactory, IServiceFactory.CreateConnector, Session's constructor)";
#else
            return "this build (netstandard2.0, as on .NET Framework) cannot hand SSH.NET a socket of its own";
#endif
        }

#if NET8_0_OR_GREATER
        return PrivateTransport.WhyUnavailable;
#else
        return null;
#endif
    }

    private ForwardedPort NewForward(int port) => _private ? new HopPort() : new HopForward((uint)port, _hop.Host, (uint)_hop.Port);

    private void StartForward()
    {
        ForwardedPort forward;
        lock (_gate)
        {
            forward = _forward;
        }

        forward.RequestReceived += OnForwardRequest;
        forward.Exception += OnForwardException;

        // Watch the jump's session before the forward does: when the session fails, SSH.NET runs its handlers in
        // order, and the forward's closes the hop's connection; the hop must see its jump lost first, so that its own
        // failure names the jump (JumpNotConnectedException) instead of a plain lost connection.
        WatchJumpSession();
        try
        {
            lock (PortListGates.GetValue(_jump, _ => new object()))
            {
                _jump.AddForwardedPort(forward);
            }

#if NET8_0_OR_GREATER
            // The forward's channel: a bounded window (also when the jump is a plain SshClient) and no pinned thread.
            // Without the pump SSH.NET's Bind() holds the pool thread that accepted the connection for its whole life.
            _ = ChannelWindows.TryInstallOnForward(forward, Tuning.ChannelWindow, Tuning.AsyncTunnelPump ? new TunnelPump.Hooks(IsHopConnected, OnPumpError) : null);
#endif
            forward.Start();
        }
        catch (Exception ex) when (ex is SshException or InvalidOperationException or ObjectDisposedException or SocketException)
        {
            throw new JumpNotConnectedException($"The jump {_hop.Jump} could not open a local forward: {ServerText.Escape(ex.Message)}", _hop, ex);
        }

        var bound = forward is HopForward local ? checked((int)local.BoundPort) : 0;
        lock (_gate)
        {
            _localPort = bound;
        }

        if (_private)
        {
            Log.PrivateTunnelOpened(_logger, _hop.ToString());
        }
        else
        {
            Log.TunnelOpened(_logger, _hop.ToString(), bound);
        }
    }

    private void RemoveForward()
    {
        ForwardedPort forward;
        lock (_gate)
        {
            forward = _forward;
        }

        forward.RequestReceived -= OnForwardRequest;
        forward.Exception -= OnForwardException;
        UnwatchJumpSession();
        try
        {
            switch (forward)
            {
                case HopForward local:
                    local.StopWithin(StopBudget);
                    break;
                case HopPort own:
                    own.StopWithin(StopBudget);
                    break;
            }

            lock (PortListGates.GetValue(_jump, _ => new object()))
            {
                _jump.RemoveForwardedPort(forward);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or SshException)
        {
            // The jump is already gone; its forwards went with it.
        }

        forward.Dispose();
        LogUnloggedRefusals();
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

#if NET8_0_OR_GREATER
    /// <summary>Opens the hop's channel on the jump and serves the jump's end of the pair into it; runs on a thread of its own.</summary>
    private void Serve(ForwardedPort forward, Socket socket)
    {
        try
        {
            PrivateTransport.ServeThroughJump(forward, _hop.Host, (uint)_hop.Port, socket);
        }
        catch (Exception ex)
        {
            // A refused channel closes the socket itself; anything else must too, so the hop's wait for its banner ends.
            socket.Dispose();
            if (!IsJumpLost && ex is not ObjectDisposedException)
            {
                Log.TunnelError(_logger, _hop.ToString(), ServerText.Escape(ex.Message));
            }
        }
    }
#endif

    /// <summary>Runs on the TCP forward's accept thread before SSH.NET opens a channel for the connection.</summary>
    private void OnForwardRequest(object? sender, PortForwardEventArgs e)
    {
        var peer = e.OriginatorHost + ":" + e.OriginatorPort.ToString(CultureInfo.InvariantCulture);
        var refusal = Admit(e.OriginatorHost, (int)e.OriginatorPort);
        if (refusal is null)
        {
            Log.TunnelConnection(_logger, _hop.ToString(), peer);
            return;
        }

        NoteRefusal(peer, refusal);
        throw new ForwardRefusedException(peer);
    }

    /// <summary>Null to serve the connection, else why not.</summary>
    private string? Admit(string originatorHost, int originatorPort)
    {
        Socket? hopSocket;
        bool knowsHopSocket;
        lock (_gate)
        {
            if (_disposed || !_armed)
            {
                return "the hop is not connecting, so its forward serves no one";
            }

            knowsHopSocket = _knowsHopSocket;
            if (knowsHopSocket && _admitted)
            {
                return "the hop's own connection was already served";
            }
        }

        if (!knowsHopSocket)
        {
            return AdmitFromThisProcess(originatorHost, originatorPort);
        }

        hopSocket = AwaitHopSocket();
        var refusal = hopSocket is null
            ? "the hop's own socket was not known in time"
            : IsHopsOwn(hopSocket, originatorHost, originatorPort) ? null : "it is not the hop's own session";
        lock (_gate)
        {
            if (refusal is null && (_admitted || !_armed || !ReferenceEquals(hopSocket, _hopSocket)))
            {
                refusal = "the hop's own connection was already served";
            }

            _admitted |= refusal is null;
            return refusal;
        }
    }

    /// <summary>
    /// Where the hop's socket cannot be seen: the first connection of the attempt that comes from a socket of this
    /// process (asked of the operating system), or, where that cannot be asked, the attempt's first connection.
    /// </summary>
    private string? AdmitFromThisProcess(string originatorHost, int originatorPort)
    {
        bool? ours = IPAddress.TryParse(originatorHost, out var originator)
            ? LocalConnectionOwner.IsThisProcess(originator, originatorPort, LocalPort)
            : false;
        if (ours is null && Interlocked.Exchange(ref s_ownerCheckUnavailableAnnounced, 1) == 0)
        {
            Log.TunnelOwnerCheckUnavailable(_logger, LocalConnectionOwner.WhyUnavailable ?? "the operating system's connection table could not be read");
        }

        if (ours == false)
        {
            return "it does not come from a socket of this process";
        }

        lock (_gate)
        {
            if (_disposed || !_armed)
            {
                return "the hop is not connecting, so its forward serves no one";
            }

            if (_admitted)
            {
                _ownRefusedThisAttempt = true;
                return "the attempt's one connection was already served";
            }

            _admitted = true;
            return null;
        }
    }

    /// <summary>
    /// The hop's socket once it is connected (its connect completes on its own thread, possibly after the forward has
    /// accepted it), or null if it is not within <see cref="AdmissionWait"/> or the attempt ends first. Until the socket
    /// is known the wait sleeps on <see cref="_gate"/>, pulsed when it becomes known or the attempt ends; once known the
    /// hop is already connecting (it is made known before SSH.NET connects it), and only its connect's return is spun for.
    /// </summary>
    private Socket? AwaitHopSocket()
    {
        var waited = Stopwatch.StartNew();
        var spin = default(SpinWait);
        while (true)
        {
            Socket? socket;
            lock (_gate)
            {
                while (_armed && !_disposed && _hopSocket is null)
                {
                    var left = AdmissionWait - waited.Elapsed;
                    if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                    {
                        return null;
                    }
                }

                if (!_armed || _disposed)
                {
                    return null;
                }

                socket = _hopSocket;
            }

            try
            {
                if (socket is { Connected: true })
                {
                    return socket;
                }
            }
            catch (ObjectDisposedException)
            {
                return null;
            }

            if (waited.Elapsed >= AdmissionWait)
            {
                return null;
            }

            spin.SpinOnce();
        }
    }

    private bool IsHopsOwn(Socket hopSocket, string originatorHost, int originatorPort) => IsOwnConnection(hopSocket, originatorHost, originatorPort, LocalPort);

    /// <summary>
    /// Both ends must match: the connection's peer is the hop's socket's own address and port (getsockname), and that
    /// socket's peer (getpeername) is the forward's 127.0.0.1:<paramref name="forwardPort"/>. SSH.NET's sockets are
    /// dual-mode IPv6, so IPv4-mapped addresses are compared as the IPv4 addresses they are.
    /// </summary>
    internal static bool IsOwnConnection(Socket hopSocket, string originatorHost, int originatorPort, int forwardPort)
    {
        try
        {
            return hopSocket.LocalEndPoint is IPEndPoint local && hopSocket.RemoteEndPoint is IPEndPoint remote
                && IPAddress.TryParse(originatorHost, out var originator) && Plain(originator).Equals(Plain(local.Address)) && originatorPort == local.Port
                && Plain(remote.Address).Equals(IPAddress.Loopback) && remote.Port == forwardPort;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            return false;
        }

        static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>Logs the first refusal of a burst; the rest are counted and logged as one line when the burst is over.</summary>
    private void NoteRefusal(string peer, string reason)
    {
        var now = Stopwatch.GetTimestamp();
        bool first;
        int unlogged;
        string? previousPeer;
        lock (_gate)
        {
            first = _lastRefusal == 0 || (now - _lastRefusal) >= RefusalBurstGap.TotalSeconds * Stopwatch.Frequency;
            unlogged = first ? _refusalsUnlogged : 0;
            previousPeer = _lastRefusedPeer;
            _refusalsUnlogged = first ? 0 : _refusalsUnlogged + 1;
            _lastRefusal = now;
            _lastRefusedPeer = peer;
        }

        if (unlogged > 0)
        {
            Log.TunnelRefusedMore(_logger, _hop.ToString(), LocalPort, unlogged, previousPeer!);
        }

        if (first)
        {
            Log.TunnelRefused(_logger, _hop.ToString(), LocalPort, peer, reason, RefusalBurstGap.TotalSeconds);
        }
    }

    private void LogUnloggedRefusals()
    {
        int unlogged;
        string? peer;
        lock (_gate)
        {
            unlogged = _refusalsUnlogged;
            peer = _lastRefusedPeer;
            _refusalsUnlogged = 0;
            _lastRefusal = 0;
        }

        if (unlogged > 0)
        {
            Log.TunnelRefusedMore(_logger, _hop.ToString(), LocalPort, unlogged, peer!);
        }
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

    /// <summary>The TCP fallback: a loopback-only forward whose stop has a short, fixed budget.</summary>
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

    /// <summary>
    /// The private transport's forward: no listener, only what a forward is to SSH.NET. Registered on the jump, it is
    /// stopped with the jump's disconnect; stopping it raises <c>Closing</c>, on which the hop's channel closes its
    /// socket.
    /// </summary>
    private sealed class HopPort : ForwardedPort
    {
        private int _started;
        private bool _disposed;

        public override bool IsStarted => Volatile.Read(ref _started) == 1;

        public void StopWithin(TimeSpan budget) => StopPort(budget);

        protected override void StartPort() => Volatile.Write(ref _started, 1);

        protected override void StopPort(TimeSpan timeout)
        {
            if (Interlocked.Exchange(ref _started, 0) == 1)
            {
                base.StopPort(timeout);
            }
        }

        protected override void CheckDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(HopPort));
            }
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            _disposed = true;
        }
    }
}
