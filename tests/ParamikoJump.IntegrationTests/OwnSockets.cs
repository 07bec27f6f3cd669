using System.Globalization;

namespace ParamikoJump.IntegrationTests;

/// <summary>The sockets this test process holds, read from /proc: what another user could try to reach.</summary>
internal static class OwnSockets
{
    private const string Listening = "0A";

    /// <summary>The TCP ports this process listens on (any address), from /proc/net/tcp and tcp6.</summary>
    public static SortedSet<int> TcpListeners()
    {
        var inodes = Inodes();
        var ports = new SortedSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] == Listening && inodes.Contains(fields[9]))
                {
                    ports.Add(int.Parse(fields[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }

    /// <summary>The paths of the Unix domain sockets this process holds (named ones only), from /proc/net/unix.</summary>
    public static List<string> UnixSocketPaths()
    {
        var inodes = Inodes();
        return File.ReadLines("/proc/net/unix").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 8 && inodes.Contains(fields[6]))
            .Select(fields => fields[7])
            .ToList();
    }

    private static HashSet<string> Inodes()
    {
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
            catch (IOException)
            {
                // Closed while listed.
            }
        }

        return inodes;
    }
}
