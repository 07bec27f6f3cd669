using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// A command that writes faster than its reader reads, through one hop and through five: memory stays within the
/// command's output limit, the command is cancelled with a typed error, and the hops it rode keep working.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class OutputLimitTests(LabFixture fixture, ITestOutputHelper output)
{
    private const long Limit = 32L * 1024 * 1024;

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 120_000)]
    public async Task Through_one_hop_a_reader_at_1_MB_per_second_of_1_GiB_of_output_keeps_memory_within_the_limit()
    {
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(new SshJumpClient(Settings(Lab["target-password"]), jump));

        await FloodSlowReader(target, "one hop");

        Assert.Equal("still here", Hops.Run(target, "echo still here"));
        Assert.Equal("jump too", Hops.Run(jump, "echo jump too"));
    }

    [Fact(Timeout = 120_000)]
    public async Task Through_five_hops_a_reader_at_1_MB_per_second_of_1_GiB_of_output_keeps_memory_within_the_limit()
    {
        var hops = new List<SshJumpClient>();
        try
        {
            SshJumpClient? jump = null;
            for (var n = 1; n <= 5; n++)
            {
                jump = await Hops.ConnectAsync(new SshJumpClient(Settings(Lab[$"hop{n}"]), jump));
                hops.Add(jump);
            }

            await FloodSlowReader(hops[^1], "five hops");

            Assert.All(hops, hop => Assert.Equal("ok", Hops.Run(hop, "echo ok")));
        }
        finally
        {
            foreach (var hop in Enumerable.Reverse(hops))
            {
                hop.Dispose();
            }
        }
    }

    private async Task FloodSlowReader(SshJumpClient target, string route)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var (_, stdout, _) = target.ExecCommand("head -c 1073741824 /dev/zero");
        var buffer = new byte[64 * 1024];
        long read = 0;

        var error = await Assert.ThrowsAsync<CommandOutputLimitException>(async () =>
        {
            while (true)
            {
                var n = await stdout.ReadAsync(buffer, TestContext.Current.CancellationToken);
                Assert.NotEqual(0, n);
                read += n;
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false) - before);
                if (!stdout.Process.Completion.IsCompleted)
                {
                    await Task.Delay(64, TestContext.Current.CancellationToken); // about 1 MB/s, until the command is cancelled
                }
            }
        });

        output.WriteLine($"{route}: read {read / 1e6:0.0} MB (at ~1 MB/s until the limit cancelled the command, then what was kept); managed heap peaked {peak / 1e6:0.0} MB above its start (limit {Limit / 1e6:0.0} MB)");
        Assert.Equal(Limit, error.Limit);
        Assert.True(peak < Limit + (32L * 1024 * 1024), $"the managed heap grew by {peak} bytes, more than the limit allows");
    }

    private HopSettings Settings(LabServer server)
    {
        var settings = Hops.SettingsFor(Lab, server);
        settings.MaxCommandOutputBuffer = Limit;
        return settings;
    }
}
