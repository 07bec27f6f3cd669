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
    private const long SlowFileSize = 128L << 20;
    private const double SlowRate = 20e6;
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
        using var circuit = await Hops.CircuitAsync(Lab, 3);
        using var destination = new SlowDestination(SlowRate);
        var generator = "import hashlib, os, sys\n"
            + $"n = {total}; h = hashlib.sha256(); w = sys.stdout.buffer\n"
            + "while n:\n"
            + "    b = os.urandom(min(n, 65536)); h.update(b); w.write(b); n -= len(b)\n"
            + "w.flush(); sys.stderr.write(h.hexdigest())\n";
        using var process = circuit[2].ExecCommand($"python3 -c '{generator}'");

        await process.Stdout.CopyToAsync(destination, TestContext.Current.CancellationToken);

        var expected = await process.Stderr.ReadToEndAsync(TestContext.Current.CancellationToken);
        Report("exec", destination);
        Assert.Equal(0, await process.WaitForExitAsync(TestContext.Current.CancellationToken));

        // What waits unread is bounded by the 8 MiB window (pooled segments of up to twice their size); before, it grew
        // to whatever the reader had not yet taken, here about 1 GB.
        AssertWholeAndBounded(destination, total, expected);
    }

    [Fact(Timeout = 240_000)]
    public Task Through_two_jumps_an_SCP_download_of_128_MiB_into_a_20_MB_per_second_stream_arrives_whole_in_bounded_memory() =>
        DownloadIntoSlowDestinationAsync("SCP", jump => Hops.Scp(Lab, "hop3", jump), (scp, path, destination) => scp.Download(path, destination));

    [Fact(Timeout = 240_000)]
    public Task Through_two_jumps_an_SFTP_download_of_128_MiB_into_a_20_MB_per_second_stream_arrives_whole_in_bounded_memory() =>
        DownloadIntoSlowDestinationAsync("SFTP", jump => Hops.Sftp(Lab, "hop3", jump), (sftp, path, destination) => sftp.DownloadFile(path, destination));

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
        const int controlCount = 4;
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var idleJump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var targets = new List<SshJumpClient>();
        var controls = new List<SshJumpClient>();
        var cleanup = new List<IDisposable>();
        try
        {
            for (var i = 0; i < targetCount; i++)
            {
                targets.Add(await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jump)));
            }

            // The yardstick: an idle chain (another session on the same bastion, to the same target server), measured
            // in turn with the others, so both see the same load of this shared machine at the same time.
            for (var i = 0; i < controlCount; i++)
            {
                controls.Add(await Hops.ConnectAsync(Hops.PasswordTarget(Lab, idleJump)));
            }

            var others = targets.Skip(4).ToList();
            // The first round warms up: the first commands and reads of a process run before tiered compilation settles.
            var before = await MeasureInTurnsAsync(others, controls, TimeSpan.FromSeconds(10));
            output.WriteLine($"before the stall: {before}");

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
            var stalled = await MeasureInTurnsAsync(others, controls, Stall - TimeSpan.FromSeconds(6));
            output.WriteLine($"stalled: {stalled}, measured until {stallEnds.Elapsed.TotalSeconds:0} s into the stall");
            Assert.True(stallEnds.Elapsed < Stall, "the measurement ran past the stall");

            // Not vacuous: the stalled readers' data was waiting unread when the measurement ended.
            foreach (var (client, what) in new[] { (localClient, "local"), (remoteClient, "remote"), (socksClient, "SOCKS") })
            {
                Assert.True(client.Available > 0, $"nothing was waiting on the stalled {what} forward's reader");
            }
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
            Assert.True(stalled.Rounds >= 4, $"only {stalled.Rounds} rounds were measured during the stall");
            Assert.True(stalled.Others.RoundTrip < 2 * stalled.Idle.RoundTrip, $"round trip {stalled}");
            Assert.True(stalled.Others.BulkRate > 0.8 * stalled.Idle.BulkRate, $"bulk {stalled}");
        }
        finally
        {
            foreach (var item in Enumerable.Reverse(cleanup))
            {
                item.Dispose();
            }

            foreach (var target in Enumerable.Reverse(controls).Concat(Enumerable.Reverse(targets)))
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

    /// <summary>
    /// Samples of <paramref name="others"/> and of <paramref name="idle"/> taken in turn, one against one (which goes
    /// first alternates by round), until <paramref name="duration"/> has passed: each round, the round trips of
    /// <see cref="TripsPerRound"/> targets of each group (every target in turn over the rounds), then two 16 MiB reads
    /// on each group's first three; the median of each figure of each group. Both groups are measured in the
    /// same seconds, so the load of this shared machine weighs on both alike.
    /// </summary>
    private const int TripsPerRound = 8;

    private async Task<Comparison> MeasureInTurnsAsync(IReadOnlyList<SshJumpClient> others, IReadOnlyList<SshJumpClient> idle, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var trips = (Others: new List<TimeSpan>(), Idle: new List<TimeSpan>());
        var rates = (Others: new List<double>(), Idle: new List<double>());
        var round = 0;
        do
        {
            var order = round % 2 == 0 ? new[] { true, false } : [false, true];
            for (var i = 0; i < TripsPerRound; i++)
            {
                foreach (var fromOthers in order)
                {
                    var group = fromOthers ? others : idle;
                    (fromOthers ? trips.Others : trips.Idle).Add(await RoundTripAsync(group[((round * TripsPerRound) + i) % group.Count]));
                }
            }

            for (var i = 0; i < 2; i++)
            {
                foreach (var fromOthers in order)
                {
                    var group = fromOthers ? others : idle;
                    (fromOthers ? rates.Others : rates.Idle).Add(await BulkRateAsync(group[((round * 2) + i) % Math.Min(3, group.Count)]));
                }
            }

            round++;
        }
        while (clock.Elapsed < duration - (clock.Elapsed / round));

        output.WriteLine($"  {round} rounds, bulk others / idle chain: " + string.Join(", ", rates.Others.Zip(rates.Idle, (a, b) => $"{a / 1e6:0}/{b / 1e6:0}")) + " MB/s");
        return new Comparison(round, (Median(trips.Others), Median(rates.Others)), (Median(trips.Idle), Median(rates.Idle)));
    }

    private static T Median<T>(List<T> samples) => samples.Order().ElementAt(samples.Count / 2);

    /// <summary>The medians of the targets behind the jump under test and of an idle chain, over <see cref="Rounds"/> rounds measured in turn.</summary>
    private sealed record Comparison(int Rounds, (TimeSpan RoundTrip, double BulkRate) Others, (TimeSpan RoundTrip, double BulkRate) Idle)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"command round trip {Others.RoundTrip.TotalMilliseconds:0.0} ms against {Idle.RoundTrip.TotalMilliseconds:0.0} ms on the idle chain, bulk {Others.BulkRate / 1e6:0.0} against {Idle.BulkRate / 1e6:0.0} MB/s (medians, {Rounds} rounds)");
    }

    /// <summary>How long a trivial command takes, start to exit.</summary>
    private static async Task<TimeSpan> RoundTripAsync(SshJumpClient target)
    {
        var clock = Stopwatch.StartNew();
        using var process = await target.ExecCommandAsync("true", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return clock.Elapsed;
    }

    /// <summary>The rate of one 16 MiB read of a command's output, all of it.</summary>
    private static async Task<double> BulkRateAsync(SshJumpClient target)
    {
        var clock = Stopwatch.StartNew();
        using var process = await target.ExecCommandAsync("head -c 16777216 /dev/zero", TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var bytes = await CountAsync(process.Stdout);
        Assert.Equal(16L << 20, bytes);
        return bytes / clock.Elapsed.TotalSeconds;
    }

    /// <summary>A file of <paramref name="size"/> random bytes in the remote user's home, and its SHA-256.</summary>
    private static (string Path, string Sha256) WriteRemoteFile(SshJumpClient host, long size)
    {
        var path = $"pj-slow-reader-{Guid.NewGuid():N}.bin";
        var sum = Hops.Run(host, $"head -c {size} /dev/urandom > {path} && sha256sum {path}");
        return (path, sum.Split(' ')[0]);
    }

    /// <summary>A file on the circuit's last hop, downloaded through two jumps into a 20 MB/s destination.</summary>
    private async Task DownloadIntoSlowDestinationAsync<TClient>(string what, Func<SshJumpClient, TClient> open, Action<TClient, string, Stream> download)
        where TClient : Renci.SshNet.BaseClient
    {
        using var circuit = await Hops.CircuitAsync(Lab, 3);
        var (path, expected) = WriteRemoteFile(circuit[2], SlowFileSize);
        try
        {
            using var client = open(circuit[1]);
            await client.ConnectAsync(TestContext.Current.CancellationToken);
            using var destination = new SlowDestination(SlowRate);
            download(client, path, destination);
            Report(what, destination);
            AssertWholeAndBounded(destination, SlowFileSize, expected);
        }
        finally
        {
            Hops.Run(circuit[2], $"rm -f {path}");
        }
    }

    private void Report(string what, SlowDestination destination) =>
        output.WriteLine($"{what}: wrote {destination.Length / 1e6:0} MB in {destination.Elapsed.TotalSeconds:0.0} s ({destination.Length / destination.Elapsed.TotalSeconds / 1e6:0.0} MB/s); managed heap peaked {destination.HeapPeak / 1e6:0.0} MB above its start; process RSS {destination.RssBefore / 1e6:0} MB before, peak {destination.RssPeak / 1e6:0} MB");

    /// <summary>Every byte, and no more held than the window and the requests in flight: before, a command or SCP held what the destination had not yet taken.</summary>
    private static void AssertWholeAndBounded(SlowDestination destination, long length, string expected)
    {
        Assert.Equal(length, destination.Length);
        Assert.Equal(expected, destination.Sha256());
        Assert.True(destination.HeapPeak < 48L << 20, $"the managed heap grew by {destination.HeapPeak} bytes");
        Assert.True(destination.RssPeak < 200L << 20 || destination.RssPeak - destination.RssBefore < 100L << 20, $"the process RSS reached {destination.RssPeak} bytes from {destination.RssBefore}");
    }

    private static long Rss()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    /// <summary>
    /// A destination that takes at most <c>rate</c> bytes per second (a disk or a network behind the transfer), hashes
    /// what it is given, and samples the managed heap and the process RSS every 8 MiB.
    /// </summary>
    private sealed class SlowDestination(double rate) : TransferData.HashingSink
    {
        private readonly long _heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _sampledAt;
        private long _rssPeak;

        public long HeapPeak { get; private set; }

        public long RssBefore { get; } = Rss();

        public long RssPeak => Math.Max(_rssPeak, RssBefore);

        public TimeSpan Elapsed => _clock.Elapsed;

        protected override void OnWritten(long length)
        {
            if (length - _sampledAt >= 8 << 20)
            {
                _sampledAt = length;
                HeapPeak = Math.Max(HeapPeak, GC.GetTotalMemory(forceFullCollection: false) - _heapBefore);
                _rssPeak = Math.Max(_rssPeak, Rss());
            }

            var due = TimeSpan.FromSeconds(length / rate) - _clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                Thread.Sleep(due);
            }
        }
    }
}
