using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;
using ParamikoJump.Hops;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump;

/// <summary>
/// An <see cref="ScpClient"/> that reaches its server through a jump, as <see cref="SshJumpClient"/> does: the same
/// constructors and settings, every hop's host key checked under its real name, keyboard-interactive MFA added to
/// the other methods, budgets per stage, keep-alive, and errors naming hop and stage.
/// </summary>
/// <remarks>
/// <para>
/// The transfers of this type (<c>Upload</c> and <c>Download</c>, for streams, files and directories) end in a
/// <see cref="IHopFailure"/> when the connection or a jump before it is lost, or when the server closes the
/// transfer's channel early. SSH.NET's own <see cref="ScpClient"/> can wait forever in both cases; calls through
/// <see cref="ScpClient"/> still get the guard against waiting forever, with SSH.NET's exception types.
/// </para>
/// <para>
/// Remote paths are quoted for a POSIX shell (<see cref="Renci.SshNet.RemotePathTransformation.ShellQuote"/>, what OpenSSH's scp
/// server runs under); set <see cref="ScpClient.RemotePathTransformation"/> for another server.
/// </para>
/// <para>
/// As SSH.NET's <see cref="ScpClient"/>: directory uploads keep modification times but send files as mode 0644 and
/// directories as 0755, and downloads keep times but not modes. <see cref="SftpJumpClient.UploadDirectory"/> and
/// <see cref="SftpJumpClient.DownloadDirectory"/> keep both.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var jumper = new SshJumpClient(hostname: "bastion", username: "ops", authHandler: new SimpleAuthHandler());
/// jumper.Connect();
/// using var scp = new ScpJumpClient(hostname: "10.0.0.5", username: "admin", password: "secret", jumpSession: jumper);
/// scp.Connect();
/// scp.Upload(new FileInfo("backup.tar"), "/srv/backup.tar");
/// </code>
/// </example>
public class ScpJumpClient : ScpClient
{
    private readonly Hop _hop;
    private readonly ScpProgressGuard _guard;

