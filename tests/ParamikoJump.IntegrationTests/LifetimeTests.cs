using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>Forwards, threads, memory and logs over a client's life, against real servers.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class LifetimeTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task The_hop_listens_nowhere_and_its_tunnel_closes_when_the_target_is_disposed()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var listenersBefore = OwnSockets.TcpListeners();
        var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));

        // Nothing listens, and port 0 is one nothing can listen on: a client dialling this ConnectionInfo reaches no one.
        Assert.Equal(("127.0.0.1", 0), (target.ConnectionInfo.Host, target.ConnectionInfo.Port));
        Assert.Equal(listenersBefore, OwnSockets.TcpListeners());
        // The pair's ends still carry the name of the socket file they were made through (/proc/net/unix shows it), but
        // the file and its directory are gone: there is nothing to connect to.
        Assert.All(OwnSockets.UnixSocketPaths().Where(path => path.Contains("paramikojump-tunnel-", StringComparison.Ordinal)),
            path => Assert.False(Directory.Exists(Path.GetDirectoryName(path)), $"{path} is still there"));
        Assert.Single(jumper.ForwardedPorts);
        Assert.Equal("pjtarget", Hops.Run(target, "whoami"));
        using (var probe = new TcpClient())
        {
            var refused = await Assert.ThrowsAsync<SocketException>(async () => await probe.ConnectAsync("127.0.0.1", 0, TestContext.Current.CancellationToken));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        var watch = Stopwatch.StartNew();
        target.Dispose();
        var disposeTook = watch.Elapsed;

        Assert.True(disposeTook < TimeSpan.FromSeconds(3), $"Dispose took {disposeTook}");
        Assert.True(jumper.IsConnected);
        Assert.Empty(jumper.ForwardedPorts);
    }

    [Fact(Timeout = 60_000)]
    public async Task On_the_TCP_fallback_the_hop_listens_on_loopback_only_and_its_port_closes_when_the_target_is_disposed()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        SshJumpClient target;
        using (Hops.TcpFallback())
        {
            target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        }

        var port = target.ConnectionInfo.Port;

        Assert.Equal("127.0.0.1", target.ConnectionInfo.Host);
        Assert.Equal(["127.0.0.1"], ListenersOn(port));
        Assert.Contains(port, OwnSockets.TcpListeners());

        var watch = Stopwatch.StartNew();
        target.Dispose();
        var disposeTook = watch.Elapsed;

        Assert.Empty(ListenersOn(port));
        using var probe = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(async () =>
            await probe.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.True(disposeTook < TimeSpan.FromSeconds(3), $"Dispose took {disposeTook}");
        Assert.True(jumper.IsConnected);
        Assert.Empty(jumper.ForwardedPorts);
    }

    [Fact(Timeout = 60_000)]
    public async Task Once_connected_the_channel_timeout_is_in_force_and_a_live_server_answers_every_keep_alive()
    {
        var bastion = Lab["bastion-password"];
        using var client = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: bastion.User,
            password: bastion.Credentials().Password, lookForKeys: false, allowAgent: false,
            timeout: TimeSpan.FromSeconds(5), channelTimeout: TimeSpan.FromSeconds(7), keepAliveInterval: TimeSpan.FromMilliseconds(200)));

        // Four times the interval × (count + 1) that would declare a silent server dead.
        await Task.Delay(TimeSpan.FromSeconds(3.2), TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromSeconds(7), client.ConnectionInfo.Timeout);
        Assert.Equal(HopStage.Session, client.Stage);
        Assert.True(client.IsConnected);
        Assert.Equal("alive", Hops.Run(client, "echo alive"));
    }

    [Fact(Timeout = 120_000)]
    public async Task One_jump_serves_twenty_targets_connected_from_many_threads_at_once()
    {
        using var jumper = await Hops.ConnectAsync(Hops.MfaBastion(Lab));
        var targets = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
        {
            var target = Hops.PasswordTarget(Lab, jumper);
            target.Connect();
            return target;
        }, TestContext.Current.CancellationToken)));
        try
        {
            var answers = await Task.WhenAll(targets.Select((t, i) => Task.Run(() => Hops.Run(t, $"echo {i}"), TestContext.Current.CancellationToken)));

            Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)), answers);
            Assert.Equal(20, jumper.ForwardedPorts.Count());
        }
        finally
        {
            foreach (var target in targets)
            {
                target.Dispose();
            }
        }

        Assert.Empty(jumper.ForwardedPorts);
    }

    [Fact(Timeout = 180_000)]
    public async Task Output_streams_through_two_hops_without_loss_and_without_buffering_it_whole()
    {
        const long size = 256L * 1024 * 1024;
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        using var process = target.ExecCommand($"head -c {size} /dev/zero");
        var buffer = new byte[81920];
        long total = 0, peakHeap = 0;
        int read;
        while ((read = await process.Stdout.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            total += read;
            if (total % (16 * 1024 * 1024) < read)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
            }
        }

        Assert.Equal(size, total);
        Assert.Equal(0, process.WaitForExit());
        Assert.True(peakHeap < size / 2, $"the managed heap peaked at {peakHeap / (1024 * 1024)} MiB while streaming {size / (1024 * 1024)} MiB");
    }

    [Fact(Timeout = 60_000)]
    public async Task Logs_show_hops_and_rounds_but_never_an_answer()
    {
        var bastion = Lab["bastion"];
        var secrets = bastion.Credentials("pjmfa");
        var code = secrets.Totp();
        using var logs = new CapturingLoggerFactory();
        using (var jumper = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
            authHandler: new MagicAuthHandler([secrets.Password!], [code]), lookForKeys: false, allowAgent: false, loggerFactory: logs)))
        {
            using var target = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: Lab["target-password"].Host, username: "pjtarget",
                password: "wrong-target-password", lookForKeys: false, allowAgent: false, jumpSession: jumper, loggerFactory: logs);
            await Assert.ThrowsAsync<HopAuthenticationException>(() => target.ConnectAsync(TestContext.Current.CancellationToken));
        }

        Assert.Contains("round 1", logs.All, StringComparison.Ordinal);
        Assert.Contains("Verification code", logs.All, StringComparison.Ordinal);
        Assert.Contains("connected", logs.All, StringComparison.Ordinal);
        Assert.Contains("closed", logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(secrets.Password!, logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(code, logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-target-password", logs.All, StringComparison.Ordinal);
    }

    /// <summary>The local addresses listening on a TCP port, from /proc/net/tcp and tcp6.</summary>
    private static List<string> ListenersOn(int port)
    {
        const string listen = "0A";
        var found = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] == listen && int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    found.Add(local[0].Length == 8 ? HexToIPv4(local[0]) : local[0]);
                }
            }
        }

        return found;
    }

    private static string HexToIPv4(string hex)
    {
        var value = uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return string.Join('.', BitConverter.GetBytes(value));
    }
}
