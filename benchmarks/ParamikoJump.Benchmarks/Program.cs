using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Benchmarks;
using ParamikoJump.Lab;

// ParamikoJump against ssh -J, paramiko and SSH.NET without a hop, side by side in one run on the lab.
var quick = args.Contains("--quick");
var root = FindRoot();
var outDir = ArgValue("--out") ?? Path.Combine(root, "docs");
var bytes = (ArgValue("--mib") is { } mib ? long.Parse(mib, CultureInfo.InvariantCulture) : quick ? 32 : 128) << 20;
var bulkReps = quick ? 2 : 5;
var sftpReps = quick ? 2 : 5;
var connectReps = quick ? 3 : 5;
var rttReps = quick ? 10 : 20;
var fanoutReps = quick ? 1 : 3;
var only = ArgValue("--only")?.Split(',') ?? ["bulk", "sftp", "connect", "rtt", "memory", "fanout", "hold"];
var holdTargets = quick ? 200 : 1000;
const int HoldParallel = 50;
var hopCounts = ArgValue("--hops")?.Split(',').Select(h => int.Parse(h, CultureInfo.InvariantCulture)).ToArray() ?? [0, 1, 3];
const int FanoutTargets = 100;
const int MemorySessions = 5;

var lab = LabDescription.Load();
if (args.Contains("--profile"))
{
    return Profile.Run(args, lab, new LabHostKeys(lab.KnownHosts));
}

if (args.Contains("--memory-child"))
{
    return MemoryChild.Run(int.Parse(ArgValue("--memory-child")!, CultureInfo.InvariantCulture), lab);
}

if (args.Contains("--commands"))
{
    return await ConcurrentCommands.RunAsync(args, lab).ConfigureAwait(false);
}

if (args.Contains("--hold"))
{
    return await HoldOpenMain.RunAsync(args, lab).ConfigureAwait(false);
}

if (args.Contains("--pool"))
{
    return await PoolBenchMain.RunAsync(args, lab).ConfigureAwait(false);
}

var results = new Results();
var clock = Stopwatch.StartNew();
using var dotnet = new DotnetBench(lab, new LabHostKeys(lab.KnownHosts));
using var ssh = new OpenSshBench(lab);
var paramiko = new ParamikoBench(Path.Combine(root, "benchmarks", "paramiko", "driver.py"), LabDescription.DefaultPath);

Progress($"{bytes >> 20} MiB per transfer, {bulkReps} transfers ({sftpReps} by SFTP), {connectReps} connects, {rttReps} commands, {fanoutReps} fan-outs of {FanoutTargets} per tool");

foreach (var hops in only.Contains("bulk") ? hopCounts : [])
{
    Measure($"bulk {hops} hop(s)", hops == 0 ? Tools.SshNetDirect : Tools.ParamikoJump, hops, () => dotnet.Bulk(hops, bytes, bulkReps));
    Measure($"bulk {hops} hop(s)", Tools.OpenSsh, hops, () => ssh.Bulk(hops, bytes, bulkReps));
    Measure($"bulk {hops} hop(s)", Tools.Paramiko, hops, () => paramiko.Bulk(hops, bytes, bulkReps));
    if (hops > 0)
    {
        Measure($"bulk {hops} hop(s)", Tools.ParamikoJumpCtr, hops, () => dotnet.Bulk(hops, bytes, bulkReps, sshNetCipherOrder: true));
        // In-run A/B of the data-path tuning: every part of it turned off with its AppContext switch.
        Measure($"bulk {hops} hop(s)", Tools.ParamikoJumpUntuned, hops, () => dotnet.Bulk(hops, bytes, bulkReps, variant: Tools.UntunedSwitches));
    }
}

if (only.Contains("sftp"))
{
    // SFTP through 1 and 3 jumps (a direct SFTP session is SSH.NET's own): the same remote file downloaded into
    // nothing and the same local file uploaded, by each tool on the same lab.
    const string RemoteFile = "pjbench-sftp.bin";
    var localFile = Path.Combine(Path.GetTempPath(), $"pjbench-sftp-{Environment.ProcessId}.bin");
    using (var output = File.Create(localFile))
    {
        var chunk = new byte[1 << 20];
        for (long written = 0; written < bytes; written += chunk.Length)
        {
            Random.Shared.NextBytes(chunk);
            output.Write(chunk, 0, (int)Math.Min(chunk.Length, bytes - written));
        }
    }

    try
    {
        foreach (var hops in hopCounts.Where(h => h > 0))
        {
            dotnet.PrepareRemoteFile(hops, bytes, RemoteFile);
            // The tools take turns transfer by transfer: SFTP through the lab's hops swings by tens of percent within a
            // minute (benchmarks/README.md, section 10), so tools run in blocks one after the other met different weather.
            for (var round = 0; round < sftpReps; round++)
            {
                var first = round == 0;
                Sftp($"sftp {hops} hop(s)", Tools.ParamikoJump, hops, () => dotnet.Sftp(hops, bytes, 1, RemoteFile, localFile, warmUp: first));
                Sftp($"sftp {hops} hop(s)", Tools.OpenSsh, hops, () => ssh.Sftp(hops, bytes, 1, RemoteFile, localFile));
                Sftp($"sftp {hops} hop(s)", Tools.Paramiko, hops, () => paramiko.Sftp(hops, bytes, 1, RemoteFile, localFile));
            }
        }
    }
    finally
    {
        File.Delete(localFile);
    }
}

