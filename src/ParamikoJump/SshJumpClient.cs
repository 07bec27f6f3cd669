using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using ParamikoJump.Hops;
using ParamikoJump.HostKeys;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump;

/// <summary>
/// An <see cref="SshClient"/> that can reach its server through another, already connected client (the jump),
/// logs in with keys, a password and keyboard-interactive MFA together, and reports failures with the hop and
/// stage that failed. Chains of any length are built by nesting: each client is given the one before it.
/// Every hop's host key is checked under the hop's own name (<see cref="HopIdentity.KnownHostsName"/>) against
/// <see cref="HostKeys"/>, by default the user's and the system's known_hosts files, and unknown hosts are
/// refused unless <see cref="MissingHostKeyPolicy"/> says otherwise.
/// </summary>
/// <example>
/// <code>
/// using var jumper = new SshJumpClient(hostname: "bastion", username: "ops", authHandler: new SimpleAuthHandler());
/// jumper.Connect();
/// using var target = new SshJumpClient(hostname: "10.0.0.5", username: "admin", password: "secret", jumpSession: jumper);
/// target.Connect();
/// var (_, stdout, _) = target.ExecCommand("uptime");
/// Console.WriteLine(stdout.ReadToEnd());
/// </code>
/// </example>
public partial class SshJumpClient : SshClient
{
    private readonly HopSetup _setup;
    private readonly HostKeyVerifier _hostKeys;
    private int _stage = (int)HopStage.Setup;
    private int _disposed;
    private bool _connectingAsync;

    /// <summary>
    /// Creates a client with paramiko's <c>connect()</c> arguments. Nothing is sent until <see cref="Connect"/>;
    /// with a <paramref name="jumpSession"/>, a loopback-only forward is opened on it at once.
    /// </summary>
    /// <param name="hostname">The server as the user names it; through a jump, the jump resolves and dials it.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user to log in as; the local user name when omitted.</param>
    /// <param name="password">A password for password authentication, and the answer to a lone password prompt when no handler is given. Also the passphrase of encrypted keys when <paramref name="passphrase"/> is omitted, as in paramiko.</param>
    /// <param name="keyFilenames">Private key files to offer, each with its <c>-cert.pub</c> certificate when one is next to it.</param>
    /// <param name="keys">Keys already loaded (paramiko's <c>pkey</c>), e.g. <see cref="PrivateKeyFile"/> instances.</param>
    /// <param name="passphrase">The passphrase of encrypted key files; <paramref name="password"/> when omitted.</param>
    /// <param name="lookForKeys">
    /// Whether to also offer the user's default key files (~/.ssh/id_rsa, id_ecdsa, id_ed25519, in OpenSSH's order) and
    /// their certificates. One that cannot be decrypted is skipped with a log line, as ssh does when it cannot ask.
    /// </param>
    /// <param name="allowAgent">
    /// Whether to also offer the keys and certificates held by the ssh-agent at SSH_AUTH_SOCK (a Unix socket), asked
    /// at each login. No agent, a dead or a locked one is skipped with a log line; one that refuses to sign is an error.
    /// Keys are offered explicit ones first, then the agent's, then the default files, each once, within <see cref="MaxAuthTries"/>.
    /// </param>
    /// <param name="authHandler">Answers keyboard-interactive prompts (MFA); added to the other methods, not replacing them.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/> to connect directly.</param>
    /// <param name="timeout">The budget of each wait while connecting and exchanging keys (paramiko's <c>timeout</c>); 30 s by default.</param>
    /// <param name="bannerTimeout">The budget for the server's SSH banner (paramiko's <c>banner_timeout</c>); <paramref name="timeout"/> by default.</param>
    /// <param name="authTimeout">The budget of the whole login, MFA rounds and push approvals included; 2 minutes by default.</param>
    /// <param name="channelTimeout">The budget of each wait once connected (channel opens, commands starting); 30 s by default.</param>
    /// <param name="keepAliveInterval">How often to send keep-alive messages; none by default.</param>
    /// <param name="hostKeyPolicy">What to do with host keys no known_hosts file holds; the jump's policy, or <see cref="RejectPolicy"/>, by default.</param>
    /// <param name="knownHosts">The host keys to trust; the jump's store, or <see cref="KnownHosts.CreateDefault"/>, by default.</param>
    /// <param name="loggerFactory">Where this hop logs; the factory given to <see cref="SshNetLoggingConfiguration.InitializeLogging"/> by default.</param>
    /// <exception cref="ArgumentException">An argument is missing or out of range.</exception>
    /// <exception cref="JumpNotConnectedException"><paramref name="jumpSession"/> is not connected or was disposed.</exception>
    /// <exception cref="HopKeyException">A key file cannot be read or decrypted, or the only keys found cannot be used.</exception>
    public SshJumpClient(
        string hostname,
        int port = 22,
        string? username = null,
        string? password = null,
        IEnumerable<string>? keyFilenames = null,
        IEnumerable<IPrivateKeySource>? keys = null,
        string? passphrase = null,
        bool lookForKeys = true,
        bool allowAgent = true,
        IKeyboardInteractiveHandler? authHandler = null,
        SshClient? jumpSession = null,
        TimeSpan? timeout = null,
        TimeSpan? bannerTimeout = null,
        TimeSpan? authTimeout = null,
        TimeSpan? channelTimeout = null,
        TimeSpan? keepAliveInterval = null,
        IMissingHostKeyPolicy? hostKeyPolicy = null,
        KnownHosts? knownHosts = null,
        ILoggerFactory? loggerFactory = null)
        : this(HopSetup.FromArguments(new HopArguments
        {
            Hostname = hostname,
            Port = port,
            Username = username,
            Password = password,
            KeyFilenames = keyFilenames?.ToArray() ?? [],
            Keys = keys?.ToArray() ?? [],
            Passphrase = passphrase,
            LookForKeys = lookForKeys,
            AllowAgent = allowAgent,
            AuthHandler = authHandler,
            Jump = jumpSession,
            ConnectTimeout = timeout,
            BannerTimeout = bannerTimeout,
            AuthTimeout = authTimeout,
            ChannelTimeout = channelTimeout,
            LoggerFactory = loggerFactory,
        }),
        hostKeyPolicy,
        knownHosts)
    {
        if (keepAliveInterval is { } interval)
        {
            KeepAliveInterval = interval;
        }
    }

