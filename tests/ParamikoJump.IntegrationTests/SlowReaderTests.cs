using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ParamikoJump.Execution;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// A slow or stopped reader pauses its own channel and nothing else: its output waits within the channel's window,
/// arrives whole once read, and every other channel of the session, and every target behind the same jump, keeps its
/// pace meanwhile.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class SlowReaderTests(LabFixture fixture, ITestOutputHelper output)
{
    private const long StalledSize = 64L * 1024 * 1024;
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Sends SIZE random bytes on one TCP connection, once the peer has sent one byte, then prints their SHA-256.
    /// "listen": on a fresh loopback port it prints first; "connect PORT": to a port. Double quotes only (it goes in '...').
    /// </summary>
    private const string Sender =
        "import hashlib, os, socket, sys\n"
        + "n = int(sys.argv[1])\n"
        + "if sys.argv[2] == \"listen\":\n"
        + "    s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1); print(s.getsockname()[1], flush=True); c, _ = s.accept()\n"
        + "else:\n"
        + "    c = socket.create_connection((\"127.0.0.1\", int(sys.argv[3])))\n"
        + "c.recv(1)\n"
        + "h = hashlib.sha256()\n"
        + "while n:\n"
        + "    b = os.urandom(min(n, 65536)); h.update(b); c.sendall(b); n -= len(b)\n"
        + "c.close(); print(h.hexdigest(), flush=True)\n";

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 240_000)]
    public async Task Through_two_jumps_1_GiB_of_output_read_at_20_MB_per_second_arrives_whole_in_bounded_memory()
    {
        const long total = 1L << 30;
        const double rate = 20e6;
        using var circuit = await Hops.CircuitAsync(Lab, 3);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Rss();
        var generator = "import hashlib, os, sys\n"
            + $"n = {total}; h = hashlib.sha256(); w = sys.stdout.buffer\n"
            + "while n:\n"
            + "    b = os.urandom(min(n, 65536)); h.update(b); w.write(b); n -= len(b)\n"
            + "w.flush(); sys.stderr.write(h.hexdigest())\n";
        using var process = circuit[2].ExecCommand($"python3 -c '{generator}'");

        var clock = Stopwatch.StartNew();
        long heapPeak = 0, rssPeak = rssBefore, read = 0, sampledAt = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await process.Stdout.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            read += n;
            if (read - sampledAt >= 8 << 20)
            {
                sampledAt = read;
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false) - heapBefore);
                rssPeak = Math.Max(rssPeak, Rss());
            }

            var due = TimeSpan.FromSeconds(read / rate) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, TestContext.Current.CancellationToken);
            }
        }

        var expected = await process.Stderr.ReadToEndAsync(TestContext.Current.CancellationToken);
        output.WriteLine($"read {read / 1e6:0} MB in {clock.Elapsed.TotalSeconds:0.0} s ({read / clock.Elapsed.TotalSeconds / 1e6:0.0} MB/s); managed heap peaked {heapPeak / 1e6:0.0} MB above its start; process RSS {rssBefore / 1e6:0} MB before, peak {rssPeak / 1e6:0} MB");
        Assert.Equal(total, read);
        Assert.Equal(expected, Convert.ToHexStringLower(hash.GetHashAndReset()));
        Assert.Equal(0, await process.WaitForExitAsync(TestContext.Current.CancellationToken));

        // What waits unread is bounded by the 8 MiB window (pooled segments of up to twice their size); before, it grew
        // to whatever the reader had not yet taken, here about 1 GB.
        Assert.True(heapPeak < 48L << 20, $"the managed heap grew by {heapPeak} bytes");
        Assert.True(rssPeak < 200L << 20 || rssPeak - rssBefore < 100L << 20, $"the process RSS reached {rssPeak} bytes from {rssBefore}");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_shell_whose_reader_stops_holds_at_most_its_window_and_then_delivers_everything()
    {
        const int total = 32 << 20;
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jump));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var shell = target.CreateShellStream("dumb", 80, 24, 800, 600, 1024);

        // 32 MiB of 'Q' (written as \121, so the echoed command line holds none), then the shell ends.
        shell.WriteLine($"head -c {total} /dev/zero | tr '\\0' '\\121'; exit");
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // the reader stops
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        var buffer = new byte[64 * 1024];
        long count = 0;
        int n;
        while ((n = await shell.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            count += buffer.AsSpan(0, n).Count((byte)'Q');
        }

        output.WriteLine($"held {held / 1e6:0.0} MB while the reader stopped; then read {count} 'Q'");
        Assert.Equal(total, count);
        Assert.True(held < 2L * 8 * 1024 * 1024, $"{held} bytes were held while nothing was read");
    }

    [Fact(Timeout = 300_000)]
    public async Task Behind_one_jump_stalled_readers_on_an_exec_and_local_remote_and_SOCKS_forwards_hold_only_their_own_channels()
    {
        const int targetCount = 20;
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var targets = new List<SshJumpClient>();
        var cleanup = new List<IDisposable>();
        try
        {
            for (var i = 0; i < targetCount; i++)
            {
                targets.Add(await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jump)));
            }

            var others = targets.Skip(4).ToList();
            await MeasureAsync(others); // warm-up: the first commands and reads of a process run before tiered compilation settles
            var idle = await MeasureRoundsAsync(others, TimeSpan.FromSeconds(12));
            output.WriteLine($"idle: command round trip {idle.RoundTrip.TotalMilliseconds:0.0} ms (median of {others.Count} targets), bulk {idle.BulkRate / 1e6:0.0} MB/s");

            // 1. A command whose output is not read.
            var unread = targets[0].ExecCommand($"head -c {StalledSize} /dev/zero");
            cleanup.Add(unread);

            // 2. A local forward to a sender on the target.
            var localSender = StartSender(targets[1], "listen");
            var localPort = int.Parse(localSender.Stdout.ReadLines().First(), CultureInfo.InvariantCulture);
            var local = new ForwardedPortLocal("127.0.0.1", 0, "127.0.0.1", (uint)localPort);
            targets[1].AddForwardedPort(local);
            local.Start();
            var localClient = await ConnectAsync((int)local.BoundPort);
            cleanup.AddRange([localSender, local, localClient]);

            // 3. A remote forward (-R) whose connection from the target lands on a listener here.
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            cleanup.Add(listener);
            var remote = new ForwardedPortRemote("127.0.0.1", 0, "127.0.0.1", (uint)((IPEndPoint)listener.LocalEndpoint).Port);
            targets[2].AddForwardedPort(remote);
            remote.Start();
            var remoteSender = StartSender(targets[2], $"connect {remote.BoundPort}");
            var remoteClient = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
            cleanup.AddRange([remoteSender, remote, remoteClient]);

            // 4. A dynamic (SOCKS) forward to a sender on the target.
            var socksSender = StartSender(targets[3], "listen");
            var socksPort = int.Parse(socksSender.Stdout.ReadLines().First(), CultureInfo.InvariantCulture);
            var dynamic = new ForwardedPortDynamic("127.0.0.1", 0);
            targets[3].AddForwardedPort(dynamic);
            dynamic.Start();
            var socksClient = await ConnectAsync((int)dynamic.BoundPort);
            await ShellAndForwardingTests.Socks5ConnectAsync(socksClient.GetStream(), "127.0.0.1", socksPort);
            cleanup.AddRange([socksSender, dynamic, socksClient]);

            // Each sender starts once its reader has said one byte; then no reader reads for the stall.
            var stallEnds = Stopwatch.StartNew();
            foreach (var client in new[] { localClient, remoteClient, socksClient })
            {
                await client.GetStream().WriteAsync("g"u8.ToArray(), TestContext.Current.CancellationToken);
            }

            // Measured over the stall, the median of rounds: the first second fills the stalled windows.
            var stalled = await MeasureRoundsAsync(others, Stall - TimeSpan.FromSeconds(6));
            output.WriteLine($"stalled: command round trip {stalled.RoundTrip.TotalMilliseconds:0.0} ms, bulk {stalled.BulkRate / 1e6:0.0} MB/s, measured until {stallEnds.Elapsed.TotalSeconds:0} s into the stall");
            Assert.True(stallEnds.Elapsed < Stall, "the measurement ran past the stall");
            await Task.Delay(Stall - stallEnds.Elapsed, TestContext.Current.CancellationToken);

            // After the stall every byte arrives.
            var exec = await Within(CountAsync(unread.Stdout), "the command's output");
            var (localBytes, localHash) = await Within(DrainAsync(localClient.GetStream()), "the local forward");
            var (remoteBytes, remoteHash) = await Within(DrainAsync(remoteClient.GetStream()), "the remote forward");
            var (socksBytes, socksHash) = await Within(DrainAsync(socksClient.GetStream()), "the SOCKS forward");
            output.WriteLine($"after the stall: exec {exec}, local {localBytes}, remote {remoteBytes}, SOCKS {socksBytes} bytes");

            Assert.Equal(StalledSize, exec);
            Assert.Equal(0, await unread.WaitForExitAsync(TestContext.Current.CancellationToken));
            Assert.Equal((StalledSize, SenderHash(localSender)), (localBytes, localHash));
            Assert.Equal((StalledSize, SenderHash(remoteSender)), (remoteBytes, remoteHash));
            Assert.Equal((StalledSize, SenderHash(socksSender)), (socksBytes, socksHash));
            Assert.True(stalled.RoundTrip < 2 * idle.RoundTrip, $"round trip {stalled.RoundTrip.TotalMilliseconds:0.0} ms against {idle.RoundTrip.TotalMilliseconds:0.0} ms idle");
            Assert.True(stalled.BulkRate > 0.8 * idle.BulkRate, $"bulk {stalled.BulkRate / 1e6:0.0} MB/s against {idle.BulkRate / 1e6:0.0} MB/s idle");
        }
        finally
        {
            foreach (var item in Enumerable.Reverse(cleanup))
            {
                item.Dispose();
            }

            foreach (var target in Enumerable.Reverse(targets))
            {
                target.Dispose();
            }
        }
    }

    /// <summary>A stalled channel, once read, delivers within a minute (64 MiB), or the test says which did not.</summary>
    private async Task<T> Within<T>(Task<T> drain, string what)
    {
        var clock = Stopwatch.StartNew();
        var result = await drain.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        output.WriteLine($"{what}: read in {clock.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    private static RemoteProcess StartSender(SshJumpClient target, string mode) => target.ExecCommand($"python3 -c '{Sender}' {StalledSize} {mode}");

    private static string SenderHash(RemoteProcess sender) => sender.Stdout.ReadToEnd().Trim().Split('\n')[^1];

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        return client;
    }

    private static async Task<(long Bytes, string Hash)> DrainAsync(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }

        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<long> CountAsync(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>Rounds of <see cref="MeasureAsync"/> until <paramref name="duration"/> has passed; the median of each figure.</summary>
    private async Task<(TimeSpan RoundTrip, double BulkRate)> MeasureRoundsAsync(IReadOnlyList<SshJumpClient> targets, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var rounds = new List<(TimeSpan RoundTrip, double BulkRate)>();
        do
        {
            rounds.Add(await MeasureAsync(targets));
        }
        while (clock.Elapsed < duration - (clock.Elapsed / rounds.Count));

        output.WriteLine($"  {rounds.Count} rounds: " + string.Join(", ", rounds.Select(round => $"{round.RoundTrip.TotalMilliseconds:0} ms {round.BulkRate / 1e6:0} MB/s")));
        var trips = rounds.Select(round => round.RoundTrip).Order().ToList();
        var rates = rounds.Select(round => round.BulkRate).Order().ToList();
        return (trips[trips.Count / 2], rates[rates.Count / 2]);
    }

    /// <summary>The median round trip of a trivial command over every target, and the bulk rate of three 16 MiB reads on three of them.</summary>
    private static async Task<(TimeSpan RoundTrip, double BulkRate)> MeasureAsync(IReadOnlyList<SshJumpClient> targets)
    {
        var trips = new List<TimeSpan>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var target in targets)
            {
                var clock = Stopwatch.StartNew();
                using var process = await target.ExecCommandAsync("true", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
                trips.Add(clock.Elapsed);
            }
        }

        var rates = new List<double>();
        foreach (var target in targets.Take(3))
        {
            var clock = Stopwatch.StartNew();
            using var process = await target.ExecCommandAsync("head -c 16777216 /dev/zero", TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var bytes = await CountAsync(process.Stdout);
            rates.Add(bytes / clock.Elapsed.TotalSeconds);
        }

        trips.Sort();
        rates.Sort();
        return (trips[trips.Count / 2], rates[rates.Count / 2]);
    }

    private static long Rss()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }
}
