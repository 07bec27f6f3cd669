using System;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// Encrypts memory in place with the logged-on user's key, the same in every process of that user (Windows'
/// <c>CryptProtectMemory</c> with <c>CRYPTPROTECTMEMORY_CROSS_PROCESS</c>). A seam: the derivation around it is
/// tested on any system with a stand-in.
/// </summary>
internal interface IMemoryProtector
{
    /// <summary>Encrypts <paramref name="buffer"/> (a multiple of <see cref="PageantPipe.ProtectBlockSize"/> bytes) in place; false, untouched, when it cannot.</summary>
    bool TryProtectCrossProcess(byte[] buffer);
}

/// <summary>
/// The named pipe Pageant (PuTTY's agent, 0.75 and later) serves the ssh-agent protocol on:
/// <c>\\.\pipe\pageant.USER.SUFFIX</c>, per user. PuTTY hides which user runs Pageant from other users sharing the
/// machine's pipe namespace, so the suffix is the lowercase hex SHA-256 of the string <c>Pageant</c>, NUL-terminated
/// and zero-padded to <c>CryptProtectMemory</c>'s 16-byte block, encrypted in place with the user's cross-process key,
/// and hashed as an SSH string (a 4-byte big-endian length, then the bytes). PuTTY hashes the plain padded bytes when
/// <c>CryptProtectMemory</c> fails, and so does this. (Facts from PuTTY's <c>agent_named_pipe_name</c>,
/// <c>capi_obfuscate_string</c> and <c>get_username</c>; this is written from them, not copied.)
/// </summary>
internal static class PageantPipe
{
    /// <summary>CRYPTPROTECTMEMORY_BLOCK_SIZE.</summary>
    public const int ProtectBlockSize = 16;

    private const string ObfuscatedString = "Pageant";

    /// <summary>The pipe path of Pageant run by <paramref name="userName"/>, whose key <paramref name="protector"/> uses.</summary>
    public static string PathFor(string userName, IMemoryProtector protector) =>
        $@"\\.\pipe\pageant.{userName}.{ObfuscatedSuffix(ObfuscatedString, protector)}";

    /// <summary>The path of this user's Pageant pipe on Windows; null elsewhere or when the user's name cannot be read.</summary>
    public static string? PathForCurrentUser() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && WindowsUser.PrincipalOrAccountName() is { } user
            ? PathFor(user, WindowsUser.Protector)
            : null;

    /// <summary>PuTTY's <c>capi_obfuscate_string</c>: padded, protected, length-prefixed, SHA-256, lowercase hex.</summary>
    internal static string ObfuscatedSuffix(string text, IMemoryProtector protector)
    {
        var plain = Encoding.UTF8.GetBytes(text);
        var padded = new byte[((plain.Length + 1 + ProtectBlockSize - 1) / ProtectBlockSize) * ProtectBlockSize];
        Buffer.BlockCopy(plain, 0, padded, 0, plain.Length);
        protector.TryProtectCrossProcess(padded);

        var hashed = new byte[4 + padded.Length];
        hashed[0] = (byte)(padded.Length >> 24);
        hashed[1] = (byte)(padded.Length >> 16);
        hashed[2] = (byte)(padded.Length >> 8);
        hashed[3] = (byte)padded.Length;
        Buffer.BlockCopy(padded, 0, hashed, 4, padded.Length);
#if NET8_0_OR_GREATER
        var digest = SHA256.HashData(hashed);
#else
        using var sha256 = SHA256.Create();
        var digest = sha256.ComputeHash(hashed);
#endif

        var hex = new StringBuilder(digest.Length * 2);
        foreach (var b in digest)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }

    /// <summary>The Windows calls PuTTY's naming rests on; reached only where <see cref="RuntimeInformation.IsOSPlatform"/> says Windows.</summary>
    private static class WindowsUser
    {
        private const int NameUserPrincipal = 8;
        private const uint CryptProtectMemoryCrossProcess = 1;

        public static IMemoryProtector Protector { get; } = new CryptProtectMemoryProtector();

        /// <summary>PuTTY's <c>get_username</c>: the user principal name up to its '@' (Kerberos names are case-sensitive), else the account name.</summary>
        public static string? PrincipalOrAccountName()
        {
            var name = new char[1024];
            var size = (uint)name.Length;
            try
            {
                if (GetUserNameExW(NameUserPrincipal, name, ref size) && size > 0 && size <= name.Length)
                {
                    var principal = new string(name, 0, (int)size);
                    var at = principal.IndexOf('@');
                    return at >= 0 ? principal.Substring(0, at) : principal;
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // PuTTY too falls back to the account name where secur32 lacks the call.
            }

            var account = Environment.UserName;
            return string.IsNullOrEmpty(account) ? null : account;
        }

#pragma warning disable CA5392 // secur32 and crypt32 are system libraries, resolved by the loader.
#pragma warning disable SYSLIB1054 // The same declarations serve the netstandard2.0 build, which has no LibraryImport.
        [DllImport("secur32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.U1)]
        private static extern bool GetUserNameExW(int nameFormat, [Out] char[] name, ref uint size);

        [DllImport("crypt32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool CryptProtectMemory(byte[] data, uint size, uint flags);
#pragma warning restore SYSLIB1054
#pragma warning restore CA5392

        private sealed class CryptProtectMemoryProtector : IMemoryProtector
        {
            public bool TryProtectCrossProcess(byte[] buffer)
            {
                try
                {
                    return CryptProtectMemory(buffer, (uint)buffer.Length, CryptProtectMemoryCrossProcess);
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
                {
                    // As PuTTY without crypt32: the plain string is hashed.
                    return false;
                }
            }
        }
    }
}