    /// <summary>
    /// Creates a client with paramiko's <c>connect()</c> arguments, as <see cref="SshJumpClient"/>'s constructor of the
    /// same shape. Nothing is sent until <see cref="Connect"/>; with a <paramref name="jumpSession"/>, a loopback-only
    /// forward is opened on it at once.
    /// </summary>
    /// <param name="hostname">The server as the user names it; through a jump, the jump resolves and dials it.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user to log in as; the local user name when omitted.</param>
    /// <param name="password">A password for password authentication, and the answer to a lone password prompt when no handler is given; also the passphrase of encrypted keys when <paramref name="passphrase"/> is omitted.</param>
    /// <param name="keyFilenames">Private key files to offer.</param>
    /// <param name="keys">Keys already loaded (paramiko's <c>pkey</c>).</param>
    /// <param name="passphrase">The passphrase of encrypted key files; <paramref name="password"/> when omitted.</param>
    /// <param name="lookForKeys">Whether to also offer the user's default key files.</param>
    /// <param name="allowAgent">Whether to also offer the ssh-agent's keys.</param>
    /// <param name="authHandler">Answers keyboard-interactive prompts (MFA); added to the other methods.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/> to connect directly.</param>
    /// <param name="timeout">The budget of the TCP connection and the key exchange; 30 s by default.</param>
    /// <param name="bannerTimeout">The budget for the server's SSH banner; <paramref name="timeout"/> by default.</param>
    /// <param name="authTimeout">The budget of the whole login; 2 minutes by default.</param>
    /// <param name="channelTimeout">The budget of each wait once connected (channel opens, the server's SCP answers); 30 s by default.</param>
    /// <param name="keepAliveInterval">How often to check the server is alive; 15 s by default, <see cref="TimeSpan.Zero"/> for never.</param>
    /// <param name="hostKeyPolicy">What to do with host keys no known_hosts file holds; the jump's policy, or <see cref="RejectPolicy"/>, by default.</param>
    /// <param name="knownHosts">The host keys to trust; the jump's store, or <see cref="KnownHosts.CreateDefault"/>, by default.</param>
    /// <param name="loggerFactory">Where this hop logs.</param>
    /// <exception cref="ArgumentException">An argument is missing or out of range.</exception>
    /// <exception cref="JumpNotConnectedException"><paramref name="jumpSession"/> is not connected or was disposed.</exception>
    /// <exception cref="HopKeyException">A key file cannot be read or decrypted, or the only keys found cannot be used.</exception>
#pragma warning disable RS0026 // The same constructors as SshJumpClient's: paramiko's named arguments beside SSH.NET's shapes.
    public ScpJumpClient(
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
        : this(
            HopSettings.FromConnectArguments(hostname, port, username, password, keyFilenames, keys, passphrase, lookForKeys, allowAgent, authHandler, timeout, bannerTimeout, authTimeout, channelTimeout, keepAliveInterval, hostKeyPolicy, knownHosts, loggerFactory),
            jumpSession)
    {
    }
#pragma warning restore RS0026

    /// <summary>Creates a client for a direct connection from settings; nothing is sent until <see cref="Connect"/>.</summary>
    /// <param name="settings">Where the hop is and how to log in; copied.</param>
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    /// <exception cref="HopKeyException">A key file cannot be read or decrypted, or the only keys found cannot be used.</exception>
    public ScpJumpClient(HopSettings settings)
        : this(settings, null)
    {
    }

    /// <summary>Creates a client from settings, through a jump; nothing is sent until <see cref="Connect"/>.</summary>
    /// <param name="settings">Where the hop is and how to log in; copied.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/> to connect directly.</param>
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    /// <exception cref="JumpNotConnectedException"><paramref name="jumpSession"/> is not connected or was disposed.</exception>
    /// <exception cref="HopKeyException">A key file cannot be read or decrypted, or the only keys found cannot be used.</exception>
    public ScpJumpClient(HopSettings settings, SshClient? jumpSession)
        : this(HopPlan.FromSettings(settings, jumpSession), null, null)
    {
    }

    /// <summary>Creates a client from an SSH.NET <see cref="ConnectionInfo"/>, optionally through a jump.</summary>
    /// <param name="connectionInfo">The server, user, methods and algorithms; its host and port are the logical ones.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    /// <param name="authHandler">Answers keyboard-interactive prompts, added after the methods of <paramref name="connectionInfo"/>.</param>
    /// <param name="hostKeyPolicy">What to do with host keys no known_hosts file holds; the jump's policy, or <see cref="RejectPolicy"/>, by default.</param>
    /// <param name="knownHosts">The host keys to trust; the jump's store, or <see cref="KnownHosts.CreateDefault"/>, by default.</param>
#pragma warning disable RS0026 // As SshJumpClient's ConnectionInfo constructor.
    public ScpJumpClient(
        ConnectionInfo connectionInfo,
        SshClient? jumpSession = null,
        IKeyboardInteractiveHandler? authHandler = null,
        IMissingHostKeyPolicy? hostKeyPolicy = null,
        KnownHosts? knownHosts = null)
        : this(HopPlan.FromConnectionInfo(connectionInfo, jumpSession, authHandler, hostKeyPolicy, knownHosts), hostKeyPolicy, knownHosts)
    {
    }
#pragma warning restore RS0026

    /// <summary>SSH.NET's host, port, user and password constructor.</summary>
    /// <param name="host">The server.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    public ScpJumpClient(string host, int port, string username, string password)
        : this(host, port, username, password, jumpSession: null)
    {
    }

    /// <summary>SSH.NET's host, port, user and password constructor, through a jump.</summary>
    /// <param name="host">The server, as the jump resolves it.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    public ScpJumpClient(string host, int port, string username, string password, SshClient? jumpSession)
        : this(hostname: host, port: port, username: username, password: password, lookForKeys: false, allowAgent: false, jumpSession: jumpSession)
    {
    }

    /// <summary>SSH.NET's host, user and password constructor (port 22).</summary>
    /// <param name="host">The server.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    public ScpJumpClient(string host, string username, string password)
        : this(host, 22, username, password, jumpSession: null)
    {
    }

    /// <summary>SSH.NET's host, user and password constructor (port 22), through a jump.</summary>
    /// <param name="host">The server, as the jump resolves it.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    public ScpJumpClient(string host, string username, string password, SshClient? jumpSession)
        : this(host, 22, username, password, jumpSession)
    {
    }

    /// <summary>SSH.NET's host, port, user and keys constructor.</summary>
    /// <param name="host">The server.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public ScpJumpClient(string host, int port, string username, params IPrivateKeySource[] keyFiles)
        : this(host, port, username, jumpSession: null, keyFiles)
    {
    }

    /// <summary>SSH.NET's host, port, user and keys constructor, through a jump.</summary>
    /// <param name="host">The server, as the jump resolves it.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public ScpJumpClient(string host, int port, string username, SshClient? jumpSession, params IPrivateKeySource[] keyFiles)
        : this(hostname: host, port: port, username: username, keys: keyFiles, lookForKeys: false, allowAgent: false, jumpSession: jumpSession)
    {
    }

    /// <summary>SSH.NET's host, user and keys constructor (port 22).</summary>
    /// <param name="host">The server.</param>
    /// <param name="username">The user.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public ScpJumpClient(string host, string username, params IPrivateKeySource[] keyFiles)
        : this(host, 22, username, jumpSession: null, keyFiles)
    {
    }

    /// <summary>SSH.NET's host, user and keys constructor (port 22), through a jump.</summary>
    /// <param name="host">The server, as the jump resolves it.</param>
    /// <param name="username">The user.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public ScpJumpClient(string host, string username, SshClient? jumpSession, params IPrivateKeySource[] keyFiles)
        : this(host, 22, username, jumpSession, keyFiles)
    {
    }

    private ScpJumpClient(HopPlan plan, IMissingHostKeyPolicy? hostKeyPolicy, KnownHosts? knownHosts)
        : base(plan.DialInfo, Renci.SshNet.RemotePathTransformation.ShellQuote)
    {
        _hop = new Hop(this, plan, hostKeyPolicy, knownHosts);
        _guard = new ScpProgressGuard(() => _hop.IsSessionLost);

        // Before any handler of the caller's: the guard is what ends a transfer SSH.NET would spin or wait in forever.
        Downloading += _guard.OnDownloading;
        Uploading += _guard.OnUploading;
    }

    /// <summary>This hop's logical identity: host and port as given, user, and the jump it goes through.</summary>
    public HopIdentity Hop => _hop.Identity;

    /// <summary>The client this one goes through, or <see langword="null"/> for a direct connection.</summary>
    public SshClient? JumpSession => _hop.Plan.Jump;

    /// <summary>The server's <c>MaxAuthTries</c>; see <see cref="SshJumpClient.MaxAuthTries"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxAuthTries
    {
        get => _hop.Plan.Keys.MaxAuthTries;
        set => _hop.Plan.Keys.MaxAuthTries = value;
    }

    /// <summary>The host keys this client trusts; see <see cref="SshJumpClient.HostKeys"/>.</summary>
    public KnownHosts HostKeys => _hop.HostKeyVerifier.Store;

    /// <summary>What to do with a host key no known_hosts file holds; see <see cref="SshJumpClient.MissingHostKeyPolicy"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IMissingHostKeyPolicy MissingHostKeyPolicy
    {
        get => _hop.HostKeyVerifier.Policy;
        set => _hop.HostKeyVerifier.Policy = value;
    }

    /// <summary>The stage the current or last connection attempt reached.</summary>
    public HopStage Stage => _hop.Stage;

    /// <summary>Connects and logs in. Failures raise the SSH.NET exception of the same failure, also an <see cref="IHopFailure"/> that names the hop, the jump and the stage.</summary>
    public new void Connect() => _hop.Connect(base.Connect);

    /// <summary>Connects and logs in asynchronously; see <see cref="Connect"/>.</summary>
    public Task ConnectAsync() => ConnectAsync(CancellationToken.None);

    /// <summary>Connects and logs in asynchronously; see <see cref="Connect"/>.</summary>
    /// <param name="cancellationToken">Cancels the attempt, and the token an <see cref="AsyncKeyboardInteractiveHandler"/> is given.</param>
    /// <remarks>No default value, as on <see cref="SshJumpClient.ConnectAsync(CancellationToken)"/>: PowerShell's binder would call it ambiguous.</remarks>
    public new Task ConnectAsync(CancellationToken cancellationToken) => _hop.ConnectAsync(base.ConnectAsync, cancellationToken);

    /// <summary>Uploads a stream to a remote file (mode 0644); see <see cref="ScpClient.Upload(Stream, string)"/>.</summary>
    /// <param name="source">The data; its <see cref="Stream.Length"/> is announced first, then it is read to its end.</param>
    /// <param name="path">The remote file.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Upload(Stream source, string path) => Run(nameof(Upload), () => base.Upload(source, path));

    /// <summary>Uploads a file with its modification time (mode 0644); see <see cref="ScpClient.Upload(FileInfo, string)"/>.</summary>
    /// <param name="fileInfo">The local file.</param>
    /// <param name="path">The remote file.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Upload(FileInfo fileInfo, string path) => Run(nameof(Upload), () => base.Upload(fileInfo, path));

    /// <summary>Uploads a directory tree with its modification times; see <see cref="ScpClient.Upload(DirectoryInfo, string)"/>.</summary>
    /// <param name="directoryInfo">The local directory whose contents are copied.</param>
    /// <param name="path">The remote directory that receives them; it must exist.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Upload(DirectoryInfo directoryInfo, string path) => Run(nameof(Upload), () => base.Upload(directoryInfo, path));

    /// <summary>Downloads a remote file into a stream; see <see cref="ScpClient.Download(string, Stream)"/>.</summary>
    /// <param name="filename">The remote file.</param>
    /// <param name="destination">Where the data is written.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Download(string filename, Stream destination) => Run(nameof(Download), () => base.Download(filename, destination));

    /// <summary>
    /// Downloads a remote file with its modification time; see <see cref="ScpClient.Download(string, FileInfo)"/>. If the
    /// transfer fails, the local file holds what arrived and keeps the current time, never the remote file's.
    /// </summary>
    /// <param name="filename">The remote file.</param>
    /// <param name="fileInfo">The local file, replaced.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Download(string filename, FileInfo fileInfo) => Run(nameof(Download), () => base.Download(filename, fileInfo));

    /// <summary>Downloads a remote directory tree with its modification times; see <see cref="ScpClient.Download(string, DirectoryInfo)"/>.</summary>
    /// <param name="directoryName">The remote directory whose contents are copied.</param>
    /// <param name="directoryInfo">The local directory that receives them.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Download(string directoryName, DirectoryInfo directoryInfo) => Run(nameof(Download), () => base.Download(directoryName, directoryInfo));

    /// <summary><c>ScpJumpClient user@host:port via ...</c>; never contains a secret.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{nameof(ScpJumpClient)} {Hop}";

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
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            if (disposing)
            {
                _hop.Dispose();
                _guard.Dispose();
            }
        }
    }

    private void Run(string operation, Action transfer)
    {
        _guard.Reset();
        _hop.Run(operation, transfer);
    }
}
