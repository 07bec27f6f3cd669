using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// Fan-out at the scale of network automation: one MFA login on the bastion, then <c>targets</c> sessions to
/// <c>target-key</c> through it, at most <c>parallel</c> connecting at a time, all held open together. Measured: how
/// fast they connect, failures, the threads (or processes) and the memory each open target costs, and that they are
/// all still open a second later.
/// </summary>
internal sealed record HoldOpenResult(int Targets, double Seconds, int Failures, int StillOpen, int Threads, double MiBPerTarget, double ManagedKiBPerTarget, IReadOnlyList<string> Errors)
{
    public double ConnectRate => (Targets - Failures) / Seconds;
}

internal static class HoldOpen
{
    public static async Task<HoldOpenResult> ParamikoJumpAsync(LabDescription lab, LabHostKeys hostKeys, PrivateKeyFile key, int targets, int parallel)
    {
        var bastion = lab["bastion"];
        var secrets = bastion.Credentials();
        var target = lab["target-key"];
        using var jump = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
            authHandler: new MagicAuthHandler([secrets.Password!], [secrets.Totp()]), lookForKeys: false, allowAgent: false, knownHosts: hostKeys.Store);
        await jump.ConnectAsync().ConfigureAwait(false);

        // One target first, so the code paths are compiled and the heap sized before the baseline.
        using (var warm = new SshJumpClient(target.Host, target.Port, target.User, keys: [key], lookForKeys: false, allowAgent: false, jumpSession: jump))
        {
            await warm.ConnectAsync().ConfigureAwait(false);
        }

        Settle();
        var (pss0, threads0, heap0) = (ProcessTree.PssOf(Environment.ProcessId), ThreadCount(), GC.GetTotalMemory(forceFullCollection: true));
        var clients = new SshJumpClient?[targets];
        var errors = new List<string>();
        using var gate = new SemaphoreSlim(parallel);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, targets).Select(async i =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            var client = new SshJumpClient(target.Host, target.Port, target.User, keys: [key], lookForKeys: false, allowAgent: false, jumpSession: jump);
            try
            {
                await client.ConnectAsync().ConfigureAwait(false);
                clients[i] = client;
            }
            catch (Exception ex)
            {
                client.Dispose();
                lock (errors)
                {
                    errors.Add($"{i}: {ex.GetType().Name}: {ex.Message}");
                }
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        var seconds = watch.Elapsed.TotalSeconds;
        try
        {
            await Task.Delay(1000).ConfigureAwait(false);
            var open = clients.Count(c => c?.IsConnected == true);
            Settle();
            var (pss1, threads1, heap1) = (ProcessTree.PssOf(Environment.ProcessId), ThreadCount(), GC.GetTotalMemory(forceFullCollection: true));
            var held = Math.Max(1, targets - errors.Count);
            return new HoldOpenResult(targets, seconds, errors.Count, open, threads1 - threads0, (pss1 - pss0) / (double)(1 << 20) / held,
                (heap1 - heap0) / 1024.0 / held, errors.Take(3).ToArray());
        }
        finally
        {
            foreach (var client in clients)
            {
                client?.Dispose();
            }
        }
    }

    public static int ThreadCount() => Directory.GetDirectories("/proc/self/task").Length;

    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Thread.Sleep(500);
    }
}

