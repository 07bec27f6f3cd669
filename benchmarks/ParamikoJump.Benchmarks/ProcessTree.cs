using System.Globalization;

namespace ParamikoJump.Benchmarks;

/// <summary>CPU time and memory of a child process and everything it started (ssh -J runs one ssh per jump).</summary>
internal static class ProcessTree
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static IReadOnlyList<int> Of(int root) => Of([root]);

    /// <summary>The processes of several trees, from one reading of /proc (a thousand trees read one by one took minutes).</summary>
    public static IReadOnlyList<int> Of(IEnumerable<int> roots)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && StatFields(pid) is { } fields)
            {
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        var children = parents.ToLookup(p => p.Value, p => p.Key);
        var tree = new List<int>(roots);
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(children[tree[i]]);
        }

        return tree;
    }

    /// <summary>User + system seconds used so far by each live process of the tree and the children it reaped.</summary>
    public static Dictionary<int, double> CpuSeconds(int root) => Of(root)
        .Select(pid => (pid, fields: StatFields(pid)))
        .Where(p => p.fields is not null)
        .ToDictionary(p => p.pid, p => p.fields!.Skip(11).Take(4).Sum(ticks => long.Parse(ticks, CultureInfo.InvariantCulture)) / TicksPerSecond);

    /// <summary>Proportional set size of the tree: shared pages are split among the processes that share them.</summary>
    public static long PssBytes(int root) => Of(root).Sum(PssOf);

    public static long PssOf(int pid) => RollupOf(pid, "Pss:");

    /// <summary>Resident set size: every page the process has in memory, shared ones counted whole.</summary>
    public static long RssOf(int pid) => RollupOf(pid, "Rss:");

    /// <summary>Resident set size of the tree.</summary>
    public static long RssBytes(int root) => Of(root).Sum(RssOf);

    private static long RollupOf(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process ended while we looked.
        }

        return 0;
    }

    // Fields after the command name, which may itself contain spaces and parentheses: [0] is state, [1] ppid.
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
