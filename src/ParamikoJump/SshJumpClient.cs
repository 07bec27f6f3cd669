using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;
using ParamikoJump.Hops;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using Renci.SshNet;

namespace ParamikoJump;

/// <summary>
/// An <see cref="SshClient"/> that can reach its server through another, already connected client (the jump),
/// logs in with keys, a password and keyboard-interactive MFA together, and reports failures with the hop and
/// stage that failed. Chains of any length are built by nesting: each client is given the one before it.
/// Every hop's host key is checked under the hop's own name (<see cref="HopIdentity.KnownHostsName"/>) against
/// <see cref="HostKeys"/>, by default the user's and the system's known_hosts files, and unknown hosts are
/// refused unless <see cref="MissingHostKeyPolicy"/> says otherwise.
/// </summary>
/// <remarks>
/// Held as an <see cref="SshClient"/> or <see cref="BaseClient"/> it behaves the same (budgets per stage, host-key
/// checks, keep-alive, the forward serving only this hop), except that failures SSH.NET raises surface as SSH.NET's
/// own exceptions there, without the hop; through this type they are the same SSH.NET types, each also an <see cref="IHopFailure"/> naming the hop and stage.
/// </remarks>
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
    private readonly Hop _hop;

    /// <summary>
    /// Creates a client with paramiko's <c>connect()</c> arguments. Nothing is sent until <see cref="Connect"/>;
    /// with a <paramref name="jumpSession"/>, a loopback-only forward is opened on it at once.
    /// Options beyond paramiko's are on <see cref="HopSettings"/>.
    /// </summary>
    /// <param name="hostname">The server as the user names it; through a jump, the jump resolves and dials it.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user to log in as; the local user name when omitted.</param>
    /// <param name="password">A password for password authentication, and the answer to a lone password prompt when no handler is given. Also the passphrase of encrypted keys when <paramref name="passphrase"/> is omitted, as in paramiko.</param>
    /// <param name="keyFilenames">Private key files to offer, each with its <c>-cert.pub</c> certificate when one is next to it.</param>
    /// <param name="keys">Keys already loaded (paramiko's <c>pkey</c>), e.g. <see cref="PrivateKeyFile"/> instances.</param>
    /// <param name="passphrase">The passphrase of encrypted key files; <paramref name="password"/> when omitted.</param>
    /// <param name="lookForKeys">Whether to also offer the user's default key files; see <see cref="HopSettings.LookForKeys"/>.</param>
    /// <param name="allowAgent">Whether to also offer the ssh-agent's keys; see <see cref="HopSettings.AllowAgent"/>.</param>
    /// <param name="authHandler">Answers keyboard-interactive prompts (MFA); added to the other methods, not replacing them.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/> to connect directly.</param>
    /// <param name="timeout">The budget of the TCP connection and the key exchange (paramiko's <c>timeout</c>); 30 s by default.</param>
    /// <param name="bannerTimeout">The budget for the server's SSH banner (paramiko's <c>banner_timeout</c>); <paramref name="timeout"/> by default.</param>
    /// <param name="authTimeout">The budget of the whole login, MFA rounds and push approvals included; 2 minutes by default.</param>
    /// <param name="channelTimeout">The budget of each wait once connected (channel opens, commands starting); 30 s by default.</param>
    /// <param name="keepAliveInterval">How often to check the server is alive; 15 s by default, <see cref="TimeSpan.Zero"/> for never. See <see cref="HopSettings.KeepAliveInterval"/>.</param>
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
        : this(HopPlan.FromSettings(HopSettings.FromConnectArguments(hostname, port, username, password, keyFilenames, keys, passphrase, lookForKeys, allowAgent, authHandler, timeout, bannerTimeout, authTimeout, channelTimeout, keepAliveInterval, hostKeyPolicy, knownHosts, loggerFactory), jumpSession))
    {
    }

    /// <summary>
    /// Creates a client from settings, directly or through a jump; nothing is sent until <see cref="Connect"/>. Every
    /// option beyond the other constructors' is a <see cref="HopSettings"/> property, so new options never add a
    /// constructor.
    /// </summary>
    /// <param name="settings">Where the hop is and how to log in; copied, so later changes to it change nothing here.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/> to connect directly.</param>
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    /// <exception cref="JumpNotConnectedException"><paramref name="jumpSession"/> is not connected or was disposed.</exception>
    /// <exception cref="HopKeyException">A key file cannot be read or decrypted, or the only keys found cannot be used.</exception>
#pragma warning disable RS0026 // Beside the paramiko and ConnectionInfo constructors, each with its own first parameter type.
    public SshJumpClient(HopSettings settings, SshClient? jumpSession = null)
        : this(HopPlan.FromSettings(settings, jumpSession))
    {
    }