/// <summary>ssh's way: a ControlMaster on the bastion (one MFA login), one <c>ssh -N</c> per target whose ProxyJump goes through it.</summary>
internal sealed partial class OpenSshBench
{
    public HoldOpenResult HoldOpen(int targets, int parallel)
    {
        File.WriteAllText(_mfaCount, "");
        var processes = new Process?[targets];
        var errors = new List<string>();
        try
        {
            Run("ssh", "-F", _config, "-n", "bastion-mfa", "true");
            var master = MasterPid();
            var masterPss0 = master is { } m0 ? ProcessTree.PssOf(m0) : 0;
            var watch = Stopwatch.StartNew();
            Parallel.For(0, targets, new ParallelOptions { MaxDegreeOfParallelism = parallel }, i =>
            {
                // LocalCommand runs once the target's login succeeded; -N then holds the connection without a channel.
                var process = Start("ssh", ["-F", _config, "-n", "-N", "-o", "PermitLocalCommand=yes", "-o", "LocalCommand=echo ready", "fan-target"], redirect: true);
                processes[i] = process;
                var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default).GetAwaiter().GetResult();
                if (line != "ready")
                {
                    lock (errors)
                    {
                        errors.Add(string.Create(CultureInfo.InvariantCulture, $"{i}: {(process.HasExited ? $"exit {process.ExitCode}" : "no login within 60 s")}"));
                    }
                }
            });
            var seconds = watch.Elapsed.TotalSeconds;
            Thread.Sleep(1000);
            var alive = processes.Where(p => p is { HasExited: false }).Select(p => p!.Id).ToList();
            var tree = ProcessTree.Of(alive);
            var pss = tree.Sum(ProcessTree.PssOf) + (master is { } m1 ? ProcessTree.PssOf(m1) - masterPss0 : 0);
            var open = alive.Count;
            var count = tree.Count;
            var held = Math.Max(1, targets - errors.Count);
            return new HoldOpenResult(targets, seconds, errors.Count, open, count, pss / (double)(1 << 20) / held, 0, errors.Take(3).ToArray());
        }
        finally
        {
            // Kill(entireProcessTree) reads /proc once per process: minutes for a thousand. One reading, then a signal each.
            foreach (var pid in ProcessTree.Of(processes.Where(p => p is { HasExited: false }).Select(p => p!.Id)))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    // Gone already.
                }
            }

            foreach (var process in processes)
            {
                process?.WaitForExit();
                process?.Dispose();
            }

            using var exit = Start("ssh", ["-F", _config, "-q", "-O", "exit", "bastion-mfa"], redirect: false);
            exit.WaitForExit();
        }
    }

    /// <summary>The ControlMaster of the bastion: ControlPersist has put it in the background.</summary>
    private int? MasterPid()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(_dir, StringComparison.Ordinal)
                    && File.ReadAllText(Path.Combine(dir, "comm")).Trim() == "ssh")
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return null;
    }
}

/// <summary><c>--hold N [--parallel P] [--tools pj,ssh]</c>: the hold-open fan-out alone, printed.</summary>
internal static class HoldOpenMain
{
    public static async Task<int> RunAsync(string[] args, LabDescription lab)
    {
        var targets = int.Parse(Arg(args, "--hold") ?? "1000", CultureInfo.InvariantCulture);
        var parallel = int.Parse(Arg(args, "--parallel") ?? "50", CultureInfo.InvariantCulture);
        var tools = (Arg(args, "--tools") ?? "pj,ssh").Split(',');
        var hostKeys = new LabHostKeys(lab.KnownHosts);
        using var key = new PrivateKeyFile(lab.KeyFile("ed25519"));
        foreach (var variant in tools.Contains("pj") ? (Arg(args, "--variants") ?? "default").Split(';') : [])
        {
            Profile.Apply(variant);
            Print($"ParamikoJump {variant}", await HoldOpen.ParamikoJumpAsync(lab, hostKeys, key, targets, parallel).ConfigureAwait(false));
        }

        if (tools.Contains("ssh"))
        {
            using var ssh = new OpenSshBench(lab);
            Print("ssh -J", ssh.HoldOpen(targets, parallel));
        }

        return 0;
    }

    private static void Print(string tool, HoldOpenResult r) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{tool,-14} {r.Targets} targets, {r.Seconds:0.0} s ({r.ConnectRate:0.0}/s), {r.Failures} failures, {r.StillOpen} still open, +{r.Threads} threads/processes, {r.MiBPerTarget:0.000} MiB PSS and {r.ManagedKiBPerTarget:0.0} KiB managed heap per open target{(r.Errors.Count > 0 ? "; " + string.Join(" | ", r.Errors) : "")}"));

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