foreach (var hops in only.Contains("connect") ? hopCounts : [])
{
    Times($"connect {hops} hop(s)", Metrics.Connect, hops == 0 ? Tools.SshNetDirect : Tools.ParamikoJump, hops, () => dotnet.Connect(hops, connectReps));
    Times($"connect {hops} hop(s)", Metrics.Connect, Tools.OpenSsh, hops, () => ssh.Connect(hops, connectReps));
    Times($"connect {hops} hop(s)", Metrics.Connect, Tools.Paramiko, hops, () => paramiko.Connect(hops, connectReps));
}

if (only.Contains("rtt"))
{
    Times("round trip, no hop", Metrics.Rtt, Tools.SshNetDirect, 0, () => dotnet.Rtt(0, rttReps));
    Times("round trip, 1 hop", Metrics.Rtt, Tools.ParamikoJump, 1, () => dotnet.Rtt(1, rttReps));
    Times("round trip, 1 hop", Metrics.Rtt, Tools.OpenSsh, 1, () => ssh.Rtt(1, rttReps));
    Times("round trip, 1 hop", Metrics.Rtt, Tools.Paramiko, 1, () => paramiko.Rtt(1, rttReps));
}

if (only.Contains("memory"))
{
    Section("memory", Tools.ParamikoJump, () =>
    {
        // In a process of its own, with the runtime's own cost measured apart (MemoryChild).
        var samples = MemoryChild.Measure(MemorySessions);
        var runtime = samples.Single(s => s.Label == "runtime");
        var one = samples.Single(s => s.Label == "1");
        var last = samples.Single(s => s.Label == MemorySessions.ToString(CultureInfo.InvariantCulture));
        var perHop = (last.Pss - one.Pss) / (double)(MemorySessions - 1) / (1 << 20);
        results.Add(Metrics.MemoryRuntime, Tools.ParamikoJump, 0, runtime.Pss / (double)(1 << 20));
        results.Add(Metrics.MemoryOneSession, Tools.ParamikoJump, 0, one.Pss / (double)(1 << 20));
        results.Add(Metrics.MemoryOneSessionRss, Tools.ParamikoJump, 0, one.Rss / (double)(1 << 20));
        results.Add(Metrics.MemoryManaged, Tools.ParamikoJump, 0, one.Heap / (double)(1 << 20));
        results.Add(Metrics.MemoryPerHop, Tools.ParamikoJump, 0, perHop);
        return string.Create(CultureInfo.InvariantCulture, $"runtime alone {runtime.Pss / (double)(1 << 20):0.0} MiB, one session {one.Pss / (double)(1 << 20):0.0} MiB PSS / {one.Rss / (double)(1 << 20):0.0} MiB RSS / {one.Heap / (double)(1 << 20):0.00} MiB managed heap, +{perHop:0.00} MiB per hop");
    });
    Memory(Tools.OpenSsh, () => ssh.Memory(MemorySessions));
    Memory(Tools.Paramiko, () => paramiko.Memory(MemorySessions));
}

for (var i = 0; i < (only.Contains("fanout") ? fanoutReps : 0); i++)
{
    Fanout(Tools.ParamikoJump, () => dotnet.FanoutAsync(FanoutTargets).GetAwaiter().GetResult());
    Fanout(Tools.OpenSsh, () => ssh.Fanout(FanoutTargets));
    Fanout(Tools.Paramiko, () => paramiko.Fanout(FanoutTargets));
}

if (only.Contains("hold"))
{
    using var key = new PrivateKeyFile(lab.KeyFile("ed25519"));
    Hold(Tools.ParamikoJump, () => HoldOpen.ParamikoJumpAsync(lab, new LabHostKeys(lab.KnownHosts), key, holdTargets, HoldParallel).GetAwaiter().GetResult());
    Hold(Tools.OpenSsh, () => ssh.HoldOpen(holdTargets, HoldParallel));
}

