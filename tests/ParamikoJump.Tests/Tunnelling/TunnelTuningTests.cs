using ParamikoJump.Tunnelling;

namespace ParamikoJump.Tests.Tunnelling;

public class TunnelTuningTests
{
    [Fact]
    public void Each_pinned_pool_thread_raises_the_pool_minimum_until_released()
    {
        ThreadPool.GetMinThreads(out var before, out _);

        PinnedPoolThreads.Add();
        ThreadPool.GetMinThreads(out var during, out _);
        PinnedPoolThreads.Remove();
        ThreadPool.GetMinThreads(out var after, out _);

        Assert.Equal(before + 1, during);
        Assert.Equal(before, after);
    }
}
