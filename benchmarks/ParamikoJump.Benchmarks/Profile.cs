using System.Diagnostics;
using System.Globalization;
using System.Text;
using ParamikoJump.Execution;
using ParamikoJump.Lab;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// <c>--profile HOPS</c>: ParamikoJump's bulk transfer alone, repeated, with what the process itself can tell about
/// where the time went: CPU and context switches per thread (from /proc/self/task, threads named by role), bytes
/// allocated, GCs, lock contentions and thread-pool work items per MiB. Made to run under <c>perf record</c> or
/// <c>dotnet-trace</c> (<c>--wait</c> prints the pid and waits for Enter before the measured transfers). With
/// <c>--sftp</c>, SFTP transfers instead, for A/B only.
/// </summary>
internal static class Profile
{
    public static int Run(string[] args, LabDescription lab, LabHostKeys hostKeys)
    {
        var hops = int.Parse(Arg(args, "--profile") ?? "1", CultureInfo.InvariantCulture);
        var bytes = long.Parse(Arg(args, "--mib") ?? "128", CultureInfo.InvariantCulture) << 20;
        var reps = int.Parse(Arg(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        var exec = args.Contains("--exec");
        var quiet = args.Contains("--brief");
        // --variants "A;B;..." where each is "name" or "VAR=value,VAR=value": alternated transfer by transfer (A/B in one process).
        var variants = (Arg(args, "--variants") ?? "default").Split(';');
        using var dotnet = new DotnetBench(lab, hostKeys);
        if (args.Contains("--sftp"))
        {
            return Sftp(dotnet, new OpenSshBench(lab), hops, bytes, reps, variants);
        }

        // Warm-up: compiles the paths (the measured process is a long-running service).
        foreach (var variant in variants)
        {
            Apply(variant);
            dotnet.Bulk(hops, 32 << 20, 1);
        }

        if (args.Contains("--wait"))
        {
            Console.Error.WriteLine($"pid {Environment.ProcessId}: attach now, then press Enter");
            Console.ReadLine();
        }

        var summary = variants.ToDictionary(v => v, _ => new List<(double MBs, double Cpu, double Server)>());
        for (var i = 0; i < reps; i++)
        {
            foreach (var variant in variants)
            {
                Apply(variant);
                var before = Snapshot.Take();
                var clients = dotnet.Chain(hops);
                var roles = Roles(before.Threads.Keys);
                Transfer transfer;
                Snapshot after;
                Snapshot start;
                try
                {
                    (transfer, start, after) = ReadMeasured(clients[^1], bytes, exec || variant.Contains("exec", StringComparison.Ordinal));
                }
                finally
                {
                    DotnetBench.Close(clients);
                }

                var gib = transfer.Bytes / (double)(1 << 30);
                summary[variant].Add((transfer.Bytes / transfer.Seconds / 1e6, transfer.CpuSeconds / gib, after.ServerCpuSince(start) / gib));
                Console.WriteLine($"-- variant {variant}");
                Console.WriteLine(quiet ? Headline(hops, i, transfer, start, after) : Describe(hops, i, transfer, start, after, roles));
                // For perf: the measured window on CLOCK_MONOTONIC (perf record -k CLOCK_MONOTONIC) and who is who.
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   window {start.Monotonic:0.000000},{after.Monotonic:0.000000}; main {Environment.ProcessId}; {string.Join("; ", roles.Select(r => $"{r.Value} {r.Key}"))}"));
            }
        }

        Console.WriteLine($"== summary, {hops} hop(s), {bytes >> 20} MiB, {reps} transfers per variant, alternated; medians (min-max)");
        foreach (var (variant, runs) in summary)
        {
            var mbs = Summary.Of(runs.Select(r => r.MBs).ToArray());
            var cpu = Summary.Of(runs.Select(r => r.Cpu).ToArray());
            var server = Summary.Of(runs.Select(r => r.Server).ToArray());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {variant,-40} {mbs.Median,6:0.0} MB/s ({mbs.Min:0}-{mbs.Max:0})  client {cpu.Median,5:0.00} s/GiB ({cpu.Min:0.00}-{cpu.Max:0.00})  servers {server.Median,5:0.00} s/GiB"));
        }

        return 0;
    }

    /// <summary>
    /// <c>--sftp</c>: SftpJumpClient's download and upload through <paramref name="hops"/> jumps instead of the bulk read,
    /// variants alternated transfer by transfer, for an in-run A/B of a setting on SFTP (each transfer on a fresh chain,
    /// after one unmeasured one of its own).
    /// </summary>
    private static int Sftp(DotnetBench dotnet, OpenSshBench openSsh, int hops, long bytes, int reps, string[] variants)
    {
        using var _ = openSsh;
        const string RemoteFile = "pjbench-profile-sftp.bin";
        var localFile = Path.Combine(Path.GetTempPath(), $"pjbench-profile-sftp-{Environment.ProcessId}.bin");
        File.WriteAllBytes(localFile, new byte[bytes]);
        try
        {
            dotnet.PrepareRemoteFile(hops, bytes, RemoteFile);
            var summary = variants.ToDictionary(v => v, _ => new List<SftpTransfer>());
            for (var i = 0; i < reps; i++)
            {
                foreach (var variant in variants)
                {
                    Apply(variant);
                    var transfer = variant == OpenSshVariant ? openSsh.Sftp(hops, bytes, 1, RemoteFile, localFile).Single() : dotnet.Sftp(hops, bytes, 1, RemoteFile, localFile).Single();
                    summary[variant].Add(transfer);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"-- {variant}: {hops} hop(s) #{i + 1}: down {bytes / transfer.DownSeconds / 1e6:0.0} MB/s, up {bytes / transfer.UpSeconds / 1e6:0.0} MB/s"));
                }
            }

            Console.WriteLine($"== summary, SFTP, {hops} hop(s), {bytes >> 20} MiB, {reps} transfers per variant, alternated; medians (min-max)");
            foreach (var (variant, runs) in summary)
            {
                var down = Summary.Of(runs.Select(r => bytes / r.DownSeconds / 1e6).ToArray());
                var up = Summary.Of(runs.Select(r => bytes / r.UpSeconds / 1e6).ToArray());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   {variant,-40} down {down.Median,6:0.0} MB/s ({down.Min:0}-{down.Max:0})  up {up.Median,6:0.0} MB/s ({up.Min:0}-{up.Max:0})"));
            }
        }
        finally
        {
            File.Delete(localFile);
        }

        return 0;
    }

