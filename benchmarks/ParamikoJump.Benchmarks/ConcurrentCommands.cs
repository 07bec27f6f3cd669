using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// <c>--commands N [--clients C] [--sleep S] [--ways async,blocking-start,task-run]</c>: N commands (<c>sleep S</c>)
/// awaited at once on <c>target-key</c>, spread over C clients through one MFA login on the bastion, each client with
/// SSH.NET's default 10 channels at a time. The ways, one after the other in one process: <c>ExecCommandAsync</c>
/// (async); <c>ExecCommandAsync</c> with <c>ParamikoJump.BlockingCommandStart</c> on (blocking-start: the slot
/// awaited, the channel open and exec request waited for on the calling thread, as before issue 25's last step); and
/// <c>Task.Run</c> over the synchronous <c>ExecCommand</c> (task-run: what <c>ExecCommandAsync</c> was at first).
/// Measured: wall time, failures, and the process's thread count (<c>/proc/self/task</c>, sampled every 20 ms) at its
/// peak above the count before.
/// </summary>
internal static class ConcurrentCommands
{
    public static async Task<int> RunAsync(string[] args, LabDescription lab)
    {
        var commands = int.Parse(Arg(args, "--commands") ?? "1000", CultureInfo.InvariantCulture);
        var clientCount = int.Parse(Arg(args, "--clients") ?? "20", CultureInfo.InvariantCulture);
        var sleep = int.Parse(Arg(args, "--sleep") ?? "2", CultureInfo.InvariantCulture);
        var ways = (Arg(args, "--ways") ?? "async,blocking-start").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var hostKeys = new LabHostKeys(lab.KnownHosts);
        using var key = new PrivateKeyFile(lab.KeyFile("ed25519"));
        var bastion = lab["bastion"];
        var secrets = bastion.Credentials();
        var target = lab["target-key"];
        using var jump = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
            authHandler: new MagicAuthHandler([secrets.Password!], [secrets.Totp()]), lookForKeys: false, allowAgent: false, knownHosts: hostKeys.Store);
        await jump.ConnectAsync().ConfigureAwait(false);
        var clients = new List<SshJumpClient>();
        try
        {
            for (var i = 0; i < clientCount; i++)
            {
                var client = new SshJumpClient(target.Host, target.Port, target.User, keys: [key], lookForKeys: false, allowAgent: false, jumpSession: jump);
                clients.Add(client);
                await client.ConnectAsync().ConfigureAwait(false);
            }

            // Warm every path (JIT), then measure each way in turn.
            foreach (var way in ways)
            {
                await RunOnce(clients, clients.Count, "true", way).ConfigureAwait(false);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{commands} concurrent awaited 'sleep {sleep}' over {clientCount} clients through one jump, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            foreach (var way in ways)
            {
                HoldOpen.Settle();
                var r = await RunOnce(clients, commands, $"sleep {sleep}", way).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{way,-15} {r.Seconds,6:0.0} s wall, {r.Failures} failures, threads {r.Before} before, peak {r.Peak} (+{r.Peak - r.Before}){(r.Error is null ? "" : "; " + r.Error)}"));
            }

            return 0;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<(double Seconds, int Failures, int Before, int Peak, string? Error)> RunOnce(List<SshJumpClient> clients, int commands, string command, string way)
    {
        AppContext.SetSwitch("ParamikoJump.BlockingCommandStart", way == "blocking-start");
        var before = HoldOpen.ThreadCount();
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, HoldOpen.ThreadCount());
                Thread.Sleep(20);
            }
        }) { IsBackground = true };
        sampler.Start();
        var failures = 0;
        string? firstError = null;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, commands).Select(async i =>
        {
            var client = clients[i % clients.Count];
            try
            {
                using var process = way == "task-run"
                    ? await Task.Run(() => client.ExecCommand(command)).ConfigureAwait(false)
                    : await client.ExecCommandAsync(command).ConfigureAwait(false);
                if (await process.WaitForExitAsync().ConfigureAwait(false) != 0)
                {
                    throw new InvalidOperationException($"'{command}' exited with {process.ExitStatus}");
                }
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
            }
        })).ConfigureAwait(false);
        var seconds = watch.Elapsed.TotalSeconds;
        AppContext.SetSwitch("ParamikoJump.BlockingCommandStart", false);
        sampling.Cancel();
        sampler.Join();
        return (seconds, failures, before, peak, firstError);
    }

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
