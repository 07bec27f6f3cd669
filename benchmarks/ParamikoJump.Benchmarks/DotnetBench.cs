using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// ParamikoJump (and SSH.NET without a hop) measured in this process: warm, after a first connection and transfer
/// have compiled the code paths, as a long-running .NET service would be.
/// </summary>
internal sealed class DotnetBench(LabDescription lab, LabHostKeys hostKeys) : IDisposable
{
    /// <summary>An environment variable that sets <c>SftpClient.BufferSize</c> for an A/B (<c>--profile H --sftp --variants</c>).</summary>
    public const string SftpBufferSizeVariable = "PJBENCH_SFTP_BUFFER_SIZE";

    private readonly PrivateKeyFile _key = new(lab.KeyFile("ed25519"));

    /// <summary>Connects hop1 .. hop(hops+1): <paramref name="hops"/> jumps then the target, target last.</summary>
    public List<SshClient> Chain(int hops, bool sshNetCipherOrder = false)
    {
        var clients = new List<SshClient>();
        try
        {
            for (var i = 0; i <= hops; i++)
            {
                clients.Add(ConnectHop(Circuit.Hops[i], i == 0 ? null : clients[^1], plain: hops == 0, sshNetCipherOrder));
            }

            return clients;
        }
        catch
        {
            Close(clients);
            throw;
        }
    }

    public static void Close(List<SshClient> clients)
    {
        for (var i = clients.Count - 1; i >= 0; i--)
        {
            clients[i].Dispose();
        }
    }

    /// <summary>
    /// A fresh chain for each transfer, as ssh and the paramiko driver have; the first one (32 MiB) also warms up,
    /// so tiered compilation has settled as in a long-running service. <paramref name="variant"/>: AppContext switches
    /// of the library for an in-run A/B (see Profile.Apply), set while these chains are built.
    /// </summary>
    public List<Transfer> Bulk(int hops, long bytes, int reps, bool sshNetCipherOrder = false, string? variant = null)
    {
        var transfers = new List<Transfer>();
        Profile.Apply(variant ?? "");
        try
        {
            for (var i = -1; i < reps; i++)
            {
                transfers.AddRange(BulkOnce(hops, i < 0 ? 32 << 20 : bytes, sshNetCipherOrder).Where(_ => i >= 0));
            }
        }
        finally
        {
            Profile.Apply("");
        }

        return transfers;
    }

    private List<Transfer> BulkOnce(int hops, long bytes, bool sshNetCipherOrder)
    {
        var transfers = new List<Transfer>();
        for (var i = 0; i < 1; i++)
        {
            var clients = Chain(hops, sshNetCipherOrder);
            try
            {
                transfers.Add(Read(clients[^1], bytes));
            }
            finally
            {
                Close(clients);
            }
        }

        return transfers;
    }

    /// <summary>
    /// SftpJumpClient through <paramref name="hops"/> jumps, on a fresh chain per repetition (with
    /// <paramref name="warmUp"/>, a first, unmeasured one compiles the code paths): the remote file downloaded into
    /// nothing, then the local one uploaded.
    /// </summary>
    public List<SftpTransfer> Sftp(int hops, long bytes, int reps, string remote, string local, bool warmUp = true)
    {
        var results = new List<SftpTransfer>();
        for (var i = warmUp ? -1 : 0; i < reps; i++)
        {
            var jumps = new List<SshClient>();
            try
            {
                for (var j = 0; j < hops; j++)
                {
                    jumps.Add(ConnectHop(Circuit.Hops[j], j == 0 ? null : jumps[^1], plain: false));
                }

                var server = lab[Circuit.Hops[hops]];
                using var sftp = new SftpJumpClient(hostname: server.Host, port: server.Port, username: server.User, keys: [_key], lookForKeys: false, allowAgent: false, jumpSession: jumps[^1]);
                sftp.Connect();
                if (Environment.GetEnvironmentVariable(SftpBufferSizeVariable) is { } bufferSize)
                {
                    sftp.BufferSize = uint.Parse(bufferSize, CultureInfo.InvariantCulture);
                }

                var watch = Stopwatch.StartNew();
                sftp.DownloadFile(remote, Stream.Null);
                var down = watch.Elapsed.TotalSeconds;
                using (var input = File.OpenRead(local))
                {
                    watch.Restart();
                    sftp.UploadFile(input, remote + ".up");
                }

                var up = watch.Elapsed.TotalSeconds;
                sftp.DeleteFile(remote + ".up");
                if (i >= 0)
                {
                    results.Add(new SftpTransfer(bytes, down, up));
                }
            }
            finally
            {
                Close(jumps);
            }
        }

        return results;
    }