    /// <summary>The variant of <c>--sftp</c> that runs OpenSSH's <c>sftp -J</c> (one process per transfer) instead, as the yardstick in the same run.</summary>
    private const string OpenSshVariant = "sftp-J";

    private static readonly List<string> Applied = [];

    /// <summary>
    /// A variant is "name" or "KEY=value,...": a KEY starting with "ParamikoJump." is an AppContext switch of the library
    /// (read when a hop is created), any other an environment variable; "exec" reads through ExecCommand.
    /// </summary>
    internal static void Apply(string variant)
    {
        foreach (var key in Applied)
        {
            Set(key, null);
        }

        Applied.Clear();
        foreach (var setting in variant.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(s => s.Contains('=')))
        {
            var key = setting[..setting.IndexOf('=')];
            Set(key, setting[(setting.IndexOf('=') + 1)..]);
            Applied.Add(key);
        }

        static void Set(string key, string? value)
        {
            if (key.StartsWith("ParamikoJump.", StringComparison.Ordinal) && value is not null && value.Length > 1 && value.All(char.IsAsciiDigit))
            {
                AppContext.SetData(key, value);
            }
            else if (key.StartsWith("ParamikoJump.", StringComparison.Ordinal))
            {
                AppContext.SetSwitch(key, value is "true" or "1");
                AppContext.SetData(key, null);
            }
            else
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }
    }

