using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// Once a jump's server drops it, everything behind it says so, naming that jump; and a jump whose server is alive is
/// never declared lost, whatever the process or the clients behind it do.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class JumpLossTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Theory(Timeout = 60_000)]
    [InlineData("bastion-password", "target-password")]
    [InlineData("dropbear-bastion", "dropbear-target")]
    public async Task Once_the_jumps_server_is_killed_every_call_on_every_client_behind_it_names_the_lost_jump(string jumpId, string targetId)
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, jumpId));
        using var streaming = await Hops.ConnectAsync(Hops.Target(Lab, targetId, jumper));
        using var idle = await Hops.ConnectAsync(Hops.Target(Lab, targetId, jumper));
        using var ticking = streaming.ExecCommand("while true; do echo tick; sleep 0.1; done");
        Assert.Equal("tick", ticking.Stdout.ReadLines().First());

        var watch = Stopwatch.StartNew();
        KillSessionsOf(Lab[jumpId], jumper);
        var inFlight = Assert.ThrowsAny<SshException>(() =>
        {
            foreach (var _ in ticking.Stdout.ReadLines())
            {
            }

            ticking.WaitForExit();
        });

        var jumpName = jumper.Hop.ToString();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Same(streaming.Hop, inFlight.Failure().Hop);
        var lostInFlight = Assert.IsType<JumpNotConnectedException>(inFlight);
        Assert.Contains($"The jump {jumpName} was lost", lostInFlight.Message, StringComparison.Ordinal);
        foreach (var client in new[] { streaming, idle, streaming, idle })
        {
            var sync = Assert.Throws<JumpNotConnectedException>(() => client.ExecCommand("true"));
            var async = await Assert.ThrowsAsync<JumpNotConnectedException>(() => client.ExecCommandAsync("true", cancellationToken: TestContext.Current.CancellationToken));

            Assert.Same(client.Hop, sync.Hop);
            Assert.Contains($"The jump {jumpName} was lost", sync.Message, StringComparison.Ordinal);
            Assert.Contains($"The jump {jumpName} was lost", async.Message, StringComparison.Ordinal);
        }

        var reconnect = await Assert.ThrowsAsync<JumpNotConnectedException>(() => idle.ConnectAsync(TestContext.Current.CancellationToken));
        Assert.Contains(jumpName, reconnect.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Keep-alive every second, declared dead after 3 unanswered: the verdict would come within about 4 s of silence.
    /// The pool is starved for 60 s (the figure), fifteen times that, so a verdict that counted the client's
    /// own delay would surely fire (ticks pile up behind the blocked work and then run back to back).
    /// </summary>
    private static readonly TimeSpan StarvedFor = TimeSpan.FromSeconds(60);

    private static void FastKeepAlive(HopSettings settings)
    {
        settings.KeepAliveInterval = TimeSpan.FromSeconds(1);
        settings.KeepAliveCountMax = 3;
    }

    private async Task<SshJumpClient> FastKeepAliveJumpAsync()
    {
        var settings = Hops.SettingsFor(Lab, Lab["bastion-password"]);
        FastKeepAlive(settings);
        return await Hops.ConnectAsync(new SshJumpClient(settings));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_thread_pool_starved_for_a_while_never_gets_a_live_jump_or_its_targets_declared_dead()
    {
        using var jumper = await FastKeepAliveJumpAsync();
        using var target = await Hops.ConnectAsync(Hops.Target(Lab, "target-password", jumper, FastKeepAlive));
        using var release = new ManualResetEventSlim();
        var starved = Environment.ProcessorCount * 64;
        void Block(int count)
        {
            for (var i = 0; i < count; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static gate => ((ManualResetEventSlim)gate!).Wait(), release);
            }
        }

        try
        {
            Block(starved);

            // The pool adds a thread every half second or so while it is starved: keep blocking work queued behind
            // the blocked threads so that it stays starved for the whole time, whatever its minimum is.
            var starver = new Thread(() =>
            {
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < StarvedFor)
                {
                    if (ThreadPool.PendingWorkItemCount == 0)
                    {
                        Block(Environment.ProcessorCount * 16);
                    }

                    Thread.Sleep(50);
                }
            });
            starver.Start();
            starver.Join();
        }
        finally
        {
            release.Set();
        }

        // The ticks that waited behind the blocked work run now: give them time to (wrongly) reach a verdict.
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(ThreadPool.PendingWorkItemCount < starved, "the pool never drained");
        Assert.True(jumper.IsConnected, "the jump was declared dead");
        Assert.True(target.IsConnected, "the target was declared dead");
        Assert.Equal("alive", Hops.Run(target, "echo alive"));
        using var another = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        Assert.Equal("alive", Hops.Run(another, "echo alive"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_client_abandoned_with_two_remote_forwards_and_a_waiting_shell_never_harms_its_jump()
    {
        using var jumper = await FastKeepAliveJumpAsync();
        using var other = await Hops.ConnectAsync(Hops.Target(Lab, "target-password", jumper, FastKeepAlive));
        using var deaf = new TcpListener(IPAddress.Loopback, 0);
        deaf.Start();
        var accepted = new List<Socket>();
        var ports = new[] { 20000 + Random.Shared.Next(20000), 40000 + Random.Shared.Next(20000) };

        await AbandonForwardsAndShellAsync(jumper, deaf, ports);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // Data into both remote forwards, towards a local listener that accepts and never reads: the abandoned
        // client's session thread blocks writing it, and what it has not read backs up towards the jump.
        foreach (var port in ports)
        {
            Hops.Run(other, $"nohup timeout 30 bash -c 'head -c 64000000 /dev/zero > /dev/tcp/127.0.0.1/{port}' >/dev/null 2>&1 &");
        }

        // The first connection that reaches the listener stalls the abandoned client's session thread; the second
        // forward's connection then waits behind it, unserved.
        accepted.Add(await deaf.AcceptSocketAsync(TestContext.Current.CancellationToken));

        // Well past the keep-alive verdicts (about 4 s) while the abandoned client is stuck and, with it, the jump's
        // session thread writing into that client's tunnel: the jump's server answered, unread, so nothing is lost.
        await Task.Delay(TimeSpan.FromSeconds(8), TestContext.Current.CancellationToken);
        Assert.True(jumper.IsConnected, "the jump was declared lost");
        Assert.True(other.IsConnected, "a target behind the stalled jump was declared dead");

        // The stall ends with the connection that caused it; the same jump and target carry on, nothing reconnected.
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }

        deaf.Stop();
        Assert.Equal("alive", Hops.Run(other, "echo alive"));
        using var another = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        Assert.Equal("alive", Hops.Run(another, "echo alive"));
    }

    /// <summary>The client: two remote forwards and a shell stream whose Expect never matched, dropped without Dispose.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task AbandonForwardsAndShellAsync(SshJumpClient jumper, TcpListener deaf, int[] ports)
    {
        var abandoned = await Hops.ConnectAsync(Hops.Target(Lab, "target-password", jumper));
        var local = (IPEndPoint)deaf.LocalEndpoint;
        foreach (var port in ports)
        {
            var forward = new ForwardedPortRemote(IPAddress.Loopback, (uint)port, IPAddress.Loopback, (uint)local.Port);
            abandoned.AddForwardedPort(forward);
            forward.Start();
        }

        var shell = abandoned.CreateShellStream("xterm", 80, 24, 800, 600, 4096);
        shell.WriteLine("echo started");
        Assert.Null(shell.Expect(new Regex("this never appears"), TimeSpan.FromSeconds(2)));
    }

    /// <summary>
    /// Kills the server's processes of the jump's connection, as when a bastion reboots: OpenSSH's session process
    /// belongs to the user, who kills it from a command; dropbear's runs as root, so the test (root, as the lab)
    /// kills the children of that dropbear's listener, which are its connections.
    /// </summary>
    private void KillSessionsOf(LabServer server, SshJumpClient jumper)
    {
        if (server.Software != "dropbear")
        {
            Hops.KillServerSession(jumper);
            return;
        }

        var listener = File.ReadAllText(Path.Combine(Lab.StateDir, "dropbear", server.Id + ".pid")).Trim();
        using var pkill = Process.Start(new ProcessStartInfo("pkill", ["-KILL", "-P", listener]) { UseShellExecute = false })!;
        pkill.WaitForExit();
        Assert.Equal(0, pkill.ExitCode);
    }
}