    /// <summary>Writes <paramref name="bytes"/> random bytes to <paramref name="path"/> on the target <paramref name="hops"/> jumps away.</summary>
    public void PrepareRemoteFile(int hops, long bytes, string path)
    {
        var clients = Chain(hops);
        try
        {
            using var command = clients[^1].CreateCommand(string.Create(CultureInfo.InvariantCulture, $"head -c {bytes} /dev/urandom > {path}"));
            command.Execute();
            if (command.ExitStatus != 0)
            {
                throw new InvalidOperationException($"could not write {path} on {Circuit.Hops[hops]}: {command.Error}");
            }
        }
        finally
        {
            Close(clients);
        }
    }

    public List<double> Connect(int hops, int reps)
    {
        Close(Chain(hops));
        var times = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            var watch = Stopwatch.StartNew();
            var clients = Chain(hops);
            clients[^1].RunCommand("true");
            times.Add(watch.Elapsed.TotalMilliseconds);
            Close(clients);
        }

        return times;
    }

    public List<double> Rtt(int hops, int reps)
    {
        var clients = Chain(hops);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients[^1].RunCommand("true");
            }

            var times = new List<double>();
            for (var i = 0; i < reps; i++)
            {
                var watch = Stopwatch.StartNew();
                clients[^1].RunCommand("true");
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            return times;
        }
        finally
        {
            Close(clients);
        }
    }

    /// <summary>Hop <paramref name="index"/> of the circuit through <paramref name="jump"/>, connected (ParamikoJump's defaults).</summary>
    public SshClient ConnectOne(int index, SshClient? jump) => ConnectHop(Circuit.Hops[index], jump, plain: false);

    public async Task<FanoutResult> FanoutAsync(int targets)
    {
        var bastion = lab["bastion"];
        var secrets = bastion.Credentials();
        var handler = new CountingMfaHandler(secrets.Password!, secrets.Totp);
        var target = lab["target-key"];
        var watch = Stopwatch.StartNew();
        using var jump = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User, authHandler: handler,
                                           lookForKeys: false, allowAgent: false, knownHosts: hostKeys.Store);
        await jump.ConnectAsync().ConfigureAwait(false);

        var failures = new List<string>();
        await Task.WhenAll(Enumerable.Range(0, targets).Select(async i =>
        {
            try
            {
                using var client = new SshJumpClient(target.Host, target.Port, target.User, keys: [_key], lookForKeys: false, allowAgent: false, jumpSession: jump);
                await client.ConnectAsync().ConfigureAwait(false);
                using var command = client.CreateCommand("true");
                await command.ExecuteAsync().ConfigureAwait(false);
                if (command.ExitStatus != 0)
                {
                    lock (failures)
                    {
                        failures.Add(string.Create(CultureInfo.InvariantCulture, $"{i}: exit {command.ExitStatus}"));
                    }
                }
            }
            catch (Exception ex)
            {
                lock (failures)
                {
                    failures.Add($"{i}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        })).ConfigureAwait(false);
        return new FanoutResult(watch.Elapsed.TotalSeconds, failures.Count, handler.CodesGiven, failures.Take(3).ToArray());
    }

    public void Dispose() => _key.Dispose();

    /// <summary>
    /// One hop: a plain SshClient, a ParamikoJump client with its defaults, or (<paramref name="sshNetCipherOrder"/>)
    /// one built from a ConnectionInfo, whose algorithm order ParamikoJump keeps as SSH.NET made it.
    /// </summary>
    private SshClient ConnectHop(string id, SshClient? jump, bool plain, bool sshNetCipherOrder = false)
    {
        var server = lab[id];
        var store = jump is null ? hostKeys.Store : null;
        SshClient client = plain
            ? new SshClient(server.Host, server.Port, server.User, _key)
            : sshNetCipherOrder
                ? new SshJumpClient(new ConnectionInfo(server.Host, server.Port, server.User, new PrivateKeyAuthenticationMethod(server.User, _key)), jump, knownHosts: store)
                : new SshJumpClient(hostname: server.Host, port: server.Port, username: server.User, keys: [_key], lookForKeys: false, allowAgent: false,
                                    jumpSession: jump, knownHosts: store);
        try
        {
            if (plain)
            {
                hostKeys.VerifyPlain(client, server.Host, server.Port);
            }

            client.Connect();
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static Transfer Read(SshClient client, long bytes)
    {
        using var command = client.CreateCommand(string.Create(CultureInfo.InvariantCulture, $"head -c {bytes} /dev/zero"));
        var completion = command.ExecuteAsync();
        var stream = command.OutputStream;
        var buffer = new byte[1 << 20];
        long first = stream.Read(buffer, 0, buffer.Length);
        var servers = Profile.ServerCpuSeconds();
        var cpu = CpuSeconds();
        var watch = Stopwatch.StartNew();
        var received = first + Drain(stream, buffer);

        var seconds = watch.Elapsed.TotalSeconds;
        var used = CpuSeconds() - cpu;
        var serversUsed = Profile.ServerCpuSince(servers);
        completion.GetAwaiter().GetResult();
        if (received != bytes)
        {
            throw new InvalidOperationException($"received {received} of {bytes} bytes");
        }

        return new Transfer(received - first, seconds, used, serversUsed);
    }

    private static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Thread.Sleep(200);
    }

    /// <summary>Reads <paramref name="stream"/> to its end through <paramref name="buffer"/>; returns the bytes read.</summary>
    internal static long Drain(Stream stream, byte[] buffer)
    {
        long received = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            received += read;
        }

        return received;
    }

    /// <summary>Answers the bastion's password and verification-code prompts and counts the codes it gave.</summary>
    private sealed class CountingMfaHandler(string password, Func<string> code) : IKeyboardInteractiveHandler
    {
        private int _codes;

        public int CodesGiven => Volatile.Read(ref _codes);

        public IReadOnlyList<string> Respond(KeyboardInteractiveRound round) =>
            round.Prompts.Select(p => p.Text.Contains("verification", StringComparison.OrdinalIgnoreCase) ? NextCode() : password).ToArray();

        private string NextCode()
        {
            Interlocked.Increment(ref _codes);
            return code();
        }
    }
}

/// <summary>One SFTP repetition: the file's size, and the seconds its download and its upload took.</summary>
internal readonly record struct SftpTransfer(long Bytes, double DownSeconds, double UpSeconds);

/// <summary>One bulk read: bytes after the first chunk, the seconds they took, and the client CPU seconds spent.</summary>
/// <summary>One bulk read; <paramref name="ServerCpuSeconds"/> is the lab servers' CPU over the same window, NaN when not measured.</summary>
internal readonly record struct Transfer(long Bytes, double Seconds, double CpuSeconds, double ServerCpuSeconds = double.NaN);

internal sealed record FanoutResult(double Seconds, int Failures, int MfaLogins, IReadOnlyList<string> Errors);

internal static class Circuit
{
    /// <summary>The five-hop circuit; "N hops" means N of these are crossed as jumps before the target.</summary>
    public static readonly string[] Hops = ["hop1", "hop2", "hop3", "hop4", "hop5"];
}
