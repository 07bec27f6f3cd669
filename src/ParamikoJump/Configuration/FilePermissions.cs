using System;
using System.IO;

namespace ParamikoJump.Configuration;

/// <summary>
/// ssh refuses a user configuration file (and every included file) that others could have written: one writable by
/// its group or by everyone. Checked where the platform says (.NET 8 on Unix); the owner check ssh also makes is left
/// to the file system's own rules.
/// </summary>
internal static class FilePermissions
{
    public static void Check(string path)
    {
#if NET8_0_OR_GREATER
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new SshConfigException("Bad owner or permissions: the file is writable by its group or by others, so ssh would refuse it (chmod go-w).", path, 0);
        }
#else
        _ = path;
#endif
    }
}
