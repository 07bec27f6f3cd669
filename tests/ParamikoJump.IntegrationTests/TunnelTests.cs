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

    [Fact(Timeout = 120_000)]
    public async Task No_other_process_gets_a_byte_from_any_forward_of_the_five_hop_circuit_during_or_after_the_connect()
    {
        var logs = new CapturingLoggerFactory();
        var hops = new List<SshJumpClient>();
        var probes = new List<Probe>();
        try
        {
            SshJumpClient? jump = null;
            for (var n = 1; n <= 5; n++)
            {
                var hop = new SshJumpClient(Settings(Lab[$"hop{n}"], logs), jump);
                hops.Add(hop);
                if (jump is not null)
                {
                    // Hammer the new forward from two other processes, root and nobody, while the hop connects.
                    var port = hop.ConnectionInfo.Port;
                    probes.Add(Probe.Start(port, TimeSpan.FromSeconds(2), asNobody: false));
                    probes.Add(Probe.Start(port, TimeSpan.FromSeconds(2), asNobody: true));
                }

                await hop.ConnectAsync(TestContext.Current.CancellationToken);
                jump = hop;
            }

            foreach (var hop in hops.Skip(1))
            {
                probes.Add(Probe.Start(hop.ConnectionInfo.Port, TimeSpan.FromSeconds(1), asNobody: false));
                probes.Add(Probe.Start(hop.ConnectionInfo.Port, TimeSpan.FromSeconds(1), asNobody: true));
            }

            var results = await Task.WhenAll(probes.Select(p => p.ResultAsync()));

            Assert.All(results, r => Assert.True(r.Connections > 0, $"a probe of port {r.Port} never got a connection, so it proved nothing"));
            Assert.All(results, r => Assert.Equal(0, r.BytesReceived));
            Assert.All(hops, hop => Assert.Equal("ok", Hops.Run(hop, "echo ok")));
            Assert.Contains(logs.Lines, line => line.Contains("refused a connection to its forward", StringComparison.Ordinal) && line.Contains("from 127.0.0.1:", StringComparison.Ordinal));
            output.WriteLine($"{results.Sum(r => r.Connections)} connections by other processes to 4 forwards, {results.Sum(r => r.BytesReceived)} bytes received");
        }
        finally
        {
            foreach (var hop in Enumerable.Reverse(hops))
            {
                hop.Dispose();
            }
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
        using var ssh = openSsh.Start(LabIdOf(last), "sleep 60");
        var (_, stdout, _) = last.ExecCommand("sleep 60; echo late");
        var read = Task.Run(stdout.ReadToEnd, TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

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

    /// <summary>Another process that connects to a loopback port again and again and counts the bytes it is sent.</summary>
    private sealed class Probe
    {
        private const string Script = """
            import socket, sys, time
            port, until = int(sys.argv[1]), time.time() + float(sys.argv[2])
            received = connections = 0
            while time.time() < until:
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=0.5)
                except OSError:
                    time.sleep(0.005)
                    continue
                connections += 1
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
            print(received, connections)
            """;

        private readonly Process _process;
        private readonly int _port;

        private Probe(Process process, int port)
        {
            _process = process;
            _port = port;
        }

        public static Probe Start(int port, TimeSpan duration, bool asNobody)
        {
            var info = new ProcessStartInfo(asNobody ? "runuser" : "/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
            if (asNobody)
            {
                foreach (var arg in new[] { "-u", "nobody", "--", "/usr/bin/python3" })
                {
                    info.ArgumentList.Add(arg);
                }
            }

            foreach (var arg in new[] { "-c", Script, port.ToString(CultureInfo.InvariantCulture), duration.TotalSeconds.ToString(CultureInfo.InvariantCulture) })
            {
                info.ArgumentList.Add(arg);
            }

            return new Probe(Process.Start(info)!, port);
        }

        public async Task<(int Port, long BytesReceived, int Connections)> ResultAsync()
        {
            var line = await _process.StandardOutput.ReadToEndAsync();
            await _process.WaitForExitAsync();
            _process.Dispose();
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (_port, long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
    }
}
