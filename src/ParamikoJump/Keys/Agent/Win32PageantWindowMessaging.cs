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

    public IPageantSharedMemory CreateSharedMemory(string name, int capacity) => new SharedMemory(MemoryMappedFile.CreateNew(name, capacity, MemoryMappedFileAccess.ReadWrite));

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
#pragma warning disable CA5392 // user32 and kernel32 are system libraries, resolved by the loader.
#pragma warning disable SYSLIB1054 // The same declarations serve the netstandard2.0 build, which has no LibraryImport.
        [DllImport("user32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr FindWindowW(string className, string windowName);

        [DllImport("user32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr SendMessageTimeoutW(IntPtr window, uint message, IntPtr wParam, ref CopyDataStruct lParam, uint flags, uint timeout, out IntPtr result);

        [DllImport("kernel32.dll")]
        public static extern uint GetCurrentThreadId();
#pragma warning restore SYSLIB1054
#pragma warning restore CA5392
    }
}