    /// <summary>Creates a client from an SSH.NET <see cref="ConnectionInfo"/>, optionally through a jump.</summary>
    /// <param name="connectionInfo">The server, user, methods and algorithms; its host and port are the logical ones.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    /// <param name="authHandler">Answers keyboard-interactive prompts, added after the methods of <paramref name="connectionInfo"/>.</param>
    /// <param name="hostKeyPolicy">What to do with host keys no known_hosts file holds; the jump's policy, or <see cref="RejectPolicy"/>, by default.</param>
    /// <param name="knownHosts">The host keys to trust; the jump's store, or <see cref="KnownHosts.CreateDefault"/>, by default.</param>
    public SshJumpClient(
        ConnectionInfo connectionInfo,
        SshClient? jumpSession = null,
        IKeyboardInteractiveHandler? authHandler = null,
        IMissingHostKeyPolicy? hostKeyPolicy = null,
        KnownHosts? knownHosts = null)
        : this(HopSetup.FromConnectionInfo(connectionInfo, jumpSession, authHandler), hostKeyPolicy, knownHosts)
    {
    }

    /// <summary>SSH.NET's host, port, user and password constructor.</summary>
    public SshJumpClient(string host, int port, string username, string password)
        : this(host, port, username, password, jumpSession: null)
    {
    }

    /// <summary>SSH.NET's host, port, user and password constructor, through a jump.</summary>
    public SshJumpClient(string host, int port, string username, string password, SshClient? jumpSession)
        : this(hostname: host, port: port, username: username, password: password, lookForKeys: false, allowAgent: false, jumpSession: jumpSession)
    {
    }

    /// <summary>SSH.NET's host, user and password constructor (port 22).</summary>
    public SshJumpClient(string host, string username, string password)
        : this(host, 22, username, password, jumpSession: null)
    {
    }

    /// <summary>SSH.NET's host, user and password constructor (port 22), through a jump.</summary>
    public SshJumpClient(string host, string username, string password, SshClient? jumpSession)
        : this(host, 22, username, password, jumpSession)
    {
    }

    /// <summary>SSH.NET's host, port, user and keys constructor.</summary>
    public SshJumpClient(string host, int port, string username, params IPrivateKeySource[] keyFiles)
        : this(host, port, username, jumpSession: null, keyFiles)
    {
    }

    /// <summary>SSH.NET's host, port, user and keys constructor, through a jump.</summary>
    public SshJumpClient(string host, int port, string username, SshClient? jumpSession, params IPrivateKeySource[] keyFiles)
        : this(hostname: host, port: port, username: username, keys: keyFiles, lookForKeys: false, allowAgent: false, jumpSession: jumpSession)
    {
    }

    /// <summary>SSH.NET's host, user and keys constructor (port 22).</summary>
    public SshJumpClient(string host, string username, params IPrivateKeySource[] keyFiles)
        : this(host, 22, username, jumpSession: null, keyFiles)
    {
    }

