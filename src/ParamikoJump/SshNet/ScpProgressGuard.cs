using System;
using System.Threading;
using Renci.SshNet.Common;

namespace ParamikoJump.SshNet;

/// <summary>
/// Ends an SSH.NET <c>ScpClient</c> transfer that could otherwise never end. Its download loop reads the channel's
/// pipe until the file's announced length has arrived; once the pipe is disposed (the channel closed, or the hop's
/// <see cref="ConnectionPipes"/> after a lost connection) every read returns 0 and the loop spins forever, and its
/// upload loop keeps "sending" the rest of the source into a closed channel, which SSH.NET drops silently. Both loops
/// raise the client's progress events on every turn, so a handler that throws ends them: it throws once the hop's
/// session is lost, and when a download reports the same position twice (a read that returned nothing, which a live
/// pipe never does).
/// </summary>
/// <remarks>
/// Depends on <c>ScpClient</c> raising <c>Downloading</c> and <c>Uploading</c> inside those loops on the transfer's
/// thread, and propagating a handler's exception (SSH.NET 2026.0.0; pinned by ScpProgressGuardTests with SSH.NET's own
/// ScpClient against a real server, and by the integration tests whose middle hop dies under an SCP transfer). If an upgrade stops doing so, a lost connection still fails the next read of the
/// control channel, through <see cref="ConnectionPipes"/>, but a download could spin.
/// </remarks>
internal sealed class ScpProgressGuard : IDisposable
{
    private readonly Func<bool> _connectionLost;
    private readonly ThreadLocal<(string Name, long Size, long Done)?> _lastDownload = new();

    public ScpProgressGuard(Func<bool> connectionLost)
    {
        _connectionLost = connectionLost;
    }

    public void OnDownloading(object? sender, ScpDownloadEventArgs e)
    {
        ThrowIfLost();
        var position = (e.Filename, e.Size, e.Downloaded);
        if (e.Downloaded < e.Size && _lastDownload.Value == position)
        {
            _lastDownload.Value = null;
            throw new SshConnectionException($"The SCP channel closed after {e.Downloaded} of {e.Size} bytes of '{e.Filename}'.");
        }

        _lastDownload.Value = position;
    }

    public void OnUploading(object? sender, ScpUploadEventArgs e) => ThrowIfLost();

    /// <summary>Called before each transfer on the calling thread, which is the thread its events are raised on.</summary>
    public void Reset() => _lastDownload.Value = null;

    public void Dispose() => _lastDownload.Dispose();

    private void ThrowIfLost()
    {
        if (_connectionLost())
        {
            throw new SshConnectionException("The connection was lost during the SCP transfer.");
        }
    }
}
