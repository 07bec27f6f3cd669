using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;
using ParamikoJump.Pooling;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// <c>--pool [--rounds R] [--concurrency 1,16]</c>: a command per call on <c>target-key</c> behind the MFA bastion, made
/// by N tasks at once, six ways side by side in interleaved rounds: leased from a warm <see cref="SshJumpDataSource"/>;
/// one connected ParamikoJump client shared by all (no pool, for reference); a fresh ParamikoJump target connect per call
/// through one shared bastion login; a fresh chain per call (the bastion's
/// MFA each time); ssh with a ControlMaster on the bastion (one MFA login) and ProxyJump to the target per call; ssh
/// with ControlMasters on the bastion and on the target. Printed: per-call time (p50, p95) and calls per second, each
/// as the median of the rounds with their min–max, the ratio to the pool, and the MFA logins each way made.
/// </summary>
internal static class PoolBenchMain
{
    private const string Command = "true";

    public static async Task<int> RunAsync(string[] args, LabDescription lab)
    {
        var rounds = int.Parse(Arg(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var concurrency = (Arg(args, "--concurrency") ?? "1,16").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        var clock = Stopwatch.StartNew();
        var loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        using var ssh = new OpenSshBench(lab);
        var pool = await PoolBench.StartAsync(lab, new LabHostKeys(lab.KnownHosts), concurrency.Max()).ConfigureAwait(false);
        await using var disposePool = pool.ConfigureAwait(false);
        ssh.StartPoolMasters();
        try
        {
            // Calls per task in a round, N=1 and N>1: a round of all ways is about a minute on a loaded 2-core machine.
            var ways = new (string Name, int Single, int Parallel, Func<Task> Call)[]
            {
                ("ParamikoJump, leased from SshJumpDataSource", 50, 10, () => pool.LeasedAsync(Command)),
                ("ParamikoJump, one connected client, no pool", 50, 10, () => pool.HeldClientAsync(Command)),
                ("ParamikoJump, fresh target connect, shared jump", 6, 2, () => pool.FreshTargetAsync(Command)),
                ("ParamikoJump, fresh chain (bastion MFA each call)", 3, 1, () => pool.FreshChainAsync(Command)),
                ("ssh, ControlMaster on the bastion, ProxyJump per call", 6, 2, () => ssh.ThroughBastionMasterAsync(Command, targetMaster: false)),
                ("ssh, ControlMasters on the bastion and the target", 20, 4, () => ssh.ThroughBastionMasterAsync(Command, targetMaster: true)),
            };

            var results = ways.SelectMany(w => concurrency.Select(n => (w.Name, n))).ToDictionary(k => k, _ => new List<Round>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var n in concurrency)
                {
                    foreach (var way in ways)
                    {
                        var result = await MeasureAsync(n, n == 1 ? way.Single : way.Parallel, way.Call).ConfigureAwait(false);
                        results[(way.Name, n)].Add(result);
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"[{clock.Elapsed:mm\\:ss}] round {round + 1} N={n,-3} {way.Name,-55} p50 {result.P50:0.0} ms, p95 {result.P95:0.0} ms, {result.PerSecond:0.0}/s{(result.Failures > 0 ? $", {result.Failures} FAILED: {result.FirstError}" : "")}"));
                    }
                }
            }

            Console.WriteLine("| way | N | per call p50 (ms) | per call p95 (ms) | calls/s | pool's calls/s ÷ this way's | failures |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var n in concurrency)
            {
                var poolRate = Median(results[(ways[0].Name, n)].Select(r => r.PerSecond));
                foreach (var way in ways)
                {
                    var r = results[(way.Name, n)];
                    var rate = Median(r.Select(x => x.PerSecond));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {way.Name} | {n} | {Spread(r.Select(x => x.P50))} | {Spread(r.Select(x => x.P95))} | {Spread(r.Select(x => x.PerSecond))} | {poolRate / rate:0.0} | {r.Sum(x => x.Failures)} |"));
                }
            }

            var calls = results.Where(kv => kv.Key.Name == ways[3].Name).Sum(kv => kv.Value.Sum(r => r.Calls));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"MFA logins: pool {pool.PoolMfaLogins}, fresh target connects {pool.SharedJumpMfaLogins} (the shared jump), fresh chains {pool.FreshChainMfaLogins} for {calls} calls and one warm-up, ssh {ssh.PoolMfaLogins}. " +
                $"{rounds} rounds, `{Command}` per call on target-key behind the MFA bastion; {Environment.ProcessorCount} cores, load average {loadBefore} before and {File.ReadAllText("/proc/loadavg").Split(' ')[0]} after; {clock.Elapsed.TotalMinutes:0.0} min."));
            return 0;
        }
        finally
        {
            ssh.StopPoolMasters();
        }
    }

    /// <summary><paramref name="tasks"/> tasks each making <paramref name="callsPerTask"/> calls one after another.</summary>
    private static async Task<Round> MeasureAsync(int tasks, int callsPerTask, Func<Task> call)
    {
        var times = new List<double>();
        var errors = new List<string>();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < callsPerTask; i++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await call().ConfigureAwait(false);
                    lock (times)
                    {
                        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                }
                catch (Exception ex)
                {
                    lock (errors)
                    {
                        errors.Add($"{ex.GetType().Name}: {ex.Message}");
                    }
                }
            }
        }))).ConfigureAwait(false);
        var seconds = watch.Elapsed.TotalSeconds;
        times.Sort();
        return new Round(tasks * callsPerTask, Percentile(times, 0.50), Percentile(times, 0.95), times.Count / seconds, errors.Count, errors.FirstOrDefault());
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Spread(IEnumerable<double> values)
    {
        var list = values.ToList();
        var format = list.Max() >= 100 ? "0" : "0.0";
        return $"{Median(list).ToString(format, CultureInfo.InvariantCulture)} ({list.Min().ToString(format, CultureInfo.InvariantCulture)}–{list.Max().ToString(format, CultureInfo.InvariantCulture)})";
    }

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private sealed record Round(int Calls, double P50, double P95, double PerSecond, int Failures, string? FirstError);
}

