using System.Diagnostics;
using ParamikoJump.Configuration;

namespace ParamikoJump.Tests.Configuration;

/// <summary>
/// OpenSSH's own answer: <c>ssh -G -F FILE [-l user] [-p port] [-J jumps] HOST</c> prints the configuration ssh
/// would use, without connecting anywhere. The oracle every resolution here is compared with.
/// </summary>
internal static class SshG
{
    /// <summary>The keywords ParamikoJump resolves, as ssh -G names them.</summary>
    public static readonly string[] Keywords =
    [
        "host", "user", "hostname", "port", "canonicalizehostname", "hashknownhosts", "identitiesonly", "kbdinteractiveauthentication",
        "passwordauthentication", "pubkeyauthentication", "stricthostkeychecking", "serveralivecountmax", "serveraliveinterval", "connecttimeout",
        "globalknownhostsfile", "userknownhostsfile", "hostkeyalias", "ignoreunknown", "preferredauthentications", "identityfile", "certificatefile",
        "proxyjump", "proxycommand",
    ];

    public sealed record Result(int ExitCode, List<(string Keyword, string Value)> Lines, string Error)
    {
        public bool Ok => ExitCode == 0;
    }

    public static Result Run(string configFile, string host, string? user = null, int port = -1, string? jumps = null)
    {
        var start = new ProcessStartInfo("ssh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in Arguments(configFile, host, user, port, jumps))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(20_000))
        {
            process.Kill();
            throw new TimeoutException($"ssh -G {host} did not finish");
        }

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .Where(parts => Keywords.Contains(parts[0]))
            .Select(parts => (parts[0], parts.Length > 1 ? parts[1] : ""))
            .ToList();
        return new Result(process.ExitCode, lines, error.Result);
    }

    public static IEnumerable<string> Arguments(string configFile, string host, string? user, int port, string? jumps)
    {
        yield return "-G";
        yield return "-F";
        yield return configFile;
        if (user is not null)
        {
            yield return "-l";
            yield return user;
        }

        if (port > 0)
        {
            yield return "-p";
            yield return port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (jumps is not null)
        {
            yield return "-J";
            yield return jumps;
        }

        yield return "--";
        yield return host;
    }

    /// <summary>Our resolution in ssh -G's lines, for the same keywords.</summary>
    public static List<(string Keyword, string Value)> Ours(SshHostConfig resolved) => resolved.Values.AsSshG();

    /// <summary>
    /// Compares ours with ssh's, keyword by keyword, and for each jump of the chain with the ssh -G that ssh's own
    /// ProxyJump would start (<c>ssh -l USER -p PORT -J REST -F FILE JUMP</c>). Returns the differences.
    /// </summary>
    public static List<string> Differences(string configFile, SshHostConfig ours, Result theirs)
    {
        var differences = new List<string>();
        Compare(ours.Name, Ours(ours), theirs.Lines, differences);
        return differences;
    }

    public static void Compare(string what, List<(string Keyword, string Value)> ours, List<(string Keyword, string Value)> theirs, List<string> differences)
    {
        foreach (var keyword in Keywords)
        {
            var a = ours.Where(l => l.Keyword == keyword).Select(l => l.Value).ToList();
            var b = theirs.Where(l => l.Keyword == keyword).Select(l => l.Value).ToList();
            if (!a.SequenceEqual(b))
            {
                differences.Add($"{what}: {keyword}: ours [{string.Join(" | ", a)}], ssh -G [{string.Join(" | ", b)}]");
            }
        }
    }
}
