using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Renci.SshNet;
using Renci.SshNet.Sftp;

namespace ParamikoJump.Files;

/// <summary>
/// Directory trees over SFTP, both ways, keeping times and (on Unix, .NET 8+) permission bits as <c>scp -rp</c> does.
/// SFTP version 3 carries times in whole seconds, so that is what is kept. A directory's times and mode are set after
/// its contents are written: writing into it would change its time, and a read-only mode would refuse the writes.
/// </summary>
internal static class SftpTree
{
    private const int ModeBits = 0xFFF; // permission bits plus setuid, setgid and sticky

    public static void Upload(SftpClient client, string localDirectory, string remoteDirectory, Action<string, long>? progress)
    {
        var root = new DirectoryInfo(localDirectory ?? throw new ArgumentNullException(nameof(localDirectory)));
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"The local directory '{root.FullName}' does not exist.");
        }

        if (string.IsNullOrEmpty(remoteDirectory))
        {
            throw new ArgumentException("A remote directory is required.", nameof(remoteDirectory));
        }

        UploadInto(client, root, remoteDirectory.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/", progress);
    }

    public static void Download(SftpClient client, string remoteDirectory, string localDirectory, Action<string, long>? progress)
    {
        if (string.IsNullOrEmpty(remoteDirectory))
        {
            throw new ArgumentException("A remote directory is required.", nameof(remoteDirectory));
        }

        var root = new DirectoryInfo(localDirectory ?? throw new ArgumentNullException(nameof(localDirectory)));
        var attributes = client.GetAttributes(remoteDirectory);
        if (!attributes.IsDirectory)
        {
            throw new ArgumentException($"'{remoteDirectory}' is not a directory on the server.", nameof(remoteDirectory));
        }

        DownloadInto(client, remoteDirectory, attributes, root, progress);
    }

    private static void UploadInto(SftpClient client, DirectoryInfo local, string remote, Action<string, long>? progress)
    {
        if (!client.Exists(remote))
        {
            client.CreateDirectory(remote);
        }

        foreach (var entry in local.EnumerateFileSystemInfos())
        {
            if ((entry.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                continue; // symbolic links are skipped, as documented
            }

            var target = remote == "/" ? "/" + entry.Name : remote + "/" + entry.Name;
            if (entry is DirectoryInfo directory)
            {
                UploadInto(client, directory, target, progress);
            }
            else if (entry is FileInfo file)
            {
                using (var stream = file.OpenRead())
                {
                    client.UploadFile(stream, target, canOverride: true);
                }

                Keep(client, target, file);
                progress?.Invoke(target, file.Length);
            }
        }

        Keep(client, remote, local);
    }

    private static void DownloadInto(SftpClient client, string remote, SftpFileAttributes remoteAttributes, DirectoryInfo local, Action<string, long>? progress)
    {
        local.Create();
        foreach (var entry in client.ListDirectory(remote).Where(e => e.Name is not "." and not ".."))
        {
            var target = new FileInfo(Path.Combine(local.FullName, LocalName(entry.Name)));
            if (entry.IsDirectory)
            {
                DownloadInto(client, entry.FullName, entry.Attributes, new DirectoryInfo(target.FullName), progress);
            }
            else if (entry.IsRegularFile)
            {
                using (var stream = new FileStream(target.FullName, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    client.DownloadFile(entry.FullName, stream);
                }

                Keep(target, entry.Attributes);
                progress?.Invoke(target.FullName, entry.Length);
            }
        }

        Keep(local, remoteAttributes);
    }

    /// <summary>A name the server sent, checked before it becomes a local path (as OpenSSH's scp checks them).</summary>
    private static string LocalName(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new InvalidDataException($"The server listed a name that is not a valid local file name: '{ServerText.Escape(name)}'.");
        }

        return name;
    }

    private static void Keep(SftpClient client, string remote, FileSystemInfo local)
    {
        var attributes = client.GetAttributes(remote);
        attributes.LastWriteTimeUtc = local.LastWriteTimeUtc;
        attributes.LastAccessTimeUtc = local.LastAccessTimeUtc;
        if (UnixMode(local) is { } mode)
        {
            attributes.SetPermissions(short.Parse(Convert.ToString(mode, 8), NumberStyles.None, CultureInfo.InvariantCulture));
        }

        client.SetAttributes(remote, attributes);
    }

    private static void Keep(FileSystemInfo local, SftpFileAttributes remote)
    {
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(local.FullName, (UnixFileMode)ModeOf(remote));
        }
#endif
        local.Refresh();
        local.LastWriteTimeUtc = remote.LastWriteTimeUtc;
        local.LastAccessTimeUtc = remote.LastAccessTimeUtc;
    }

    private static int? UnixMode(FileSystemInfo local)
    {
#if NET8_0_OR_GREATER
        return OperatingSystem.IsWindows() ? null : (int)File.GetUnixFileMode(local.FullName) & ModeBits;
#else
        return null;
#endif
    }

    private static int ModeOf(SftpFileAttributes a) =>
        (a.IsUIDBitSet ? 0x800 : 0) | (a.IsGroupIDBitSet ? 0x400 : 0) | (a.IsStickyBitSet ? 0x200 : 0)
        | (a.OwnerCanRead ? 0x100 : 0) | (a.OwnerCanWrite ? 0x80 : 0) | (a.OwnerCanExecute ? 0x40 : 0)
        | (a.GroupCanRead ? 0x20 : 0) | (a.GroupCanWrite ? 0x10 : 0) | (a.GroupCanExecute ? 0x8 : 0)
        | (a.OthersCanRead ? 0x4 : 0) | (a.OthersCanWrite ? 0x2 : 0) | (a.OthersCanExecute ? 0x1 : 0);
}
