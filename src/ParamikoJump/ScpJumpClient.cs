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
using ParamikoJump.Telemetry;
using Renci.SshNet;
using Renci.SshNet.Common;

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
/// <see cref="ScpClient"/> still get the guard against waiting forever, with SSH.NET's exception types. A server that
/// sends a download past the channel's window fails it with a <see cref="ChannelWindowException"/>; the transfer's
/// channel is closed and the client stays connected.
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

    // The constructor family of SshJumpClient, documented there (see Hops/JumpClientConstructors).

    /// <inheritdoc cref="SshJumpClient(string, int, string, string, IEnumerable{string}, IEnumerable{IPrivateKeySource}, string, bool, bool, IKeyboardInteractiveHandler, SshClient, TimeSpan?, TimeSpan?, TimeSpan?, TimeSpan?, TimeSpan?, IMissingHostKeyPolicy, KnownHosts, ILoggerFactory)"/>
#pragma warning disable RS0026 // As SshJumpClient's: paramiko's named arguments beside the settings and SSH.NET's shapes.
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
        : this(HopPlan.FromSettings(HopSettings.FromConnectArguments(hostname, port, username, password, keyFilenames, keys, passphrase, lookForKeys, allowAgent, authHandler, timeout, bannerTimeout, authTimeout, channelTimeout, keepAliveInterval, hostKeyPolicy, knownHosts, loggerFactory), jumpSession))
    {
    }

    /// <inheritdoc cref="SshJumpClient(HopSettings, SshClient)"/>
    public ScpJumpClient(HopSettings settings, SshClient? jumpSession = null)
        : this(HopPlan.FromSettings(settings, jumpSession))
    {
    }

    /// <inheritdoc cref="SshJumpClient(ConnectionInfo, SshClient, IKeyboardInteractiveHandler, IMissingHostKeyPolicy, KnownHosts)"/>
    public ScpJumpClient(
        ConnectionInfo connectionInfo,
        SshClient? jumpSession = null,
        IKeyboardInteractiveHandler? authHandler = null,
        IMissingHostKeyPolicy? hostKeyPolicy = null,
        KnownHosts? knownHosts = null)
        : this(HopPlan.FromConnectionInfo(connectionInfo, jumpSession, authHandler, hostKeyPolicy, knownHosts))
    {
    }