    /// <summary>SSH.NET's host, user and keys constructor (port 22), through a jump.</summary>
    public SshJumpClient(string host, string username, SshClient? jumpSession, params IPrivateKeySource[] keyFiles)
        : this(host, 22, username, jumpSession, keyFiles)
    {
    }

    /// <summary>Creates a client from gathered arguments; tests use it to give a hop its own key environment.</summary>
    internal SshJumpClient(HopArguments arguments, KnownHosts? knownHosts = null)
        : this(HopSetup.FromArguments(arguments), null, knownHosts)
    {
    }

    private SshJumpClient(HopSetup setup, IMissingHostKeyPolicy? hostKeyPolicy, KnownHosts? knownHosts)
        : base(setup.DialInfo)
    {
        _setup = setup;
        _hostKeys = HostKeyVerifier.ForHop(setup.Hop, setup.Jump, hostKeyPolicy, knownHosts, setup.Logger);
        _setup.Tracker.Started += (_, _) => Stage = HopStage.Authentication;
        ServerIdentificationReceived += OnServerIdentification;
        HostKeyReceived += OnHostKeyReceived;
    }

    /// <summary>This hop's logical identity: host and port as given, user, and the jump it goes through.</summary>
    public HopIdentity Hop => _setup.Hop;

    /// <summary>The client this one goes through, or <see langword="null"/> for a direct connection.</summary>
    public SshClient? JumpSession => _setup.Jump;

    /// <summary>
    /// The server's <c>MaxAuthTries</c>: 6, OpenSSH's default, unless set. Each public key the server refuses
    /// counts against it, so this client offers at most that many keys, less one for each of password and
    /// keyboard-interactive, preferring keys given explicitly, then the agent's, then the default key files.
    /// Applies to the keys this client gathers itself (not to methods of a <see cref="ConnectionInfo"/>);
    /// read at every login.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxAuthTries
    {
        get => _setup.Keys.MaxAuthTries;
        set => _setup.Keys.MaxAuthTries = value;
    }

    /// <summary>
    /// The host keys this client trusts (paramiko's <c>get_host_keys()</c>). Unless one was given, a store that
    /// reads the user's and the system's known_hosts files the first time a key is checked; shared with the
    /// clients that go through this one.
    /// </summary>
    public KnownHosts HostKeys => _hostKeys.Store;

    /// <summary>
    /// What to do with a host key no known_hosts file holds: <see cref="RejectPolicy"/> (the default),
    /// <see cref="AutoAddPolicy"/>, <see cref="WarningPolicy"/> or your own. A changed or revoked key is refused
    /// whatever this says. Clients created later through this one start with the same policy.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IMissingHostKeyPolicy MissingHostKeyPolicy
    {
        get => _hostKeys.Policy;
        set => _hostKeys.Policy = value;
    }

    /// <summary>The stage the current or last connection attempt reached.</summary>
    public HopStage Stage
    {
        get => (HopStage)Volatile.Read(ref _stage);
        private set => Volatile.Write(ref _stage, (int)value);
    }

    /// <summary>
    /// Connects and logs in. Failures raise a <see cref="ParamikoJumpException"/> that names the hop, the jump
    /// and the stage (through a base-class reference, SSH.NET's own exceptions surface for failures SSH.NET raises).
    /// </summary>
    public new void Connect()
    {
        try
        {
            base.Connect();
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            throw Fail(ex);
        }
    }

