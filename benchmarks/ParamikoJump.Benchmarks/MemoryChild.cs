using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Lab;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// ParamikoJump's memory, measured in a process of its own (<c>--memory-child N</c>) so that neither the benchmark
/// nor its plotting library is counted: first the runtime alone (this process before it touches SSH.NET), then the
/// code loaded (a chain of N connected and closed once, so compiled code and pools are there), then 1 .. N sessions
/// of a chain. Each line: label, PSS, RSS and the managed heap after a full collection, in bytes.
/// </summary>
internal static class MemoryChild
{
    public sealed record Sample(string Label, long Pss, long Rss, long Heap);

    /// <summary>Runs the child and reads its samples.</summary>
    public static List<Sample> Measure(int sessions)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add(typeof(MemoryChild).Assembly.Location);
        info.ArgumentList.Add("--memory-child");
        info.ArgumentList.Add(sessions.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the memory child");
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the memory child failed with exit {process.ExitCode}");
        }

        return lines.Select(l => l.Split(' ')).Where(f => f.Length == 4)
            .Select(f => new Sample(f[0], long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The child's own work.</summary>
    public static int Run(int sessions, LabDescription lab)
    {
        Print("runtime");
        using var dotnet = new DotnetBench(lab, new LabHostKeys(lab.KnownHosts));
        DotnetBench.Close(dotnet.Chain(sessions - 1));
        Print("loaded");
        var clients = new List<SshClient>();
        try
        {
            for (var i = 0; i < sessions; i++)
            {
                clients.Add(dotnet.ConnectOne(i, i == 0 ? null : clients[^1]));
                clients[^1].RunCommand("true");
                Print((i + 1).ToString(CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            DotnetBench.Close(clients);
        }

        return 0;
    }

    private static void Print(string label)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Thread.Sleep(300);
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label} {ProcessTree.PssOf(Environment.ProcessId)} {ProcessTree.RssOf(Environment.ProcessId)} {heap}"));
    }
}
