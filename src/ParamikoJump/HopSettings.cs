using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using ParamikoJump.Configuration;
using ParamikoJump.Authentication;
using ParamikoJump.Execution;
using ParamikoJump.HostKeys;
using ParamikoJump.Hops;
using ParamikoJump.Keys;
using Renci.SshNet;

namespace ParamikoJump;

/// <summary>
/// Where one hop is and how to reach it and log in: the settings every ParamikoJump client takes
/// (<see cref="SshJumpClient"/>, and the SFTP and SCP clients) and the ssh_config
/// reader produces. A client copies the settings when it is created; changing them afterwards changes nothing.
/// </summary>
/// <example>
/// <code>
/// var bastion = new HopSettings("bastion.example.com") { Username = "ops", AuthHandler = new SimpleAuthHandler() };
/// using var jumper = new SshJumpClient(bastion);
/// jumper.Connect();
/// </code>
/// </example>
public sealed class HopSettings
{
    /// <summary>The connect budget when none is given: 30 s.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The login budget when none is given: 2 minutes.</summary>
    public static readonly TimeSpan DefaultAuthTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The budget of each wait once connected when none is given: 30 s.</summary>
    public static readonly TimeSpan DefaultChannelTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The keep-alive interval when none is given: 15 s.</summary>
    public static readonly TimeSpan DefaultKeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>Creates settings for the server at <paramref name="host"/>.</summary>
    /// <param name="host">The server as the user names it; through a jump, the jump resolves and dials it.</param>
    public HopSettings(string host)
    {
        Host = host;
    }

    /// <summary>The server as the user names it; through a jump, the jump resolves and dials it.</summary>
    public string Host { get; set; }

    /// <summary>The server's port.</summary>
    /// <value>22.</value>
    public int Port { get; set; } = 22;

    /// <summary>The user to log in as.</summary>
    /// <value><see langword="null"/>: the local user name.</value>
    public string? Username { get; set; }

    /// <summary>
    /// A password for password authentication, and the answer to a lone password prompt when no
    /// <see cref="AuthHandler"/> is given. Also the passphrase of encrypted keys when <see cref="Passphrase"/> is
    /// not set, as in paramiko. Never logged, never in an exception message or <see cref="object.ToString"/>.
    /// </summary>
    /// <value><see langword="null"/>.</value>
    public string? Password { get; set; }

    /// <summary>
    /// Private key files to offer, each with its <c>-cert.pub</c> certificate when one is next to it. A leading
    /// <c>~</c> is the user's home, as in ssh's <c>IdentityFile</c> (<c>%USERPROFILE%</c> on Windows).
    /// </summary>
    /// <value>Empty.</value>
    public IList<string> KeyFilenames { get; set; } = new List<string>();

    /// <summary>Keys already loaded (paramiko's <c>pkey</c>), e.g. <see cref="PrivateKeyFile"/> instances.</summary>
    /// <value>Empty.</value>
    public IList<IPrivateKeySource> Keys { get; set; } = new List<IPrivateKeySource>();

    /// <summary>The passphrase of encrypted key files.</summary>
    /// <value><see langword="null"/>: <see cref="Password"/> is tried.</value>
    public string? Passphrase { get; set; }

    /// <summary>
    /// Whether to also offer the user's default key files (~/.ssh/id_rsa, id_ecdsa, id_ed25519, ..., in OpenSSH's
    /// order) and their certificates. One that cannot be decrypted is skipped with a log line, as ssh does.
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool LookForKeys { get; set; } = true;

    /// <summary>
    /// Whether to also offer the keys held by the ssh-agent at SSH_AUTH_SOCK, asked at each login. No agent, or a
    /// dead or locked one, is skipped with a log line; one that refuses to sign is an error.
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool AllowAgent { get; set; } = true;

    /// <summary>
    /// Whether commands started with <see cref="SshJumpClient.ExecCommand(string, System.TimeSpan?)"/> on this hop get the local ssh-agent
    /// (<c>SSH_AUTH_SOCK</c>) forwarded (ssh's <c>-A</c> / <c>ForwardAgent yes</c>, paramiko's
    /// <c>AgentRequestHandler</c>): on the server, <c>ssh-add -l</c>, <c>git</c> or a further <c>ssh</c> use the keys
    /// it holds, which never leave this machine. Anyone with root on the server can use the agent while the command
    /// runs, as with ssh -A. No local agent: commands run without it, with a log line.
    /// </summary>
    /// <value><see langword="false"/>, as in ssh.</value>
    public bool ForwardAgent { get; set; }