    /// <summary>Connects and logs in asynchronously; see <see cref="Connect"/>.</summary>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    public new async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        // SSH.NET bounds an asynchronous connect as a whole by ConnectionInfo.Timeout; the transport gets its own
        // watchdog here so a dead host fails after the connect budget, not after the login budget.
        var beforeBanner = _setup.Timeouts.BeforeBanner(_setup.Tunnel is not null);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timedOut = 0;
        using var watchdog = new Timer(
            _ =>
            {
                if (Stage < HopStage.KeyExchange && Interlocked.Exchange(ref timedOut, 1) == 0)
                {
                    CancelQuietly(attempt);
                }
            },
            null,
            beforeBanner,
            Timeout.InfiniteTimeSpan);
        _connectingAsync = true;
        try
        {
            await base.ConnectAsync(attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (Volatile.Read(ref timedOut) == 1 && !cancellationToken.IsCancellationRequested)
        {
            throw Fail(new HopTimeoutException($"No SSH banner within {beforeBanner.TotalSeconds:0.#} s.", Hop, Stage, beforeBanner, ex));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            throw Fail(ex);
        }
        finally
        {
            _connectingAsync = false;
        }
    }

    /// <summary>Sets <see cref="MissingHostKeyPolicy"/> (paramiko's <c>set_missing_host_key_policy</c>).</summary>
    /// <param name="policy">The policy, e.g. <c>new AutoAddPolicy()</c>.</param>
    public void SetMissingHostKeyPolicy(IMissingHostKeyPolicy policy) => MissingHostKeyPolicy = policy;

    /// <summary>Trusts a known_hosts file without ever writing it; see <see cref="KnownHosts.LoadSystemHostKeys"/>.</summary>
    /// <param name="path">The file, or <see langword="null"/> for the user's and the system's default files.</param>
    public void LoadSystemHostKeys(string? path = null) => HostKeys.LoadSystemHostKeys(path);

    /// <summary>Trusts a known_hosts file that also receives accepted keys; see <see cref="KnownHosts.LoadHostKeys"/>.</summary>
    /// <param name="path">The file; created at the first addition if missing.</param>
    public void LoadHostKeys(string path) => HostKeys.LoadHostKeys(path);

    /// <summary>Appends the keys this client's store added to a file; see <see cref="KnownHosts.SaveHostKeys"/>.</summary>
    /// <param name="path">The file.</param>
    public void SaveHostKeys(string path) => HostKeys.SaveHostKeys(path);

    /// <summary><c>SshJumpClient user@host:port via ...</c>; never contains a secret.</summary>
    public override string ToString() => $"{nameof(SshJumpClient)} {Hop}";

    /// <inheritdoc/>
    protected override void OnConnecting()
    {
        base.OnConnecting();
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(ToString());
        }

        Stage = HopStage.Setup;
        _setup.Tracker.Reset();
        _hostKeys.Reset();
        _setup.Tunnel?.PrepareAttempt();
        var beforeBanner = _setup.Timeouts.BeforeBanner(_setup.Tunnel is not null);

        // Synchronous connects read ConnectionInfo.Timeout at every wait; an asynchronous one also uses the value
        // read right after this hook as its overall budget, which must leave room for the login.
        ConnectionInfo.Timeout = _connectingAsync ? beforeBanner + _setup.Timeouts.Connect + _setup.Timeouts.Auth : beforeBanner;
        Stage = _setup.Tunnel is null ? HopStage.TcpConnect : HopStage.ChannelOpen;
        Log.HopConnecting(_setup.Logger, Hop.ToString());
    }

    /// <inheritdoc/>
    protected override void OnConnected()
    {
        base.OnConnected();
        Stage = HopStage.Session;
        ConnectionInfo.Timeout = _setup.Timeouts.Channel;
        if (_setup.Tunnel is not null && SessionAccess.TryGetSession(this) is { } session)
        {
            session.ChannelSuccessReceived += OnRequestAnsweredThroughJump;
        }

        Log.HopConnected(_setup.Logger, Hop.ToString(), ConnectionInfo.ServerVersion ?? "unknown server");
    }

    /// <inheritdoc/>
    protected override void OnDisconnected()
    {
        base.OnDisconnected();
        Log.HopClosed(_setup.Logger, Hop.ToString());
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Our session first, so the jump's channel ends cleanly, then the forward on the jump.
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            if (disposing)
            {
                _setup.Tunnel?.Dispose();
            }
        }
    }

    private void OnServerIdentification(object? sender, SshIdentificationEventArgs e)
    {
        // Raised on the connecting thread between the banner and the key exchange: the banner wait is over.
        Stage = HopStage.KeyExchange;
        if (!_connectingAsync)
        {
            ConnectionInfo.Timeout = _setup.Timeouts.Connect;
        }
    }

    private void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
    {
        // Raised at every key exchange; only the first of a connection moves the stage on.
        if (Stage == HopStage.KeyExchange)
        {
            Stage = HopStage.HostKeyVerification;
        }

        // Only ever lowers trust, so a handler of the user's own can still refuse a key we would accept.
        if (!_hostKeys.Verify(e.HostKey, e.Certificate))
        {
            e.CanTrust = false;
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
        try
        {
            // SSH.NET's only public way to send SSH_MSG_IGNORE at a moment of our choosing; obsolete only in
            // favour of KeepAliveInterval, which sends on a timer.
#pragma warning disable CS0618
            SendKeepAlive();
#pragma warning restore CS0618
        }
        catch (ObjectDisposedException)
        {
            // Closing: nothing more to answer.
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt finished while the watchdog fired.
        }
    }

    private ParamikoJumpException Fail(Exception error)
    {
        var typed = FailureTranslator.Translate(error, new FailureContext(Hop, Stage, _setup.Tunnel, _setup.Tracker, _setup.Timeouts, _hostKeys.Rejection(error)));
        Log.HopFailed(_setup.Logger, Hop.ToString(), typed.Stage, typed);
        return typed;
    }
}
