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
using ParamikoJump.Telemetry;
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
/// no limit), so an SFTP server that stops answering cannot stall a call forever. <see cref="SftpClient.BufferSize"/>
/// starts at 64 KiB (SSH.NET's: 32 KiB), the largest read SSH.NET makes, so a download needs half the round trips.
/// </para>
/// <para>
/// A download holds at most what its reads in flight bring and the channel's window, whatever the destination's speed:
/// nothing is cancelled for being slow. A server that sends past the window fails the call at once with a
/// <see cref="ChannelWindowException"/> and the SFTP channel is closed (<see cref="BaseClient.IsConnected"/> turns false;
/// <c>Disconnect()</c> and <c>Connect()</c> open a fresh one).
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
    /// <summary>
    /// The read size of a download, and so the data each of SSH.NET's (at most 100) reads in flight brings: SSH.NET reads
    /// min(<see cref="SftpClient.BufferSize"/>, its 64 KiB channel packet) less 13 bytes at a time, and its default of
    /// 32 KiB halves that. Every read costs a request sent through every hop, an answer parsed on the session's receive
    /// thread and two thread wake-ups before the next request goes out, so through jumps the download was bound by
    /// the number of reads, not by the bytes (benchmarks/README.md, "SFTP downloads"). Uploads keep the size the
    /// server's packets allow.
    /// </summary>
    private const uint DefaultBufferSize = 64 * 1024;

    private readonly Hop _hop;

    // The constructor family of SshJumpClient, documented there (see Hops/JumpClientConstructors).

    /// <inheritdoc cref="SshJumpClient(string, int, string, string, IEnumerable{string}, IEnumerable{IPrivateKeySource}, string, bool, bool, IKeyboardInteractiveHandler, SshClient, TimeSpan?, TimeSpan?, TimeSpan?, TimeSpan?, TimeSpan?, IMissingHostKeyPolicy, KnownHosts, ILoggerFactory)"/>
