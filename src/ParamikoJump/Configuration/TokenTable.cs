using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace ParamikoJump.Configuration;

/// <summary>The tokens ssh expands in file names and commands (DEFAULT_CLIENT_PERCENT_EXPAND_ARGS of OpenSSH 9.2).</summary>
internal static class TokenTable
{
    /// <summary>
    /// <c>%C</c> connection hash, <c>%L</c> short and <c>%l</c> full local host name, <c>%i</c> uid, <c>%k</c> host key
    /// alias, <c>%n</c> host as given, <c>%p</c> port, <c>%d</c> home, <c>%h</c> remote host, <c>%r</c> remote
    /// user, <c>%u</c> local user.
    /// </summary>
    public static Dictionary<char, string> For(LocalAccount account, string host, string port, string remoteUser, string hostArg, string keyAlias)
    {
        var shortHost = account.HostName.Split('.')[0];
        return new Dictionary<char, string>
        {
            ['C'] = ConnectionHash(account.HostName, host, port, remoteUser),
            ['L'] = shortHost,
            ['i'] = account.Uid,
            ['k'] = keyAlias,
            ['l'] = account.HostName,
            ['n'] = hostArg,
            ['p'] = port,
            ['d'] = account.HomeDirectory,
            ['h'] = host,
            ['r'] = remoteUser,
            ['u'] = account.UserName,
        };
    }

    /// <summary>ssh_connection_hash: SHA-1 of local host, remote host, port and user, in hex.</summary>
    private static string ConnectionHash(string thisHost, string host, string port, string user)
    {
        // SHA-1 is what OpenSSH fixes for %C; it names a file, it protects nothing.
#pragma warning disable CA5350
#if NET8_0_OR_GREATER
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(thisHost + host + port + user));
#else
        using var sha1 = SHA1.Create();
        var hash = sha1.ComputeHash(Encoding.UTF8.GetBytes(thisHost + host + port + user));
#endif
#pragma warning restore CA5350
        var hex = new StringBuilder(hash.Length * 2);
        foreach (var b in hash)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}
