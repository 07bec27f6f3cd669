using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace ParamikoJump.Configuration;

/// <summary>
/// The Unix file facts ssh checks and sets that .NET has no managed API for on every target: a file's owner (no
/// target has one) and, on netstandard2.0, its mode. One home for the native calls, the same code on both builds.
/// </summary>
internal static class UnixFiles
{
    /// <summary>Whether files have Unix owners and modes here.</summary>
    public static bool Applies => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>The user this process runs as.</summary>
    public static uint CurrentUid() => NativeMethods.getuid();

    /// <summary>
    /// The owner and mode of <paramref name="path"/> (symbolic links followed, as ssh's fstat of the opened file),
    /// or <see langword="null"/> when neither way of asking exists on this runtime.
    /// </summary>
    /// <exception cref="IOException">The file cannot be examined.</exception>
    public static (uint Owner, uint Mode)? Stat(string path)
    {
        var name = NulTerminated(path);
        var buffer = new byte[512];
        int result;
        try
        {
            // .NET's own native shim (every .NET Core runtime on Unix): its FileStatus starts Flags, Mode, Uid, Gid
            // as int32 on every architecture, unlike libc's struct stat.
            result = NativeMethods.SystemNative_Stat(name, buffer);
            if (result == 0)
            {
                return (BitConverter.ToUInt32(buffer, 8), BitConverter.ToUInt32(buffer, 4));
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Mono, or a runtime with the shim linked in: statx has one layout on every Linux architecture.
            return StatX(path);
        }

        throw new IOException($"cannot examine '{path}' (errno {Marshal.GetLastWin32Error()})");
    }

    /// <summary>The owner and mode through Linux's statx, or <see langword="null"/> where there is none.</summary>
    internal static (uint Owner, uint Mode)? StatX(string path)
    {
        const int AtFdCwd = -100;
        const uint ModeAndUid = 0x2 | 0x8;
        var buffer = new byte[512];
        try
        {
            if (NativeMethods.statx(AtFdCwd, NulTerminated(path), 0, ModeAndUid, buffer) != 0)
            {
                throw new IOException($"cannot examine '{path}' (errno {Marshal.GetLastWin32Error()})");
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        // struct statx: stx_uid at 20 (u32), stx_mode at 28 (u16).
        return (BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt16(buffer, 28));
    }

    /// <summary>Sets a file's or directory's permission bits (netstandard2.0 has no managed way).</summary>
    public static void SetMode(string path, uint mode)
    {
        if (NativeMethods.chmod(NulTerminated(path), mode) != 0)
        {
            throw new IOException($"cannot set the mode of '{path}' (errno {Marshal.GetLastWin32Error()})");
        }
    }

    private static byte[] NulTerminated(string path) => Encoding.UTF8.GetBytes(path + "\0");

    private static class NativeMethods
    {
#pragma warning disable CA5392 // libc and .NET's own shim are system libraries, resolved by the loader.
#pragma warning disable SYSLIB1054 // The same declarations serve the netstandard2.0 build, which has no LibraryImport.
        [DllImport("libc", SetLastError = false)]
        public static extern uint getuid();

        [DllImport("libSystem.Native", SetLastError = true)]
        public static extern int SystemNative_Stat(byte[] path, [Out] byte[] status);

        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int directory, byte[] path, int flags, uint mask, [Out] byte[] status);

        [DllImport("libc", SetLastError = true)]
        public static extern int chmod(byte[] path, uint mode);
#pragma warning restore SYSLIB1054
#pragma warning restore CA5392
    }
}
