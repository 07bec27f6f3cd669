using System.Diagnostics;
using System.Globalization;

namespace ParamikoJump.IntegrationTests;

/// <summary>What this process holds now, from /proc: to prove nothing is left over after a test.</summary>
internal readonly record struct ProcessResources(int Sockets, int Listeners, int DedicatedThreads)
{
    public static ProcessResources Now()
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target["socket:[".Length..^1]);
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        var listeners = 0;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == "0A" && inodes.Contains(fields[9]))
                {
                    listeners++;
                }
            }
        }

        using var self = Process.GetCurrentProcess();
        return new ProcessResources(inodes.Count, listeners, self.Threads.Count - ThreadPool.ThreadCount);
    }

    /// <summary>Polls until <paramref name="settled"/> holds (closing is asynchronous), at most <paramref name="within"/>.</summary>
    public static async Task<ProcessResources> SettleAsync(Func<ProcessResources, bool> settled, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        var now = Now();
        while (!settled(now) && watch.Elapsed < within)
        {
            await Task.Delay(100);
            now = Now();
        }

        return now;
    }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} sockets, {1} listeners, {2} threads outside the pool", Sockets, Listeners, DedicatedThreads);
}
