using ParamikoJump.Configuration;

namespace ParamikoJump.Tests.Configuration;

/// <summary>Configuration files in a temporary directory, and the comparison of our resolution with ssh -G's.</summary>
public sealed class ConfigFiles : IDisposable
{
    private int _count;

    public ConfigFiles()
    {
        // ssh refuses included files that others may write: the directory is created with the usual umask.
        Directory = System.IO.Directory.CreateTempSubdirectory("paramikojump-config-").FullName;
    }

    public string Directory { get; }

    public string Write(string text, string? name = null)
    {
        var path = Path.Combine(Directory, name ?? $"config-{Interlocked.Increment(ref _count)}");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Resolves <paramref name="host"/> from <paramref name="file"/> ourselves and with ssh -G, the jumps of the chain
    /// included, and returns every difference; when ssh refuses the configuration, ours must refuse it too.
    /// </summary>
    public static List<string> Differences(string file, string host, string? user = null, int port = -1, string? jumps = null, bool allowExec = true)
    {
        var theirs = SshG.Run(file, host, user, port, jumps);
        var config = SshConfig.Load(file);
        config.AllowMatchExec = allowExec;
        SshHostConfig alone;
        try
        {
            alone = config.ResolveAs(host, user, port, jumps, followJumps: false);
        }
        catch (SshConfigException ex)
        {
            return theirs.Ok ? [$"{host}: we refused ({ex.Message}) what ssh -G accepts"] : [];
        }

        if (!theirs.Ok)
        {
            return [$"{host}: ssh -G refused ({theirs.Error.Trim()}) what we accept"];
        }

        var differences = new List<string>();
        SshG.Compare(host, SshG.Ours(alone), theirs.Lines, differences);
        if (differences.Count > 0)
        {
            return differences;
        }

        SshHostConfig ours;
        try
        {
            ours = config.ResolveAs(host, user, port, jumps);
        }
        catch (SshConfigException ex) when (ex.Message.Contains("never runs a command", StringComparison.Ordinal))
        {
            // A ProxyCommand other than ssh -W somewhere in the chain: refused by design.
            return [];
        }
        catch (SshConfigException ex)
        {
            // ssh -G resolves one host; ssh itself fails when a jump it starts fails: follow its chain.
            return ChainFails(file, theirs, 0) ? [] : [$"{host}: we refused the chain ({ex.Message}) that ssh follows"];
        }

        CompareChain(file, ours, theirs, differences, 0);
        return differences;
    }

    /// <summary>Whether one of the ssh -G runs ssh's ProxyJump would start fails.</summary>
    private static bool ChainFails(string file, SshG.Result theirs, int depth)
    {
        if (depth > 40 || Jump(theirs) is not { } jump)
        {
            return depth > 40;
        }

        var next = SshG.Run(file, jump.Host, jump.User, jump.Port, jump.Extra);
        return !next.Ok || ChainFails(file, next, depth + 1);
    }

    /// <summary>What ssh's ProxyJump runs: ssh [-l USER] [-p PORT] [-J REST] -F FILE HOST -W ...</summary>
    private static (string Host, string? User, int Port, string? Extra)? Jump(SshG.Result theirs)
    {
        var proxyJump = theirs.Lines.Where(l => l.Keyword == "proxyjump").Select(l => l.Value).FirstOrDefault();
        if (proxyJump is null)
        {
            // A ProxyCommand of the form ssh -W %h:%p HOST is a jump through HOST.
            var command = theirs.Lines.Where(l => l.Keyword == "proxycommand").Select(l => l.Value).FirstOrDefault()?.Split(' ');
            return command is ["ssh", "-W", "%h:%p", var through] ? (through, null, -1, null) : null;
        }

        var comma = proxyJump.LastIndexOf(',');
        var extra = comma < 0 ? null : proxyJump[..comma];
        var last = comma < 0 ? proxyJump : proxyJump[(comma + 1)..];
        var at = last.LastIndexOf('@');
        var jumpUser = at < 0 ? null : last[..at];
        var hostPort = at < 0 ? last : last[(at + 1)..];
        string jumpHost;
        var jumpPort = -1;
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            jumpHost = hostPort[1..close];
            if (close + 1 < hostPort.Length)
            {
                jumpPort = int.Parse(hostPort[(close + 2)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        else
        {
            var colon = hostPort.LastIndexOf(':');
            jumpHost = colon < 0 ? hostPort : hostPort[..colon];
            if (colon >= 0)
            {
                jumpPort = int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return (jumpHost, jumpUser, jumpPort, extra);
    }

    private static void CompareChain(string file, SshHostConfig ours, SshG.Result theirs, List<string> differences, int depth)
    {
        SshG.Compare(ours.Name, SshG.Ours(ours), theirs.Lines, differences);
        var proxyJump = theirs.Lines.Where(l => l.Keyword == "proxyjump").Select(l => l.Value).FirstOrDefault();
        if (proxyJump is null || depth > 10 || differences.Count > 0)
        {
            return;
        }

        if (ours.Jumps.Count == 0)
        {
            differences.Add($"{ours.Name}: ssh jumps through {proxyJump}, we do not jump");
            return;
        }

        var (jumpHost, jumpUser, jumpPort, extra) = Jump(theirs)!.Value;
        var jumpTheirs = SshG.Run(file, jumpHost, jumpUser, jumpPort, extra);
        if (!jumpTheirs.Ok)
        {
            differences.Add($"{ours.Name}: ssh -G of its jump {jumpHost} failed: {jumpTheirs.Error.Trim()}");
            return;
        }

        CompareChain(file, ours.Jumps[^1], jumpTheirs, differences, depth + 1);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Cleaned with the temp directory eventually.
        }
    }
}