results.Note(string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB per transfer; {Environment.ProcessorCount} cores; TCP congestion control {CongestionControl()} (the lab's namespaces inherit the host's); whole run {clock.Elapsed.TotalMinutes:0.0} min"));
var report = Report.Markdown(results);
Console.WriteLine(report);
Directory.CreateDirectory(outDir);
File.WriteAllText(Path.Combine(outDir, "benchmark.md"), report);
if (results.HopsOf(Metrics.Throughput).Any() || results.HopsOf(Metrics.Connect).Any())
{
    Report.Plot(results, Path.Combine(outDir, "benchmark.png"));
    Progress($"wrote {Path.Combine(outDir, "benchmark.md")} and benchmark.png");
}
else
{
    Progress($"wrote {Path.Combine(outDir, "benchmark.md")} (no bulk or connect figures: the plot was left as it was)");
}
return 0;

void Measure(string what, string tool, int hops, Func<List<Transfer>> run) => Section(what, tool, () =>
{
    foreach (var transfer in run())
    {
        results.Add(Metrics.Throughput, tool, hops, transfer.Bytes / transfer.Seconds / 1e6);
        results.Add(Metrics.CpuPerGiB, tool, hops, transfer.CpuSeconds / (transfer.Bytes / (double)(1 << 30)));
        if (!double.IsNaN(transfer.ServerCpuSeconds))
        {
            results.Add(Metrics.ServerCpuPerGiB, tool, hops, transfer.ServerCpuSeconds / (transfer.Bytes / (double)(1 << 30)));
        }
    }

    return results.Get(Metrics.Throughput, tool, hops) is { } s ? $"{s.Median:0} MB/s" : "";
});

void Sftp(string what, string tool, int hops, Func<List<SftpTransfer>> run) => Section(what, tool, () =>
{
    foreach (var transfer in run())
    {
        results.Add(Metrics.SftpDownload, tool, hops, transfer.Bytes / transfer.DownSeconds / 1e6);
        results.Add(Metrics.SftpUpload, tool, hops, transfer.Bytes / transfer.UpSeconds / 1e6);
    }

    return results.Get(Metrics.SftpDownload, tool, hops) is { } down && results.Get(Metrics.SftpUpload, tool, hops) is { } up
        ? $"down {down.Median:0} MB/s, up {up.Median:0} MB/s"
        : "";
});

void Times(string what, string metric, string tool, int hops, Func<List<double>> run) => Section(what, tool, () =>
{
    foreach (var value in run())
    {
        results.Add(metric, tool, hops, value);
    }

    return results.Get(metric, tool, hops) is { } s ? $"{s.Median:0.0} ms" : "";
});

void Memory(string tool, Func<List<long>> run) => Section("memory", tool, () =>
{
    var pss = run();
    var perHop = (pss[^1] - pss[0]) / (double)(pss.Count - 1) / (1 << 20);
    results.Add(Metrics.MemoryOneSession, tool, 0, pss[0] / (double)(1 << 20));
    results.Add(Metrics.MemoryPerHop, tool, 0, perHop);
    return string.Create(CultureInfo.InvariantCulture, $"{pss[0] / (double)(1 << 20):0.0} MiB with one session, +{perHop:0.00} MiB per hop");
});

void Hold(string tool, Func<HoldOpenResult> run) => Section($"hold {holdTargets} open", tool, () =>
{
    var r = run();
    results.Add(Metrics.HoldRate, tool, 0, r.ConnectRate);
    results.Add(Metrics.HoldFailures, tool, 0, r.Failures + (r.Targets - r.Failures - r.StillOpen));
    results.Add(Metrics.HoldThreads, tool, 0, r.Threads);
    results.Add(Metrics.HoldMemory, tool, 0, r.MiBPerTarget);
    foreach (var error in r.Errors)
    {
        results.Note($"{tool} hold-open failure: {error}");
    }

    return string.Create(CultureInfo.InvariantCulture, $"{r.Targets} targets in {r.Seconds:0.0} s ({r.ConnectRate:0.0}/s), {r.Failures} failures, {r.StillOpen} still open, +{r.Threads} threads/processes, {r.MiBPerTarget:0.000} MiB per open target");
});

void Fanout(string tool, Func<FanoutResult> run) => Section("fan-out", tool, () =>
{
    var result = run();
    results.Add(Metrics.FanoutSeconds, tool, 0, result.Seconds);
    results.Add(Metrics.FanoutFailures, tool, 0, result.Failures);
    results.Add(Metrics.FanoutMfa, tool, 0, result.MfaLogins);
    foreach (var error in result.Errors)
    {
        results.Note($"{tool} fan-out failure: {error}");
    }

    return string.Create(CultureInfo.InvariantCulture, $"{result.Seconds:0.00} s, {result.Failures} failures, {result.MfaLogins} MFA login(s)");
});

void Section(string what, string tool, Func<string> run)
{
    try
    {
        Progress($"{what,-20} {tool,-16} {run()}");
    }
    catch (Exception ex)
    {
        results.Note($"{tool}, {what}: failed: {ex.GetType().Name}: {ex.Message}");
        Progress($"{what,-20} {tool,-16} FAILED: {ex.Message}");
    }
}

void Progress(string message) => Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");

// What paces the lab's TCP legs, and so its multi-hop downloads (benchmarks/README.md, section 10).
static string CongestionControl() =>
    File.Exists("/proc/sys/net/ipv4/tcp_congestion_control") ? File.ReadAllText("/proc/sys/net/ipv4/tcp_congestion_control").Trim() : "unknown";

string? ArgValue(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ParamikoJump.sln")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("ParamikoJump.sln not found above the benchmark's directory.");
}
