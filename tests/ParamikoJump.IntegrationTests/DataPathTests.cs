using System.Reflection;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// The data path's tuning holds on real servers: channels advertise a bounded window instead of SSH.NET's 2 GiB, and a
/// bulk transfer through a jump no longer sends its sockets' readiness events through the thread pool.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class DataPathTests(LabFixture fixture, ITestOutputHelper output)
{
    private const long Bytes = 32L << 20;

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 120_000)]
    public async Task A_bulk_read_through_a_jump_uses_a_bounded_window_and_leaves_the_thread_pool_idle()
    {
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jump));
        using var command = target.CreateCommand($"head -c {Bytes} /dev/zero");
        var channel = typeof(SshCommand).GetField("_channel", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(command)!;
        var window = (uint)channel.GetType().GetProperty("LocalWindowSize")!.GetValue(channel)!;

        var poolItems = ThreadPool.CompletedWorkItemCount;
        var completion = command.ExecuteAsync(TestContext.Current.CancellationToken);
        var buffer = new byte[1 << 20];
        long received = 0;
        int read;
        // Read synchronously: SSH.NET's PipeStream has no ReadAsync of its own, and the base one is a pool work item per read.
        while ((read = command.OutputStream.Read(buffer, 0, buffer.Length)) > 0)
        {
            received += read;
        }

        await completion;
        var perMiB = (ThreadPool.CompletedWorkItemCount - poolItems) / (double)(Bytes >> 20);
        output.WriteLine($"window {window} bytes, {perMiB:0.0} thread-pool work items per MiB");

        Assert.Equal(Bytes, received);
        Assert.Equal(8u << 20, window);
        // Before the tuning: 20-40 per MiB through one hop (one per socket readiness event nobody waited for).
        Assert.True(perMiB < 4, $"{perMiB:0.0} thread-pool work items per MiB: socket events are going through the pool again");
    }

    [Fact(Timeout = 180_000)]
    public async Task Twenty_targets_held_open_through_one_jump_pin_no_pool_thread_and_carry_data_both_ways()
    {
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        ThreadPool.GetMinThreads(out var minimumBefore, out _);
        var targets = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Hops.ConnectAsync(Hops.PasswordTarget(Lab, jump))));
        try
        {
            ThreadPool.GetMinThreads(out var minimumHeld, out _);

            // Upload through each tunnel (data from the hop's session to the jump goes through the forward's pump).
            var counts = await Task.WhenAll(targets.Select(target => Task.Run(async () =>
            {
                var (stdin, stdout, _) = target.ExecCommand("wc -c");
                await stdin.WriteAsync(new byte[1 << 20], TestContext.Current.CancellationToken);
                stdin.Dispose();
                return stdout.ReadToEnd().Trim();
            })));

            Assert.All(counts, count => Assert.Equal("1048576", count));
            // Before: each open tunnel held a pool thread in SSH.NET's Bind() and raised the pool's minimum by one.
            Assert.Equal(minimumBefore, minimumHeld);
        }
        finally
        {
            foreach (var target in targets)
            {
                target.Dispose();
            }
        }
    }
}