#pragma warning restore RS0026

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
        : this(HopPlan.FromConnectionInfo(connectionInfo, jumpSession, authHandler, hostKeyPolicy, knownHosts))
    {
    }

    /// <summary>SSH.NET's host, port, user and password constructor: only the password is offered.</summary>
    /// <param name="host">The server.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    public SshJumpClient(string host, int port, string username, string password)
        : this(JumpClientConstructors.Password(host, port, username, password))
    {
    }

    /// <summary>SSH.NET's host, user and password constructor (port 22): only the password is offered.</summary>
    /// <param name="host">The server.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    public SshJumpClient(string host, string username, string password)
        : this(JumpClientConstructors.Password(host, 22, username, password))
    {
    }

    /// <summary>SSH.NET's host, port, user and keys constructor: only these keys are offered.</summary>
    /// <param name="host">The server.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public SshJumpClient(string host, int port, string username, params IPrivateKeySource[] keyFiles)
        : this(JumpClientConstructors.Keys(host, port, username, keyFiles))
    {
    }

    /// <summary>SSH.NET's host, user and keys constructor (port 22): only these keys are offered.</summary>
    /// <param name="host">The server.</param>
    /// <param name="username">The user.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public SshJumpClient(string host, string username, params IPrivateKeySource[] keyFiles)
        : this(JumpClientConstructors.Keys(host, 22, username, keyFiles))
    {
    }

    private SshJumpClient(HopPlan plan)
        : base(plan.DialInfo)
    {
        _hop = new Hop(this, plan);
    }

    /// <summary>This hop's logical identity: host and port as given, user, and the jump it goes through.</summary>
    public HopIdentity Hop => _hop.Identity;

    /// <summary>The client this one goes through, or <see langword="null"/> for a direct connection.</summary>
    public SshClient? JumpSession => _hop.Plan.Jump;

    /// <summary>
    /// The server's <c>MaxAuthTries</c>: <see cref="HopSettings.MaxAuthTries"/> unless set here. Each public key the
    /// server refuses counts against it, so this client offers at most that many keys, less one for each of password
    /// and keyboard-interactive, preferring keys given explicitly, then the agent's, then the default key files.
    /// Applies to the keys this client gathers itself (not to methods of a <see cref="ConnectionInfo"/>); read at
    /// every login.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxAuthTries
    {
        get => _hop.Plan.Keys.MaxAuthTries;
        set => _hop.Plan.Keys.MaxAuthTries = value;
    }

    /// <summary>
    /// The host keys this client trusts (paramiko's <c>get_host_keys()</c>). Unless one was given, a store that
    /// reads the user's and the system's known_hosts files the first time a key is checked; shared with the
    /// clients that go through this one.
    /// </summary>
    public KnownHosts HostKeys => _hop.HostKeyVerifier.Store;

    /// <summary>
    /// What to do with a host key no known_hosts file holds: <see cref="RejectPolicy"/> (the default),
    /// <see cref="AutoAddPolicy"/>, <see cref="WarningPolicy"/> or your own. A changed or revoked key is refused
    /// whatever this says. Clients created later through this one start with the same policy.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IMissingHostKeyPolicy MissingHostKeyPolicy
    {
        get => _hop.HostKeyVerifier.Policy;
        set => _hop.HostKeyVerifier.Policy = value;
    }

    /// <summary>The stage the current or last connection attempt reached.</summary>
    public HopStage Stage => _hop.Stage;

    /// <summary>The hop at work, shared by the clients that go through this one.</summary>
    internal Hop Runtime => _hop;

    /// <summary>
    /// Connects and logs in. Failures raise the SSH.NET exception of the same failure, also an <see cref="IHopFailure"/> that names the hop, the jump
    /// and the stage. A connection the server closes before its banner is tried again
    /// (<see cref="HopSettings.ConnectionAttempts"/>).
    /// </summary>
    public new void Connect() => _hop.Connect(base.Connect);

    /// <summary>Connects and logs in asynchronously; see <see cref="Connect"/>.</summary>
    public Task ConnectAsync() => ConnectAsync(CancellationToken.None);

    /// <summary>Connects and logs in asynchronously; see <see cref="Connect"/>.</summary>
    /// <param name="cancellationToken">Cancels the attempt, and the token an <see cref="AsyncKeyboardInteractiveHandler"/> is given.</param>
    /// <remarks>
    /// No default value here, on purpose: with the same signature as <see cref="BaseClient.ConnectAsync"/>, which it
    /// hides, PowerShell's method binder sees one method where a default value made it see two and refuse the call as
    /// ambiguous; <see cref="ConnectAsync()"/> is the call without a token.
    /// </remarks>
    public new Task ConnectAsync(CancellationToken cancellationToken) => _hop.ConnectAsync(base.ConnectAsync, cancellationToken);

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
        _hop.OnConnecting();
    }

    /// <inheritdoc/>
    protected override void OnConnected()
    {
        base.OnConnected();
        _hop.OnConnected();
    }

    /// <inheritdoc/>
    protected override void OnDisconnected()
    {
        base.OnDisconnected();
        _hop.OnDisconnected();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // Our session first, so the jump's channel ends cleanly, then the forward on the jump.
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            if (disposing)
            {
                _hop.Dispose();
            }
        }
    }
}
