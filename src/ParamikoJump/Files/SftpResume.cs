using System;
using System.IO;
using System.Threading;
using Renci.SshNet;
using ParamikoJump.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.Files;

/// <summary>
/// OpenSSH sftp's <c>reput</c>: an upload that stopped part-way continues from the size the remote file has. Sound
/// for a server that applies writes in order, as OpenSSH's sftp-server does: what a cut connection leaves is a
/// prefix of what was sent.
/// </summary>
internal static class SftpResume
{
    public static void Upload(SftpClient client, Stream input, string path, Action<ulong>? uploadCallback)
    {
        if (input is null)
        {
            throw new ArgumentNullException(nameof(input));
        }

        if (!input.CanSeek)
        {
            throw new ArgumentException("Resuming an upload needs a seekable input stream, to skip what the server already has.", nameof(input));
        }

        long done;
        try
        {
            done = client.GetAttributes(path).Size;
        }
        catch (SftpPathNotFoundException)
        {
            done = 0;
        }

        if (done > input.Length)
        {
            throw new IOException($"The remote file '{path}' holds {done} bytes, more than the {input.Length} to upload: it is not a partial upload of this data.");
        }

        input.Seek(done, SeekOrigin.Begin);
        if (done == 0)
        {
            client.UploadFile(input, path, canOverride: true, uploadCallback);
            return;
        }

        var start = (ulong)done;
        var progress = uploadCallback is null ? null : new Reported(sent => uploadCallback(start + sent));
        if (SftpAppend.TryUpload(client, input, path, progress))
        {
            return;
        }

        // Without SSH.NET's pipelined upload: the public stream, which waits for each write to be acknowledged.
        var buffer = new byte[32 * 1024];
        using var remote = client.Open(path, FileMode.Append, FileAccess.Write);
        int read;
        while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            remote.Write(buffer, 0, read);
            done += read;
            uploadCallback?.Invoke((ulong)done);
        }
    }

    /// <summary>Reports on the thread pool, as SSH.NET's UploadFile does: never on the session's receive thread.</summary>
    private sealed class Reported(Action<ulong> report) : IProgress<UploadFileProgressReport>
    {
        public void Report(UploadFileProgressReport value) =>
            ThreadPool.QueueUserWorkItem(static state => ((Action)state!)(), (Action)(() => report(value.TotalBytesUploaded)));
    }
}