/// <summary>ParamikoJump's three ways to run a command on target-key behind the MFA bastion (see <see cref="PoolBenchMain"/>).</summary>
internal sealed class PoolBench : IAsyncDisposable
{
    private const string Destination = "target";
    private readonly LabDescription _lab;
    private readonly LabHostKeys _hostKeys;
    private readonly PrivateKeyFile _key;
    private readonly MfaCounter _poolMfa = new();
    private readonly MfaCounter _sharedJumpMfa = new();
    private readonly MfaCounter _freshChainMfa = new();
    private SshJumpDataSource? _source;
    private SshJumpClient? _sharedJump;
    private SshJumpClient? _heldClient;

    private PoolBench(LabDescription lab, LabHostKeys hostKeys)
    {
        _lab = lab;
        _hostKeys = hostKeys;
        _key = new PrivateKeyFile(lab.KeyFile("ed25519"));
    }

    public int PoolMfaLogins => _poolMfa.Codes;

    public int SharedJumpMfaLogins => _sharedJumpMfa.Codes;

    public int FreshChainMfaLogins => _freshChainMfa.Codes;

    /// <summary>
    /// The source (one session per concurrent task allowed, so a warm lease never waits in line) and the shared jump,
    /// both logged in; then <paramref name="sessions"/> leases at once and a fresh target and chain, so every way runs
    /// warm: sessions open, code paths compiled.
    /// </summary>
    public static async Task<PoolBench> StartAsync(LabDescription lab, LabHostKeys hostKeys, int sessions)
    {
        var bench = new PoolBench(lab, hostKeys);
        try
        {
            var target = lab["target-key"];
            var builder = new SshJumpDataSourceBuilder();
            builder.Options.MaxSessionsPerServer = sessions;
            builder.Options.MaxConnectsPerServer = sessions;
            builder.AddDestination(Destination, new HopSettings(target.Host)
            {
                Port = target.Port,
                Username = target.User,
                KeyFilenames = [lab.KeyFile("ed25519")],
                LookForKeys = false,
                AllowAgent = false,
                KnownHosts = hostKeys.Store,
            }, bench.Bastion(bench._poolMfa));
            bench._source = builder.Build();
            bench._sharedJump = bench.BastionClient(bench._sharedJumpMfa);
            await bench._sharedJump.ConnectAsync().ConfigureAwait(false);
            bench._heldClient = new SshJumpClient(target.Host, target.Port, target.User, keys: [bench._key], lookForKeys: false, allowAgent: false, jumpSession: bench._sharedJump);
            await bench._heldClient.ConnectAsync().ConfigureAwait(false);

            var leases = await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => bench._source.GetAsync(Destination).AsTask())).ConfigureAwait(false);
            foreach (var lease in leases)
            {
                await RunAsync(lease.Client, "true").ConfigureAwait(false);
                await lease.DisposeAsync().ConfigureAwait(false);
            }