    /// <summary>
    /// The agent this hop takes keys from (<see cref="AllowAgent"/>) and forwards (<see cref="ForwardAgent"/>) instead of
    /// <c>SSH_AUTH_SOCK</c>'s, as ssh's <c>IdentityAgent</c>: a Unix socket path (a leading <c>~</c> is the home), a
    /// Windows named pipe <c>\\.\pipe\NAME</c> or <c>//./pipe/NAME</c> (OpenSSH for Windows' agent, or Pageant's pipe, the path
    /// <c>pageant --openssh-config FILE</c> writes), <c>none</c> for no agent, or <c>SSH_AUTH_SOCK</c> for the default.
    /// </summary>
    /// <value><see langword="null"/>: <c>SSH_AUTH_SOCK</c>; on Windows without it, the first of OpenSSH's agent
    /// service, Pageant's pipe and Pageant's window that is running.</value>
    public string? IdentityAgent { get; set; }

    /// <summary>
    /// Keys the forwarded agent answers from instead of the local agent, when <see cref="ForwardAgent"/> is on (an
    /// application that holds its keys itself, with no ssh-agent running): the server can list them and have them sign,
    /// nothing more; the keys never leave this process.
    /// </summary>
    /// <value>Empty: the local agent at <c>SSH_AUTH_SOCK</c> is forwarded.</value>
    public IList<IPrivateKeySource> ForwardedAgentKeys { get; set; } = new List<IPrivateKeySource>();

    /// <summary>
    /// Names of local environment variables to send to every command on this hop (ssh's <c>SendEnv</c>): <c>*</c> and
    /// <c>?</c> wildcards; a name starting with <c>-</c> takes matching names out again. sshd keeps only those its
    /// <c>AcceptEnv</c> allows; the others are dropped with a log line, as ssh drops them.
    /// </summary>
    /// <value>Empty.</value>
    public IList<string> SendEnv { get; set; } = new List<string>();

