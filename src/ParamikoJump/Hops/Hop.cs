using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using ParamikoJump.Authentication;
using ParamikoJump.Execution;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using ParamikoJump.Keys.Agent;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Hops;

/// <summary>
/// One hop at work: the part of a ParamikoJump client that is the same for SSH, SFTP and SCP. The client forwards
/// its SSH.NET hooks here (<c>OnConnecting</c>, <c>OnConnected</c>, <c>OnDisconnected</c>, <c>Dispose</c>), so
/// everything below happens whether the client is held as itself, as an <see cref="SshClient"/> or as a
/// <see cref="BaseClient"/>, and whether it connects synchronously or not.
/// </summary>
/// <remarks>
/// Per attempt: the forward on the jump is (re)armed for this hop's own connection, every stage runs against its
/// own budget on the hop's clock (a stage that runs out cuts the attempt's socket), the host key is verified under
/// the hop's real name. Once connected: keep-alive detects a dead peer, a lost jump closes this hop at once, and
/// commands are watched for an exit status whose channel never closes.
/// </remarks>
internal sealed partial class Hop : IDisposable
{
    private readonly BaseClient _client;
    private readonly HopPlan _plan;
    private readonly HostKeyVerifier _hostKeyVerifier;
    private readonly StageWatchdog _watchdog;
    private readonly bool _watchesTransport;
    private readonly object _gate = new();
    private int _stage = (int)HopStage.Setup;
    private int _attempt;
    private Socket? _socket;
    private Session? _session;
    private KeepAlive? _keepAlive;
    private (HopStage Stage, TimeSpan Budget)? _timedOut;
    private HopUnresponsiveException? _unresponsive;
    private int _sessionLost;
    private int _disposed;
    private int _ownsJump;
    private AgentForwarding? _agentForwarding;

    public Hop(BaseClient client, HopPlan plan)
    {
        _client = client;
        _plan = plan;
        _hostKeyVerifier = HostKeyVerifier.ForHop(plan.Hop, plan.Jump, plan.Settings.HostKeyPolicy, plan.Settings.KnownHosts, plan.Logger, plan.Settings.TimeProvider, plan.Settings.HostKeyAlias);
        _watchdog = new StageWatchdog(plan.Settings.TimeProvider, OnStageBudgetSpent);
        Commands = new RunningCommands(plan.Hop, plan.Logger, plan.Settings.TimeProvider);
        plan.Tracker.Started += (_, _) =>
        {
            // Authentication starts only after the key exchange, and every HostKeyReceived handler, let the key pass;
            // one that overrode our refusal is overruled here, before any credential is sent.
            if (_hostKeyVerifier.CommitAcceptedKey() is { } refused)
            {
                throw refused;
            }

            EnterStage(HopStage.Authentication);
        };
        client.ServerIdentificationReceived += OnServerIdentification;
        client.HostKeyReceived += OnHostKeyReceived;
        plan.DialInfo.AuthenticationBanner += OnBanner;
        if (plan.Tunnel is { } tunnel)
        {
            tunnel.JumpLost += OnJumpLost;
        }

        SshNetSeams.WarnOfFallbacks(plan.Logger);
        _watchesTransport = Transport.TryWatch(client, OnSocketCreated, _pipes.Add, Tuning.ChannelWindowOf(client), plan.Tunnel is { IsPrivate: true } own ? own.Dial : null, Tuning.ConsumerDrivenWindows, WindowViolated);
        plan.Tunnel?.KnowsHopSocket(_watchesTransport && !plan.Settings.HopSocketHiddenForTests);
    }

    public HopIdentity Identity => _plan.Hop;

    public HopPlan Plan => _plan;

    public HostKeyVerifier HostKeyVerifier => _hostKeyVerifier;

    /// <summary>Agent forwarding on the current session, when <see cref="HopSettings.ForwardAgent"/> is on and possible.</summary>
    public AgentForwarding? AgentForwarding => Volatile.Read(ref _agentForwarding);

    /// <summary>The commands running on this hop's session (ExecCommand).</summary>
    public RunningCommands Commands { get; }

    public HopStage Stage
    {
        get => (HopStage)Volatile.Read(ref _stage);
        private set => Volatile.Write(ref _stage, (int)value);
    }

    /// <summary>
    /// The connect in progress is our own <c>ConnectAsync</c> (with its token); SSH.NET cannot tell the hooks which
    /// path is running. Null for a synchronous connect, or an asynchronous one through a base-class reference.
    /// </summary>
    public CancellationToken? AsyncConnect { get; set; }

    /// <summary>Whether this hop, or one before it, has a keep-alive waiting for its answer.</summary>
    public bool IsGoingSilent => (_keepAlive?.IsWaiting ?? false) || (JumpHop?.IsGoingSilent ?? false);

