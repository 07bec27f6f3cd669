using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// The tunnel belongs to its hop: no other process can ride a hop's loopback forward, and a hop whose link goes
/// silent (no FIN, no RST) is noticed by keep-alive, with the silent hop named, while the hops before it live on.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class TunnelTests(LabFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(1);
    private const int KeepAliveCountMax = 3;

    /// <summary>interval × (count + 1) plus a second, as the keep-alive promises; plus half a second for a loaded 2-core machine.</summary>
    private static readonly TimeSpan DeadPeerBound = (KeepAliveInterval * (KeepAliveCountMax + 1)) + TimeSpan.FromSeconds(1.5);

    private LabDescription Lab => fixture.Lab;

    /// <summary>How many times the five-hop circuit is built (5 hops each: 100 connects, 80 of them through a tunnel).</summary>
    private const int CircuitRounds = 20;

    /// <summary>How many circuits are built at the same time.</summary>
    private const int Lanes = 4;

    [Fact(Timeout = 240_000)]
    public Task On_the_private_transport_nobody_else_reaches_a_hop_of_the_five_hop_circuit_during_or_after_100_connects() =>
        FloodWhileConnecting(tcpFallback: false);

    [Fact(Timeout = 240_000)]
    public Task On_the_TCP_fallback_nobody_else_gets_a_byte_from_a_forward_of_the_five_hop_circuit_during_or_after_100_connects() =>
        FloodWhileConnecting(tcpFallback: true);

    /// <summary>
    /// Another user (<c>nobody</c>) floods whatever a connecting hop uses: the port its ConnectionInfo announces, and
    /// every socket file of ours it can find in the temporary folder or in /proc/net/unix. It must never receive a byte,
    /// and every connect must succeed at the first attempt. Meanwhile this process's own TCP listeners are sampled:
    /// on the private transport there must never be one.
    /// </summary>
    private async Task FloodWhileConnecting(bool tcpFallback)
    {
        var logs = new CapturingLoggerFactory();
        using var targets = new FloodTargets();
        var listenersBefore = OwnSockets.TcpListeners();
        var listenersSeen = new SortedSet<int>();

        // Looked at when a hop's forward must exist (built, and then connected through it), in every lane.
        void SampleListeners()
        {
            var now = OwnSockets.TcpListeners().Except(listenersBefore);
            lock (listenersSeen)
            {
                listenersSeen.UnionWith(now);
            }
        }

        var flood = Flood.Start(targets.File, TimeSpan.FromSeconds(300));
        var connects = 0;
        var watch = Stopwatch.StartNew();
        try
        {
            using (tcpFallback ? Hops.TcpFallback() : null)
            {
                // A few circuits at once, as an operator's tool would connect them; each hop gets one attempt only.
                await Task.WhenAll(Enumerable.Range(0, Lanes).Select(_ => Task.Run(async () =>
                {
                    for (var round = 0; round < CircuitRounds / Lanes; round++)
                    {
                        using var circuit = new Hops.Circuit();
                        for (var n = 1; n <= 5; n++)
                        {
                            var settings = Settings(Lab[$"hop{n}"], logs);
                            settings.ConnectionAttempts = 1;
                            var hop = new SshJumpClient(settings, circuit.Last);
                            circuit.Add(hop);
                            if (n > 1)
                            {
                                targets.Add(hop.ConnectionInfo.Port);
                            }

                            SampleListeners();
                            await hop.ConnectAsync(TestContext.Current.CancellationToken);
                            SampleListeners();
                            Interlocked.Increment(ref connects);
                        }

                        Assert.Equal("pjhop", Hops.Run(circuit.Last!, "whoami"));
                    }
                }, TestContext.Current.CancellationToken)));
            }

            var connecting = watch.Elapsed;

            // After: the flood goes over everything the circuits left (nothing, once disposed) a few more times.
            await flood.PassesAfterAsync(targets.File + ".after", 3).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var result = await flood.StopAsync();

            output.WriteLine($"{(tcpFallback ? "TCP fallback" : "private transport")}: {connects} connects in {connecting.TotalSeconds:0.0} s, all at the first attempt; "
                + $"nobody made {result.Attempts} connection attempts ({result.UnixAttempts} to socket files of ours), {result.Connections} got through, {result.BytesReceived} bytes received; "
                + $"new TCP listeners of this process seen: {listenersSeen.Count}; refusal lines logged: {logs.Lines.Count(l => l.Contains("refused", StringComparison.Ordinal) && l.Contains("forward", StringComparison.Ordinal))}");
            Assert.Equal(CircuitRounds * 5, connects);
            Assert.True(result.Attempts > 1000, $"nobody tried only {result.Attempts} times, which proves little");
            Assert.Equal(0, result.BytesReceived);
            if (tcpFallback)
            {
                Assert.True(result.Connections > 0, "nobody never got a TCP connection to a forward, so the fallback's checks were not exercised");
                Assert.NotEmpty(listenersSeen);
                var refusalLines = logs.Lines.Count(l => l.Contains("refused", StringComparison.Ordinal) && l.Contains("its forward", StringComparison.Ordinal));
                Assert.True(refusalLines <= 2 * CircuitRounds * 4, $"{refusalLines} refusal lines for {result.Connections} refused connections: not once per burst");

                // Said once per process (perhaps already, by an earlier test in it), never once per hop.
                Assert.True(logs.Lines.Count(l => l.Contains("ride a loopback TCP forward", StringComparison.Ordinal)) <= 1);
            }
            else
            {
                Assert.Equal(0, result.Connections);
                Assert.Empty(listenersSeen);
                Assert.DoesNotContain(logs.Lines, l => l.Contains("ride a loopback TCP forward", StringComparison.Ordinal));
            }
        }
        catch
        {
            foreach (var line in logs.Lines.Where(l => !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal)).TakeLast(30))
            {
                output.WriteLine(line);
            }

            throw;
        }
        finally
        {
            await flood.StopAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_silent_link_in_front_of_a_target_fails_its_read_within_the_keep_alive_bound_and_the_target_reconnects_once_it_is_back()
    {
        using var jump = await Hops.ConnectAsync(new SshJumpClient(Settings(Lab["bastion-password"])));
        using var target = await Hops.ConnectAsync(new SshJumpClient(Settings(Lab["target-password"]), jump));

        await SilenceWhileReading<HopUnresponsiveException>(Lab["target-password"], target, error =>
        {
            Assert.Equal(target.Hop, error.Hop);
            Assert.Equal(KeepAliveCountMax, error.UnansweredKeepAlives);
            Assert.False(target.IsConnected);
            Assert.True(jump.IsConnected);
            Assert.Equal("jump alive", Hops.Run(jump, "echo jump alive"));
        });

        // The link is back: the same client reconnects through the same jump.
        await target.ConnectAsync(TestContext.Current.CancellationToken);
        Assert.Equal("back", Hops.Run(target, "echo back"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_silent_link_in_front_of_the_middle_hop_fails_a_read_on_the_last_hop_naming_the_middle_hop_and_the_chain_reconnects()
    {
        using var hop1 = await Hops.ConnectAsync(new SshJumpClient(Settings(Lab["hop1"])));
        using var hop2 = await Hops.ConnectAsync(new SshJumpClient(Settings(Lab["hop2"]), hop1));
        using var hop3 = await Hops.ConnectAsync(new SshJumpClient(Settings(Lab["hop3"]), hop2));

        await SilenceWhileReading<JumpNotConnectedException>(Lab["hop2"], hop3, error =>
        {
            var silent = Assert.IsType<HopUnresponsiveException>(error.InnerException);
            Assert.Equal(hop2.Hop, silent.Hop);
            Assert.Equal(hop3.Hop, error.Hop);
            Assert.Contains(hop2.Hop.ToString(), error.Message, StringComparison.Ordinal);
            Assert.False(hop2.IsConnected);
            Assert.False(hop3.IsConnected);
            Assert.True(hop1.IsConnected);
        });

        await hop2.ConnectAsync(TestContext.Current.CancellationToken);
        await hop3.ConnectAsync(TestContext.Current.CancellationToken);
        Assert.Equal("back", Hops.Run(hop3, "echo back"));
    }

    private HopSettings Settings(LabServer server, CapturingLoggerFactory? logs = null)
    {
        var settings = Hops.SettingsFor(Lab, server);
        settings.KeepAliveInterval = KeepAliveInterval;
        settings.KeepAliveCountMax = KeepAliveCountMax;
        settings.LoggerFactory = logs;
        return settings;
    }

    /// <summary>
    /// Silences the link into <paramref name="silenced"/>'s host while our read and OpenSSH's command wait behind it;
    /// checks what <paramref name="whileSilent"/> expects of our read's error while the link is down, and that it came
    /// within the keep-alive bound, printing how long each side took to notice.
    /// </summary>
    private async Task SilenceWhileReading<TError>(LabServer silenced, SshJumpClient last, Action<TError> whileSilent)
        where TError : Exception
    {
        using var openSsh = new OpenSsh(Lab, $"  ServerAliveInterval {KeepAliveInterval.TotalSeconds}\n  ServerAliveCountMax {KeepAliveCountMax}\n");
        var sshStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var ssh = openSsh.Start(LabIdOf(last), "echo started; sleep 60", _ => sshStarted.TrySetResult());
        var (_, stdout, _) = last.ExecCommand("echo started; sleep 60; echo late");

        // Both commands run behind the link: what either reads next can only come after the cut.
        Assert.Equal("started", stdout.ReadLines().First());
        await sshStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var read = Task.Run(stdout.ReadToEnd, TestContext.Current.CancellationToken);

        using (Lab.Silence(silenced))
        {
            var cut = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<TError>(() => read);
            var ours = cut.Elapsed;
            await ssh.WaitForExitAsync(TestContext.Current.CancellationToken);
            var theirs = cut.Elapsed;
            whileSilent(error);
            output.WriteLine($"link into {silenced.Id} cut, keep-alive {KeepAliveInterval.TotalSeconds} s x {KeepAliveCountMax}: ParamikoJump's read on {LabIdOf(last)} failed after {ours.TotalSeconds:0.0} s, ssh -J exited after {theirs.TotalSeconds:0.0} s (status {ssh.ExitCode})");
            Assert.True(ours <= DeadPeerBound, $"the read failed after {ours}, beyond {DeadPeerBound}");
            Assert.NotEqual(0, ssh.ExitCode);
        }
    }

    private string LabIdOf(SshJumpClient client) => Lab.Servers.Single(s => s.Value.Host == client.Hop.Host && s.Value.Port == client.Hop.Port).Key;

    /// <summary>The ports announced so far, in a file the flooding user can read (umask 022; it re-reads it as it goes).</summary>
    private sealed class FloodTargets : IDisposable
    {
        private readonly List<int> _ports = [];

        public FloodTargets()
        {
            File = Path.Combine(Path.GetTempPath(), $"pj-flood-{Guid.NewGuid():N}");
            System.IO.File.WriteAllText(File, string.Empty);
        }

        public string File { get; }

        public void Add(int port)
        {
            lock (_ports)
            {
                _ports.Add(port);
                System.IO.File.WriteAllText(File + ".new", string.Join(' ', _ports.Distinct()));
                System.IO.File.Move(File + ".new", File, overwrite: true);
            }
        }

        public void Dispose()
        {
            System.IO.File.Delete(File);
            System.IO.File.Delete(File + ".after");
        }
    }

    /// <summary>
    /// The user <c>nobody</c>, connecting again and again to every announced loopback port and to every socket file of
    /// ParamikoJump's it can find (in the temporary folder, and in /proc/net/unix), counting the bytes it is sent.
    /// </summary>
    private sealed class Flood
    {
        private const string Script = """
            import glob, os, signal, socket, sys, time
            ports_file, temp, until = sys.argv[1], sys.argv[2], time.time() + float(sys.argv[3])
            received = connections = attempts = unix_attempts = 0
            stop = False
            def on_term(*_):
                global stop
                stop = True
            signal.signal(signal.SIGTERM, on_term)
            def ours():
                paths = [d + "/s" for d in glob.glob(os.path.join(temp, "paramikojump-tunnel-*"))]
                try:
                    for line in open("/proc/net/unix").read().splitlines()[1:]:
                        fields = line.split()
                        if len(fields) >= 8 and "paramikojump-tunnel-" in fields[7]:
                            paths.append(fields[7])
                except OSError:
                    pass
                return paths
            def drain(s):
                global received
                s.settimeout(0.3)
                try:
                    while True:
                        data = s.recv(4096)
                        if not data:
                            break
                        received += len(data)
                except OSError:
                    pass
                s.close()
            marker, after = ports_file + ".after", None
            while not stop and time.time() < until:
                if after is None and os.path.exists(marker):
                    after = 0
                try:
                    ports = [int(p) for p in open(ports_file).read().split()][-16:]
                except (OSError, ValueError):
                    ports = []
                for port in ports:
                    attempts += 1
                    try:
                        s = socket.create_connection(("127.0.0.1", port), timeout=0.5)
                    except OSError:
                        continue
                    connections += 1
                    drain(s)
                for path in ours():
                    attempts += 1
                    unix_attempts += 1
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    try:
                        s.settimeout(0.5)
                        s.connect(path)
                    except OSError:
                        s.close()
                        continue
                    connections += 1
                    drain(s)
                if after is not None and after < 10:
                    after += 1
                    print("after", after, flush=True)
                time.sleep(0.001)
            print(received, connections, attempts, unix_attempts, flush=True)
            """;

        private readonly Process _process;
        private Task<(long BytesReceived, int Connections, int Attempts, int UnixAttempts)>? _result;

        private Flood(Process process) => _process = process;

        public static Flood Start(string portsFile, TimeSpan duration)
        {
            var info = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "-u", "nobody", "--", "/usr/bin/python3", "-c", Script, portsFile, Path.GetTempPath(), duration.TotalSeconds.ToString(CultureInfo.InvariantCulture) })
            {
                info.ArgumentList.Add(arg);
            }

            return new Flood(Process.Start(info)!);
        }

        /// <summary>
        /// Completes once the flood has gone <paramref name="passes"/> times over every port and socket file it knows,
        /// counted from when it sees <paramref name="marker"/> (created here), each pass printed ("after 2").
        /// </summary>
        public async Task PassesAfterAsync(string marker, int passes)
        {
            await System.IO.File.WriteAllTextAsync(marker, string.Empty);
            while (await _process.StandardOutput.ReadLineAsync() is { } line && line != $"after {passes}")
            {
            }
        }

        public Task<(long BytesReceived, int Connections, int Attempts, int UnixAttempts)> StopAsync() => _result ??= StopOnceAsync();

        private async Task<(long BytesReceived, int Connections, int Attempts, int UnixAttempts)> StopOnceAsync()
        {
            // runuser passes SIGTERM on to the script, which prints its counts and exits.
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            // The counts are the last line, after any pass lines not yet read.
            var line = (await _process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
            await _process.WaitForExitAsync();
            _process.Dispose();
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture),
                int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture));
        }
    }
}