#pragma warning disable RS0026 // As SshJumpClient's: paramiko's named arguments beside the settings and SSH.NET's shapes.
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
        : this(HopPlan.FromSettings(HopSettings.FromConnectArguments(hostname, port, username, password, keyFilenames, keys, passphrase, lookForKeys, allowAgent, authHandler, timeout, bannerTimeout, authTimeout, channelTimeout, keepAliveInterval, hostKeyPolicy, knownHosts, loggerFactory), jumpSession))
    {
    }

    /// <inheritdoc cref="SshJumpClient(HopSettings, SshClient)"/>
    public SftpJumpClient(HopSettings settings, SshClient? jumpSession = null)
        : this(HopPlan.FromSettings(settings, jumpSession))
    {
    }

    /// <inheritdoc cref="SshJumpClient(ConnectionInfo, SshClient, IKeyboardInteractiveHandler, IMissingHostKeyPolicy, KnownHosts)"/>
    public SftpJumpClient(
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
    public SftpJumpClient(string host, int port, string username, string password)
        : this(JumpClientConstructors.Password(host, port, username, password))
    {
    }

    /// <inheritdoc cref="SshJumpClient(string, string, string)"/>
    public SftpJumpClient(string host, string username, string password)
        : this(JumpClientConstructors.Password(host, 22, username, password))
    {
    }

    /// <inheritdoc cref="SshJumpClient(string, int, string, IPrivateKeySource[])"/>
    public SftpJumpClient(string host, int port, string username, params IPrivateKeySource[] keyFiles)
        : this(JumpClientConstructors.Keys(host, port, username, keyFiles))
    {
    }

    /// <inheritdoc cref="SshJumpClient(string, string, IPrivateKeySource[])"/>
    public SftpJumpClient(string host, string username, params IPrivateKeySource[] keyFiles)
        : this(JumpClientConstructors.Keys(host, 22, username, keyFiles))
    {
    }

    private SftpJumpClient(HopPlan plan)
        : base(plan.DialInfo)
    {
        _hop = new Hop(this, plan);
        OperationTimeout = plan.Settings.ChannelTimeout;
        BufferSize = DefaultBufferSize;
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
        Upload(nameof(UploadFile), tally => base.UploadFile(tally.Counting(input), path, uploadCallback));

    /// <summary>Uploads a stream to a file; see <see cref="SftpClient.UploadFile(Stream, string, bool, Action{ulong})"/>.</summary>
    /// <param name="input">The data, read to its end.</param>
    /// <param name="path">The remote file.</param>
    /// <param name="canOverride">Whether an existing file may be replaced.</param>
    /// <param name="uploadCallback">Called on the thread pool with the bytes the server has acknowledged so far.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void UploadFile(Stream input, string path, bool canOverride, Action<ulong>? uploadCallback = null) =>
        Upload(nameof(UploadFile), tally => base.UploadFile(tally.Counting(input), path, canOverride, uploadCallback));
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
        TransferAsync(nameof(UploadFileAsync), TransferDirection.Upload, tally => base.UploadFileAsync(tally.Counting(input), path, canOverride, uploadProgress, cancellationToken), cancellationToken);

    /// <summary>Downloads a file into a stream; see <see cref="SftpClient.DownloadFile"/>.</summary>
    /// <param name="path">The remote file.</param>
    /// <param name="output">Where the data is written; left where the last byte received was written if the transfer fails.</param>
    /// <param name="downloadCallback">Called on the thread pool with the bytes received so far.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public new void DownloadFile(string path, Stream output, Action<ulong>? downloadCallback = null) =>
        Download(nameof(DownloadFile), tally => base.DownloadFile(path, tally.Counting(output), downloadCallback));

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
        TransferAsync(nameof(DownloadFileAsync), TransferDirection.Download, tally => base.DownloadFileAsync(path, tally.Counting(output), downloadProgress, cancellationToken), cancellationToken);
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
        Upload(nameof(ResumeUploadFile), tally => SftpResume.Upload(this, tally.Counting(input), path, uploadCallback));

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
        Upload(nameof(UploadDirectory), tally => SftpTree.Upload(this, localDirectory, remoteDirectory, Tallied(tally, progress)));

    /// <summary>
    /// Downloads a remote directory tree into a local directory (created if missing), keeping modification and access
    /// times and, on Unix, permission bits. Existing files are replaced; symbolic links and special files are skipped.
    /// </summary>
    /// <param name="remoteDirectory">The remote directory whose contents are copied.</param>
    /// <param name="localDirectory">The local directory that receives them.</param>
    /// <param name="progress">Called after each file with its local path and its size.</param>
    /// <exception cref="Renci.SshNet.Common.SshConnectionException">The client is not connected, or the connection (or a jump before it) was lost (an <see cref="IHopFailure"/> naming the hop).</exception>
    public void DownloadDirectory(string remoteDirectory, string localDirectory, Action<string, long>? progress = null) =>
        Download(nameof(DownloadDirectory), tally => SftpTree.Download(this, remoteDirectory, localDirectory, Tallied(tally, progress)));

    /// <summary>Adds each file's size, reported after the file, to <paramref name="tally"/>, then tells <paramref name="progress"/>.</summary>
    private static Action<string, long> Tallied(TransferTally tally, Action<string, long>? progress) => (file, size) =>
    {
        tally.Add(size);
        progress?.Invoke(file, size);
    };

    private void Upload(string operation, Action<TransferTally> transfer) => Transfer(operation, TransferDirection.Upload, transfer);

    private void Download(string operation, Action<TransferTally> transfer) => Transfer(operation, TransferDirection.Download, transfer);

    /// <summary>Runs a transfer on the hop (<see cref="Hops.Hop.Run"/>) with a tally of the bytes it moves, for its span and the byte counters.</summary>
    private void Transfer(string operation, TransferDirection direction, Action<TransferTally> transfer)
    {
        var tally = new TransferTally(direction);
        _hop.Run(operation, () => transfer(tally), tally);
    }

    private Task TransferAsync(string operation, TransferDirection direction, Func<TransferTally, Task> transfer, CancellationToken cancellationToken)
    {
        var tally = new TransferTally(direction);
        return _hop.RunAsync(operation, () => transfer(tally), cancellationToken, tally);
    }

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
