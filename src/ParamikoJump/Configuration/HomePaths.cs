using System;
using System.Runtime.InteropServices;
using ParamikoJump.Configuration;

namespace ParamikoJump.Configuration;

/// <summary>
/// Expands a leading <c>~</c> in a path a user gives the library (known_hosts files, key and certificate files,
/// ssh_config files), as OpenSSH does: <c>~</c> and <c>~/path</c> are the user's home, <c>~name/path</c> another
/// local user's. On Windows, as Win32-OpenSSH does, <c>~</c> is <c>%USERPROFILE%</c>, <c>~\path</c> works as
/// <c>~/path</c>, and <c>~name</c> is not understood. Without it, .NET reads <c>~/.ssh/known_hosts</c> as a folder
/// named <c>~</c> under the working directory.
/// </summary>
/// <remarks>The platform and its environment are given, so the Windows rules are tested on any system.</remarks>
internal sealed class HomePaths
{
    private readonly bool _windows;
    private readonly Func<string?> _home;
    private readonly Func<string, string?> _homeOf;

    public HomePaths(bool windows, Func<string?> home, Func<string, string?> homeOf)
    {
        _windows = windows;
        _home = home;
        _homeOf = homeOf;
    }

    /// <summary>This process's user: <c>%USERPROFILE%</c> on Windows, .NET's user profile folder (<c>$HOME</c>) elsewhere.</summary>
    public static HomePaths Current { get; } = ForProcess(() => null);

    /// <summary>This process's rules with <paramref name="homeDirectory"/> as the home when it is given (a hop's key environment).</summary>
    public static HomePaths WithHome(string? homeDirectory) => homeDirectory is null ? Current : ForProcess(() => homeDirectory);

    /// <summary>The path with a leading <c>~</c> replaced; any other path is returned as it is.</summary>
    /// <param name="path">The path as given.</param>
    /// <param name="paramName">The parameter or setting that gave it, for the error.</param>
    /// <param name="owner">What the path belongs to (a hop), named first in the error.</param>
    /// <exception cref="ArgumentException">The <c>~name</c> names no local user, or the home cannot be found.</exception>
    public string Expand(string path, string paramName, string? owner = null)
    {
        var where = owner is null ? string.Empty : owner + ": ";
        if (path is null || path.Length == 0 || path[0] != '~')
        {
            return path!;
        }

        var end = 1;
        while (end < path.Length && !IsSeparator(path[end]))
        {
            end++;
        }

        var user = path.Substring(1, end - 1);
        var tail = path.Substring(end).TrimStart('/', _windows ? '\\' : '/');
        string? home;
        if (user.Length == 0)
        {
            home = _home();
            if (string.IsNullOrEmpty(home))
            {
                throw new ArgumentException($"{where}'{path}' starts with '~', but the user's home directory is not known{(_windows ? " (%USERPROFILE% is not set)" : string.Empty)}.", paramName);
            }
        }
        else if (_windows)
        {
            throw new ArgumentException($"{where}'{path}': '~{user}' (another user's home) is not understood on Windows, as in Win32-OpenSSH; use '~' or a full path.", paramName);
        }
        else
        {
            home = _homeOf(user) ?? throw new ArgumentException($"{where}'{path}': there is no local user '{user}' whose home '~{user}' could name.", paramName);
        }

        var separator = _windows ? '\\' : '/';
        var root = home!.TrimEnd('/', separator);
        return tail.Length == 0 ? (root.Length == 0 ? separator.ToString() : root) : root + separator + tail;
    }

    private bool IsSeparator(char c) => c == '/' || (_windows && c == '\\');

    private static HomePaths ForProcess(Func<string?> givenHome)
    {
        var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        return new HomePaths(
            windows,
            () => givenHome() ?? (windows ? Environment.GetEnvironmentVariable("USERPROFILE") is { Length: > 0 } profile ? profile : UserProfile() : UserProfile()),
            LocalAccount.HomeFromPasswd);
    }

    private static string? UserProfile() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : null;
}
