using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace ParamikoJump.Hops;

/// <summary>
/// Whether the far end of a loopback connection is a socket of this very process, asked of the operating system (the
/// kernel's socket tables) rather than of the socket itself: the TCP fallback's check where SSH.NET's socket cannot be
/// seen. Another user's process never owns a socket of ours, so a connection it makes is told apart from the hop's.
/// </summary>
internal static class LocalConnectionOwner
{
    private const int ProcNetFields = 10;
    private static readonly Lazy<int> CurrentProcessId = new(() =>
    {
        using var process = Process.GetCurrentProcess();
        return process.Id;
    });

    /// <summary>Null where the check can be made; otherwise why it cannot.</summary>
    public static string? WhyUnavailable
    {
        get
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return File.Exists("/proc/net/tcp") && Directory.Exists("/proc/self/fd") ? null : "/proc/net/tcp or /proc/self/fd cannot be read";
            }

            return RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? null : "only Linux (/proc) and Windows (GetExtendedTcpTable) tell a connection's owner";
        }
    }

    /// <summary>
    /// Whether the socket at <paramref name="originator"/>:<paramref name="originatorPort"/>, connected to
    /// 127.0.0.1:<paramref name="forwardPort"/>, belongs to this process; null when that cannot be told here.
    /// </summary>
    public static bool? IsThisProcess(IPAddress originator, int originatorPort, int forwardPort)
    {
        if (WhyUnavailable is not null)
        {
            return null;
        }

        var address = originator.IsIPv4MappedToIPv6 ? originator.MapToIPv4() : originator;
        try
        {
            return RuntimeInformation.IsOSPlatform(OSPlatform.Linux)
                ? OwnsOnLinux(address, originatorPort, forwardPort)
                : OwnsOnWindows(address, originatorPort, forwardPort);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException or TcpTableException)
        {
            return null;
        }
    }

    /// <summary>The connection's row in /proc/net/tcp (or tcp6, for a dual-mode socket) names its inode; ours if one of our fds is that socket.</summary>
    private static bool OwnsOnLinux(IPAddress originator, int originatorPort, int forwardPort)
    {
        var inode = FindInode("/proc/net/tcp", ProcAddress(originator, originatorPort), ProcAddress(IPAddress.Loopback, forwardPort))
            ?? FindInode("/proc/net/tcp6", ProcAddress(MappedToIPv6(originator), originatorPort), ProcAddress(MappedToIPv6(IPAddress.Loopback), forwardPort));
        return inode is { } found && found != "0" && HoldsSocket(found);
    }

    private static IPAddress MappedToIPv6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;

    /// <summary>As the kernel prints an address: each 32-bit word of the network-order bytes in host order, then the port.</summary>
    private static string ProcAddress(IPAddress address, int port)
    {
        var bytes = address.GetAddressBytes();
        var text = new StringBuilder(bytes.Length * 2 + 5);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            text.Append(BitConverter.ToUInt32(bytes, word).ToString("X8", CultureInfo.InvariantCulture));
        }

        return text.Append(':').Append(port.ToString("X4", CultureInfo.InvariantCulture)).ToString();
    }

    private static string? FindInode(string table, string local, string remote)
    {
        if (!File.Exists(table))
        {
            return null;
        }

        foreach (var line in File.ReadLines(table))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= ProcNetFields
                && string.Equals(fields[1], local, StringComparison.OrdinalIgnoreCase)
                && string.Equals(fields[2], remote, StringComparison.OrdinalIgnoreCase))
            {
                return fields[9];
            }
        }

        return null;
    }

    /// <summary>One pass over this process's fds, newest first: a hop's socket is among the last ones opened.</summary>
    private static bool HoldsSocket(string inode)
    {
        var wanted = "socket:[" + inode + "]";
        var descriptors = new List<int>();
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
            {
                descriptors.Add(fd);
            }
        }

        descriptors.Sort((a, b) => b.CompareTo(a));
        var target = new byte[64];
        foreach (var fd in descriptors)
        {
            var path = Encoding.ASCII.GetBytes("/proc/self/fd/" + fd.ToString(CultureInfo.InvariantCulture) + "\0");
            var length = NativeMethods.readlink(path, target, (IntPtr)target.Length).ToInt64();
            if (length == wanted.Length && Encoding.ASCII.GetString(target, 0, (int)length) == wanted)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>GetExtendedTcpTable's connection rows carry their owning process; ours if that is this one.</summary>
    private static bool OwnsOnWindows(IPAddress originator, int originatorPort, int forwardPort)
    {
        return OwnerInTable(NativeMethods.AfInet, originator, originatorPort, forwardPort)
            ?? OwnerInTable(NativeMethods.AfInet6, MappedToIPv6(originator), originatorPort, forwardPort)
            ?? false;
    }

    private static bool? OwnerInTable(int family, IPAddress originator, int originatorPort, int forwardPort)
    {
        var size = 0;
        var table = IntPtr.Zero;
        try
        {
            while (true)
            {
                var result = NativeMethods.GetExtendedTcpTable(table, ref size, false, family, NativeMethods.TcpTableOwnerPidConnections, 0);
                if (result == 0)
                {
                    break;
                }

                if (result != NativeMethods.ErrorInsufficientBuffer)
                {
                    throw new TcpTableException(result);
                }

                // The table grows between the calls when connections come and go: ask again with the size it gave.
                Marshal.FreeHGlobal(table);
                table = IntPtr.Zero;
                table = Marshal.AllocHGlobal(size);
            }

            var forward = family == NativeMethods.AfInet ? IPAddress.Loopback : IPAddress.Loopback.MapToIPv6();
            return family == NativeMethods.AfInet
                ? FindOwner(table, 24, 0, 8, 12, 16, 20, 4, originator, originatorPort, forward, forwardPort)
                : FindOwner(table, 56, 0, 20, 24, 44, 52, 16, originator, originatorPort, forward, forwardPort);
        }
        finally
        {
            Marshal.FreeHGlobal(table);
        }
    }

    /// <summary>Scans MIB_TCPROW_OWNER_PID or MIB_TCP6ROW_OWNER_PID rows (offsets given); ports are in network order.</summary>
    private static bool? FindOwner(IntPtr table, int rowSize, int localAddress, int localPort, int remoteAddress, int remotePort, int owningPid, int addressLength, IPAddress originator, int originatorPort, IPAddress forward, int forwardPort)
    {
        var rows = Marshal.ReadInt32(table);
        var wantedLocal = originator.GetAddressBytes();
        var wantedRemote = forward.GetAddressBytes();
        var address = new byte[addressLength];
        for (var index = 0; index < rows; index++)
        {
            var row = IntPtr.Add(table, 4 + (index * rowSize));
            if (Port(row, localPort) != originatorPort || Port(row, remotePort) != forwardPort)
            {
                continue;
            }

            Marshal.Copy(IntPtr.Add(row, localAddress), address, 0, addressLength);
            if (!Same(address, wantedLocal))
            {
                continue;
            }

            Marshal.Copy(IntPtr.Add(row, remoteAddress), address, 0, addressLength);
            if (Same(address, wantedRemote))
            {
                return Marshal.ReadInt32(row, owningPid) == CurrentProcessId.Value;
            }
        }

        return null;

        static int Port(IntPtr row, int offset) => (Marshal.ReadByte(row, offset) << 8) | Marshal.ReadByte(row, offset + 1);

        static bool Same(byte[] left, byte[] right)
        {
            if (left.Length != right.Length)
            {
                return false;
            }

            for (var i = 0; i < left.Length; i++)
            {
                if (left[i] != right[i])
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class TcpTableException(int error) : Exception($"GetExtendedTcpTable failed with error {error}");

    private static class NativeMethods
    {
        public const int AfInet = 2;
        public const int AfInet6 = 23;
        public const int TcpTableOwnerPidConnections = 4;
        public const int ErrorInsufficientBuffer = 122;

#pragma warning disable CA5392 // libc and iphlpapi are system libraries, resolved by the loader.
#pragma warning disable SYSLIB1054 // The same declarations serve the netstandard2.0 build, which has no LibraryImport.
        [DllImport("libc", SetLastError = true)]
        public static extern IntPtr readlink(byte[] path, byte[] buffer, IntPtr size);

        [DllImport("iphlpapi.dll", SetLastError = false)]
        public static extern int GetExtendedTcpTable(IntPtr table, ref int size, [MarshalAs(UnmanagedType.Bool)] bool order, int family, int tableClass, int reserved);
#pragma warning restore SYSLIB1054
#pragma warning restore CA5392
    }
}
