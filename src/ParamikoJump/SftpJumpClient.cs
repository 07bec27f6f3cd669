using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;
using ParamikoJump.Files;
using ParamikoJump.Hops;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using Renci.SshNet;
using Renci.SshNet.Sftp;

namespace ParamikoJump;

/// <summary>
/// An <see cref="SftpClient"/> that reaches its server through a jump, as <see cref="SshJumpClient"/> does: the same
/// constructors and settings, every hop's host key checked under its real name, keyboard-interactive MFA added to
/// the other methods, budgets per stage, keep-alive, and errors naming hop and stage.
/// </summary>
/// <remarks>
/// <para>
/// Transfers called through this type (<see cref="UploadFile(Stream, string, Action{ulong})"/>,
/// <see cref="DownloadFile"/>, their async forms, <see cref="ResumeUploadFile"/>, <see cref="UploadDirectory"/> and
/// <see cref="DownloadDirectory"/>)
/// end in an <see cref="IHopFailure"/> (an SSH.NET <c>SshConnectionException</c>) when the connection or a jump before it is lost, never in a hang.
/// Errors about the file itself (<c>SftpPathNotFoundException</c>, <c>SftpPermissionDeniedException</c>) are
/// SSH.NET's own. Other SFTP operations, and calls through <see cref="SftpClient"/> or <see cref="ISftpClient"/>,
/// raise SSH.NET's exceptions.
/// </para>
/// <para>
/// <see cref="SftpClient.OperationTimeout"/> starts at <see cref="HopSettings.ChannelTimeout"/> (SSH.NET's default is
/// no limit), so an SFTP server that stops answering cannot stall a call forever.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var jumper = new SshJumpClient(hostname: "bastion", username: "ops", authHandler: new SimpleAuthHandler());
/// jumper.Connect();
/// using var sftp = new SftpJumpClient(hostname: "10.0.0.5", username: "admin", password: "secret", jumpSession: jumper);
/// sftp.Connect();
/// using var file = File.OpenRead("backup.tar");
/// sftp.UploadFile(file, "/srv/backup.tar");
/// </code>
/// </example>
public class SftpJumpClient : SftpClient
{
    private readonly Hop _hop;

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
    /// <param name="channelTimeout">The budget of each wait once connected, SFTP requests included; 30 s by default.</param>
    /// <param name="keepAliveInterval">How often to check the server is alive; 15 s by default, <see cref="TimeSpan.Zero"/> for never.</param>
    /// <param name="hostKeyPolicy">What to do with host keys no known_hosts file holds; the jump's policy, or <see cref="RejectPolicy"/>, by default.</param>
    /// <param name="knownHosts">The host keys to trust; the jump's store, or <see cref="KnownHosts.CreateDefault"/>, by default.</param>
    /// <param name="loggerFactory">Where this hop logs.</param>
    /// <exception cref="ArgumentException">An argument is missing or out of range.</exception>
    /// <exception cref="JumpNotConnectedException"><paramref name="jumpSession"/> is not connected or was disposed.</exception>
    /// <exception cref="HopKeyException">A key file cannot be read or decrypted, or the only keys found cannot be used.</exception>
#pragma warning disable RS0026 // The same constructors as SshJumpClient's: paramiko's named arguments beside SSH.NET's shapes.
    public SftpJumpClient(
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
    public SftpJumpClient(HopSettings settings)
        : this(settings, null)
    {
    }

    /// <summary>Creates a client from settings, through a jump; nothing is sent until <see cref="Connect"/>.</summary>
    /// <param name="settings">Where the hop is and how to log in; copied.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/> to connect directly.</param>
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    /// <exception cref="JumpNotConnectedException"><paramref name="jumpSession"/> is not connected or was disposed.</exception>
    /// <exception cref="HopKeyException">A key file cannot be read or decrypted, or the only keys found cannot be used.</exception>
    public SftpJumpClient(HopSettings settings, SshClient? jumpSession)
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
    public SftpJumpClient(
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
    public SftpJumpClient(string host, int port, string username, string password)
        : this(host, port, username, password, jumpSession: null)
    {
    }

    /// <summary>SSH.NET's host, port, user and password constructor, through a jump.</summary>
    /// <param name="host">The server, as the jump resolves it.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    public SftpJumpClient(string host, int port, string username, string password, SshClient? jumpSession)
        : this(hostname: host, port: port, username: username, password: password, lookForKeys: false, allowAgent: false, jumpSession: jumpSession)
    {
    }

    /// <summary>SSH.NET's host, user and password constructor (port 22).</summary>
    /// <param name="host">The server.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    public SftpJumpClient(string host, string username, string password)
        : this(host, 22, username, password, jumpSession: null)
    {
    }

    /// <summary>SSH.NET's host, user and password constructor (port 22), through a jump.</summary>
    /// <param name="host">The server, as the jump resolves it.</param>
    /// <param name="username">The user.</param>
    /// <param name="password">The password.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    public SftpJumpClient(string host, string username, string password, SshClient? jumpSession)
        : this(host, 22, username, password, jumpSession)
    {
    }

    /// <summary>SSH.NET's host, port, user and keys constructor.</summary>
    /// <param name="host">The server.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public SftpJumpClient(string host, int port, string username, params IPrivateKeySource[] keyFiles)
        : this(host, port, username, jumpSession: null, keyFiles)
    {
    }

    /// <summary>SSH.NET's host, port, user and keys constructor, through a jump.</summary>
    /// <param name="host">The server, as the jump resolves it.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="username">The user.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public SftpJumpClient(string host, int port, string username, SshClient? jumpSession, params IPrivateKeySource[] keyFiles)
        : this(hostname: host, port: port, username: username, keys: keyFiles, lookForKeys: false, allowAgent: false, jumpSession: jumpSession)
    {
    }

    /// <summary>SSH.NET's host, user and keys constructor (port 22).</summary>
    /// <param name="host">The server.</param>
    /// <param name="username">The user.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public SftpJumpClient(string host, string username, params IPrivateKeySource[] keyFiles)
        : this(host, 22, username, jumpSession: null, keyFiles)
    {
    }

    /// <summary>SSH.NET's host, user and keys constructor (port 22), through a jump.</summary>
    /// <param name="host">The server, as the jump resolves it.</param>
    /// <param name="username">The user.</param>
    /// <param name="jumpSession">The connected client to go through, or <see langword="null"/>.</param>
    /// <param name="keyFiles">The keys to offer.</param>
    public SftpJumpClient(string host, string username, SshClient? jumpSession, params IPrivateKeySource[] keyFiles)
        : this(host, 22, username, jumpSession, keyFiles)
    {
    }

    private SftpJumpClient(HopPlan plan, IMissingHostKeyPolicy? hostKeyPolicy, KnownHosts? knownHosts)
        : base(plan.DialInfo)
    {
        _hop = new Hop(this, plan, hostKeyPolicy, knownHosts);
        OperationTimeout = plan.Settings.ChannelTimeout;
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

    /// <summary>
    /// Connects, logs in and opens the SFTP subsystem. Failures raise the SSH.NET exception of the same failure, also an <see cref="IHopFailure"/> that names
    /// the hop, the jump and the stage.
    /// </summary>
    public new void Connect() => _hop.Connect(base.Connect);

    /// <summary>Connects and logs in asynchronously; see <see cref="Connect"/>.</summary>
    public Task ConnectAsync() => ConnectAsync(CancellationToken.None);

    /// <summary>Connects and logs in asynchronously; see <see cref="Connect"/>.</summary>
    /// <param name="cancellationToken">Cancels the attempt, and the token an <see cref="AsyncKeyboardInteractiveHandler"/> is given.</param>
    /// <remarks>No default value, as on <see cref="SshJumpClient.ConnectAsync(CancellationToken)"/>: PowerShell's binder would call it ambiguous.</remarks>
    public new Task ConnectAsync(CancellationToken cancellationToken) => _hop.ConnectAsync(base.ConnectAsync, cancellationToken);

    /// <summary>Uploads a stream to a file, replacing it; see <see cref="SftpClient.UploadFile(Stream, string, Action{ulong})"/>.</summary>
    /// <param name="input">The data, read to its end.</param>
    /// <param name="path">The remote file.</param>
    /// <param name="uploadCallback">Called on the thread pool with the bytes the server has acknowledged so far.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
#pragma warning disable RS0026 // SftpClient's own overloads, hidden one for one.
    public new void UploadFile(Stream input, string path, Action<ulong>? uploadCallback = null) =>
        _hop.Run(nameof(UploadFile), () => base.UploadFile(input, path, uploadCallback));

    /// <summary>Uploads a stream to a file; see <see cref="SftpClient.UploadFile(Stream, string, bool, Action{ulong})"/>.</summary>
    /// <param name="input">The data, read to its end.</param>
    /// <param name="path">The remote file.</param>
    /// <param name="canOverride">Whether an existing file may be replaced.</param>
    /// <param name="uploadCallback">Called on the thread pool with the bytes the server has acknowledged so far.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void UploadFile(Stream input, string path, bool canOverride, Action<ulong>? uploadCallback = null) =>
        _hop.Run(nameof(UploadFile), () => base.UploadFile(input, path, canOverride, uploadCallback));
#pragma warning restore RS0026

    /// <summary>Uploads a stream to a file asynchronously, replacing it.</summary>
    /// <param name="input">The data, read to its end.</param>
    /// <param name="path">The remote file.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The upload.</returns>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
#pragma warning disable RS0026, RS0027 // SftpClient's own overloads, hidden one for one.
    public new Task UploadFileAsync(Stream input, string path, CancellationToken cancellationToken = default) =>
        UploadFileAsync(input, path, canOverride: true, null, cancellationToken);

    /// <summary>Uploads a stream to a file asynchronously, replacing it, and reports progress.</summary>
    /// <param name="input">The data, read to its end.</param>
    /// <param name="path">The remote file.</param>
    /// <param name="uploadProgress">Told the bytes the server has acknowledged so far.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The upload.</returns>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new Task UploadFileAsync(Stream input, string path, IProgress<UploadFileProgressReport>? uploadProgress, CancellationToken cancellationToken = default) =>
        UploadFileAsync(input, path, canOverride: true, uploadProgress, cancellationToken);

    /// <summary>Uploads a stream to a file asynchronously.</summary>
    /// <param name="input">The data, read to its end.</param>
    /// <param name="path">The remote file.</param>
    /// <param name="canOverride">Whether an existing file may be replaced.</param>
    /// <param name="uploadProgress">Told the bytes the server has acknowledged so far.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The upload.</returns>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new Task UploadFileAsync(Stream input, string path, bool canOverride, IProgress<UploadFileProgressReport>? uploadProgress = null, CancellationToken cancellationToken = default) =>
        _hop.RunAsync(nameof(UploadFileAsync), () => base.UploadFileAsync(input, path, canOverride, uploadProgress, cancellationToken), cancellationToken);

    /// <summary>Downloads a file into a stream; see <see cref="SftpClient.DownloadFile"/>.</summary>
    /// <param name="path">The remote file.</param>
    /// <param name="output">Where the data is written; left where the last byte received was written if the transfer fails.</param>
    /// <param name="downloadCallback">Called on the thread pool with the bytes received so far.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void DownloadFile(string path, Stream output, Action<ulong>? downloadCallback = null) =>
        _hop.Run(nameof(DownloadFile), () => base.DownloadFile(path, output, downloadCallback));

    /// <summary>Downloads a file into a stream asynchronously.</summary>
    /// <param name="path">The remote file.</param>
    /// <param name="output">Where the data is written.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The download.</returns>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new Task DownloadFileAsync(string path, Stream output, CancellationToken cancellationToken = default) =>
        DownloadFileAsync(path, output, null, cancellationToken);

    /// <summary>Downloads a file into a stream asynchronously and reports progress.</summary>
    /// <param name="path">The remote file.</param>
    /// <param name="output">Where the data is written.</param>
    /// <param name="downloadProgress">Told the bytes received so far.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The download.</returns>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new Task DownloadFileAsync(string path, Stream output, IProgress<DownloadFileProgressReport>? downloadProgress, CancellationToken cancellationToken = default) =>
        _hop.RunAsync(nameof(DownloadFileAsync), () => base.DownloadFileAsync(path, output, downloadProgress, cancellationToken), cancellationToken);
#pragma warning restore RS0026, RS0027

    /// <summary>
    /// Continues an upload that stopped part-way (OpenSSH sftp's <c>reput</c>): what the remote file already holds is
    /// taken as the beginning of <paramref name="input"/>, which is read from there on and appended. A missing remote
    /// file is uploaded whole. Sound when the earlier upload sent this same data and the server applied its writes in
    /// order (OpenSSH's sftp-server does), so a cut connection left a prefix of it; check the result (a checksum) when
    /// that matters. The rest is sent as fast as <see cref="UploadFile(Stream, string, Action{ulong})"/> sends a file.
    /// </summary>
    /// <param name="input">The whole data, seekable.</param>
    /// <param name="path">The remote file.</param>
    /// <param name="uploadCallback">Called on the thread pool with the bytes the remote file holds as the server acknowledges them.</param>
    /// <exception cref="ArgumentException"><paramref name="input"/> cannot seek.</exception>
    /// <exception cref="IOException">The remote file is longer than <paramref name="input"/>.</exception>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public void ResumeUploadFile(Stream input, string path, Action<ulong>? uploadCallback = null) =>
        _hop.Run(nameof(ResumeUploadFile), () => SftpResume.Upload(this, input, path, uploadCallback));

    /// <summary>
    /// Uploads a local directory tree into a remote directory (created if missing), keeping each file's and directory's
    /// modification and access times and, on Unix, its permission bits (as <c>scp -rp</c> and <c>sftp put -Rp</c>).
    /// Existing files are replaced; symbolic links are skipped.
    /// </summary>
    /// <param name="localDirectory">The directory whose contents are copied.</param>
    /// <param name="remoteDirectory">The remote directory that receives them.</param>
    /// <param name="progress">Called after each file with its remote path and its size.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="localDirectory"/> does not exist.</exception>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public void UploadDirectory(string localDirectory, string remoteDirectory, Action<string, long>? progress = null) =>
        _hop.Run(nameof(UploadDirectory), () => SftpTree.Upload(this, localDirectory, remoteDirectory, progress));

    /// <summary>
    /// Downloads a remote directory tree into a local directory (created if missing), keeping modification and access
    /// times and, on Unix, permission bits. Existing files are replaced; symbolic links and special files are skipped.
    /// </summary>
    /// <param name="remoteDirectory">The remote directory whose contents are copied.</param>
    /// <param name="localDirectory">The local directory that receives them.</param>
    /// <param name="progress">Called after each file with its local path and its size.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public void DownloadDirectory(string remoteDirectory, string localDirectory, Action<string, long>? progress = null) =>
        _hop.Run(nameof(DownloadDirectory), () => SftpTree.Download(this, remoteDirectory, localDirectory, progress));

    /// <summary><c>SftpJumpClient user@host:port via ...</c>; never contains a secret.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{nameof(SftpJumpClient)} {Hop}";

    /// <inheritdoc/>
    protected override void OnConnecting()
    {
        base.OnConnecting();
        _hop.OnConnecting();
    }

    /// <inheritdoc/>
    protected override void OnConnected()
    {
        // The hop first, so the SFTP subsystem opens with the session's budgets, keep-alive and guards in force.
        _hop.OnConnected();
        base.OnConnected();
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
            }
        }
    }
}
