using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// <c>--commands N [--clients C] [--sleep S]</c>: N commands (<c>sleep S</c>) awaited at once on <c>target-key</c>, spread
/// over C clients through one MFA login on the bastion, each client with SSH.NET's default 10 channels at a time.
/// Two ways side by side in one process: <c>ExecCommandAsync</c>, and <c>Task.Run</c> over the synchronous
/// <c>ExecCommand</c> (what <c>ExecCommandAsync</c> was before). Measured: wall time, failures, and the process's
/// thread count (<c>/proc/self/task</c>, sampled every 20 ms) at its peak above the count before.
/// </summary>
internal static class ConcurrentCommands
{
    public static async Task<int> RunAsync(string[] args, LabDescription lab)
    {
        var commands = int.Parse(Arg(args, "--commands") ?? "1000", CultureInfo.InvariantCulture);
        var clientCount = int.Parse(Arg(args, "--clients") ?? "20", CultureInfo.InvariantCulture);
        var sleep = int.Parse(Arg(args, "--sleep") ?? "2", CultureInfo.InvariantCulture);
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

            // Warm both paths (JIT), then measure each way in turn.
            await RunOnce(clients, clients.Count, "true", awaited: true).ConfigureAwait(false);
            await RunOnce(clients, clients.Count, "true", awaited: false).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{commands} concurrent awaited 'sleep {sleep}' over {clientCount} clients through one jump, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            foreach (var awaited in new[] { true, false })
            {
                HoldOpen.Settle();
                var r = await RunOnce(clients, commands, $"sleep {sleep}", awaited).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(awaited ? "ExecCommandAsync" : "Task.Run(ExecCommand)"),-22} {r.Seconds,6:0.0} s wall, {r.Failures} failures, threads {r.Before} before, peak {r.Peak} (+{r.Peak - r.Before}){(r.Error is null ? "" : "; " + r.Error)}"));
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

    private static async Task<(double Seconds, int Failures, int Before, int Peak, string? Error)> RunOnce(List<SshJumpClient> clients, int commands, string command, bool awaited)
    {
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
                using var process = awaited
                    ? await client.ExecCommandAsync(command).ConfigureAwait(false)
                    : await Task.Run(() => client.ExecCommand(command)).ConfigureAwait(false);
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
        sampling.Cancel();
        sampler.Join();
        return (seconds, failures, before, peak, firstError);
    }

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