#pragma warning restore RS0026

    /// <inheritdoc cref="SshJumpClient(string, int, string, string)"/>
    public ScpJumpClient(string host, int port, string username, string password)
        : this(JumpClientConstructors.Password(host, port, username, password))
    {
    }

    /// <inheritdoc cref="SshJumpClient(string, string, string)"/>
    public ScpJumpClient(string host, string username, string password)
        : this(JumpClientConstructors.Password(host, 22, username, password))
    {
    }

    /// <inheritdoc cref="SshJumpClient(string, int, string, IPrivateKeySource[])"/>
    public ScpJumpClient(string host, int port, string username, params IPrivateKeySource[] keyFiles)
        : this(JumpClientConstructors.Keys(host, port, username, keyFiles))
    {
    }

    /// <inheritdoc cref="SshJumpClient(string, string, IPrivateKeySource[])"/>
    public ScpJumpClient(string host, string username, params IPrivateKeySource[] keyFiles)
        : this(JumpClientConstructors.Keys(host, 22, username, keyFiles))
    {
    }

    private ScpJumpClient(HopPlan plan)
        : base(plan.DialInfo, Renci.SshNet.RemotePathTransformation.ShellQuote)
    {
        _hop = new Hop(this, plan);
        _guard = new ScpProgressGuard(() => _hop.IsSessionLost);

        // Before any handler of the caller's: the guard is what ends a transfer SSH.NET would spin or wait in forever.
        Downloading += _guard.OnDownloading;
        Uploading += _guard.OnUploading;
    }

    /// <inheritdoc cref="SshJumpClient.Hop"/>
    public HopIdentity Hop => _hop.Identity;

    /// <inheritdoc cref="SshJumpClient.JumpSession"/>
    public SshClient? JumpSession => _hop.Plan.Jump;

    /// <inheritdoc cref="SshJumpClient.MaxAuthTries"/>
    public int MaxAuthTries
    {
        get => _hop.Plan.Keys.MaxAuthTries;
        set => _hop.Plan.Keys.MaxAuthTries = value;
    }

    /// <inheritdoc cref="SshJumpClient.HostKeys"/>
    public KnownHosts HostKeys => _hop.HostKeyVerifier.Store;

    /// <inheritdoc cref="SshJumpClient.MissingHostKeyPolicy"/>
    public IMissingHostKeyPolicy MissingHostKeyPolicy
    {
        get => _hop.HostKeyVerifier.Policy;
        set => _hop.HostKeyVerifier.Policy = value;
    }

    /// <inheritdoc cref="SshJumpClient.Stage"/>
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
    public new void Upload(Stream source, string path) => Run(nameof(Upload), TransferDirection.Upload, () => base.Upload(source, path));

    /// <summary>Uploads a file with its modification time (mode 0644); see <see cref="ScpClient.Upload(FileInfo, string)"/>.</summary>
    /// <param name="fileInfo">The local file.</param>
    /// <param name="path">The remote file.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Upload(FileInfo fileInfo, string path) => Run(nameof(Upload), TransferDirection.Upload, () => base.Upload(fileInfo, path));

    /// <summary>Uploads a directory tree with its modification times; see <see cref="ScpClient.Upload(DirectoryInfo, string)"/>.</summary>
    /// <param name="directoryInfo">The local directory whose contents are copied.</param>
    /// <param name="path">The remote directory that receives them; it must exist.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Upload(DirectoryInfo directoryInfo, string path) => Run(nameof(Upload), TransferDirection.Upload, () => base.Upload(directoryInfo, path));

    /// <summary>Downloads a remote file into a stream; see <see cref="ScpClient.Download(string, Stream)"/>.</summary>
    /// <param name="filename">The remote file.</param>
    /// <param name="destination">Where the data is written.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Download(string filename, Stream destination) => Run(nameof(Download), TransferDirection.Download, () => base.Download(filename, destination));

    /// <summary>
    /// Downloads a remote file with its modification time; see <see cref="ScpClient.Download(string, FileInfo)"/>. If the
    /// transfer fails, the local file holds what arrived and keeps the current time, never the remote file's.
    /// </summary>
    /// <param name="filename">The remote file.</param>
    /// <param name="fileInfo">The local file, replaced.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Download(string filename, FileInfo fileInfo) => Run(nameof(Download), TransferDirection.Download, () => base.Download(filename, fileInfo));

    /// <summary>Downloads a remote directory tree with its modification times; see <see cref="ScpClient.Download(string, DirectoryInfo)"/>.</summary>
    /// <param name="directoryName">The remote directory whose contents are copied.</param>
    /// <param name="directoryInfo">The local directory that receives them.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void Download(string directoryName, DirectoryInfo directoryInfo) => Run(nameof(Download), TransferDirection.Download, () => base.Download(directoryName, directoryInfo));

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

    private void Run(string operation, TransferDirection direction, Action transfer)
    {
        _guard.Reset();

        // SSH.NET raises a transfer's progress events on the thread that called it: only this thread's are this transfer's.
        var tally = new TransferTally(direction);
        var thread = Environment.CurrentManagedThreadId;
        EventHandler<ScpUploadEventArgs> uploading = (_, e) => Count(e.Filename, e.Uploaded);
        EventHandler<ScpDownloadEventArgs> downloading = (_, e) => Count(e.Filename, e.Downloaded);
        Uploading += uploading;
        Downloading += downloading;
        try
        {
            _hop.Run(operation, transfer, tally);
        }
        finally
        {
            Uploading -= uploading;
            Downloading -= downloading;
        }

        void Count(string file, long done)
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                tally.Progress(file, done);
            }
        }
    }
}