    /// <summary>Threads that did not exist before the chain was built are the chain's: name them by creation order.</summary>
    private static Dictionary<int, string> Roles(IEnumerable<int> existing)
    {
        var known = existing.ToHashSet();
        var roles = new Dictionary<int, string>();
        var listeners = 0;
        foreach (var (tid, thread) in Snapshot.Take().Threads.OrderBy(t => t.Key))
        {
            if (!known.Contains(tid) && thread.Name.StartsWith(".NET Long", StringComparison.Ordinal))
            {
                roles[tid] = listeners++ == 0 ? "listener, session 1 (first hop)" : $"listener, session {listeners}";
            }
        }

        return roles;
    }

    private static (Transfer Transfer, Snapshot Start, Snapshot End) ReadMeasured(SshClient client, long bytes, bool exec)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"head -c {bytes} /dev/zero");
        SshCommand? command = null;
        RemoteProcess? process = null;
        Stream stream;
        Task completion;
        if (exec)
        {
            process = ((SshJumpClient)client).ExecCommand(text);
            stream = process.Stdout;
            completion = process.Completion;
        }
        else
        {
            command = client.CreateCommand(text);
            completion = command.ExecuteAsync();
            stream = command.OutputStream;
        }

        using var owned = (IDisposable?)command ?? process;
        var buffer = new byte[1 << 20];
        long first = stream.Read(buffer, 0, buffer.Length);
        var start = Snapshot.Take();
        var watch = Stopwatch.StartNew();
        var received = first + DotnetBench.Drain(stream, buffer);

        var seconds = watch.Elapsed.TotalSeconds;
        var end = Snapshot.Take();
        completion.GetAwaiter().GetResult();
        if (received != bytes)
        {
            throw new InvalidOperationException($"received {received} of {bytes} bytes");
        }

        return (new Transfer(received - first, seconds, end.CpuSeconds - start.CpuSeconds), start, end);
    }

    private static string Headline(int hops, int rep, Transfer t, Snapshot a, Snapshot b)
    {
        var gib = t.Bytes / (double)(1 << 30);
        var mib = t.Bytes / (double)(1 << 20);
        return string.Create(CultureInfo.InvariantCulture,
            $"   {hops} hop(s) #{rep + 1}: {t.Bytes / t.Seconds / 1e6:0.0} MB/s, client {t.CpuSeconds / gib:0.00} s/GiB, servers {b.ServerCpuSince(a) / gib:0.00} s/GiB, {(b.PoolItems - a.PoolItems) / mib:0.0} pool items/MiB, {(b.Allocated - a.Allocated) / mib / 1024:0.0} KiB/MiB allocated");
    }

    private static string Describe(int hops, int rep, Transfer t, Snapshot a, Snapshot b, Dictionary<int, string> roles)
    {
        var mib = t.Bytes / (double)(1 << 20);
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(string.Create(inv, $"== {hops} hop(s), transfer {rep + 1}: {t.Bytes / t.Seconds / 1e6:0.0} MB/s, {t.Seconds:0.00} s wall, CPU {t.CpuSeconds:0.00} s ({t.CpuSeconds / (t.Bytes / (double)(1 << 30)):0.00} s/GiB; user {b.User - a.User:0.00}, sys {b.System - a.System:0.00})"));
        text.AppendLine(string.Create(inv, $"   servers (every sshd-pjlab and head): {b.ServerCpuSince(a) / (t.Bytes / (double)(1 << 30)):0.00} s/GiB"));
        text.AppendLine(string.Create(inv, $"   per MiB: {(b.Allocated - a.Allocated) / mib / 1024:0.0} KiB allocated, {(b.PoolItems - a.PoolItems) / mib:0.0} pool work items, {(b.Contentions - a.Contentions) / mib:0.00} lock contentions; GCs gen0/1/2 {b.Gen0 - a.Gen0}/{b.Gen1 - a.Gen1}/{b.Gen2 - a.Gen2}; pool threads {b.PoolThreads}, process threads {b.Threads.Count}"));
        text.AppendLine("   thread                                   CPU s   share  vol.cs/MiB  invol.cs/MiB");
        var rows = b.Threads
            .Select(kv => (Tid: kv.Key, Name: roles.TryGetValue(kv.Key, out var role) ? role : Group(kv.Value.Name, kv.Key),
                           Delta: kv.Value - (a.Threads.TryGetValue(kv.Key, out var old) ? old : default)))
            .GroupBy(r => r.Name)
            .Select(g => (Name: g.Key, Count: g.Count(), Cpu: g.Sum(r => r.Delta.Cpu), Vol: g.Sum(r => r.Delta.Voluntary), Invol: g.Sum(r => r.Delta.Involuntary)))
            .Where(r => r.Cpu > 0.005 || r.Vol > 10)
            .OrderByDescending(r => r.Cpu);
        foreach (var row in rows)
        {
            var name = row.Count > 1 ? $"{row.Name} (×{row.Count})" : row.Name;
            text.AppendLine(string.Create(inv, $"   {name,-40} {row.Cpu,6:0.00}  {row.Cpu / t.CpuSeconds,5:P0}  {row.Vol / mib,10:0.0}  {row.Invol / mib,12:0.0}"));
        }

        return text.ToString();
    }

    /// <summary>Server CPU seconds since <paramref name="earlier"/>, over the processes alive at both moments (the sessions' sshd).</summary>
    public static double ServerCpuSince(Dictionary<int, double> earlier) =>
        ServerCpuSeconds().Where(s => earlier.ContainsKey(s.Key)).Sum(s => s.Value - earlier[s.Key]);

    /// <summary>User + system seconds of every lab server process (sshd-pjlab*) and of the commands they run (head).</summary>
    public static Dictionary<int, double> ServerCpuSeconds()
    {
        var total = new Dictionary<int, double>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                if (name.StartsWith("sshd-pjlab", StringComparison.Ordinal) || name == "head")
                {
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    total[pid] = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return total;
    }

    private static string Group(string name, int tid) => tid == Environment.ProcessId ? "main (reader)" : name;

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private readonly record struct ThreadSample(string Name, double Cpu, long Voluntary, long Involuntary)
    {
        public static ThreadSample operator -(ThreadSample a, ThreadSample b) => new(a.Name, a.Cpu - b.Cpu, a.Voluntary - b.Voluntary, a.Involuntary - b.Involuntary);
    }

    private sealed record Snapshot(Dictionary<int, ThreadSample> Threads, double CpuSeconds, double User, double System, long Allocated, long PoolItems, long Contentions, int Gen0, int Gen1, int Gen2, int PoolThreads, double Monotonic, Dictionary<int, double> Servers)
    {
        /// <summary>Server CPU seconds between two snapshots, over the processes alive at both (the sessions' sshd).</summary>
        public double ServerCpuSince(Snapshot earlier) => Servers.Where(s => earlier.Servers.ContainsKey(s.Key)).Sum(s => s.Value - earlier.Servers[s.Key]);

        public static Snapshot Take()
        {
            var threads = new Dictionary<int, ThreadSample>();
            foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var tid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
                    long vol = 0, invol = 0;
                    foreach (var line in File.ReadLines(Path.Combine(dir, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            vol = long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                        }
                        else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            invol = long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                        }
                    }

                    threads[tid] = new ThreadSample(name, cpu, vol, invol);
                }
                catch (Exception ex) when (ex is IOException or FormatException)
                {
                    // The thread ended while we looked.
                }
            }

            var self = File.ReadAllText("/proc/self/stat");
            var own = self[(self.LastIndexOf(')') + 2)..].Split(' ');
            var user = long.Parse(own[11], CultureInfo.InvariantCulture) / 100.0;
            var system = long.Parse(own[12], CultureInfo.InvariantCulture) / 100.0;
            using var process = Process.GetCurrentProcess();
            return new Snapshot(threads, process.TotalProcessorTime.TotalSeconds, user, system, GC.GetTotalAllocatedBytes(precise: true),
                ThreadPool.CompletedWorkItemCount, Monitor.LockContentionCount, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), ThreadPool.ThreadCount,
                Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency, ServerCpuSeconds());
        }
    }
}
