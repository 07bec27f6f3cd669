using System.Diagnostics;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>Once a jump's server drops it, everything behind it says so, naming that jump.</summary>
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