            await bench.FreshTargetAsync("true").ConfigureAwait(false);
            await bench.FreshChainAsync("true").ConfigureAwait(false);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task LeasedAsync(string command)
    {
        var lease = await _source!.GetAsync(Destination).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            await RunAsync(lease.Client, command).ConfigureAwait(false);
        }
    }

    /// <summary>A command on one target client connected once and shared by every task: no lease, its channels multiplexed.</summary>
    public Task HeldClientAsync(string command) => RunAsync(_heldClient!, command);

    public async Task FreshTargetAsync(string command)
    {
        var target = _lab["target-key"];
        using var client = new SshJumpClient(target.Host, target.Port, target.User, keys: [_key], lookForKeys: false, allowAgent: false, jumpSession: _sharedJump!);
        await client.ConnectAsync().ConfigureAwait(false);
        await RunAsync(client, command).ConfigureAwait(false);
    }

    public async Task FreshChainAsync(string command)
    {
        var target = _lab["target-key"];
        using var jump = BastionClient(_freshChainMfa);
        await jump.ConnectAsync().ConfigureAwait(false);
        using var client = new SshJumpClient(target.Host, target.Port, target.User, keys: [_key], lookForKeys: false, allowAgent: false, jumpSession: jump);
        await client.ConnectAsync().ConfigureAwait(false);
        await RunAsync(client, command).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync().ConfigureAwait(false);
        }

        _heldClient?.Dispose();
        _sharedJump?.Dispose();
        _key.Dispose();
    }

    private static async Task RunAsync(SshJumpClient client, string command)
    {
        // Stdin is left open (the command does not read it): an EOF sent as the command exits can cross the server's
        // close, and OpenSSH then drops the whole connection.
        using var process = await client.ExecCommandAsync(command).ConfigureAwait(false);
        var status = await process.WaitForExitAsync().ConfigureAwait(false);
        if (status != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"'{command}' exited with {status}"));
        }
    }

    /// <summary>
    /// The bastion as pjmfa: password, then a TOTP code (counted). pjmfa's server accepts a code again within its
    /// step, so logins in quick succession, as the fresh chains make them, are not refused as replays.
    /// </summary>
    private HopSettings Bastion(MfaCounter counter)
    {
        var bastion = _lab["bastion"];
        var user = bastion.Credentials("pjmfa");
        return new HopSettings(bastion.Host)
        {
            Port = bastion.Port,
            Username = "pjmfa",
            AuthHandler = new PromptHandler()
                .On("^Password:", user.Password!)
                .On("Verification code", (_, _, _) => new ValueTask<string>(counter.Next(user))),
            LookForKeys = false,
            AllowAgent = false,
            KnownHosts = _hostKeys.Store,
        };
    }

    private SshJumpClient BastionClient(MfaCounter counter)
    {
        var bastion = _lab["bastion"];
        var user = bastion.Credentials("pjmfa");
        var handler = new PromptHandler()
            .On("^Password:", user.Password!)
            .On("Verification code", (_, _, _) => new ValueTask<string>(counter.Next(user)));
        return new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: "pjmfa", authHandler: handler,
                                 lookForKeys: false, allowAgent: false, knownHosts: _hostKeys.Store);
    }

    /// <summary>Counts the TOTP codes given: one per MFA login.</summary>
    private sealed class MfaCounter
    {
        private int _codes;

        public int Codes => Volatile.Read(ref _codes);

        public string Next(LabUser user)
        {
            Interlocked.Increment(ref _codes);
            return user.Totp();
        }
    }
}

/// <summary>OpenSSH's ways for the pool benchmark: ControlMaster on the bastion (ControlPersist), ProxyJump through it.</summary>
internal sealed partial class OpenSshBench
{
    private string TargetControlPath => Path.Combine(_dir, "pool-target-%C");

    public int PoolMfaLogins => File.ReadAllLines(_mfaCount).Length;

    /// <summary>
    /// The bastion's master with one MFA login (ControlPersist keeps it in the background), then a target master through
    /// it, each used once so both ways start warm.
    /// </summary>
    public void StartPoolMasters()
    {
        File.WriteAllText(_mfaCount, "");
        Run("ssh", "-F", _config, "-n", "bastion-mfa", "true");
        Run("ssh", "-F", _config, "-n", "fan-target", "true");
        Run([.. TargetMasterOptions(), "-n", "fan-target", "true"]);
    }

    public void StopPoolMasters()
    {
        foreach (var command in new[] { TargetMasterOptions().Concat(["-q", "-O", "exit", "fan-target"]).ToArray(), ["ssh", "-F", _config, "-q", "-O", "exit", "bastion-mfa"] })
        {
            using var exit = Start(command[0], command[1..], redirect: false);
            exit.WaitForExit();
        }
    }

    /// <summary>
    /// One ssh process per call to the target; its ProxyJump's <c>ssh -W</c> rides the bastion's master. With
    /// <paramref name="targetMaster"/> the call is a new session on the target's master instead of a new connection.
    /// </summary>
    public async Task ThroughBastionMasterAsync(string command, bool targetMaster)
    {
        string[] arguments = targetMaster ? [.. TargetMasterOptions(), "-n", "fan-target", command] : ["ssh", "-F", _config, "-n", "fan-target", command];
        using var process = Start(arguments[0], arguments[1..], redirect: false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        Check(process, process.ExitCode == 0, string.Create(CultureInfo.InvariantCulture, $"exit {process.ExitCode}"));
    }

    private string[] TargetMasterOptions() =>
        ["ssh", "-F", _config, "-o", "ControlMaster=auto", "-o", $"ControlPath={TargetControlPath}", "-o", "ControlPersist=300"];
}
