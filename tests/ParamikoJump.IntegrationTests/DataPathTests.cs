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
}
