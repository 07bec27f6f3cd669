using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;

namespace ParamikoJump.Configuration;

/// <summary>
/// The local facts ssh_config tokens and paths refer to: the user's name, uid and home (<c>%u %i %d ~</c>), the
/// machine's name (<c>%l %L</c>), other users' homes (<c>~user</c>) and environment variables (<c>${VAR}</c>).
/// Tests give a resolver an account of their own.
/// </summary>
internal sealed class LocalAccount
{
    public LocalAccount(string userName, string homeDirectory, string uid, string hostName, Func<string, string?> environment, Func<string, string?> homeOf)
    {
        UserName = userName;
        HomeDirectory = homeDirectory;
        Uid = uid;
        HostName = hostName;
        Environment = environment;
        HomeOf = homeOf;
    }

    public string UserName { get; }

    public string HomeDirectory { get; }

    public string Uid { get; }

    /// <summary>The machine's name as gethostname gives it (<c>%l</c>).</summary>
    public string HostName { get; }

    public Func<string, string?> Environment { get; }

    /// <summary>The home directory of another local user, or null when there is no such user.</summary>
    public Func<string, string?> HomeOf { get; }

    /// <summary>The account this process runs as.</summary>
    public static LocalAccount Current()
    {
        var home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home))
        {
            home = System.Environment.GetEnvironmentVariable("HOME") ?? "/";
        }

        string hostName;
        try
        {
            hostName = Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            hostName = "localhost";
        }

        return new LocalAccount(System.Environment.UserName, home, CurrentUid(), hostName, System.Environment.GetEnvironmentVariable, HomeFromPasswd);
    }

    /// <summary>ssh's tilde_expand: <c>~</c>, <c>~/path</c>, <c>~user</c>, <c>~user/path</c>; null when the user is unknown.</summary>
    public string? ExpandTilde(string path)
    {
        if (path.Length == 0 || path[0] != '~')
        {
            return path;
        }

        var rest = path.Substring(1);
        string? home;
        string? tail;
        if (rest.Length == 0 || rest[0] == '/')
        {
            home = HomeDirectory;
            tail = rest.TrimStart('/');
        }
        else
        {
            var slash = rest.IndexOf('/');
            var user = slash < 0 ? rest : rest.Substring(0, slash);
            tail = slash < 0 ? string.Empty : rest.Substring(slash + 1).TrimStart('/');
            home = HomeOf(user);
        }

        if (home is null)
        {
            return null;
        }

        return home.EndsWith("/", StringComparison.Ordinal) || home.Length == 0 ? home + tail : home + "/" + tail;
    }

    private static string CurrentUid()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return "0";
        }

        try
        {
            return NativeMethods.getuid().ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return "0";
        }
    }

    internal static string? HomeFromPasswd(string user)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length >= 6 && string.Equals(fields[0], user, StringComparison.Ordinal))
                {
                    return fields[5];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = false)]
#pragma warning disable CA5392 // libc is the system's own library, resolved by the loader.
        public static extern uint getuid();
#pragma warning restore CA5392
    }

    /// <summary>Values by name, for tests.</summary>
    public static Func<string, string?> Lookup(IReadOnlyDictionary<string, string> values) => name => values.TryGetValue(name, out var value) ? value : null;
}
