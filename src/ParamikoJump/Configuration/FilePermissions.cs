using System;
using System.Globalization;
using System.IO;

namespace ParamikoJump.Configuration;

/// <summary>
/// ssh refuses a user configuration file (and every file it includes) that someone else could have written
/// (readconf.c, misc.c <c>secure_permissions</c>): one owned by neither root nor the user, or writable by its group
/// or by others. Checked the same way on both builds wherever files have Unix owners.
/// </summary>
internal static class FilePermissions
{
    private const uint GroupOrOtherWrite = 0x12; // 022

    public static void Check(string path) => Check(path, UnixFiles.Applies ? UnixFiles.CurrentUid() : 0);

    /// <param name="path">The configuration file.</param>
    /// <param name="uid">The user the file may belong to besides root.</param>
    internal static void Check(string path, uint uid)
    {
        if (!UnixFiles.Applies || !File.Exists(path))
        {
            return;
        }

        (uint Owner, uint Mode)? status;
        try
        {
            status = UnixFiles.Stat(path);
        }
        catch (IOException ex)
        {
            throw new SshConfigException($"cannot be examined: {ex.Message}", path, 0, ex);
        }

        if (status is not { } file)
        {
            // No way to ask on this runtime (neither .NET's shim nor statx): nothing to decide with.
            return;
        }

        if (file.Owner != 0 && file.Owner != uid)
        {
            throw new SshConfigException(
                string.Format(CultureInfo.InvariantCulture, "Bad owner or permissions: the file belongs to uid {0}, neither root nor this user (uid {1}), so ssh would refuse it.", file.Owner, uid),
                path,
                0);
        }

        if ((file.Mode & GroupOrOtherWrite) != 0)
        {
            throw new SshConfigException("Bad owner or permissions: the file is writable by its group or by others, so ssh would refuse it (chmod go-w).", path, 0);
        }
    }
}