    /// <summary>
    /// Variables to set for every command on this hop (ssh's <c>SetEnv</c>); refused ones are dropped with a log line,
    /// as ssh drops them. <see cref="CommandOptions.Environment"/> overrides a name set here.
    /// </summary>
    /// <value>Empty.</value>
    public IDictionary<string, string> SetEnv { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Certificate files to offer with the private keys they certify (ssh's <c>CertificateFile</c>): each is offered
    /// together with every key of <see cref="KeyFilenames"/> and of the default key files whose public key it
    /// certifies, certificates first. A certificate that certifies none of them is skipped with a log line.
    /// </summary>
    /// <value>Empty: only the <c>-cert.pub</c> file next to each key is used.</value>
    public IList<string> CertificateFiles { get; set; } = new List<string>();

    /// <summary>
    /// Whether to offer only the keys this hop was given or found in files (ssh's <c>IdentitiesOnly</c>): keys
    /// of the ssh-agent are then offered only when they are one of those keys, so an agent holding many keys cannot
    /// exhaust the server's MaxAuthTries.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool IdentitiesOnly { get; set; }

    /// <summary>Whether to log in with public keys at all (ssh's <c>PubkeyAuthentication</c>).</summary>
    /// <value><see langword="true"/>.</value>
    public bool PubkeyAuthentication { get; set; } = true;

    /// <summary>
    /// Whether to use <see cref="Password"/> for password authentication (ssh's <c>PasswordAuthentication</c>). The
    /// password still decrypts keys and answers a lone keyboard-interactive password prompt.
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool PasswordAuthentication { get; set; } = true;

    /// <summary>Whether to log in with keyboard-interactive at all (ssh's <c>KbdInteractiveAuthentication</c>).</summary>
    /// <value><see langword="true"/>.</value>
    public bool KbdInteractiveAuthentication { get; set; } = true;

    /// <summary>
    /// The order in which to try the methods (ssh's <c>PreferredAuthentications</c>): names among
    /// <c>publickey</c>, <c>password</c> and <c>keyboard-interactive</c>. Methods left out are not tried; other
    /// names (such as <c>gssapi-with-mic</c> or <c>hostbased</c>) are ignored, as ssh ignores methods it cannot do.
    /// </summary>
    /// <value><see langword="null"/>: public keys, then password, then keyboard-interactive.</value>
    public IList<string>? PreferredAuthentications { get; set; }

    /// <summary>
    /// Answers keyboard-interactive prompts (MFA); added to the other methods, not replacing them. An
    /// <see cref="AsyncKeyboardInteractiveHandler"/> is awaited; a handler that also implements
    /// <see cref="IAuthenticationBannerHandler"/> is shown the server's login banner.
    /// </summary>
    /// <value><see langword="null"/>.</value>
    public IKeyboardInteractiveHandler? AuthHandler { get; set; }

    /// <summary>The budget of the TCP connection (direct hops) and of the key exchange (paramiko's <c>timeout</c>).</summary>
    /// <value>30 s.</value>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    /// <summary>
    /// The budget for the server's SSH banner (paramiko's <c>banner_timeout</c>); through a jump, for the channel open and
    /// the banner. On a direct hop the TCP connection and the banner share one budget, the longer of this and
    /// <see cref="ConnectTimeout"/>.
    /// </summary>
    /// <value><see langword="null"/>: <see cref="ConnectTimeout"/>.</value>
    public TimeSpan? BannerTimeout { get; set; }

    /// <summary>The budget of the whole login, MFA rounds and push approvals included (paramiko's <c>auth_timeout</c>).</summary>
    /// <value>2 minutes.</value>
    public TimeSpan AuthTimeout { get; set; } = DefaultAuthTimeout;

    /// <summary>The budget of each wait once connected: channel opens, commands starting (paramiko's <c>channel_timeout</c>).</summary>
    /// <value>30 s.</value>
    public TimeSpan ChannelTimeout { get; set; } = DefaultChannelTimeout;

    /// <summary>
    /// How often to ask the server for a sign of life (<c>keepalive@openssh.com</c>, which it must answer), as
    /// ssh's <c>ServerAliveInterval</c>. <see cref="TimeSpan.Zero"/> or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// turns keep-alive off.
    /// </summary>
    /// <value>15 s.</value>
    public TimeSpan KeepAliveInterval { get; set; } = DefaultKeepAliveInterval;

    /// <summary>
    /// How many keep-alives may go unanswered before the hop is declared dead, its session closed, and every wait
    /// on it and on the hops behind it fails (ssh's <c>ServerAliveCountMax</c>).
    /// </summary>
    /// <value>3.</value>
    public int KeepAliveCountMax { get; set; } = 3;

    /// <summary>
    /// How many times one <c>Connect</c> tries a connection that the server closes before sending its SSH banner, as
    /// ssh's <c>ConnectionAttempts</c> (whose default there is 1). That is how servers shed a burst of connections
    /// (OpenSSH's <c>MaxStartups</c>, 10 unauthenticated by default; dropbear's 5 per address), so a burst to one
    /// host succeeds. Pauses between attempts are jittered and grow from up to 0.1 s to up to 2 s, and all attempts
    /// stay within the budget of the first one before the banner (<see cref="BannerTimeout"/> or
    /// <see cref="ConnectTimeout"/>). Nothing else is retried: a refused connection or channel, a timeout, a host key
    /// or a login failure is reported at once. 1 turns retries off.
    /// </summary>
    /// <value>10.</value>
    public int ConnectionAttempts { get; set; } = 10;

    /// <summary>
    /// How many connect attempts to this hop's server (its host and port through the same jumps) this process runs
    /// at once; more wait for a slot, each held from the TCP connection or channel open until the login ended. Servers
    /// drop unauthenticated connections past a limit (OpenSSH's <c>MaxStartups</c> starts at 10), so a burst to one
    /// host stays under it. Clients with different values queue apart. Waiting for a slot is bounded by one
    /// attempt's budgets (<see cref="BannerTimeout"/> or <see cref="ConnectTimeout"/>, plus <see cref="ConnectTimeout"/>
    /// and <see cref="AuthTimeout"/>).
    /// </summary>
    /// <value>8.</value>
    public int MaxConcurrentConnects { get; set; } = 8;

    /// <summary>
    /// The server's <c>MaxAuthTries</c>. Each public key the server refuses counts against it, so at most that many
    /// keys are offered, less one for each of password and keyboard-interactive.
    /// </summary>
    /// <value>6, OpenSSH's default.</value>
    public int MaxAuthTries { get; set; } = 6;

    /// <summary>How many keyboard-interactive rounds one login may take before it is abandoned with an error.</summary>
    /// <value>50.</value>
    public int MaxKeyboardInteractiveRounds { get; set; } = 50;

    /// <summary>
    /// A cap on a command's output (stdout and stderr together) waiting unread, for servers that ignore SSH flow
    /// control. Without it a command's output is bounded by its channel's window, which opens only as the output is
    /// read: a slow reader pauses the command, and a server that sends past the window fails the command with a
    /// <see cref="ChannelWindowException"/>. With it, such a server's output is accepted up to the cap; past the cap
    /// the command is cancelled, its channel closed, and its reader gets a <see cref="CommandOutputLimitException"/>
    /// (so does a slow reader of a well-behaved server, once the window is larger than the cap).
    /// </summary>
    /// <value><see langword="null"/>: no cap; 64 MiB where the window cannot follow the reader (.NET Framework, a future SSH.NET).</value>
    public long? MaxCommandOutputBuffer { get; set; }

    /// <summary>The cap without <see cref="MaxCommandOutputBuffer"/> where the window cannot follow the reader.</summary>
    internal const long FallbackCommandOutputBuffer = 64L * 1024 * 1024;

    /// <summary>What to do with host keys no known_hosts file holds.</summary>
    /// <value><see langword="null"/>: the jump's policy, or <see cref="RejectPolicy"/>.</value>
    public IMissingHostKeyPolicy? HostKeyPolicy { get; set; }

    /// <summary>The host keys to trust.</summary>
    /// <value><see langword="null"/>: the jump's store, or <see cref="KnownHosts.CreateDefault"/>.</value>
    public KnownHosts? KnownHosts { get; set; }

    /// <summary>
    /// The name this hop's host keys are looked up and saved under, instead of <c>host</c> (port 22) or
    /// <c>[host]:port</c> (OpenSSH's <c>HostKeyAlias</c>): for hosts reached under several names or through
    /// tunnels, or several hosts behind one address. No port is added to it, and a host certificate must name it.
    /// </summary>
    /// <value><see langword="null"/>: the host's own name.</value>
    public string? HostKeyAlias { get; set; }

    /// <summary>
    /// The key exchange algorithms this hop offers, written as ssh_config's <c>KexAlgorithms</c>: a comma-separated list
    /// replaces the defaults, <c>+list</c> appends to them, <c>-list</c> removes from them (<c>*</c> and <c>?</c> wildcards),
    /// <c>^list</c> puts names in front. An old device that offers only <c>diffie-hellman-group14-sha1</c> needs
    /// <c>"+diffie-hellman-group14-sha1"</c>. Names SSH.NET does not implement are left out; unknown names are an error.
    /// </summary>
    /// <value><see langword="null"/>: OpenSSH's client defaults (no SHA-1 key exchange).</value>
    public string? KexAlgorithms { get; set; }

    /// <summary>
    /// The host key algorithms this hop accepts, written as ssh_config's <c>HostKeyAlgorithms</c> (see
    /// <see cref="KexAlgorithms"/> for the syntax): <c>"+ssh-rsa"</c> accepts an RSA host key signed with SHA-1, as old
    /// devices sign.
    /// </summary>
    /// <value><see langword="null"/>: OpenSSH's client defaults (no <c>ssh-rsa</c>).</value>
    public string? HostKeyAlgorithms { get; set; }

    /// <summary>
    /// The ciphers this hop offers, written as ssh_config's <c>Ciphers</c> (see <see cref="KexAlgorithms"/> for the
    /// syntax), e.g. <c>"+aes128-cbc"</c>. A list given here is offered in its own order.
    /// </summary>
    /// <value><see langword="null"/>: OpenSSH's client defaults (no CBC ciphers), AES-GCM first where the platform has it.</value>
    public string? Ciphers { get; set; }

    /// <summary>The MAC algorithms this hop offers, written as ssh_config's <c>MACs</c> (see <see cref="KexAlgorithms"/> for the syntax).</summary>
    /// <value><see langword="null"/>: OpenSSH's client defaults.</value>
    public string? MACs { get; set; }

    /// <summary>
    /// The signature algorithms this hop's keys may be offered with, written as ssh_config's
    /// <c>PubkeyAcceptedAlgorithms</c> (see <see cref="KexAlgorithms"/> for the syntax; wildcards allowed). A device that
    /// only takes SHA-1 RSA signatures is reached with <c>"+ssh-rsa"</c>: each RSA key is then offered with
    /// <c>rsa-sha2-512</c> and then with <c>ssh-rsa</c>, two tries of the server's MaxAuthTries (ssh picks one from the
    /// server's <c>server-sig-algs</c>, which SSH.NET does not ask for), or <c>ssh-rsa</c> first with <c>"^ssh-rsa"</c>.
    /// A key none of whose algorithms is in the list is not offered, with a log line.
    /// </summary>
    /// <value><see langword="null"/>: OpenSSH's client defaults (no <c>ssh-rsa</c>, no <c>ssh-dss</c>).</value>
    public string? PubkeyAcceptedAlgorithms { get; set; }

    /// <summary>Where this hop logs.</summary>
    /// <value><see langword="null"/>: the factory given to <see cref="SshNetLoggingConfiguration.InitializeLogging"/>.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock every budget, keep-alive and grace period of the hop is measured with.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where default keys and the agent are looked for; tests give a hop an environment of its own.</summary>
    internal KeyEnvironment? KeyEnvironment { get; set; }

    /// <summary>
    /// Tests only: the hop rides the TCP forward and its forward is not told the hop's socket, as on the netstandard2.0
    /// build, whatever this build could do.
    /// </summary>
    internal bool HopSocketHiddenForTests { get; set; }

    /// <summary>Describes the hop without any secret.</summary>
    public override string ToString() => $"{nameof(HopSettings)} {Username ?? "(local user)"}@{Host}:{Port}";

    /// <summary>paramiko's <c>connect()</c> arguments, as every client's named-parameter constructor takes them.</summary>
    internal static HopSettings FromConnectArguments(
        string hostname,
        int port,
        string? username,
        string? password,
        IEnumerable<string>? keyFilenames,
        IEnumerable<IPrivateKeySource>? keys,
        string? passphrase,
        bool lookForKeys,
        bool allowAgent,
        IKeyboardInteractiveHandler? authHandler,
        TimeSpan? timeout,
        TimeSpan? bannerTimeout,
        TimeSpan? authTimeout,
        TimeSpan? channelTimeout,
        TimeSpan? keepAliveInterval,
        IMissingHostKeyPolicy? hostKeyPolicy,
        KnownHosts? knownHosts,
        ILoggerFactory? loggerFactory) => new(hostname)
        {
            Port = port,
            Username = username,
            Password = password,
            KeyFilenames = keyFilenames?.ToList() ?? [],
            Keys = keys?.ToList() ?? [],
            Passphrase = passphrase,
            LookForKeys = lookForKeys,
            AllowAgent = allowAgent,
            AuthHandler = authHandler,
            ConnectTimeout = timeout ?? DefaultConnectTimeout,
            BannerTimeout = bannerTimeout,
            AuthTimeout = authTimeout ?? DefaultAuthTimeout,
            ChannelTimeout = channelTimeout ?? DefaultChannelTimeout,
            KeepAliveInterval = keepAliveInterval ?? DefaultKeepAliveInterval,
            HostKeyPolicy = hostKeyPolicy,
            KnownHosts = knownHosts,
            LoggerFactory = loggerFactory,
        };

    /// <summary>A copy the client owns, checked once: every problem names the setting and the host.</summary>
    internal HopSettings Validated()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("A hop needs a host name or address.", nameof(Host));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, $"Port {Port} for host '{Host}' is outside 1-65535.");
        }

