using System;
using System.IO;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;

namespace ParamikoJump.SshNet;

/// <summary>
/// SSH.NET's pipelined upload (the private <c>SftpClient.InternalUploadFile</c>, what <c>UploadFile</c> runs), but
/// opening the remote file with SSH_FXF_APPEND instead of truncating it: what resuming an upload needs. With APPEND the
/// server writes each request at the end of the file whatever its offset (SFTP v3, §6.3), in the order it receives
/// them, so the offsets SSH.NET counts from 0 do not matter.
/// </summary>
/// <remarks>
/// Why not the public API: the only public way to append is an <c>SftpFileStream</c>, which waits for each 32 KiB
/// write to be acknowledged. Through a jump such stop-and-wait requests often stall on Nagle on the servers' sockets
/// against a delayed ACK, so a resumed upload ran far slower than the pipelined one (benchmarks/README.md, "Tuning,
/// measured"). Depends on the method's signature and the
/// internal <c>Renci.SshNet.Sftp.Flags</c> enum of SSH.NET 2026.0.0 (a row of <see cref="SshNetSeams"/>); when
/// they are missing, <see cref="TryUpload"/> returns false and the caller appends through the public stream.
/// </remarks>
internal static class SftpAppend
{
    private const int WriteFlag = 2;   // SSH_FXF_WRITE
    private const int AppendFlag = 4;  // SSH_FXF_APPEND

    private static readonly Type? FlagsType = SshNetSeams.SftpAppend.Members.Flags;
    private static readonly MethodInfo? Upload = SshNetSeams.SftpAppend.Members.Upload;

    public static bool IsAvailable => SshNetSeams.SftpAppend.IsAvailable;

    /// <summary>Appends the rest of <paramref name="input"/> to the existing remote file; false when the seam is missing.</summary>
    public static bool TryUpload(SftpClient client, Stream input, string path, IProgress<UploadFileProgressReport>? progress)
    {
        if (!IsAvailable)
        {
            return false;
        }

        var flags = Enum.ToObject(FlagsType!, WriteFlag | AppendFlag);
        var upload = (Task)Reflected.Call(Upload!, client, [input, path, flags, null, progress, false, CancellationToken.None])!;

        // With isAsync false the upload runs synchronously; the task only carries its outcome.
        upload.GetAwaiter().GetResult();
        return true;
    }
}
