using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// <see cref="IPageantWindowMessaging"/> on Windows: <c>FindWindowW</c>, a named page-file mapping, and
/// <c>SendMessageTimeoutW</c>, so a hung Pageant costs the agent timeout instead of the caller's thread.
/// Used only where <see cref="RuntimeInformation.IsOSPlatform"/> says Windows; nothing here runs on Linux.
/// </summary>
internal sealed class Win32PageantWindowMessaging : IPageantWindowMessaging
{
    public static readonly Win32PageantWindowMessaging Instance = new();

    private const uint WmCopyData = 0x004A;
    private const uint SmtoBlockAbortIfHung = 0x0001 | 0x0002;

    private Win32PageantWindowMessaging()
    {
    }

    public uint CurrentThreadId => NativeMethods.GetCurrentThreadId();

    public IntPtr FindPageantWindow() => NativeMethods.FindWindowW("Pageant", "Pageant");

    public IPageantSharedMemory CreateSharedMemory(string name, int capacity)
    {
        var file = MemoryMappedFile.CreateNew(name, capacity, MemoryMappedFileAccess.ReadWrite);
        MakeUserTheOwner(file.SafeMemoryMappedFileHandle);
        return new SharedMemory(file);
    }

    public long? SendCopyData(IntPtr window, uint dataId, byte[] payload, TimeSpan timeout)
    {
        var pinned = GCHandle.Alloc(payload, GCHandleType.Pinned);
        try
        {
            var data = new CopyDataStruct { DataId = new UIntPtr(dataId), Size = payload.Length, Data = pinned.AddrOfPinnedObject() };
            var milliseconds = (uint)Math.Min(uint.MaxValue, Math.Max(1, timeout.TotalMilliseconds));
            return NativeMethods.SendMessageTimeoutW(window, WmCopyData, IntPtr.Zero, ref data, SmtoBlockAbortIfHung, milliseconds, out var result) == IntPtr.Zero
                ? null
                : result.ToInt64();
        }
        finally
        {
            pinned.Free();
        }
    }

    /// <summary>
    /// Pageant answers only memory owned by its own user; an elevated process's objects are owned by the Administrators
    /// group by default, so PuTTY names the user as owner. When that fails the memory keeps its default owner, as in
    /// PuTTY, and an elevated process's request is refused (<see cref="PageantWindowFailure.NoAnswer"/>).
    /// </summary>
    private static void MakeUserTheOwner(SafeHandle mapping)
    {
        if (!NativeMethods.OpenProcessToken(NativeMethods.GetCurrentProcess(), NativeMethods.TokenQuery, out var token))
        {
            return;
        }

        try
        {
            NativeMethods.GetTokenInformation(token, NativeMethods.TokenUser, IntPtr.Zero, 0, out var needed);
            if (needed <= 0)
            {
                return;
            }

            var tokenUser = Marshal.AllocHGlobal(needed);
            try
            {
                if (NativeMethods.GetTokenInformation(token, NativeMethods.TokenUser, tokenUser, needed, out _))
                {
                    // TOKEN_USER starts with the user's SID_AND_ATTRIBUTES, whose first field is the SID's address.
                    _ = NativeMethods.SetSecurityInfo(mapping, NativeMethods.SeKernelObject, NativeMethods.OwnerSecurityInformation, Marshal.ReadIntPtr(tokenUser), IntPtr.Zero, IntPtr.Zero, IntPtr.Zero);
                }
            }
            finally
            {
                Marshal.FreeHGlobal(tokenUser);
            }
        }
        finally
        {
            NativeMethods.CloseHandle(token);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CopyDataStruct
    {
        public UIntPtr DataId;
        public int Size;
        public IntPtr Data;
    }

    private sealed class SharedMemory(MemoryMappedFile file) : IPageantSharedMemory
    {
        private readonly MemoryMappedViewAccessor _view = file.CreateViewAccessor();

        public void Write(int offset, byte[] data) => _view.WriteArray(offset, data, 0, data.Length);

        public byte[] Read(int offset, int count)
        {
            var data = new byte[count];
            if (_view.ReadArray(offset, data, 0, count) != count)
            {
                throw new IOException($"the shared memory for Pageant ended before byte {offset + count}");
            }

            return data;
        }

        public void Dispose()
        {
            _view.Dispose();
            file.Dispose();
        }
    }

    private static class NativeMethods
    {
#pragma warning disable CA5392 // user32, kernel32 and advapi32 are system libraries, resolved by the loader.
#pragma warning disable SYSLIB1054 // The same declarations serve the netstandard2.0 build, which has no LibraryImport.
        [DllImport("user32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr FindWindowW(string className, string windowName);

        [DllImport("user32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr SendMessageTimeoutW(IntPtr window, uint message, IntPtr wParam, ref CopyDataStruct lParam, uint flags, uint timeout, out IntPtr result);

        public const uint TokenQuery = 0x0008;
        public const int TokenUser = 1;
        public const int SeKernelObject = 6;
        public const uint OwnerSecurityInformation = 0x00000001;

        [DllImport("kernel32.dll")]
        public static extern uint GetCurrentThreadId();

        [DllImport("kernel32.dll")]
        public static extern IntPtr GetCurrentProcess();

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool CloseHandle(IntPtr handle);

        [DllImport("advapi32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool OpenProcessToken(IntPtr process, uint desiredAccess, out IntPtr token);

        [DllImport("advapi32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool GetTokenInformation(IntPtr token, int informationClass, IntPtr information, int length, out int returnLength);

        [DllImport("advapi32.dll")]
        public static extern uint SetSecurityInfo(SafeHandle handle, int objectType, uint securityInformation, IntPtr owner, IntPtr group, IntPtr dacl, IntPtr sacl);
#pragma warning restore SYSLIB1054
#pragma warning restore CA5392
    }
}