        CheckBudget(ConnectTimeout, nameof(ConnectTimeout));
        if (BannerTimeout is { } banner)
        {
            CheckBudget(banner, nameof(BannerTimeout));
        }

        CheckBudget(AuthTimeout, nameof(AuthTimeout));
        CheckBudget(ChannelTimeout, nameof(ChannelTimeout));
        if (KeepAliveInterval < TimeSpan.Zero && KeepAliveInterval != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval, $"{Host}: the keep-alive interval must be positive, or zero to turn keep-alive off.");
        }

        CheckAtLeastOne(KeepAliveCountMax, nameof(KeepAliveCountMax));
        CheckAtLeastOne(ConnectionAttempts, nameof(ConnectionAttempts));
        CheckAtLeastOne(MaxConcurrentConnects, nameof(MaxConcurrentConnects));
        CheckAtLeastOne(MaxAuthTries, nameof(MaxAuthTries));
        CheckAtLeastOne(MaxKeyboardInteractiveRounds, nameof(MaxKeyboardInteractiveRounds));
        if (MaxCommandOutputBuffer is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCommandOutputBuffer), MaxCommandOutputBuffer, $"{Host}: {nameof(MaxCommandOutputBuffer)} must be at least 1 byte.");
        }

        if (HostKeyAlias is { } alias && (alias.Length == 0 || alias.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ',')))
        {
            throw new ArgumentException($"{Host}: {nameof(HostKeyAlias)} must be one name, without spaces or commas.", nameof(HostKeyAlias));
        }

        foreach (var kind in AlgorithmSettings)
        {
            // Checked now, not at connect: a bad list names the setting before any traffic.
            HopAlgorithms.Usable(kind, HopAlgorithms.SpecOf(this, kind), Host);
        }

        CheckFiles(CertificateFiles, nameof(CertificateFiles));
        CheckFiles(KeyFilenames, nameof(KeyFilenames));
        if (PreferredAuthentications is { } preferred && preferred.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"{Host}: {nameof(PreferredAuthentications)} holds an empty method name.", nameof(PreferredAuthentications));
        }

        var copy = (HopSettings)MemberwiseClone();
        copy.KeyFilenames = (KeyFilenames ?? []).ToList();
        copy.Keys = (Keys ?? []).ToList();
        copy.CertificateFiles = (CertificateFiles ?? []).ToList();
        copy.SendEnv = (SendEnv ?? []).ToList();
        copy.ForwardedAgentKeys = (ForwardedAgentKeys ?? []).ToList();
        copy.SetEnv = new Dictionary<string, string>(SetEnv ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        copy.PreferredAuthentications = PreferredAuthentications?.Select(name => name.Trim()).ToList();
        copy.TimeProvider = TimeProvider ?? throw new ArgumentNullException(nameof(TimeProvider), $"{Host}: a hop needs a TimeProvider.");
        return copy;
    }

    private static readonly AlgorithmKind[] AlgorithmSettings =
        [AlgorithmKind.KexAlgorithms, AlgorithmKind.HostKeyAlgorithms, AlgorithmKind.Ciphers, AlgorithmKind.MACs, AlgorithmKind.PubkeyAcceptedAlgorithms];

    /// <summary>Keep-alive is on unless the interval is zero or infinite.</summary>
    internal bool KeepAliveEnabled => KeepAliveInterval > TimeSpan.Zero;

    private void CheckBudget(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{Host}: the {name} must be positive (or Timeout.InfiniteTimeSpan).");
        }
    }

    /// <summary>
    /// Whether <paramref name="method"/> (<c>publickey</c>, <c>password</c> or <c>keyboard-interactive</c>) may be
    /// tried, and its place: its index in <see cref="PreferredAuthentications"/>, or the default order's.
    /// </summary>
    internal int? MethodRank(string method)
    {
        var enabled = method switch
        {
            "publickey" => PubkeyAuthentication,
            "password" => PasswordAuthentication,
            "keyboard-interactive" => KbdInteractiveAuthentication,
            _ => false,
        };
        if (!enabled)
        {
            return null;
        }

        if (PreferredAuthentications is null)
        {
            return method switch { "publickey" => 0, "password" => 1, _ => 2 };
        }

        var index = PreferredAuthentications.IndexOf(method);
        return index < 0 ? null : index;
    }

    private void CheckFiles(IList<string>? files, string name)
    {
        if (files is not null && files.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"{Host}: {name} holds an empty path.", name);
        }
    }

    private void CheckAtLeastOne(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{Host}: {name} must be at least 1.");
        }
    }
}