    /// <summary>Set when this hop was declared dead by keep-alive.</summary>
    public HopUnresponsiveException? Unresponsive => Volatile.Read(ref _unresponsive);

    /// <summary>Whether the session of the current connection failed or was cut (reset at each connect).</summary>
    public bool IsSessionLost => Volatile.Read(ref _sessionLost) != 0;

    /// <summary>Whether <paramref name="error"/> only says that this client was disposed, which is not a failure to translate.</summary>
    public bool IsDisposedError(Exception error) => error is ObjectDisposedException && Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Makes this hop own its jump: disposing this hop then disposes the jump too, after this hop's own session and
    /// forward are gone. A chain built in one call (from a -J list or ssh_config) is owned this way, link by link, so
    /// disposing its target closes every hop, the nearest jump first.
    /// </summary>
    public void OwnJump() => Volatile.Write(ref _ownsJump, 1);

    /// <summary>The runtime of the jump, when the jump is a ParamikoJump client.</summary>
    private Hop? JumpHop => (_plan.Jump as SshJumpClient)?.Runtime;

    public void OnConnecting()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(_client.ToString());
        }

        Stage = HopStage.Setup;
        lock (_gate)
        {
            _attempt++;
            _socket = null;
            _timedOut = null;
            _unresponsive = null;
        }

        Volatile.Write(ref _sessionLost, 0);
        TelemetryConnecting();

        _plan.Tracker.Reset(AsyncConnect ?? CancellationToken.None);
        _hostKeyVerifier.Reset();
        _hostKeyVerifier.PreferKnownKeyTypes(_plan.DialInfo);
        _plan.Tunnel?.PrepareAttempt();
        // With the watchdog every stage is cut at its budget on both paths; without it, SSH.NET's own waits are all
        // there is, and a synchronous connect must not wait the whole attempt's budget for a TCP connection.
        StageBudgets.Connecting(_plan.DialInfo, _plan.Timeouts, _plan.Tunnel is not null, wholeAttempt: _watchesTransport || AsyncConnect is not null);
        EnterStage(_plan.Tunnel is null ? HopStage.TcpConnect : HopStage.ChannelOpen);
        SessionCreationGate.Open(_plan.DialInfo);
        Log.HopConnecting(_plan.Logger, Identity.ToString());
    }

    public void OnConnected()
    {
        if (_hostKeyVerifier.CommitAcceptedKey() is { } refused)
        {
            // Logged in without any method of ours (the server let "none" pass) on a key we refused.
            if (SessionAccess.TryGetSession(_client) is { } unwanted)
            {
                Cut(unwanted);
            }

            throw refused;
        }

        StopWatchdog();
        _plan.Tunnel?.Seal(hopConnected: true);
        Stage = HopStage.Session;
        TelemetryConnected();
        StageBudgets.Connected(_client.ConnectionInfo, _plan.Timeouts);
        var session = SessionAccess.TryGetSession(_client);
        lock (_gate)
        {
            _session = session;
        }

        if (session is not null)
        {
            if (_plan.Tunnel is not null)
            {
                session.ChannelSuccessReceived += OnRequestAnsweredThroughJump;
            }

            session.ChannelRequestReceived += OnChannelRequest;
            Commands.Starts.OnSessionStarted(session, _client.ConnectionInfo.ServerVersion);
            Commands.Slots.OnSessionStarted(_client.ConnectionInfo.MaxSessions);
            StartAgentForwarding(session);
            session.ChannelOpenFailureReceived += OnChannelRefused;
            session.ErrorOccured += OnSessionError;
            session.Disconnected += OnSessionDisconnected;
            if (Tuning.InlineSocketEvents && SessionAccess.TryGetSocket(session) is { } socket)
            {
                Transport.TryHandleReadinessInline(socket);
            }

            StartKeepAlive(session);
        }

        Log.HopConnected(_plan.Logger, Identity.ToString(), ServerText.Escape(_client.ConnectionInfo.ServerVersion ?? "unknown server"));
    }

    /// <summary>Called when a connect attempt failed: nothing of it may linger.</summary>
    public void OnConnectFailed()
    {
        StopWatchdog();
        StopSessionWatch();
        _hostKeyVerifier.DiscardAcceptedKey();
        _plan.Tunnel?.Seal(hopConnected: false);
        SessionCreationGate.Close(_plan.DialInfo);
    }

    public void OnDisconnected()
    {
        StopSessionWatch();
        TelemetryClosed();
        Log.HopClosed(_plan.Logger, Identity.ToString());
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopWatchdog();
        _watchdog.Dispose();
        TelemetryClosed();
        StopSessionWatch();
        _pipes.DisposeAll();
        if (_plan.Tunnel is { } tunnel)
        {
            tunnel.JumpLost -= OnJumpLost;
            tunnel.Dispose();
        }

        if (Volatile.Read(ref _ownsJump) != 0)
        {
            _plan.Jump?.Dispose();
        }
    }

    /// <summary>Turns what SSH.NET threw into an error naming this hop, its jump and the stage.</summary>
    public SshException Fail(Exception error, TimeSpan? commandTimeout = null)
    {
        (HopStage Stage, TimeSpan Budget)? timedOut;
        lock (_gate)
        {
            timedOut = _timedOut;
        }

        if (timedOut is null && Stage == HopStage.Authentication && _plan.Tracker.LoginBudgetSpent)
        {
            timedOut = (HopStage.Authentication, _plan.Timeouts.Auth);
        }

        var context = new FailureContext(
            Identity,
            Stage,
            _plan.Tunnel,
            _plan.Tracker,
            _plan.Timeouts,
            _hostKeyVerifier.Rejection(error),
            timedOut,
            Unresponsive,
            JumpHop?.Unresponsive,
            commandTimeout);
        var typed = FailureTranslator.Translate(error, context);
        Log.HopFailed(_plan.Logger, Identity.ToString(), ((IHopFailure)typed).Stage, typed);
        TelemetryConnectFailed(typed);
        return typed;
    }

    /// <summary>The error for an operation on a hop that is not connected: its jump's loss, its own silence, or plain "not connected".</summary>
    public SshException NotConnected(string operation)
    {
        Stage = HopStage.Session;
        if (Unresponsive is { } silent)
        {
            return silent;
        }

        if (_plan.Tunnel is { IsJumpLost: true })
        {
            return FailureTranslator.JumpLost(Identity, HopStage.Session, JumpHop?.Unresponsive, null);
        }

        // SSH.NET's own words first: code written for it matches "Client not connected.".
        return new HopConnectionException($"call Connect() before {operation}.", Identity, HopStage.Session, new SshConnectionException("Client not connected."));
    }

    private void EnterStage(HopStage stage)
    {
        Stage = stage;
        TelemetryStage(stage);
        var budget = _plan.Timeouts.Of(stage, _plan.Tunnel is not null);
        if (_watchesTransport && budget != Timeout.InfiniteTimeSpan)
        {
            _watchdog.Arm(budget);
        }
    }

    private void StopWatchdog() => _watchdog.Disarm();

    /// <summary>The stage ran out of its budget: cut the attempt's socket, so every SSH.NET wait of it ends now.</summary>
    private void OnStageBudgetSpent()
    {
        Socket? socket;
        var stage = Stage;
        var budget = _plan.Timeouts.Of(stage, _plan.Tunnel is not null);
        lock (_gate)
        {
            if (stage == HopStage.Session || _socket is null)
            {
                return;
            }

            socket = _socket;
            _timedOut = (stage, budget);
        }

        Log.StageTimedOut(_plan.Logger, Identity.ToString(), stage == HopStage.Authentication ? "login" : "connect", budget.TotalSeconds, stage);
        Transport.Cut(socket);
    }

    /// <summary>The connect was cancelled: cut the attempt's socket, now or as soon as it exists.</summary>
    private void CutAttempt()
    {
        Socket? socket;
        lock (_gate)
        {
            socket = _socket;
        }

        if (socket is not null)
        {
            Transport.Cut(socket);
        }
    }

    private void OnSocketCreated(Socket socket)
    {
        lock (_gate)
        {
            _socket = socket;
        }

        if (AsyncConnect is { IsCancellationRequested: true })
        {
            Transport.Cut(socket);
            return;
        }

        if (_plan.Tunnel is { IsPrivate: false } tunnel)
        {
            // Bound before SSH.NET connects it, so the TCP forward can tell this hop's connection from any other.
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            tunnel.ExpectConnectionFrom(socket);
        }
    }

    private void OnServerIdentification(object? sender, SshIdentificationEventArgs e)
    {
        // Raised on the connecting thread between the banner and the key exchange: the banner wait is over.
        StageBudgets.KeyExchange(_plan.DialInfo, _plan.Timeouts);
        EnterStage(HopStage.KeyExchange);
    }

    private void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
    {
        // Raised at every key exchange; only the first of a connection moves the stage on (within the same budget).
        if (Stage == HopStage.KeyExchange)
        {
            Stage = HopStage.HostKeyVerification;
            TelemetryStage(HopStage.HostKeyVerification);
        }

        // Only ever lowers trust, so a handler of the user's own can still refuse a key we would accept.
        if (!_hostKeyVerifier.Verify(e.HostKey, e.Certificate))
        {
            e.CanTrust = false;
        }
    }

    private void OnBanner(object? sender, AuthenticationBannerEventArgs e)
    {
        Log.LoginBanner(_plan.Logger, Identity.ToString(), ServerText.Escape(e.BannerMessage, allowLineBreaks: true));
        if (_plan.Settings.AuthHandler is IAuthenticationBannerHandler handler)
        {
            handler.ShowBanner(Identity, e.BannerMessage);
        }
    }

    private void StartKeepAlive(Session session)
    {
        var settings = _plan.Settings;
        if (!settings.KeepAliveEnabled)
        {
            return;
        }

        var keepAlive = KeepAlive.Start(
            session,
            settings.KeepAliveInterval,
            settings.KeepAliveCountMax,
            settings.TimeProvider,
            () => JumpHop?.IsGoingSilent ?? false,
            HasUnreadData,
            unanswered => DeclareDead(session, unanswered));
        if (keepAlive is null)
        {
            // SSH.NET's own keep-alive, an SSH_MSG_IGNORE: keeps NAT state alive, cannot detect a dead peer.
            _client.KeepAliveInterval = settings.KeepAliveInterval;
            return;
        }

        lock (_gate)
        {
            _keepAlive = keepAlive;
        }
    }

    /// <summary>Whether the server sent data this client has not read yet; false when the socket is not known (no proof either way).</summary>
    private bool HasUnreadData()
    {
        Socket? socket;
        lock (_gate)
        {
            socket = _socket;
        }

        try
        {
            return socket is { } known && known.Available > 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private void DeclareDead(Session session, int unanswered)
    {
        var settings = _plan.Settings;
        Volatile.Write(ref _unresponsive, new HopUnresponsiveException(Identity, settings.KeepAliveInterval, unanswered));
        Log.HopUnresponsive(_plan.Logger, Identity.ToString(), unanswered, settings.KeepAliveInterval.TotalSeconds * unanswered);
        Cut(session);
    }

    /// <summary>The jump's session ended: this hop rides on it, so its own waits must end now, not at their budgets.</summary>
    private void OnJumpLost(object? sender, EventArgs e)
    {
        Session? session;
        lock (_gate)
        {
            session = _session;
        }

        if (session is not null && Stage == HopStage.Session)
        {
            Log.JumpLost(_plan.Logger, Identity.ToString());
            Cut(session);
        }
    }

    private static void Cut(Session session)
    {
        if (!SessionAccess.TryCutSocket(session))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => ((Session)state!).Dispose(), session);
        }
    }

    private void StartAgentForwarding(Session session)
    {
        if (_plan.Settings.ForwardAgent)
        {
            string? agent = null;
            if (_plan.Settings.ForwardedAgentKeys.Count == 0
                && !AgentForwarding.TryFindLocalAgent(KeyEnvironment.Of(_plan.Settings), Identity.ToString(), _plan.Logger, out agent))
            {
                return;
            }

            Interlocked.Exchange(ref _agentForwarding, AgentForwarding.Start(session, agent, _plan.Settings.ForwardedAgentKeys, Identity.ToString(), _plan.Logger))?.Dispose();
        }
    }

    private void StopSessionWatch()
    {
        Session? session;
        KeepAlive? keepAlive;
        lock (_gate)
        {
            session = _session;
            keepAlive = _keepAlive;
            _session = null;
            _keepAlive = null;
        }

        keepAlive?.Dispose();
        Commands.Starts.OnSessionEnded();
        Interlocked.Exchange(ref _agentForwarding, null)?.Dispose();
        if (session is not null)
        {
            session.ChannelSuccessReceived -= OnRequestAnsweredThroughJump;
            session.ChannelRequestReceived -= OnChannelRequest;
            session.ChannelOpenFailureReceived -= OnChannelRefused;
            session.ErrorOccured -= OnSessionError;
            session.Disconnected -= OnSessionDisconnected;
        }
    }

    /// <summary>A command's exit status or signal arrived: watch that its channel closes.</summary>
    private void OnChannelRequest(object? sender, MessageEventArgs<ChannelRequestMessage> e)
    {
        if (e.Message.RequestName is "exit-status" or "exit-signal")
        {
            Commands.OnExitReported();
        }
    }

    /// <summary>
    /// The target's sshd holds the rest of an answer (a command's exit status and output after its "success")
    /// until the jump ACKs the first segment (Nagle), and the jump's kernel delays that ACK by 40 ms because
    /// nothing flows back to the target. An SSH_MSG_IGNORE gives the jump something to send, ACK included: a
    /// command through a jump took 44 ms and now takes about 2.5 ms, as a direct one does.
    /// </summary>
    private void OnRequestAnsweredThroughJump(object? sender, EventArgs e)
    {
        if (sender is Session session)
        {
            SessionAccess.TrySend(session, SessionAccess.Ignore());
        }
    }
}
