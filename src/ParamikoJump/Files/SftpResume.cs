using System;
using System.IO;
using Renci.SshNet;
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
        var buffer = new byte[Math.Max(client.BufferSize, 32 * 1024)];
        using var remote = client.Open(path, done == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write);
        int read;
        while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            remote.Write(buffer, 0, read);
            remote.Flush();
            done += read;
            uploadCallback?.Invoke((ulong)done);
        }
    }
}
